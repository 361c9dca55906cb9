/* Loading kcore image keys for kcore-sign: the file format (keyfile.c) plus libsodium's checks. */
#include <sodium.h>
#include <string.h>

#include "kcore-sign.h"
#include "keyfile.h"

int ksign_key_load_public(const char *path, uint8_t ret_pk[KC_PUBKEY_BYTES])
{
	const char *why = NULL;

	if (keyfile_read(path, KEYFILE_PUBLIC, ret_pk, &why) < 0) {
		ksign_error("%s: %s", path, why);
		return -1;
	}
	return 0;
}

/* The secret key (seed || public key); its public half must be the one its seed gives. */
int ksign_key_load_secret(const char *path, uint8_t ret_sk[KEYFILE_SECRET_BYTES])
{
	uint8_t sk[KEYFILE_SECRET_BYTES], pk[KC_PUBKEY_BYTES], derived[KEYFILE_SECRET_BYTES];
	const char *why = NULL;
	int r = 0;

	if (keyfile_read(path, KEYFILE_SECRET, sk, &why) < 0) {
		ksign_error("%s: %s", path, why);
		return -1;
	}
	crypto_sign_ed25519_seed_keypair(pk, derived, sk);
	if (sodium_memcmp(pk, sk + crypto_sign_ed25519_SEEDBYTES, sizeof(pk)) != 0) {
		ksign_error("%s: damaged: its public half is not the one its seed gives", path);
		r = -1;
	} else {
		memcpy(ret_sk, sk, sizeof(sk));
	}
	sodium_memzero(sk, sizeof(sk));
	sodium_memzero(derived, sizeof(derived));
	return r;
}
