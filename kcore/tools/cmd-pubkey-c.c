/* kcore-sign pubkey-c: the public key as a C initializer, for kc_boot_info.image_pubkey. */
#include <stdio.h>
#include <string.h>

#include "kcore-sign.h"

static bool c_identifier(const char *s)
{
	static const char first[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_";

	return *s != '\0' && strchr(first, *s) != NULL &&
	       strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_0123456789") ==
		       strlen(s);
}

static int pubkey_c_run(const struct ksign_args *a)
{
	char text[KEYFILE_TEXT_MAX];
	uint8_t pk[KC_PUBKEY_BYTES];
	unsigned int i;

	if (a->name != NULL && !c_identifier(a->name)) {
		return ksign_usage_error(&ksign_cmd_pubkey_c, "--name '%s' is not a C identifier",
					 a->name);
	}
	if (ksign_key_load_public(a->public, pk) < 0) {
		return -1;
	}
	keyfile_format(KEYFILE_PUBLIC, pk, text);
	text[strcspn(text, "\n")] = '\0';
	printf("/* kcore image public key (kcore-sign pubkey-c): %s */\n", text);
	if (a->name != NULL) {
		printf("static const unsigned char %s[%u] = ", a->name, KC_PUBKEY_BYTES);
	}
	printf("{");
	for (i = 0; i < KC_PUBKEY_BYTES; i++) {
		printf("%s0x%02x,", i % 8 == 0 ? "\n\t" : " ", pk[i]);
	}
	printf("\n}%s\n", a->name != NULL ? ";" : "");
	return 0;
}

const struct ksign_cmd ksign_cmd_pubkey_c = {
	.name = "pubkey-c",
	.run = pubkey_c_run,
	.summary = "print a public key as a C initializer for kcore's boot key",
	.synopsis = "--public FILE [--name IDENT]",
	.help = "Print the public key as a C initializer of 32 bytes, for the boot chain's\n"
		"struct kc_boot_info.image_pubkey (or a build-time key).\n"
		"\n"
		"Options:\n"
		"  --public FILE  the public key from 'keygen'\n"
		"  --name IDENT   print a whole definition: static const unsigned char IDENT[32]\n"
		"  -h, --help     show this help",
	.opts = KSIGN_OPT_PUBLIC | KSIGN_OPT_NAME,
	.required = KSIGN_OPT_PUBLIC,
};
