/* kcore-sign keygen: a new Ed25519 key pair, both files written whole, the secret one mode 0600. */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kcore-sign.h"

static int keygen_refuse_existing(const char *path)
{
	struct stat st;

	if (lstat(path, &st) == 0) {
		ksign_error("%s: already exists; keygen replaces a key only with --force", path);
		return -1;
	}
	if (errno != ENOENT) {
		ksign_error("%s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

static int keygen_commit_error(const char *path, int r)
{
	if (r == -EEXIST) {
		ksign_error("%s: already exists; keygen replaces a key only with --force", path);
	} else {
		ksign_error("%s: cannot write: %s", path, strerror(-r));
	}
	return -1;
}

/* Both temporary files first, then the secret, then the public one; no half pair is left. */
static int keygen_write(const struct ksign_args *a, const uint8_t *pk, const uint8_t *sk)
{
	char pub_text[KEYFILE_TEXT_MAX], sec_text[KEYFILE_TEXT_MAX];
	struct ksign_outfile pub = { 0 }, sec = { 0 };
	size_t pub_len = keyfile_format(KEYFILE_PUBLIC, pk, pub_text);
	size_t sec_len = keyfile_format(KEYFILE_SECRET, sk, sec_text);
	int r;

	r = ksign_out_prepare(a->secret, 0600, sec_text, sec_len, &sec);
	sodium_memzero(sec_text, sizeof(sec_text));
	if (r < 0) {
		ksign_error("%s: cannot write: %s", a->secret, strerror(-r));
		return -1;
	}
	r = ksign_out_prepare(a->public, ksign_out_public_mode(), pub_text, pub_len, &pub);
	if (r < 0) {
		ksign_out_discard(&sec);
		ksign_error("%s: cannot write: %s", a->public, strerror(-r));
		return -1;
	}
	r = ksign_out_commit(&sec, a->force);
	if (r < 0) {
		ksign_out_discard(&pub);
		return keygen_commit_error(a->secret, r);
	}
	r = ksign_out_commit(&pub, a->force);
	if (r < 0) {
		if (!a->force) {
			(void)unlink(a->secret); /* just made, and useless without its pair */
		}
		return keygen_commit_error(a->public, r);
	}
	return 0;
}

static int keygen_run(const struct ksign_args *a)
{
	uint8_t pk[crypto_sign_ed25519_PUBLICKEYBYTES], sk[crypto_sign_ed25519_SECRETKEYBYTES];
	int r;

	if (strcmp(a->secret, a->public) == 0 || ksign_same_file(a->secret, a->public)) {
		return ksign_usage_error(&ksign_cmd_keygen,
					 "--secret and --public name the same file");
	}
	if (!a->force && (keygen_refuse_existing(a->secret) < 0 ||
			  keygen_refuse_existing(a->public) < 0)) {
		return -1;
	}
	crypto_sign_ed25519_keypair(pk, sk);
	r = keygen_write(a, pk, sk);
	sodium_memzero(sk, sizeof(sk));
	return r;
}

const struct ksign_cmd ksign_cmd_keygen = {
	.name = "keygen",
	.run = keygen_run,
	.summary = "make a new image signing key pair",
	.synopsis = "--secret FILE --public FILE [--force]",
	.help = "Make a new Ed25519 key pair for kcore's boot image check.\n"
		"\n"
		"Options:\n"
		"  --secret FILE  where to write the secret key (mode 0600); keep it off the host\n"
		"  --public FILE  where to write the public key, for 'pubkey-c' and 'verify'\n"
		"  --force        replace existing key files (never done without it)\n"
		"  -h, --help     show this help",
	.opts = KSIGN_OPT_SECRET | KSIGN_OPT_PUBLIC | KSIGN_OPT_FORCE,
	.required = KSIGN_OPT_SECRET | KSIGN_OPT_PUBLIC,
};
