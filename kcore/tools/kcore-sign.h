/* kcore-sign: the command table, parsed arguments and helpers shared by its commands. */
#ifndef KCORE_SIGN_H
#define KCORE_SIGN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sodium.h>
#include <sys/types.h>

#include "kcore-abi.h"
#include "keyfile.h"

#define KSIGN_EXIT_OK 0
#define KSIGN_EXIT_FAIL 1  /* a file, key or signature problem; the message names which */
#define KSIGN_EXIT_USAGE 2 /* bad command line */

#define _printf_(a, b) __attribute__((format(printf, a, b)))

/* What a command's run returns after printing a usage error the parser cannot see. */
#define KSIGN_RUN_USAGE (-2)

/* Options a command may take; each has one field in struct ksign_args. */
enum ksign_opt {
	KSIGN_OPT_SECRET = 1u << 0, /* --secret FILE */
	KSIGN_OPT_PUBLIC = 1u << 1, /* --public FILE */
	KSIGN_OPT_OUTPUT = 1u << 2, /* -o, --output FILE */
	KSIGN_OPT_FORCE = 1u << 3,  /* --force */
	KSIGN_OPT_NAME = 1u << 4,   /* --name IDENT */
};

#define KSIGN_POS_MAX 2

struct ksign_args {
	const char *secret;
	const char *public;
	const char *output;
	const char *name;
	bool force;
	const char *pos[KSIGN_POS_MAX];
};

/* One row of the command table: `kcore-sign CMD --help` and the man page synopsis come from it. */
struct ksign_cmd {
	const char *name;
	int (*run)(const struct ksign_args *args); /* 0, or < 0 after printing why */
	const char *summary;
	const char *synopsis; /* after "kcore-sign NAME " */
	const char *help;     /* what it does and its options, for --help */
	unsigned int opts;     /* KSIGN_OPT_* it accepts */
	unsigned int required; /* KSIGN_OPT_* it needs */
	const char *pos_names[KSIGN_POS_MAX]; /* positional arguments, all required */
};

extern const struct ksign_cmd ksign_cmd_keygen, ksign_cmd_sign, ksign_cmd_verify,
	ksign_cmd_pubkey_c;

/* args.c: parse argv for cmd (argv[0] is its name). 1: run it; 0: --help printed; < 0: usage. */
int ksign_args_parse(const struct ksign_cmd *cmd, int argc, char **argv,
		     struct ksign_args *ret_args);
void ksign_args_help(const struct ksign_cmd *cmd);
/* "kcore-sign: ..." on stderr, for failures; ksign_usage_error also prints the command's usage. */
_printf_(1, 2) void ksign_error(const char *fmt, ...);
_printf_(2, 3) int ksign_usage_error(const struct ksign_cmd *cmd, const char *fmt, ...);
/* True if a and b name the same existing file. */
bool ksign_same_file(const char *a, const char *b);

/* outfile.c: files written whole or not at all (a temporary file, fsync, then rename or link). */
struct ksign_outfile {
	const char *path;
	char *tmp; /* NULL once committed or discarded */
};

int ksign_out_prepare(const char *path, mode_t mode, const void *data, size_t len,
		      struct ksign_outfile *ret_out);
/* Puts the file in place; without replace, refuses (-EEXIST) if path exists. */
int ksign_out_commit(struct ksign_outfile *out, bool replace);
void ksign_out_discard(struct ksign_outfile *out);
/* The mode a new non-secret file gets: 0644 less the umask. */
mode_t ksign_out_public_mode(void);

/*
 * The helpers below print one message naming the file and the cause, and return -1 (or 0);
 * commands then just return.
 */
/* image.c: feed an image to an Ed25519ph state as kcore hashes it; *ret_bytes is its size. */
int ksign_image_hash(const char *path, crypto_sign_ed25519ph_state *state, uint64_t *ret_bytes);
int ksign_sig_read(const char *path, uint8_t ret_sig[KC_SIG_BYTES]);

/* keys.c */
int ksign_key_load_public(const char *path, uint8_t ret_pk[KC_PUBKEY_BYTES]);
int ksign_key_load_secret(const char *path, uint8_t ret_sk[KEYFILE_SECRET_BYTES]);

#endif /* KCORE_SIGN_H */
