/*
 * Contracts of the stage-2 functions of kcore/core/s2.c, stated over an abstract stage-2:
 * s2m(ep, vmid, gfn) is the level-3 descriptor kcore's walk finds for gfn in vmid's tables
 * (0 if none) in page-table state ep. The mem.c proof (mem_wp.c) USES these contracts; proving
 * s2.c against them needs a physical page-table model (the walk over arch_pte_load/store) and
 * is listed "not yet" in the table. They are proof obligations, not axioms.
 */
#ifndef KC_WP_S2_CONTRACT_H
#define KC_WP_S2_CONTRACT_H
#include "s2.h"

#define KC_WP_PA_LIMIT 0x10000000000	/* KC_IPA_LIMIT = 2^40 (tied in descr_wp.c) */
#define KC_WP_GFN_LIMIT 0x10000000	/* 2^28 */

/*@ ghost int kc_s2_ep; */
/*@ ghost int kc_pool; */

/*@ axiomatic KcS2 {
  logic integer s2m(integer ep, integer vmid, integer gfn);
  predicate s2_prepared(integer ep, integer vmid, integer gfn);
} */

/*@ requires \valid_read(s2) && held(kc_locks, (arch_lock_t *)s2->guard);
    requires 0 <= ipa.ipa < KC_WP_PA_LIMIT;
    assigns \nothing;
    ensures \result == s2m(kc_s2_ep, s2->vmid, ipa.ipa / 4096);
    ensures \result == 0 || (\result & 1) == 1;
*/
uint64_t s2_leaf(const struct kc_s2 *s2, kc_ipa_t ipa);

/*@ requires \valid(s2) && held(kc_locks, (arch_lock_t *)s2->guard);
    requires 0 <= ipa.ipa < KC_WP_PA_LIMIT;
    assigns s2->quota.used, kc_s2_ep, kc_pool;
    ensures \forall integer v, g; s2m(kc_s2_ep, v, g) == s2m(\old(kc_s2_ep), v, g);
    ensures \forall integer v, g; s2_prepared(\old(kc_s2_ep), v, g) ==> s2_prepared(kc_s2_ep, v, g);
    ensures \result == KC_OK ==> s2_prepared(kc_s2_ep, s2->vmid, ipa.ipa / 4096);
    ensures \result == KC_OK || \result == KC_ENOMEM;
*/
int s2_prepare(struct kc_s2 *s2, kc_ipa_t ipa);

/*@ requires \valid(s2) && held(kc_locks, (arch_lock_t *)s2->guard);
    requires 0 <= ipa.ipa < KC_WP_PA_LIMIT;
    requires s2_prepared(kc_s2_ep, s2->vmid, ipa.ipa / 4096);
    requires s2m(kc_s2_ep, s2->vmid, ipa.ipa / 4096) == 0;
    requires (desc & 1) == 1;
    assigns kc_s2_ep;
    ensures s2m(kc_s2_ep, s2->vmid, ipa.ipa / 4096) == desc;
    ensures \forall integer v, g; v != s2->vmid || g != ipa.ipa / 4096 ==>
              s2m(kc_s2_ep, v, g) == s2m(\old(kc_s2_ep), v, g);
    ensures \forall integer v, g; s2_prepared(\old(kc_s2_ep), v, g) ==> s2_prepared(kc_s2_ep, v, g);
*/
void s2_map_commit(struct kc_s2 *s2, kc_ipa_t ipa, uint64_t desc);

/*@ requires \valid(s2) && held(kc_locks, (arch_lock_t *)s2->guard);
    requires 0 <= ipa.ipa < KC_WP_PA_LIMIT;
    requires s2m(kc_s2_ep, s2->vmid, ipa.ipa / 4096) != 0;
    assigns kc_s2_ep;
    ensures s2m(kc_s2_ep, s2->vmid, ipa.ipa / 4096) == 0;
    ensures \forall integer v, g; v != s2->vmid || g != ipa.ipa / 4096 ==>
              s2m(kc_s2_ep, v, g) == s2m(\old(kc_s2_ep), v, g);
    ensures \forall integer v, g; s2_prepared(\old(kc_s2_ep), v, g) ==> s2_prepared(kc_s2_ep, v, g);
*/
void s2_unmap(struct kc_s2 *s2, kc_ipa_t ipa);

/*@ assigns \nothing; */
uint64_t s2_vttbr(const struct kc_s2 *s2);

#endif
