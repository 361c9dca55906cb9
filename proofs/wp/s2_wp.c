/*
 * WP target: kcore/core/s2.c's page-table functions (#included unchanged), against the
 * contracts of s2-contract.h with s2m DEFINED as the walk over page-table memory
 * (KC_WP_S2_MODEL) and the table invariant s2_wf as pre/postcondition (KC_WP_S2_WF).
 * Page-table memory is seam.h's pte(kc_s2_ep, pa) (arch_pte_load/arch_pte_store, Arm ARM B2.2.1).
 *
 * Proved (run.py: the functions, and every lemma of this file, one goal each):
 *   s2_leaf_entry, s2_leaf, s2_ensure_table, s2_prepare, s2_map_commit, s2_unmap, and again
 *   the helpers s2_entry, s2_index, s2_is_table, s2_next (same contracts as descr_wp.c).
 * s2_wf(ep, pool) (s2-contract.h): every level-1/level-2 entry of a live stage-2 is a table entry
 * or invalid; every table page is page aligned, after the root slots, below 2^48 and handed out
 * by the pool; no table page is linked twice (level 2 vs level 2, 3 vs 3, 2 vs 3).
 * The proof goes through lemmas, each stated over any two page-table states:
 *   leaf_*  a store to the level-3 entry of (v0, g0) changes no other walk and keeps s2_wf;
 *   l1_*, l2_*  linking a zeroed, freshly handed-out page at a level-1 / level-2 entry that was
 *           invalid changes no walk (the new table is empty), keeps every prepared walk and s2_wf;
 *   pre*, same*, new*, mk_link*  s2_ensure_table's two kinds of entry, with premises that are the
 *           facts its goals have (alloc_ok, pte_stored): WP's SMT goals only instantiate a lemma
 *           whose premises are terms of the goal, so every chain of lemmas is forward.
 *
 * NOT here: s2_init, s2_free_level2, s2_destroy (and the pool functions they call). They need
 * (a) a ghost update of live(kc_s2_ep, vmid) (s2_init makes the vmid live, s2_destroy must make
 * it dead before pool_free hands its tables back: a freed table still linked from a live root
 * breaks s2_wf), and (b) arch_page_zero tied to pte(): s2_init zeroes the root with it, whose
 * seam contract speaks of kc_data only.
 *
 * USED here, not proved here: pool_alloc's contract below (pool_alloc is not proved at all).
 */
#define KC_WP_S2_MODEL
#define KC_WP_S2_WF
#include "seam.h"
#include "bits-facts.h"
#include "helpers.h"
#include "s2-contract.h"

/*
 * pool.c as s2.c sees it, over the ghost pool state kc_pool (pool_page_free(kc_pool, p): page p
 * of the page area is not handed out). NOT proved here. pool_alloc is not proved at all
 * (pool_wp.c: its search loop needs loop invariants); its contract says what it must do:
 * hand out a free page of the page area (so after the roots, and below 2^48: pool_inv would
 * need base + size <= 2^48), mark it used, and zero it. "Zero it" is stated on the page-table
 * view pte(): pool_alloc zeroes the page with arch_page_zero, whose seam contract (kc_data) is
 * not tied to pte() yet. pool_alloc takes and releases the pool lock, which s2.c never holds:
 * abstracted as "kc_locks not assigned".
 */
/*@ // Page p reads as zero (every doubleword) in page-table state ep2.
  predicate link_zero(integer ep2, integer p) =
    \forall integer a; p <= a < p + 4096 && a % 8 == 0 ==> pte(ep2, a) == 0;
  lemma zero_at{L}: \forall integer ep, p, k;
    link_zero(ep, p) && 0 <= p && p % 4096 == 0 && 0 <= k < 512 ==> pte(ep, p + 8 * k) == 0;
*/
/*@ // The clauses of pool_alloc's success, as one predicate (p handed out, zeroed, rest unchanged).
  predicate alloc_ok(integer pool0, integer pool1, integer ep0, integer ep1, integer p) =
    0 <= p && p % 4096 == 0 && kc_tbl_lo <= p && p + 4096 <= 0x1000000000000 &&
    pool_page_free(pool0, p) && !pool_page_free(pool1, p) &&
    (\forall integer q; q != p ==> (pool_page_free(pool1, q) <==> pool_page_free(pool0, q))) &&
    link_zero(ep1, p) &&
    (\forall integer a; !(p <= a < p + 4096) ==> pte(ep1, a) == pte(ep0, a)) &&
    (\forall integer v; live(ep1, v) <==> live(ep0, v));
*/
/*@ requires \valid(quota) && \valid(ret_pa) && \separated(quota, ret_pa);
    assigns quota->used, *ret_pa, kc_pool, kc_s2_ep;
    ensures \result == KC_OK || \result == KC_ENOMEM;
    ensures \result != KC_OK ==> kc_pool == \old(kc_pool) && kc_s2_ep == \old(kc_s2_ep);
    ensures \result == KC_OK ==> ret_pa->pa % 4096 == 0 && kc_tbl_lo <= ret_pa->pa &&
      ret_pa->pa + 4096 <= 0x1000000000000;
    ensures \result == KC_OK ==> pool_page_free(\old(kc_pool), ret_pa->pa) &&
      !pool_page_free(kc_pool, ret_pa->pa) &&
      \forall integer q; q != ret_pa->pa ==> (pool_page_free(kc_pool, q) <==> pool_page_free(\old(kc_pool), q));
    ensures \result == KC_OK ==> link_zero(kc_s2_ep, ret_pa->pa);
    ensures \result == KC_OK ==> \forall integer a; !(ret_pa->pa <= a < ret_pa->pa + 4096) ==>
      pte(kc_s2_ep, a) == pte(\old(kc_s2_ep), a);
    ensures \forall integer v; live(kc_s2_ep, v) <==> live(\old(kc_s2_ep), v);
    ensures \result == KC_OK ==> alloc_ok(\old(kc_pool), kc_pool, \old(kc_s2_ep), kc_s2_ep, ret_pa->pa);
*/
int pool_alloc(struct kc_quota *quota, kc_pa_t *ret_pa);

