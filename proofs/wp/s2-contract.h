/*
 * Contracts of the stage-2 functions of kcore/core/s2.c, stated over an abstract stage-2:
 * s2m(ep, vmid, gfn) is the level-3 descriptor kcore's walk finds for gfn in vmid's tables
 * (0 if none) in page-table state ep. The mem.c proof (mem_wp.c) USES these contracts.
 *
 * Two views of the same header:
 *  - by default (mem_wp.c) s2m, s2_prepared and s2_wf are abstract: mem.c's proof holds for
 *    every interpretation of them, in particular for the model below;
 *  - with KC_WP_S2_MODEL (s2_wp.c) they are DEFINED as the walk over the page-table memory
 *    pte(ep, pa) of seam.h (arch_pte_load/store), and s2_wp.c proves s2.c against them.
 * With KC_WP_S2_WF (s2_wp.c; mem_wp.c not yet) the contracts carry the page-table
 * well-formedness s2_wf(kc_s2_ep, kc_pool) and s2_ok(kc_s2_ep, s2) as preconditions and keep
 * them. s2_wp.c proves the contracts WITH those clauses; mem_wp.c uses them without the
 * preconditions (it does not carry the invariant yet), so until mem_wp.c defines KC_WP_S2_WF
 * and keeps s2_wf/s2_ok in its inv, mem.c's proof is conditional on that difference.
 */
#ifndef KC_WP_S2_CONTRACT_H
#define KC_WP_S2_CONTRACT_H
#include "s2.h"

#define KC_WP_PA_LIMIT 0x10000000000	/* KC_IPA_LIMIT = 2^40 (tied in descr_wp.c) */
#define KC_WP_GFN_LIMIT 0x10000000	/* 2^28 */

/*@ ghost int kc_pool; */

/*@ axiomatic KcPool {
  // The pool's base (pool.c's pool.base.pa, fixed by pool_init): VM v's root is its two pages
  // at kc_pool_base + v * 8192 (pool_root), the table pages come after the KC_VMS_MAX + 1 roots.
  logic integer kc_pool_base;
  // Page p of the pool's page area is not handed out, in pool state kc_pool (its bitmap bit is 0).
  predicate pool_page_free(integer pool, integer p);
} */

/*@
  logic integer kc_root(integer v) = kc_pool_base + v * 8192;
  // The first table page: after the roots of vmids 0 .. KC_VMS_MAX.
  logic integer kc_tbl_lo = kc_pool_base + (KC_VMS_MAX + 1) * 8192;
  predicate lv(integer ep, integer v) = 0 <= v <= KC_VMS_MAX && live(ep, v);
  // s2 describes a live stage-2 whose root is its vmid's root slot.
  predicate s2_ok{L}(integer ep, struct kc_s2 *s2) = 0 <= s2->vmid <= KC_VMS_MAX &&
    live(ep, s2->vmid) && s2->root.pa == kc_root(s2->vmid);
*/

