/* Boot image signature check (Ed25519ph, RFC 8032), implemented by a well-kept library outside core. */
#ifndef KCORE_SIG_H
#define KCORE_SIG_H

#include <stdint.h>

/* Opaque multi-part state, large enough for the library's (checked where it is implemented). */
struct kc_sig_state {
	uint64_t opaque[32];
};

void kc_sig_init(struct kc_sig_state *state);
void kc_sig_update(struct kc_sig_state *state, const uint8_t *bytes, uint64_t len);
/* 0 if sig is a valid Ed25519ph signature of everything passed to update, by pubkey. */
int kc_sig_final_verify(struct kc_sig_state *state, const uint8_t sig[64], const uint8_t pubkey[32]);

#endif /* KCORE_SIG_H */