#include "s2.c"	/* kcore/core/s2.c (or a mutant copy), found through -I */

/* The descriptor helpers: the contracts descr_wp.c proves. */
#include "s2-helpers.h"

/*@
  // The C indices (descr_wp.c's s2_index contract) are the model's indices of gfn ipa / 4096.
  lemma idx_l1{L}: \forall integer x; 0 <= x ==> (x / 1073741824) % 1024 == l1i(x / 4096);
  lemma idx_l2{L}: \forall integer x; 0 <= x ==> (x / 2097152) % 512 == l2i(x / 4096);
  // A gfn below 2^28 is its three indices.
  lemma gfn_split{L}: \forall integer g, h; 0 <= g < KC_WP_GFN_LIMIT && 0 <= h < KC_WP_GFN_LIMIT &&
    l1i(g) == l1i(h) && l2i(g) == l2i(h) && l3i(g) == l3i(h) ==> g == h;
  lemma idx_range{L}: \forall integer g; 0 <= g ==>
    0 <= l1i(g) < 1024 && 0 <= l2i(g) < 512 && 0 <= l3i(g) < 512;

  // entry e may be passed to s2_ensure_table: aligned, a table entry or invalid, not on a free page.
  predicate slot_tv(integer ep, integer e) = kc_tbl(pte(ep, e)) || (pte(ep, e) & 1) == 0;
  predicate slot_nf(integer pool, integer e) =
    \forall integer q; q % 4096 == 0 && kc_tbl_lo <= q && pool_page_free(pool, q) ==> !(q <= e < q + 4096);
  predicate slot_ok(integer ep, integer pool, integer e) = e % 8 == 0 && slot_tv(ep, e) && slot_nf(pool, e);
  lemma root_aligned{L}: \forall integer v, i; wf_geo && 0 <= v && 0 <= i ==> (kc_root(v) + 8 * i) % 8 == 0;
  lemma slot_l1_nf{L}: \forall integer ep, pool, v, i;
    s2_wf(ep, pool) && lv(ep, v) && 0 <= i < 1024 ==> slot_nf(pool, kc_root(v) + 8 * i);
  lemma slot_l2_nf{L}: \forall integer ep, pool, v, i, j;
    s2_wf(ep, pool) && lv(ep, v) && 0 <= i < 1024 && v2(ep, v, i) && 0 <= j < 512 ==>
    slot_nf(pool, t2(ep, v, i) + 8 * j);
  lemma entry_aligned{L}: \forall integer p, k; 0 <= p && 0 <= k && p % 4096 == 0 ==> (p + 8 * k) % 8 == 0;

  // Two page-table states that differ at most at the aligned doubleword e (a leaf store).
  predicate only_at(integer e1, integer e2, integer e) =
    (\forall integer a; a % 8 == 0 && a != e ==> pte(e2, a) == pte(e1, a)) &&
    (\forall integer v; live(e2, v) <==> live(e1, v));
  // e is the level-3 entry of (v, g) in a prepared walk.
  predicate leaf_at(integer ep, integer v, integer g, integer e) =
    lv(ep, v) && in_s2(v, g) && v3(ep, v, l1i(g), l2i(g)) &&
    e == t3(ep, v, l1i(g), l2i(g)) + 8 * l3i(g);

  // A store to a leaf entry changes no level-1 entry (roots are below the table pages) ...
  lemma leaf_d1{L}: \forall integer e1, e2, pool, v0, g0, e, v, i;
    s2_wf(e1, pool) && leaf_at(e1, v0, g0, e) && only_at(e1, e2, e) && 0 <= v <= KC_VMS_MAX &&
    0 <= i < 1024 ==> d1(e2, v, i) == d1(e1, v, i);
  // ... no level-2 entry of a live stage-2 (level-2 and level-3 pages differ) ...
  lemma leaf_d2{L}: \forall integer e1, e2, pool, v0, g0, e, v, i, j;
    s2_wf(e1, pool) && leaf_at(e1, v0, g0, e) && only_at(e1, e2, e) && lv(e1, v) &&
    0 <= i < 1024 && 0 <= j < 512 && v2(e1, v, i) ==> d2(e2, v, i, j) == d2(e1, v, i, j);
  // ... and no other leaf of a live stage-2 (level-3 pages are linked once).
  lemma leaf_d3{L}: \forall integer e1, e2, pool, v0, g0, e, v, g;
    s2_wf(e1, pool) && leaf_at(e1, v0, g0, e) && only_at(e1, e2, e) && lv(e1, v) && in_s2(v, g) &&
    v3(e1, v, l1i(g), l2i(g)) && (v != v0 || g != g0) ==> leaf(e2, v, g) == leaf(e1, v, g);
  lemma leaf_v2{L}: \forall integer e1, e2, pool, v0, g0, e, v, i;
    s2_wf(e1, pool) && leaf_at(e1, v0, g0, e) && only_at(e1, e2, e) && 0 <= v <= KC_VMS_MAX &&
    0 <= i < 1024 ==> (v2(e2, v, i) <==> v2(e1, v, i)) && t2(e2, v, i) == t2(e1, v, i);
  lemma leaf_v3{L}: \forall integer e1, e2, pool, v0, g0, e, v, i, j;
    s2_wf(e1, pool) && leaf_at(e1, v0, g0, e) && only_at(e1, e2, e) && lv(e1, v) &&
    0 <= i < 1024 && 0 <= j < 512 ==>
    (v2(e2, v, i) <==> v2(e1, v, i)) && (v3(e2, v, i, j) <==> v3(e1, v, i, j)) &&
    (v2(e1, v, i) ==> t2(e2, v, i) == t2(e1, v, i)) && (v3(e1, v, i, j) ==> t3(e2, v, i, j) == t3(e1, v, i, j));

  lemma leaf_s2m{L}: \forall integer e1, e2, pool, v0, g0, e, v, g;
    s2_wf(e1, pool) && leaf_at(e1, v0, g0, e) && only_at(e1, e2, e) && (v != v0 || g != g0) ==>
    s2m(e2, v, g) == s2m(e1, v, g);
  lemma leaf_prepared{L}: \forall integer e1, e2, pool, v0, g0, e, v, g;
    s2_wf(e1, pool) && leaf_at(e1, v0, g0, e) && only_at(e1, e2, e) ==>
    (s2_prepared(e2, v, g) <==> s2_prepared(e1, v, g));
  lemma leaf_self{L}: \forall integer e1, e2, pool, v0, g0, e;
    s2_wf(e1, pool) && leaf_at(e1, v0, g0, e) && only_at(e1, e2, e) ==>
    s2_prepared(e2, v0, g0) && leaf(e2, v0, g0) == pte(e2, e);
  // s2_wf is kept, part by part.
  lemma leaf_wf_t2{L}: \forall integer e1, e2, pool, v0, g0, e;
    s2_wf(e1, pool) && leaf_at(e1, v0, g0, e) && only_at(e1, e2, e) ==> wf_t2(e2, pool);
  lemma leaf_wf_t3{L}: \forall integer e1, e2, pool, v0, g0, e;
    s2_wf(e1, pool) && leaf_at(e1, v0, g0, e) && only_at(e1, e2, e) ==> wf_t3(e2, pool);
  lemma leaf_wf_i22{L}: \forall integer e1, e2, pool, v0, g0, e;
    s2_wf(e1, pool) && leaf_at(e1, v0, g0, e) && only_at(e1, e2, e) ==> wf_i22(e2);
  lemma leaf_t3{L}: \forall integer e1, e2, pool, v0, g0, e, v, i, j;
    s2_wf(e1, pool) && leaf_at(e1, v0, g0, e) && only_at(e1, e2, e) && lv(e2, v) &&
    0 <= i < 1024 && 0 <= j < 512 && v3(e2, v, i, j) ==>
    lv(e1, v) && v3(e1, v, i, j) && t3(e2, v, i, j) == t3(e1, v, i, j);
  lemma leaf_wf_i33{L}: \forall integer e1, e2, pool, v0, g0, e;
    s2_wf(e1, pool) && leaf_at(e1, v0, g0, e) && only_at(e1, e2, e) ==> wf_i33(e2);
  lemma leaf_wf_i23{L}: \forall integer e1, e2, pool, v0, g0, e;
    s2_wf(e1, pool) && leaf_at(e1, v0, g0, e) && only_at(e1, e2, e) ==> wf_i23(e2);
  lemma leaf_wf{L}: \forall integer e1, e2, pool, v0, g0, e;
    s2_wf(e1, pool) && leaf_at(e1, v0, g0, e) && only_at(e1, e2, e) ==> s2_wf(e2, pool);
*/

