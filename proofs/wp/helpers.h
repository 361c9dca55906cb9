/* Contracts of the small inline helpers of kcore/include/kcore/arch.h and kcore/core/kc.h
 * (their bodies are visible, so WP proves these; they are not assumptions). */
#ifndef KC_WP_HELPERS_H
#define KC_WP_HELPERS_H
#include "kc.h"
/*@ assigns \nothing;
    ensures \result.pa == pa; */
static inline kc_pa_t kc_pa(uint64_t pa);
/*@ assigns \nothing;
    ensures \result.ipa == ipa; */
static inline kc_ipa_t kc_ipa(uint64_t ipa);
/*@ assigns \nothing;
    ensures \result <==> addr % 4096 == 0; */
static inline bool kc_page_aligned(uint64_t addr);
#endif
