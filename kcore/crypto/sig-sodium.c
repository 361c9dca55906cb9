/* kcore's signature seam on libsodium: Ed25519ph (RFC 8032) over a boot image, fed page by page. */
#include <sodium/crypto_sign_ed25519.h>

#include "sig.h"

_Static_assert(sizeof(crypto_sign_ed25519ph_state) <= sizeof(struct kc_sig_state),
	       "kc_sig_state holds libsodium's state");
_Static_assert(_Alignof(crypto_sign_ed25519ph_state) <= _Alignof(struct kc_sig_state),
	       "and is aligned for it");

static crypto_sign_ed25519ph_state *sig_state(struct kc_sig_state *state)
{
	return (crypto_sign_ed25519ph_state *)(void *)state->opaque;
}

void kc_sig_init(struct kc_sig_state *state)
{
	(void)crypto_sign_ed25519ph_init(sig_state(state));
}

void kc_sig_update(struct kc_sig_state *state, const uint8_t *bytes, uint64_t len)
{
	(void)crypto_sign_ed25519ph_update(sig_state(state), bytes, len);
}

int kc_sig_final_verify(struct kc_sig_state *state, const uint8_t sig[64], const uint8_t pubkey[32])
{
	return crypto_sign_ed25519ph_final_verify(sig_state(state), sig, pubkey) == 0 ? 0 : -1;
}