#ifdef KC_WP_S2_MODEL
/*@
  // Descriptor fields (Arm ARM D8.3.1/D8.3.2): output address [47:12]; table/page = bits[1:0] 0b11.
  logic integer kc_addr(integer d) = d & 0xfffffffff000;
  logic boolean kc_tbl(integer d) = (d & 3) == 3;
  // The indices of gfn g (g = ipa / 4096) at levels 1, 2, 3.
  logic integer l1i(integer g) = (g / 262144) % 1024;
  logic integer l2i(integer g) = (g / 512) % 512;
  logic integer l3i(integer g) = g % 512;
  // The walk: level-1 entry i of v's root, its level-2 table, entry j there, its level-3 table.
  logic integer d1(integer ep, integer v, integer i) = pte(ep, kc_root(v) + 8 * i);
  logic integer t2(integer ep, integer v, integer i) = kc_addr(d1(ep, v, i));
  logic integer d2(integer ep, integer v, integer i, integer j) = pte(ep, t2(ep, v, i) + 8 * j);
  logic integer t3(integer ep, integer v, integer i, integer j) = kc_addr(d2(ep, v, i, j));
  logic integer d3(integer ep, integer v, integer i, integer j, integer k) = pte(ep, t3(ep, v, i, j) + 8 * k);
  logic boolean v2(integer ep, integer v, integer i) = kc_tbl(d1(ep, v, i));
  logic boolean v3(integer ep, integer v, integer i, integer j) = v2(ep, v, i) && kc_tbl(d2(ep, v, i, j));
  logic boolean in_s2(integer v, integer g) = 0 <= v <= KC_VMS_MAX && 0 <= g < KC_WP_GFN_LIMIT;
  logic integer leaf(integer ep, integer v, integer g) = d3(ep, v, l1i(g), l2i(g), l3i(g));

  // The level-3 descriptor for (v, g), if the walk reaches a valid one in a live stage-2.
  logic integer s2m(integer ep, integer v, integer g) =
    (in_s2(v, g) && live(ep, v) && v3(ep, v, l1i(g), l2i(g)) && (leaf(ep, v, g) & 1) != 0) ?
      leaf(ep, v, g) : 0;
  predicate s2_prepared(integer ep, integer v, integer g) =
    in_s2(v, g) && live(ep, v) && v3(ep, v, l1i(g), l2i(g));

  // Well-formedness of the tables of every live stage-2:
  // a table page is page aligned, after the roots, below 2^48 and handed out by the pool ...
  predicate tpage(integer pool, integer p) =
    p % 4096 == 0 && kc_tbl_lo <= p && p + 4096 <= 0x1000000000000 && !pool_page_free(pool, p);
  predicate wf_geo = 0 <= kc_pool_base && kc_pool_base % 8192 == 0 && kc_tbl_lo <= 0x1000000000000;
  // ... every level-1 and level-2 entry is a table entry or invalid (kcore writes no block) ...
  predicate wf_t2(integer ep, integer pool) = \forall integer v, i; lv(ep, v) && 0 <= i < 1024 ==>
    (v2(ep, v, i) ==> tpage(pool, t2(ep, v, i))) && (!v2(ep, v, i) ==> (d1(ep, v, i) & 1) == 0);
  predicate wf_t3(integer ep, integer pool) = \forall integer v, i, j;
    lv(ep, v) && 0 <= i < 1024 && 0 <= j < 512 && v2(ep, v, i) ==>
    (v3(ep, v, i, j) ==> tpage(pool, t3(ep, v, i, j))) && (!v3(ep, v, i, j) ==> (d2(ep, v, i, j) & 1) == 0);
  // ... and no table page is linked from two entries.
  predicate wf_i22(integer ep) = \forall integer v, i, w, k;
    lv(ep, v) && lv(ep, w) && 0 <= i < 1024 && 0 <= k < 1024 && v2(ep, v, i) && v2(ep, w, k) &&
    (v != w || i != k) ==> t2(ep, v, i) != t2(ep, w, k);
  predicate wf_i33(integer ep) = \forall integer v, i, j, w, k, l;
    lv(ep, v) && lv(ep, w) && 0 <= i < 1024 && 0 <= k < 1024 && 0 <= j < 512 && 0 <= l < 512 &&
    v3(ep, v, i, j) && v3(ep, w, k, l) && (v != w || i != k || j != l) ==> t3(ep, v, i, j) != t3(ep, w, k, l);
  predicate wf_i23(integer ep) = \forall integer v, i, w, k, l;
    lv(ep, v) && lv(ep, w) && 0 <= i < 1024 && 0 <= k < 1024 && 0 <= l < 512 &&
    v2(ep, v, i) && v3(ep, w, k, l) ==> t2(ep, v, i) != t3(ep, w, k, l);
  predicate s2_wf(integer ep, integer pool) = wf_geo && wf_t2(ep, pool) && wf_t3(ep, pool) &&
    wf_i22(ep) && wf_i33(ep) && wf_i23(ep);
*/
#else
/*@ axiomatic KcS2 {
  logic integer s2m(integer ep, integer vmid, integer gfn);
  predicate s2_prepared(integer ep, integer vmid, integer gfn);
  predicate s2_wf(integer ep, integer pool);
} */
#endif