/*@ requires \valid_read(s2) && \valid(ret_entry) && \separated(ret_entry, s2);
    requires 0 <= ipa.ipa < KC_WP_PA_LIMIT;
    requires s2_wf(kc_s2_ep, kc_pool) && s2_ok(kc_s2_ep, s2);
    assigns *ret_entry;
    ensures \result <==> v3(kc_s2_ep, s2->vmid, l1i(ipa.ipa / 4096), l2i(ipa.ipa / 4096));
    ensures \result ==> leaf_at(kc_s2_ep, s2->vmid, ipa.ipa / 4096, ret_entry->pa);
    ensures \result ==> ret_entry->pa % 8 == 0;
*/
static bool s2_leaf_entry(const struct kc_s2 *s2, kc_ipa_t ipa, kc_pa_t *ret_entry);

/*@
  // ep2/pool2 is ep0/pool0 after pool_alloc handed out page p (zeroed) and entry e was made a
  // table entry pointing to p (s2_ensure_table's new-table path).
  predicate link_page(integer e, integer p) =
    p % 4096 == 0 && kc_tbl_lo <= p && p + 4096 <= 0x1000000000000 && !(p <= e < p + 4096);
  predicate link_pool(integer pool0, integer pool2, integer p) =
    pool_page_free(pool0, p) && !pool_page_free(pool2, p) &&
    (\forall integer q; q != p ==> (pool_page_free(pool2, q) <==> pool_page_free(pool0, q)));
  predicate link_entry(integer ep2, integer e, integer p) = kc_tbl(pte(ep2, e)) && kc_addr(pte(ep2, e)) == p;
  predicate link_frame(integer ep0, integer ep2, integer e, integer p) =
    (\forall integer a; a % 8 == 0 && a != e && !(p <= a < p + 4096) ==> pte(ep2, a) == pte(ep0, a)) &&
    (\forall integer v; live(ep2, v) <==> live(ep0, v));
  predicate link(integer ep0, integer ep2, integer pool0, integer pool2, integer e, integer p) =
    link_page(e, p) && link_pool(pool0, pool2, p) && link_entry(ep2, e, p) && link_zero(ep2, p) &&
    link_frame(ep0, ep2, e, p);

  // The store of the entry (outside page p) keeps the zeroed page p zero.
  lemma zero_kept{L}: \forall integer ep0, ep1, e, p;
    link_zero(ep0, p) && 0 <= p && p % 4096 == 0 && !(p <= e < p + 4096) &&
    (\forall integer a; a != e && a % 8 == 0 ==> pte(ep1, a) == pte(ep0, a)) ==> link_zero(ep1, p);

  // A table page of the old state is not the new page (it was handed out, p was free).
  lemma tpage_not_new{L}: \forall integer pool0, pool2, p, t;
    tpage(pool0, t) && pool_page_free(pool0, p) ==> t != p;
  lemma tpage_kept{L}: \forall integer ep0, ep2, pool0, pool2, e, p, t;
    link(ep0, ep2, pool0, pool2, e, p) && tpage(pool0, t) ==> tpage(pool2, t);

  // Linking a new level-2 table at level-1 entry i0 of v0's root.
  predicate link1(integer ep0, integer ep2, integer pool0, integer pool2, integer v0, integer i0, integer p) =
    s2_wf(ep0, pool0) && lv(ep0, v0) && 0 <= i0 < 1024 && !v2(ep0, v0, i0) &&
    link(ep0, ep2, pool0, pool2, kc_root(v0) + 8 * i0, p);
  lemma l1_d1{L}: \forall integer ep0, ep2, pool0, pool2, v0, i0, p, v, i;
    link1(ep0, ep2, pool0, pool2, v0, i0, p) && 0 <= v <= KC_VMS_MAX && 0 <= i < 1024 &&
    (v != v0 || i != i0) ==> d1(ep2, v, i) == d1(ep0, v, i);
  lemma l1_d2{L}: \forall integer ep0, ep2, pool0, pool2, v0, i0, p, v, i, j;
    link1(ep0, ep2, pool0, pool2, v0, i0, p) && lv(ep0, v) && 0 <= i < 1024 && 0 <= j < 512 &&
    v2(ep0, v, i) ==> d2(ep2, v, i, j) == d2(ep0, v, i, j);
  lemma l1_d3{L}: \forall integer ep0, ep2, pool0, pool2, v0, i0, p, v, i, j, k;
    link1(ep0, ep2, pool0, pool2, v0, i0, p) && lv(ep0, v) && 0 <= i < 1024 && 0 <= j < 512 &&
    0 <= k < 512 && v3(ep0, v, i, j) ==> d3(ep2, v, i, j, k) == d3(ep0, v, i, j, k);
  lemma l1_new{L}: \forall integer ep0, ep2, pool0, pool2, v0, i0, p, j;
    link1(ep0, ep2, pool0, pool2, v0, i0, p) && 0 <= j < 512 ==>
    v2(ep2, v0, i0) && t2(ep2, v0, i0) == p && d2(ep2, v0, i0, j) == 0 && !v3(ep2, v0, i0, j);
  lemma l1_v2{L}: \forall integer ep0, ep2, pool0, pool2, v0, i0, p, v, i;
    link1(ep0, ep2, pool0, pool2, v0, i0, p) && 0 <= v <= KC_VMS_MAX && 0 <= i < 1024 &&
    (v != v0 || i != i0) ==> (v2(ep2, v, i) <==> v2(ep0, v, i)) && t2(ep2, v, i) == t2(ep0, v, i);
  lemma l1_v3{L}: \forall integer ep0, ep2, pool0, pool2, v0, i0, p, v, i, j;
    link1(ep0, ep2, pool0, pool2, v0, i0, p) && lv(ep0, v) && 0 <= i < 1024 && 0 <= j < 512 &&
    (v != v0 || i != i0) ==> (v3(ep2, v, i, j) <==> v3(ep0, v, i, j)) &&
    (v2(ep0, v, i) ==> t3(ep2, v, i, j) == t3(ep0, v, i, j));
  lemma l1_s2m{L}: \forall integer ep0, ep2, pool0, pool2, v0, i0, p, v, g;
    link1(ep0, ep2, pool0, pool2, v0, i0, p) ==> s2m(ep2, v, g) == s2m(ep0, v, g);
  lemma l1_prepared{L}: \forall integer ep0, ep2, pool0, pool2, v0, i0, p, v, g;
    link1(ep0, ep2, pool0, pool2, v0, i0, p) && s2_prepared(ep0, v, g) ==> s2_prepared(ep2, v, g);
  lemma l1_wf_t2{L}: \forall integer ep0, ep2, pool0, pool2, v0, i0, p;
    link1(ep0, ep2, pool0, pool2, v0, i0, p) ==> wf_t2(ep2, pool2);
  lemma l1_wf_t3{L}: \forall integer ep0, ep2, pool0, pool2, v0, i0, p;
    link1(ep0, ep2, pool0, pool2, v0, i0, p) ==> wf_t3(ep2, pool2);
  lemma l1_wf_i22{L}: \forall integer ep0, ep2, pool0, pool2, v0, i0, p;
    link1(ep0, ep2, pool0, pool2, v0, i0, p) ==> wf_i22(ep2);
  lemma l1_wf_i33{L}: \forall integer ep0, ep2, pool0, pool2, v0, i0, p;
    link1(ep0, ep2, pool0, pool2, v0, i0, p) ==> wf_i33(ep2);
  lemma l1_wf_i23{L}: \forall integer ep0, ep2, pool0, pool2, v0, i0, p;
    link1(ep0, ep2, pool0, pool2, v0, i0, p) ==> wf_i23(ep2);
  lemma l1_wf{L}: \forall integer ep0, ep2, pool0, pool2, v0, i0, p;
    link1(ep0, ep2, pool0, pool2, v0, i0, p) ==> s2_wf(ep2, pool2);

  // Linking a new level-3 table at entry j0 of v0's level-2 table i0.
  predicate link2(integer ep0, integer ep2, integer pool0, integer pool2, integer v0, integer i0,
                  integer j0, integer p) =
    s2_wf(ep0, pool0) && lv(ep0, v0) && 0 <= i0 < 1024 && 0 <= j0 < 512 && v2(ep0, v0, i0) &&
    !v3(ep0, v0, i0, j0) && link(ep0, ep2, pool0, pool2, t2(ep0, v0, i0) + 8 * j0, p);
  lemma l2_d1{L}: \forall integer ep0, ep2, pool0, pool2, v0, i0, j0, p, v, i;
    link2(ep0, ep2, pool0, pool2, v0, i0, j0, p) && 0 <= v <= KC_VMS_MAX && 0 <= i < 1024 ==>
    d1(ep2, v, i) == d1(ep0, v, i);
  lemma l2_d2{L}: \forall integer ep0, ep2, pool0, pool2, v0, i0, j0, p, v, i, j;
    link2(ep0, ep2, pool0, pool2, v0, i0, j0, p) && lv(ep0, v) && 0 <= i < 1024 && 0 <= j < 512 &&
    v2(ep0, v, i) && (v != v0 || i != i0 || j != j0) ==> d2(ep2, v, i, j) == d2(ep0, v, i, j);
  lemma l2_d3{L}: \forall integer ep0, ep2, pool0, pool2, v0, i0, j0, p, v, i, j, k;
    link2(ep0, ep2, pool0, pool2, v0, i0, j0, p) && lv(ep0, v) && 0 <= i < 1024 && 0 <= j < 512 &&
    0 <= k < 512 && v3(ep0, v, i, j) ==> d3(ep2, v, i, j, k) == d3(ep0, v, i, j, k);
  lemma l2_new{L}: \forall integer ep0, ep2, pool0, pool2, v0, i0, j0, p, k;
    link2(ep0, ep2, pool0, pool2, v0, i0, j0, p) && 0 <= k < 512 ==>
    v3(ep2, v0, i0, j0) && t3(ep2, v0, i0, j0) == p && d3(ep2, v0, i0, j0, k) == 0;
  lemma l2_v2{L}: \forall integer ep0, ep2, pool0, pool2, v0, i0, j0, p, v, i;
    link2(ep0, ep2, pool0, pool2, v0, i0, j0, p) && 0 <= v <= KC_VMS_MAX && 0 <= i < 1024 ==>
    (v2(ep2, v, i) <==> v2(ep0, v, i)) && t2(ep2, v, i) == t2(ep0, v, i);
  lemma l2_v3{L}: \forall integer ep0, ep2, pool0, pool2, v0, i0, j0, p, v, i, j;
    link2(ep0, ep2, pool0, pool2, v0, i0, j0, p) && lv(ep0, v) && 0 <= i < 1024 && 0 <= j < 512 &&
    (v != v0 || i != i0 || j != j0) ==>
    (v3(ep2, v, i, j) <==> v3(ep0, v, i, j)) && (v2(ep0, v, i) ==> t3(ep2, v, i, j) == t3(ep0, v, i, j));
  lemma l2_s2m{L}: \forall integer ep0, ep2, pool0, pool2, v0, i0, j0, p, v, g;
    link2(ep0, ep2, pool0, pool2, v0, i0, j0, p) ==> s2m(ep2, v, g) == s2m(ep0, v, g);
  lemma l2_prepared{L}: \forall integer ep0, ep2, pool0, pool2, v0, i0, j0, p, v, g;
    link2(ep0, ep2, pool0, pool2, v0, i0, j0, p) && s2_prepared(ep0, v, g) ==> s2_prepared(ep2, v, g);
  lemma l2_wf_t2{L}: \forall integer ep0, ep2, pool0, pool2, v0, i0, j0, p;
    link2(ep0, ep2, pool0, pool2, v0, i0, j0, p) ==> wf_t2(ep2, pool2);
  lemma l2_wf_t3{L}: \forall integer ep0, ep2, pool0, pool2, v0, i0, j0, p;
    link2(ep0, ep2, pool0, pool2, v0, i0, j0, p) ==> wf_t3(ep2, pool2);
  lemma l2_wf_i22{L}: \forall integer ep0, ep2, pool0, pool2, v0, i0, j0, p;
    link2(ep0, ep2, pool0, pool2, v0, i0, j0, p) ==> wf_i22(ep2);
  lemma l2_t3_new{L}: \forall integer ep0, ep2, pool0, pool2, v0, i0, j0, p, v, i, j;
    link2(ep0, ep2, pool0, pool2, v0, i0, j0, p) && lv(ep0, v) && 0 <= i < 1024 && 0 <= j < 512 &&
    (v != v0 || i != i0 || j != j0) && v3(ep2, v, i, j) ==> t3(ep2, v, i, j) != p;
  lemma l2_t3_old{L}: \forall integer ep0, ep2, pool0, pool2, v0, i0, j0, p, v, i, j;
    link2(ep0, ep2, pool0, pool2, v0, i0, j0, p) && lv(ep2, v) && 0 <= i < 1024 && 0 <= j < 512 &&
    (v != v0 || i != i0 || j != j0) && v3(ep2, v, i, j) ==>
    lv(ep0, v) && v3(ep0, v, i, j) && t3(ep2, v, i, j) == t3(ep0, v, i, j) && t3(ep2, v, i, j) != p;
  lemma l2_wf_i33{L}: \forall integer ep0, ep2, pool0, pool2, v0, i0, j0, p;
    link2(ep0, ep2, pool0, pool2, v0, i0, j0, p) ==> wf_i33(ep2);
  lemma l2_wf_i23{L}: \forall integer ep0, ep2, pool0, pool2, v0, i0, j0, p;
    link2(ep0, ep2, pool0, pool2, v0, i0, j0, p) ==> wf_i23(ep2);
  lemma l2_wf{L}: \forall integer ep0, ep2, pool0, pool2, v0, i0, j0, p;
    link2(ep0, ep2, pool0, pool2, v0, i0, j0, p) ==> s2_wf(ep2, pool2);
*/


