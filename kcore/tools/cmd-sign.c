/* kcore-sign sign: the Ed25519ph signature kcore's KC_HC_VM_VERIFY checks, of an image file. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kcore-sign.h"

static int sign_write(const char *path, const uint8_t sig[KC_SIG_BYTES])
{
	struct ksign_outfile out = { 0 };
	int r;

	r = ksign_out_prepare(path, ksign_out_public_mode(), sig, KC_SIG_BYTES, &out);
	if (r == 0) {
		r = ksign_out_commit(&out, true);
	}
	if (r < 0) {
		ksign_error("%s: cannot write: %s", path, strerror(-r));
		return -1;
	}
	return 0;
}

static int sign_image(const struct ksign_args *a, const uint8_t *sk, uint8_t ret_sig[KC_SIG_BYTES])
{
	const uint8_t *pk = sk + crypto_sign_ed25519_SEEDBYTES; /* the secret key's public half */
	crypto_sign_ed25519ph_state state, check;
	uint64_t bytes = 0;

	if (ksign_image_hash(a->pos[0], &state, &bytes) < 0) {
		return -1;
	}
	check = state;
	crypto_sign_ed25519ph_final_create(&state, ret_sig, NULL, sk);
	/* Checked before it is written, as kcore will: a faulty signer never ships a refused image. */
	if (crypto_sign_ed25519ph_final_verify(&check, ret_sig, pk) != 0) {
		ksign_error("%s: the new signature does not verify; nothing written", a->pos[0]);
		return -1;
	}
	return 0;
}

static int sign_run(const struct ksign_args *a)
{
	uint8_t sk[crypto_sign_ed25519_SECRETKEYBYTES], sig[KC_SIG_BYTES];
	const char *sig_path = a->output;
	char *out = NULL;
	bool secret;
	int r;

	if (sig_path == NULL) {
		if (asprintf(&out, "%s.sig", a->pos[0]) < 0) {
			ksign_error("out of memory");
			return -1;
		}
		sig_path = out;
	}
	if (ksign_same_file(sig_path, a->pos[0]) || ksign_same_file(sig_path, a->secret)) {
		secret = ksign_same_file(sig_path, a->secret);
		free(out);
		return ksign_usage_error(&ksign_cmd_sign, "the signature would overwrite %s",
					 secret ? "the secret key" : "the image");
	}
	r = ksign_key_load_secret(a->secret, sk);
	if (r == 0) {
		r = sign_image(a, sk, sig);
	}
	sodium_memzero(sk, sizeof(sk));
	if (r == 0) {
		r = sign_write(sig_path, sig);
	}
	free(out);
	return r;
}

const struct ksign_cmd ksign_cmd_sign = {
	.name = "sign",
	.run = sign_run,
	.summary = "sign a boot image for kcore",
	.synopsis = "--secret FILE [-o SIG] IMAGE",
	.help = "Write the Ed25519ph signature of IMAGE that kcore checks at\n"
		"KC_HC_VM_VERIFY: over the image's bytes exactly (the image size is\n"
		"KC_HC_VM_SET_BOOT's x3), 64 bytes, passed to kcore in x2..x9.\n"
		"\n"
		"Options:\n"
		"  --secret FILE      the secret key from 'keygen'\n"
		"  -o, --output SIG   where to write the signature (default IMAGE.sig; replaced)\n"
		"  -h, --help         show this help",
	.opts = KSIGN_OPT_SECRET | KSIGN_OPT_OUTPUT,
	.required = KSIGN_OPT_SECRET,
	.pos_names = { "IMAGE" },
};