#ifdef KC_WP_S2_WF
/* The page-table invariant: required, and kept (live flags unchanged, so s2_ok is kept too). */
#define S2_WF_REQ requires s2_wf(kc_s2_ep, kc_pool) && s2_ok(kc_s2_ep, s2);
#define S2_WF_ENS ensures s2_wf(kc_s2_ep, kc_pool); \
    ensures \forall integer v; live(kc_s2_ep, v) <==> live(\old(kc_s2_ep), v);
#else
#define S2_WF_REQ
#define S2_WF_ENS
#endif

/*@ requires \valid_read(s2) && held(kc_locks, (arch_lock_t *)s2->guard);
    requires 0 <= ipa.ipa < KC_WP_PA_LIMIT;
    S2_WF_REQ
    assigns \nothing;
    ensures \result == s2m(kc_s2_ep, s2->vmid, ipa.ipa / 4096);
    ensures \result == 0 || (\result & 1) == 1;
*/
uint64_t s2_leaf(const struct kc_s2 *s2, kc_ipa_t ipa);

/*@ requires \valid(s2) && held(kc_locks, (arch_lock_t *)s2->guard);
    requires 0 <= ipa.ipa < KC_WP_PA_LIMIT;
    S2_WF_REQ
    assigns s2->quota.used, kc_s2_ep, kc_pool;
    ensures \forall integer v, g; s2m(kc_s2_ep, v, g) == s2m(\old(kc_s2_ep), v, g);
    ensures \forall integer v, g; s2_prepared(\old(kc_s2_ep), v, g) ==> s2_prepared(kc_s2_ep, v, g);
    ensures \result == KC_OK ==> s2_prepared(kc_s2_ep, s2->vmid, ipa.ipa / 4096);
    ensures \result == KC_OK || \result == KC_ENOMEM;
    S2_WF_ENS
*/
int s2_prepare(struct kc_s2 *s2, kc_ipa_t ipa);

/*@ requires \valid(s2) && held(kc_locks, (arch_lock_t *)s2->guard);
    requires 0 <= ipa.ipa < KC_WP_PA_LIMIT;
    requires s2_prepared(kc_s2_ep, s2->vmid, ipa.ipa / 4096);
    requires s2m(kc_s2_ep, s2->vmid, ipa.ipa / 4096) == 0;
    requires (desc & 1) == 1;
    S2_WF_REQ
    assigns kc_s2_ep;
    ensures s2m(kc_s2_ep, s2->vmid, ipa.ipa / 4096) == desc;
    ensures \forall integer v, g; v != s2->vmid || g != ipa.ipa / 4096 ==>
              s2m(kc_s2_ep, v, g) == s2m(\old(kc_s2_ep), v, g);
    ensures \forall integer v, g; s2_prepared(\old(kc_s2_ep), v, g) ==> s2_prepared(kc_s2_ep, v, g);
    S2_WF_ENS
*/
void s2_map_commit(struct kc_s2 *s2, kc_ipa_t ipa, uint64_t desc);

/*@ requires \valid(s2) && held(kc_locks, (arch_lock_t *)s2->guard);
    requires 0 <= ipa.ipa < KC_WP_PA_LIMIT;
    requires s2m(kc_s2_ep, s2->vmid, ipa.ipa / 4096) != 0;
    S2_WF_REQ
    assigns kc_s2_ep;
    ensures s2m(kc_s2_ep, s2->vmid, ipa.ipa / 4096) == 0;
    ensures \forall integer v, g; v != s2->vmid || g != ipa.ipa / 4096 ==>
              s2m(kc_s2_ep, v, g) == s2m(\old(kc_s2_ep), v, g);
    ensures \forall integer v, g; s2_prepared(\old(kc_s2_ep), v, g) ==> s2_prepared(kc_s2_ep, v, g);
    S2_WF_ENS
*/
void s2_unmap(struct kc_s2 *s2, kc_ipa_t ipa);

/*@ assigns \nothing; */
uint64_t s2_vttbr(const struct kc_s2 *s2);

#endif