/*@
  // The two kinds of entry s2_prepare passes to s2_ensure_table, and what it gets back.
  // pre1: a level-1 entry of live stage-2 v (in its root); its index is i1(v, e).
  predicate at1(integer v, integer e) = 0 <= v <= KC_VMS_MAX && kc_root(v) <= e < kc_root(v) + 8192 &&
    e % 8 == 0;
  logic integer i1(integer v, integer e) = (e - kc_root(v)) / 8;
  predicate pre1(integer ep, integer pool, integer v, integer e) = s2_wf(ep, pool) && lv(ep, v) && at1(v, e);
  // l2page: level-1 entry i of v is a table entry (its level-2 table is t2(ep, v, i));
  // at2i: e is an entry of that table.
  predicate l2page(integer ep, integer pool, integer v, integer i) = s2_wf(ep, pool) && lv(ep, v) &&
    0 <= i < 1024 && v2(ep, v, i) && 0 <= t2(ep, v, i) && t2(ep, v, i) % 4096 == 0;
  predicate at2i(integer ep, integer v, integer i, integer e) =
    t2(ep, v, i) <= e < t2(ep, v, i) + 4096 && e % 8 == 0;
  predicate pre2(integer ep, integer pool, integer v, integer e) =
    \exists integer i; l2page(ep, pool, v, i) && at2i(ep, v, i, e);
  // What every call keeps: the invariant, every walk, every prepared walk, liveness.
  predicate et_ok(integer ep0, integer ep2, integer pool0, integer pool2) = s2_wf(ep2, pool2) &&
    (\forall integer v, g; s2m(ep2, v, g) == s2m(ep0, v, g)) &&
    (\forall integer v, g; s2_prepared(ep0, v, g) ==> s2_prepared(ep2, v, g)) &&
    (\forall integer v; live(ep2, v) <==> live(ep0, v));

  lemma pre1_idx{L}: \forall integer ep, pool, v, e; pre1(ep, pool, v, e) ==>
    0 <= i1(v, e) < 1024 && e == kc_root(v) + 8 * i1(v, e);
  lemma pre1_d1{L}: \forall integer ep, pool, v, e; pre1(ep, pool, v, e) ==>
    d1(ep, v, i1(v, e)) == pte(ep, e) && (v2(ep, v, i1(v, e)) || (d1(ep, v, i1(v, e)) & 1) == 0);
  lemma pre2_d2{L}: \forall integer ep, pool, v, i, e;
    l2page(ep, pool, v, i) && at2i(ep, v, i, e) ==>
    d2(ep, v, i, (e - t2(ep, v, i)) / 8) == pte(ep, e) &&
    (v3(ep, v, i, (e - t2(ep, v, i)) / 8) || (d2(ep, v, i, (e - t2(ep, v, i)) / 8) & 1) == 0);
  lemma pre1_slot{L}: \forall integer ep, pool, v, e; pre1(ep, pool, v, e) ==> slot_ok(ep, pool, e);
  lemma pre2_slot{L}: \forall integer ep, pool, v, i, e;
    l2page(ep, pool, v, i) && at2i(ep, v, i, e) ==> slot_ok(ep, pool, e);
  lemma pre2_idx{L}: \forall integer ep, pool, v, i, e;
    l2page(ep, pool, v, i) && at2i(ep, v, i, e) ==>
    0 <= (e - t2(ep, v, i)) / 8 < 512 && e == t2(ep, v, i) + 8 * ((e - t2(ep, v, i)) / 8);
  lemma et_refl{L}: \forall integer ep, pool; s2_wf(ep, pool) ==> et_ok(ep, ep, pool, pool);

  lemma pre1_link1{L}: \forall integer ep0, ep2, pool0, pool2, v, e, p;
    pre1(ep0, pool0, v, e) && !kc_tbl(pte(ep0, e)) && link(ep0, ep2, pool0, pool2, e, p) ==>
    link1(ep0, ep2, pool0, pool2, v, i1(v, e), p);
  lemma link1_et{L}: \forall integer ep0, ep2, pool0, pool2, v, i, p;
    link1(ep0, ep2, pool0, pool2, v, i, p) ==> et_ok(ep0, ep2, pool0, pool2);
  lemma link1_page{L}: \forall integer ep0, ep2, pool0, pool2, v, i, p;
    link1(ep0, ep2, pool0, pool2, v, i, p) ==> l2page(ep2, pool2, v, i) && t2(ep2, v, i) == p;
  lemma same1{L}: \forall integer ep, pool, v, e;
    pre1(ep, pool, v, e) && kc_tbl(pte(ep, e)) ==>
    l2page(ep, pool, v, i1(v, e)) && t2(ep, v, i1(v, e)) == kc_addr(pte(ep, e));

  // s2_ensure_table's new-table path, from its callees' contracts (forward: every premise is a
  // fact the goal has).
  lemma mk_link_page{L}: \forall integer ep0, ep1, pool0, pool2, e, p;
    slot_ok(ep0, pool0, e) && alloc_ok(pool0, pool2, ep0, ep1, p) ==> link_page(e, p) && link_pool(pool0, pool2, p);
  lemma mk_link_entry{L}: \forall integer ep1, ep2, e, p;
    0 <= p < 0x1000000000000 && p % 4096 == 0 &&
    pte_stored(ep1, ep2, e, (p & 0xfffffffff000) | 3) ==> link_entry(ep2, e, p);
  lemma mk_link_zero{L}: \forall integer ep0, ep1, ep2, pool0, pool2, e, p;
    slot_ok(ep0, pool0, e) && alloc_ok(pool0, pool2, ep0, ep1, p) &&
    pte_stored(ep1, ep2, e, (p & 0xfffffffff000) | 3) ==> link_zero(ep2, p);
  lemma mk_link_frame{L}: \forall integer ep0, ep1, ep2, pool0, pool2, e, p;
    slot_ok(ep0, pool0, e) && alloc_ok(pool0, pool2, ep0, ep1, p) &&
    pte_stored(ep1, ep2, e, (p & 0xfffffffff000) | 3) ==> link_frame(ep0, ep2, e, p);
  lemma mk_link{L}: \forall integer ep0, ep1, ep2, pool0, pool2, e, p;
    slot_ok(ep0, pool0, e) && alloc_ok(pool0, pool2, ep0, ep1, p) &&
    pte_stored(ep1, ep2, e, (p & 0xfffffffff000) | 3) ==> link(ep0, ep2, pool0, pool2, e, p);
  lemma new1_link{L}: \forall integer ep0, ep1, ep2, pool0, pool2, v, e, p;
    pre1(ep0, pool0, v, e) && !kc_tbl(pte(ep0, e)) && alloc_ok(pool0, pool2, ep0, ep1, p) &&
    pte_stored(ep1, ep2, e, (p & 0xfffffffff000) | 3) ==> link1(ep0, ep2, pool0, pool2, v, i1(v, e), p);
  lemma new1{L}: \forall integer ep0, ep1, ep2, pool0, pool2, v, e, p;
    pre1(ep0, pool0, v, e) && !kc_tbl(pte(ep0, e)) && alloc_ok(pool0, pool2, ep0, ep1, p) &&
    pte_stored(ep1, ep2, e, (p & 0xfffffffff000) | 3) ==> et_ok(ep0, ep2, pool0, pool2) &&
    l2page(ep2, pool2, v, i1(v, e)) && t2(ep2, v, i1(v, e)) == p;
  lemma pre2_link2{L}: \forall integer ep0, ep2, pool0, pool2, v, i, e, p;
    l2page(ep0, pool0, v, i) && at2i(ep0, v, i, e) && !kc_tbl(pte(ep0, e)) &&
    link(ep0, ep2, pool0, pool2, e, p) ==> link2(ep0, ep2, pool0, pool2, v, i, (e - t2(ep0, v, i)) / 8, p);
  lemma link2_et{L}: \forall integer ep0, ep2, pool0, pool2, v, i, j, p;
    link2(ep0, ep2, pool0, pool2, v, i, j, p) ==> et_ok(ep0, ep2, pool0, pool2) && v3(ep2, v, i, j);
  lemma new2_link{L}: \forall integer ep0, ep1, ep2, pool0, pool2, v, i, e, p;
    l2page(ep0, pool0, v, i) && at2i(ep0, v, i, e) && !kc_tbl(pte(ep0, e)) &&
    alloc_ok(pool0, pool2, ep0, ep1, p) && pte_stored(ep1, ep2, e, (p & 0xfffffffff000) | 3) ==>
    link2(ep0, ep2, pool0, pool2, v, i, (e - t2(ep0, v, i)) / 8, p);
  lemma new2{L}: \forall integer ep0, ep1, ep2, pool0, pool2, v, i, e, p;
    l2page(ep0, pool0, v, i) && at2i(ep0, v, i, e) && !kc_tbl(pte(ep0, e)) &&
    alloc_ok(pool0, pool2, ep0, ep1, p) && pte_stored(ep1, ep2, e, (p & 0xfffffffff000) | 3) ==>
    et_ok(ep0, ep2, pool0, pool2) && v3(ep2, v, i, (e - t2(ep0, v, i)) / 8);
  lemma same2{L}: \forall integer ep, pool, v, i, e;
    l2page(ep, pool, v, i) && at2i(ep, v, i, e) && kc_tbl(pte(ep, e)) ==>
    v3(ep, v, i, (e - t2(ep, v, i)) / 8);
*/

