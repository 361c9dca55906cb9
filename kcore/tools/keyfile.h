/* kcore image key files: one line, a tag naming the kind and the key in hex (docs/kcore.md). */
#ifndef KCORE_KEYFILE_H
#define KCORE_KEYFILE_H

#include <stddef.h>
#include <stdint.h>

/*
 * public: "kcore-ed25519-public-v1 " + 64 hex digits (the Ed25519 public key) + "\n"
 * secret: "kcore-ed25519-secret-v1 " + 128 hex digits (seed || public key, as RFC 8032
 *         and libsodium lay out a secret key) + "\n"
 * Distinct tags make a secret key given where a public one belongs an error, not a leak.
 */
enum keyfile_kind {
	KEYFILE_PUBLIC,
	KEYFILE_SECRET,
};

#define KEYFILE_PUBLIC_BYTES 32u
#define KEYFILE_SECRET_BYTES 64u
#define KEYFILE_TEXT_MAX 160u /* the longest file, with its newline and a NUL */

size_t keyfile_key_bytes(enum keyfile_kind kind);
const char *keyfile_tag(enum keyfile_kind kind);

/*
 * Reads the key file at path; ret_key gets keyfile_key_bytes(kind) bytes, only on success.
 * Returns 0 or a negative errno; *ret_why is then a short cause without the path
 * (the caller names the file).
 */
int keyfile_read(const char *path, enum keyfile_kind kind, uint8_t *ret_key, const char **ret_why);

/* The file's text for key, NUL-terminated, into buf; returns its length. */
size_t keyfile_format(enum keyfile_kind kind, const uint8_t *key, char buf[KEYFILE_TEXT_MAX]);

#endif /* KCORE_KEYFILE_H */
