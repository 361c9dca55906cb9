/* kcore-sign verify: kcore's boot image check, on the build host: exit 0 iff kcore accepts. */
#include <stdio.h>

#include "kcore-sign.h"

static int verify_run(const struct ksign_args *a)
{
	crypto_sign_ed25519ph_state state;
	uint8_t pk[KC_PUBKEY_BYTES], sig[KC_SIG_BYTES];
	uint64_t bytes = 0;

	if (ksign_key_load_public(a->public, pk) < 0 || ksign_sig_read(a->pos[1], sig) < 0 ||
	    ksign_image_hash(a->pos[0], &state, &bytes) < 0) {
		return -1;
	}
	if (crypto_sign_ed25519ph_final_verify(&state, sig, pk) != 0) {
		ksign_error("%s: signature %s does not verify with %s; kcore refuses the image "
			    "(KC_HC_VM_VERIFY: KC_EBADMSG)",
			    a->pos[0], a->pos[1], a->public);
		return -1;
	}
	printf("%s: good signature by %s (%llu bytes)\n", a->pos[0], a->public,
	       (unsigned long long)bytes);
	return 0;
}

const struct ksign_cmd ksign_cmd_verify = {
	.name = "verify",
	.run = verify_run,
	.summary = "check an image's signature as kcore does",
	.synopsis = "--public FILE IMAGE SIG",
	.help = "Check SIG over IMAGE with the public key, as kcore's KC_HC_VM_VERIFY does:\n"
		"exit 0 if kcore accepts the image, 1 if it refuses it (KC_EBADMSG) or a file\n"
		"is unusable.\n"
		"\n"
		"Options:\n"
		"  --public FILE  the public key kcore is given at boot\n"
		"  -h, --help     show this help",
	.opts = KSIGN_OPT_PUBLIC,
	.required = KSIGN_OPT_PUBLIC,
	.pos_names = { "IMAGE", "SIG" },
};