/* Link a zeroed table below entry if it has none. The entry is a level-1 entry of a live
 * stage-2 (pre1) or an entry of one of its level-2 tables (pre2). */
/*@ requires \valid(s2) && \valid(ret_table) && \separated(ret_table, s2);
    requires pre1(kc_s2_ep, kc_pool, s2->vmid, entry.pa) || pre2(kc_s2_ep, kc_pool, s2->vmid, entry.pa);
    assigns s2->quota.used, *ret_table, kc_s2_ep, kc_pool;
    ensures \result == KC_OK || \result == KC_ENOMEM;
    ensures \result != KC_OK ==> kc_s2_ep == \old(kc_s2_ep) && kc_pool == \old(kc_pool);
    ensures \old(kc_tbl(pte(kc_s2_ep, entry.pa))) ==> \result == KC_OK && kc_s2_ep == \old(kc_s2_ep) &&
      kc_pool == \old(kc_pool) && ret_table->pa == kc_addr(pte(kc_s2_ep, entry.pa));
    // The new-table path: link(...), one clause per part.
    ensures !\old(kc_tbl(pte(kc_s2_ep, entry.pa))) && \result == KC_OK ==> link_page(entry.pa, ret_table->pa);
    ensures !\old(kc_tbl(pte(kc_s2_ep, entry.pa))) && \result == KC_OK ==> link_pool(\old(kc_pool), kc_pool, ret_table->pa);
    ensures !\old(kc_tbl(pte(kc_s2_ep, entry.pa))) && \result == KC_OK ==> link_entry(kc_s2_ep, entry.pa, ret_table->pa);
    ensures !\old(kc_tbl(pte(kc_s2_ep, entry.pa))) && \result == KC_OK ==> link_zero(kc_s2_ep, ret_table->pa);
    ensures !\old(kc_tbl(pte(kc_s2_ep, entry.pa))) && \result == KC_OK ==>
      link_frame(\old(kc_s2_ep), kc_s2_ep, entry.pa, ret_table->pa);
    // In terms of the walk: a level-1 entry ...
    ensures et1: \old(pre1(kc_s2_ep, kc_pool, s2->vmid, entry.pa)) ==> et_ok(\old(kc_s2_ep), kc_s2_ep, \old(kc_pool), kc_pool);
    ensures et1_page: \old(pre1(kc_s2_ep, kc_pool, s2->vmid, entry.pa)) && \result == KC_OK ==>
      l2page(kc_s2_ep, kc_pool, s2->vmid, i1(s2->vmid, entry.pa)) &&
      t2(kc_s2_ep, s2->vmid, i1(s2->vmid, entry.pa)) == ret_table->pa;
    // ... or an entry of level-2 table i.
    ensures et2: \forall integer i; \old(l2page(kc_s2_ep, kc_pool, s2->vmid, i) && at2i(kc_s2_ep, s2->vmid, i, entry.pa)) ==>
      et_ok(\old(kc_s2_ep), kc_s2_ep, \old(kc_pool), kc_pool);
    ensures et2_v3: \forall integer i; \old(l2page(kc_s2_ep, kc_pool, s2->vmid, i) && at2i(kc_s2_ep, s2->vmid, i, entry.pa)) &&
      \result == KC_OK ==> v3(kc_s2_ep, s2->vmid, i, (entry.pa - \old(t2(kc_s2_ep, s2->vmid, i))) / 8);
*/
static int s2_ensure_table(struct kc_s2 *s2, kc_pa_t entry, kc_pa_t *ret_table);
