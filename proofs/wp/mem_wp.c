/*
 * WP target: kcore/core/mem.c itself (#included unchanged), with its contracts below.
 * The contracts sit after the code: Frama-C merges a contract given on a later
 * declaration with the definition. INV-1, INV-2, INV-3, INV-5 are stated over the ownership
 * table and the abstract stage-2 s2m (s2-contract.h); every transition has
 * "requires inv; ensures inv;" (for the page-moving ones through a step predicate and its
 * lemmas, see INV_POST_BY).
 */
#include "seam.h"
#include "bits-facts.h"
#include "helpers.h"
#define KC_WP_S2_WF	/* the s2 contracts require and keep s2_wf/s2_ok (s2_wp.c proves them) */
#include "s2-contract.h"
#include "mem.c"	/* kcore/core/mem.c (or a mutant copy), found through -I */

#define OWN(i) mem.pages[i].owner
/* "ensures inv", one clause per part, so each is its own (smaller) goal. */
#define INV_POST ensures ram_ok; ensures owner_ok; ensures share_ok; ensures gfn_ok; \
    ensures inv1(kc_s2_ep); ensures inv1r(kc_s2_ep); ensures inv2(kc_s2_ep); ensures inv_host_s2; \
    ensures s2_wf(kc_s2_ep, kc_pool); ensures s2_ok(kc_s2_ep, &mem.host_s2);
/* The same for a transition that moves a page between owners (donate, reclaim), where one goal
 * "ensures inv1" is too big for z3/cvc5 (quantified invariants over a write to one element of
 * mem.pages). STEP is a predicate saying exactly what the transition changed (which page, which
 * stage-2 entries; defined below). The contract proves STEP with its own clauses, one per
 * conjunct, and states INV-1/INV-1r/INV-2 as "STEP ==> inv1(kc_s2_ep)" etc.; those implications
 * hold by the lemmas *_inv1, *_inv1r, *_inv2 below (proved goals, not axioms). Together the
 * clauses say "ensures inv"; each goal stays small. */
/* Every vmid's stage-2 stays live or dead: the step maps and unmaps, it creates and frees none. */
#define LIVE_SAME ensures \forall integer v; live(kc_s2_ep, v) <==> live(\old(kc_s2_ep), v);
#define INV_POST_BY(...) ensures ram_ok; ensures owner_ok; ensures share_ok; ensures gfn_ok; \
    ensures inv_host_s2; ensures s2_wf(kc_s2_ep, kc_pool); ensures s2_ok(kc_s2_ep, &mem.host_s2); \
    ensures (__VA_ARGS__) ==> inv1(kc_s2_ep); \
    ensures (__VA_ARGS__) ==> inv1r(kc_s2_ep); ensures (__VA_ARGS__) ==> inv2(kc_s2_ep);
/*@
  predicate ram_ok{L} = mem.ram_base.pa % 4096 == 0 && 0 < mem.ram_pages <= KC_RAM_PAGES_MAX &&
    mem.ram_base.pa + mem.ram_pages * 4096 <= KC_WP_PA_LIMIT;
  logic integer pidx{L}(integer pa) = (pa - mem.ram_base.pa) / 4096;
  predicate is_ram{L}(integer pa) = mem.ram_base.pa <= pa && (pa - mem.ram_base.pa) / 4096 < mem.ram_pages;
  predicate is_vm(integer o) = 1 <= o <= KC_VMS_MAX;

  predicate owner_ok{L} = \forall integer i; 0 <= i < mem.ram_pages ==>
    OWN(i) == KC_OWNER_HOST || OWN(i) == KC_OWNER_KCORE || is_vm(OWN(i));
  predicate share_ok{L} = \forall integer i; 0 <= i < mem.ram_pages ==>
    mem.pages[i].share_count != 0 ==> is_vm(OWN(i));
  predicate gfn_ok{L} = \forall integer i; 0 <= i < mem.ram_pages ==> mem.pages[i].gfn < KC_WP_GFN_LIMIT;

  // INV-1: a page mapped in VM v's stage-2 at gfn g is RAM owned by v, recorded at gfn g ...
  predicate inv1{L}(integer e) = \forall integer v, g; is_vm(v) && 0 <= g < KC_WP_GFN_LIMIT &&
    s2m(e, v, g) != 0 ==> is_ram(s2m(e, v, g) & 0xfffffffff000) &&
      OWN(pidx(s2m(e, v, g) & 0xfffffffff000)) == v &&
      mem.pages[pidx(s2m(e, v, g) & 0xfffffffff000)].gfn == g;
  // ... and every page a VM owns is mapped in its stage-2 at its gfn (inv.c checks both).
  predicate inv1r{L}(integer e) = \forall integer i; 0 <= i < mem.ram_pages && is_vm(OWN(i)) ==>
    s2m(e, OWN(i), mem.pages[i].gfn) != 0 &&
    (s2m(e, OWN(i), mem.pages[i].gfn) & 0xfffffffff000) == mem.ram_base.pa + i * 4096;
  // INV-2: the host's stage-2 is the identity, and maps RAM only if host-owned or shared.
  predicate inv2{L}(integer e) = \forall integer g; 0 <= g < KC_WP_GFN_LIMIT && s2m(e, 0, g) != 0 ==>
    (s2m(e, 0, g) & 0xfffffffff000) == g * 4096 &&
    (is_ram(g * 4096) ==> OWN(pidx(g * 4096)) == KC_OWNER_HOST ||
                          (is_vm(OWN(pidx(g * 4096))) && mem.pages[pidx(g * 4096)].share_count > 0));
  // INV-3: no stage-2 (host or VM) maps a kcore page.
  predicate inv3{L}(integer e) = \forall integer v, g; 0 <= v <= KC_VMS_MAX && 0 <= g < KC_WP_GFN_LIMIT &&
    s2m(e, v, g) != 0 && is_ram(s2m(e, v, g) & 0xfffffffff000) ==>
    OWN(pidx(s2m(e, v, g) & 0xfffffffff000)) != KC_OWNER_KCORE;

  predicate inv{L} = ram_ok && owner_ok && share_ok && gfn_ok &&
    inv1(kc_s2_ep) && inv1r(kc_s2_ep) && inv2(kc_s2_ep) &&
    mem.host_s2.vmid == 0 && mem.host_s2.guard == &mem.lock &&
    s2_wf(kc_s2_ep, kc_pool) && s2_ok(kc_s2_ep, &mem.host_s2);

  lemma inv_implies_inv3{L}: inv ==> inv3(kc_s2_ep);

  predicate inv_host_s2{L} = mem.host_s2.vmid == 0 && mem.host_s2.guard == &mem.lock;
  predicate vm_ok{L}(struct kc_vm *vm) = \valid(vm) && \separated(vm, &mem) && is_vm(vm->vmid) &&
    vm->s2.vmid == vm->vmid && vm->s2.guard == &vm->lock && held(kc_locks, &vm->lock) &&
    s2_ok(kc_s2_ep, &vm->s2);

  // Every lock is held after as before (a function that takes a lock releases it).
  predicate locks_same{L1,L2} = \forall arch_lock_t *o; held(\at(kc_locks, L1), o) <==> held(\at(kc_locks, L2), o);
  predicate kcore_pages_fixed{L1, L2} = \forall integer i; 0 <= i < \at(mem.ram_pages, L1) ==>
    (\at(OWN(i), L1) == KC_OWNER_KCORE <==> \at(OWN(i), L2) == KC_OWNER_KCORE);
  predicate table_unchanged{L1, L2} = \forall integer i; 0 <= i < KC_RAM_PAGES_MAX ==>
    \at(mem.pages[i], L1) == \at(mem.pages[i], L2);
*/

/*@
  // Steps: what one transition changed between states L1 and L2, with the changed page k, vmid v
  // and gfn g as parameters (so that a lemma about a step applies to the contract's step directly).
  predicate ram_same{L1,L2} = \at(mem.ram_base.pa, L1) == \at(mem.ram_base.pa, L2) &&
    \at(mem.ram_pages, L1) == \at(mem.ram_pages, L2);
  predicate page_same{L1,L2}(integer i) = \at(OWN(i), L1) == \at(OWN(i), L2) &&
    \at(mem.pages[i].share_count, L1) == \at(mem.pages[i].share_count, L2) &&
    \at(mem.pages[i].gfn, L1) == \at(mem.pages[i].gfn, L2);
  // Every page but k keeps its owner / share count / gfn (one predicate each: one goal each).
  predicate owners_same{L1,L2}(integer k) = \forall integer i; 0 <= i < \at(mem.ram_pages, L1) && i != k ==>
    \at(OWN(i), L1) == \at(OWN(i), L2);
  predicate shares_same{L1,L2}(integer k) = \forall integer i; 0 <= i < \at(mem.ram_pages, L1) && i != k ==>
    \at(mem.pages[i].share_count, L1) == \at(mem.pages[i].share_count, L2);
  predicate gfns_same{L1,L2}(integer k) = \forall integer i; 0 <= i < \at(mem.ram_pages, L1) && i != k ==>
    \at(mem.pages[i].gfn, L1) == \at(mem.pages[i].gfn, L2);
  predicate pages_frame{L1,L2}(integer k) = ram_same{L1,L2} && owners_same{L1,L2}(k) &&
    shares_same{L1,L2}(k) && gfns_same{L1,L2}(k);
  // Every stage-2 entry but VM v's at g and the host's at hg is unchanged.
  predicate s2_same_except(integer e1, integer e2, integer v, integer g, integer hg) =
    \forall integer v1, g1; (v1 != v || g1 != g) && (v1 != 0 || g1 != hg) ==> s2m(e2, v1, g1) == s2m(e1, v1, g1);

  // A failed transition: nothing changed (k = -1: no page is excepted).
  predicate no_step{L1,L2}(integer e1, integer e2) = pages_frame{L1,L2}(-1) &&
    \forall integer v1, g1; s2m(e2, v1, g1) == s2m(e1, v1, g1);

  // mem_host_donate_vm: HOST page k -> VM v at gfn g; the host's mapping of k is gone, v maps g to k.
  predicate donate_page{L1,L2}(integer k, integer v, integer g) =
    0 <= k < \at(mem.ram_pages, L1) && is_vm(v) && 0 <= g < KC_WP_GFN_LIMIT &&
    \at(OWN(k), L1) == KC_OWNER_HOST && \at(OWN(k), L2) == v && \at(mem.pages[k].gfn, L2) == g &&
    \at(mem.pages[k].share_count, L2) == \at(mem.pages[k].share_count, L1);
  predicate donate_s2{L}(integer e1, integer e2, integer k, integer v, integer g) =
    s2m(e1, v, g) == 0 && s2m(e2, v, g) != 0 &&
    (s2m(e2, v, g) & 0xfffffffff000) == mem.ram_base.pa + k * 4096 &&
    s2m(e2, 0, mem.ram_base.pa / 4096 + k) == 0 &&
    s2_same_except(e1, e2, v, g, mem.ram_base.pa / 4096 + k);
  predicate donate_step{L1,L2}(integer e1, integer e2, integer k, integer v, integer g) =
    pages_frame{L1,L2}(k) && donate_page{L1,L2}(k, v, g) && donate_s2{L1}(e1, e2, k, v, g);
  predicate donate_or_not{L1,L2}(integer e1, integer e2, integer k, integer v, integer g, integer r) =
    (r == KC_OK ==> donate_step{L1,L2}(e1, e2, k, v, g)) && (r != KC_OK ==> no_step{L1,L2}(e1, e2));

  // mem_host_reclaim_vm: VM v's page k at gfn g -> HOST (share count 0, gfn 0); v's mapping of g
  // and the host's of k are gone.
  predicate reclaim_page{L1,L2}(integer k, integer v, integer g) =
    0 <= k < \at(mem.ram_pages, L1) && is_vm(v) && 0 <= g < KC_WP_GFN_LIMIT &&
    \at(OWN(k), L1) == v && \at(mem.pages[k].gfn, L1) == g &&
    \at(OWN(k), L2) == KC_OWNER_HOST && \at(mem.pages[k].share_count, L2) == 0 &&
    \at(mem.pages[k].gfn, L2) == 0;
  predicate reclaim_s2{L}(integer e1, integer e2, integer k, integer v, integer g) =
    s2m(e2, v, g) == 0 && s2m(e2, 0, mem.ram_base.pa / 4096 + k) == 0 &&
    s2_same_except(e1, e2, v, g, mem.ram_base.pa / 4096 + k);
  predicate reclaim_step{L1,L2}(integer e1, integer e2, integer k, integer v, integer g) =
    pages_frame{L1,L2}(k) && reclaim_page{L1,L2}(k, v, g) && reclaim_s2{L1}(e1, e2, k, v, g);
  predicate reclaim_or_not{L1,L2}(integer e1, integer e2, integer k, integer v, integer g, integer r) =
    (r == KC_OK ==> reclaim_step{L1,L2}(e1, e2, k, v, g)) && (r != KC_OK ==> no_step{L1,L2}(e1, e2));

  // The invariants' bodies at one point (one (v, g) of INV-1, one page of INV-1r, one host gfn
  // of INV-2): the per-point lemmas conclude these, the per-invariant lemmas then need no search.
  predicate inv1_at{L}(integer e, integer v, integer g) = is_ram(s2m(e, v, g) & 0xfffffffff000) &&
      OWN(pidx(s2m(e, v, g) & 0xfffffffff000)) == v &&
      mem.pages[pidx(s2m(e, v, g) & 0xfffffffff000)].gfn == g;
  predicate inv1r_at{L}(integer e, integer i) = s2m(e, OWN(i), mem.pages[i].gfn) != 0 &&
    (s2m(e, OWN(i), mem.pages[i].gfn) & 0xfffffffff000) == mem.ram_base.pa + i * 4096;
  predicate inv2_at{L}(integer e, integer g) = (s2m(e, 0, g) & 0xfffffffff000) == g * 4096 &&
    (is_ram(g * 4096) ==> OWN(pidx(g * 4096)) == KC_OWNER_HOST ||
                          (is_vm(OWN(pidx(g * 4096))) && mem.pages[pidx(g * 4096)].share_count > 0));

  // Per-page facts about the table.
  lemma page_index{L}: \forall integer k; ram_ok && 0 <= k < mem.ram_pages ==>
    is_ram(mem.ram_base.pa + k * 4096) && pidx(mem.ram_base.pa + k * 4096) == k;
  lemma page_index_inj{L}: \forall integer k, g; ram_ok && 0 <= k < mem.ram_pages && 0 <= g &&
    is_ram(g * 4096) && pidx(g * 4096) == k ==> g == mem.ram_base.pa / 4096 + k;
  lemma frame_other_page{L1,L2}: \forall integer k, x;
    pages_frame{L1,L2}(k) && is_ram{L1}(x) && pidx{L1}(x) != k ==>
    is_ram{L2}(x) && pidx{L2}(x) == pidx{L1}(x) && page_same{L1,L2}(pidx{L1}(x));

  // A failed transition keeps INV-1, INV-1r, INV-2.
  lemma no_step_inv1{L1,L2}: \forall integer e1, e2; inv1{L1}(e1) && no_step{L1,L2}(e1, e2) ==> inv1{L2}(e2);
  lemma no_step_inv1r{L1,L2}: \forall integer e1, e2; inv1r{L1}(e1) && no_step{L1,L2}(e1, e2) ==> inv1r{L2}(e2);
  lemma no_step_inv2{L1,L2}: \forall integer e1, e2; inv2{L1}(e1) && no_step{L1,L2}(e1, e2) ==> inv2{L2}(e2);

  // mem_host_donate_vm keeps INV-1, INV-1r, INV-2: each per point (the new mapping, the other
  // mappings), then for all points.
  lemma donate_inv1_new{L1,L2}: \forall integer e1, e2, k, v, g;
    ram_ok{L1} && donate_step{L1,L2}(e1, e2, k, v, g) ==> inv1_at{L2}(e2, v, g);
  lemma donate_inv1_other{L1,L2}: \forall integer e1, e2, k, v, g, v1, g1;
    inv1{L1}(e1) && donate_step{L1,L2}(e1, e2, k, v, g) && is_vm(v1) && 0 <= g1 < KC_WP_GFN_LIMIT &&
    s2m(e2, v1, g1) != 0 && (v1 != v || g1 != g) ==> inv1_at{L2}(e2, v1, g1);
  lemma donate_inv1{L1,L2}: \forall integer e1, e2, k, v, g;
    ram_ok{L1} && inv1{L1}(e1) && donate_step{L1,L2}(e1, e2, k, v, g) ==> inv1{L2}(e2);
  lemma donate_inv1r_new{L1,L2}: \forall integer e1, e2, k, v, g;
    donate_step{L1,L2}(e1, e2, k, v, g) ==> inv1r_at{L2}(e2, k);
  lemma donate_inv1r_other{L1,L2}: \forall integer e1, e2, k, v, g, i;
    inv1r{L1}(e1) && donate_step{L1,L2}(e1, e2, k, v, g) && 0 <= i < \at(mem.ram_pages, L2) && i != k &&
    is_vm(\at(OWN(i), L2)) ==> inv1r_at{L2}(e2, i);
  lemma donate_inv1r{L1,L2}: \forall integer e1, e2, k, v, g;
    inv1r{L1}(e1) && donate_step{L1,L2}(e1, e2, k, v, g) ==> inv1r{L2}(e2);
  lemma donate_host_other{L1,L2}: \forall integer e1, e2, k, v, g, h;
    ram_ok{L1} && donate_step{L1,L2}(e1, e2, k, v, g) && 0 <= h < KC_WP_GFN_LIMIT && s2m(e2, 0, h) != 0 ==>
    s2m(e2, 0, h) == s2m(e1, 0, h) && (is_ram{L1}(h * 4096) ==> pidx{L1}(h * 4096) != k);
  lemma donate_inv2_at{L1,L2}: \forall integer e1, e2, k, v, g, h;
    ram_ok{L1} && inv2{L1}(e1) && donate_step{L1,L2}(e1, e2, k, v, g) && 0 <= h < KC_WP_GFN_LIMIT &&
    s2m(e2, 0, h) != 0 ==> inv2_at{L2}(e2, h);
  lemma donate_inv2{L1,L2}: \forall integer e1, e2, k, v, g;
    ram_ok{L1} && inv2{L1}(e1) && donate_step{L1,L2}(e1, e2, k, v, g) ==> inv2{L2}(e2);

  // mem_host_reclaim_vm keeps INV-1, INV-1r, INV-2 (no new mapping: only the other points).
  lemma reclaim_inv1_other{L1,L2}: \forall integer e1, e2, k, v, g, v1, g1;
    inv1{L1}(e1) && reclaim_step{L1,L2}(e1, e2, k, v, g) && is_vm(v1) && 0 <= g1 < KC_WP_GFN_LIMIT &&
    s2m(e2, v1, g1) != 0 ==> inv1_at{L2}(e2, v1, g1);
  lemma reclaim_inv1{L1,L2}: \forall integer e1, e2, k, v, g;
    inv1{L1}(e1) && reclaim_step{L1,L2}(e1, e2, k, v, g) ==> inv1{L2}(e2);
  lemma reclaim_s2_other{L1,L2}: \forall integer e1, e2, k, v, g, i;
    inv1r{L1}(e1) && reclaim_step{L1,L2}(e1, e2, k, v, g) && 0 <= i < \at(mem.ram_pages, L1) && i != k &&
    is_vm(\at(OWN(i), L1)) ==>
    s2m(e2, \at(OWN(i), L1), \at(mem.pages[i].gfn, L1)) == s2m(e1, \at(OWN(i), L1), \at(mem.pages[i].gfn, L1));
  lemma reclaim_inv1r_other{L1,L2}: \forall integer e1, e2, k, v, g, i;
    inv1r{L1}(e1) && reclaim_step{L1,L2}(e1, e2, k, v, g) && 0 <= i < \at(mem.ram_pages, L2) && i != k &&
    is_vm(\at(OWN(i), L2)) ==> inv1r_at{L2}(e2, i);
  lemma reclaim_inv1r{L1,L2}: \forall integer e1, e2, k, v, g;
    inv1r{L1}(e1) && reclaim_step{L1,L2}(e1, e2, k, v, g) ==> inv1r{L2}(e2);
  lemma reclaim_host_other{L1,L2}: \forall integer e1, e2, k, v, g, h;
    ram_ok{L1} && reclaim_step{L1,L2}(e1, e2, k, v, g) && 0 <= h < KC_WP_GFN_LIMIT && s2m(e2, 0, h) != 0 ==>
    s2m(e2, 0, h) == s2m(e1, 0, h) && (is_ram{L1}(h * 4096) ==> pidx{L1}(h * 4096) != k);
  lemma reclaim_inv2_at{L1,L2}: \forall integer e1, e2, k, v, g, h;
    ram_ok{L1} && inv2{L1}(e1) && reclaim_step{L1,L2}(e1, e2, k, v, g) && 0 <= h < KC_WP_GFN_LIMIT &&
    s2m(e2, 0, h) != 0 ==> inv2_at{L2}(e2, h);
  lemma reclaim_inv2{L1,L2}: \forall integer e1, e2, k, v, g;
    ram_ok{L1} && inv2{L1}(e1) && reclaim_step{L1,L2}(e1, e2, k, v, g) ==> inv2{L2}(e2);

*/

/*@ requires ram_ok && held(kc_locks, &mem.lock);
    assigns \nothing;
    ensures is_ram(pa.pa) ==> \result == &mem.pages[pidx(pa.pa)];
    ensures !is_ram(pa.pa) ==> \result == \null;
*/
static struct kc_page *mem_page_locked(kc_pa_t pa);

/*@ requires \valid(ret_pa);
    assigns *ret_pa;
    ensures \result == KC_OK <==> pfn < KC_WP_GFN_LIMIT;
    ensures \result == KC_OK ==> ret_pa->pa == pfn * 4096;
    ensures \result == KC_OK || \result == KC_EINVAL;
*/
int mem_pfn_to_pa(uint64_t pfn, kc_pa_t *ret_pa);

/*@ requires ram_ok && held(kc_locks, &mem.lock);
    assigns \nothing;
    ensures \result == KC_OK <==> is_ram(pa.pa) && OWN(pidx(pa.pa)) == owner;
    ensures \result == KC_OK || \result == KC_EPERM;
*/
static int check_page_owned_by_locked(kc_pa_t pa, uint32_t owner);

/*@ requires ram_ok && inv_host_s2 && held(kc_locks, &mem.lock);
    requires pa.pa % 4096 == 0 && 0 <= pa.pa < KC_WP_PA_LIMIT;
    requires s2_wf(kc_s2_ep, kc_pool) && s2_ok(kc_s2_ep, &mem.host_s2);
    assigns kc_s2_ep;
    ensures s2_wf(kc_s2_ep, kc_pool);
    ensures \forall integer v; live(kc_s2_ep, v) <==> live(\old(kc_s2_ep), v);
    ensures s2m(kc_s2_ep, 0, pa.pa / 4096) == 0;
    ensures \forall integer v, g; v != 0 || g != pa.pa / 4096 ==> s2m(kc_s2_ep, v, g) == s2m(\old(kc_s2_ep), v, g);
    ensures \forall integer v, g; s2_prepared(\old(kc_s2_ep), v, g) ==> s2_prepared(kc_s2_ep, v, g);
*/
static void host_unmap_locked(kc_pa_t pa);

/* HOST: OWNED -> NOPAGE; VM n: NOPAGE -> OWNED at ipa. */
/*@ requires inv && vm_ok(vm.vm) && !held(kc_locks, &mem.lock);
    requires pa.pa % 4096 == 0 && 0 <= pa.pa < KC_WP_PA_LIMIT;
    requires ipa.ipa % 4096 == 0 && 0 <= ipa.ipa < KC_WP_PA_LIMIT;
    assigns mem.pages[0 .. KC_RAM_PAGES_MAX - 1], kc_locks, kc_s2_ep, kc_pool,
            vm.vm->page_count, vm.vm->s2.quota.used;
    INV_POST_BY(donate_or_not{Pre,Post}(\old(kc_s2_ep), kc_s2_ep, \old(pidx(pa.pa)), vm.vm->vmid,
                                        ipa.ipa / 4096, \result))
    // The step, one clause per conjunct of donate_or_not (ram_same, owners_same, shares_same,
    // gfns_same and donate_page, donate_s2 on success; no_step on failure):
    ensures \result == KC_OK ==> ram_same{Pre,Post} && owners_same{Pre,Post}(\old(pidx(pa.pa)));
    ensures \result == KC_OK ==> shares_same{Pre,Post}(\old(pidx(pa.pa)));
    ensures \result == KC_OK ==> gfns_same{Pre,Post}(\old(pidx(pa.pa)));
    ensures \result == KC_OK ==> donate_page{Pre,Post}(\old(pidx(pa.pa)), vm.vm->vmid, ipa.ipa / 4096);
    ensures donate_step_s2: \result == KC_OK ==>
      donate_s2{Pre}(\old(kc_s2_ep), kc_s2_ep, \old(pidx(pa.pa)), vm.vm->vmid, ipa.ipa / 4096);
    ensures \result != KC_OK ==> no_step{Pre,Post}(\old(kc_s2_ep), kc_s2_ep);
    ensures held(kc_locks, &vm.vm->lock) && !held(kc_locks, &mem.lock);
    ensures locks_same{Pre, Post};
    ensures kcore_pages_fixed{Pre, Post};
    LIVE_SAME
    ensures \result == KC_OK ==> \old(is_ram(pa.pa)) && \old(OWN(pidx(pa.pa))) == KC_OWNER_HOST;
    ensures \result == KC_OK ==> OWN(pidx(pa.pa)) == vm.vm->vmid && mem.pages[pidx(pa.pa)].gfn == ipa.ipa / 4096;
    ensures \result == KC_OK ==> s2m(kc_s2_ep, vm.vm->vmid, ipa.ipa / 4096) != 0;
    // The increment wraps at 2^64 (no bound on page_count is part of inv), hence the guard.
    ensures \result == KC_OK && \old(vm.vm->page_count) < 0xffffffffffffffff ==>
      vm.vm->page_count == \old(vm.vm->page_count) + 1;
    ensures \result != KC_OK ==> table_unchanged{Pre, Post};
    ensures !(\old(is_ram(pa.pa)) && \old(OWN(pidx(pa.pa))) == KC_OWNER_HOST) ==> \result != KC_OK;
*/
int mem_host_donate_vm(struct kc_vm_locked vm, kc_pa_t pa, kc_ipa_t ipa);

/*@ requires inv && vm_ok(vm.vm) && held(kc_locks, &mem.lock) && \valid(ret_pa) && \separated(ret_pa, &mem);
    requires 0 <= ipa.ipa < KC_WP_PA_LIMIT;
    assigns *ret_pa;
    ensures \result == KC_OK || \result == KC_ENOENT;
    ensures \result == KC_OK <==> s2m(kc_s2_ep, vm.vm->vmid, ipa.ipa / 4096) != 0;
    ensures \result == KC_OK ==> is_ram(ret_pa->pa) && OWN(pidx(ret_pa->pa)) == vm.vm->vmid &&
      mem.pages[pidx(ret_pa->pa)].gfn == ipa.ipa / 4096 && ret_pa->pa % 4096 == 0 &&
      ret_pa->pa == (s2m(kc_s2_ep, vm.vm->vmid, ipa.ipa / 4096) & 0xfffffffff000);
*/
static int vm_page_at_locked(struct kc_vm_locked vm, kc_ipa_t ipa, kc_pa_t *ret_pa);

/* VM n: OWNED (shares k) -> OWNED (shares k+1). */
/*@ requires inv && vm_ok(vm.vm) && !held(kc_locks, &mem.lock);
    requires 0 <= ipa.ipa < KC_WP_PA_LIMIT;
    assigns mem.pages[0 .. KC_RAM_PAGES_MAX - 1].share_count, kc_locks;
    INV_POST
    ensures held(kc_locks, &vm.vm->lock) && !held(kc_locks, &mem.lock);
    ensures locks_same{Pre, Post};
    ensures kcore_pages_fixed{Pre, Post};
    ensures \result != KC_OK ==> table_unchanged{Pre, Post};
    ensures \result == KC_OK ==> \exists integer i; 0 <= i < mem.ram_pages && OWN(i) == vm.vm->vmid &&
      mem.pages[i].share_count == \at(mem.pages[i].share_count, Pre) + 1;
*/
int mem_vm_share_host(struct kc_vm_locked vm, kc_ipa_t ipa);

/* VM n: OWNED (shares k>0) -> OWNED (shares k-1); at 0 the host loses its mapping. */
/*@ requires inv && vm_ok(vm.vm) && !held(kc_locks, &mem.lock);
    requires 0 <= ipa.ipa < KC_WP_PA_LIMIT;
    assigns mem.pages[0 .. KC_RAM_PAGES_MAX - 1].share_count, kc_locks, kc_s2_ep;
    INV_POST
    ensures held(kc_locks, &vm.vm->lock) && !held(kc_locks, &mem.lock);
    ensures locks_same{Pre, Post};
    ensures kcore_pages_fixed{Pre, Post};
    LIVE_SAME
    ensures \result != KC_OK ==> table_unchanged{Pre, Post};
*/
int mem_vm_unshare_host(struct kc_vm_locked vm, kc_ipa_t ipa);

/* VM n (dying): OWNED -> NOPAGE; HOST: NOPAGE -> OWNED, zeroed and cleaned to PoC (INV-5). */
/*@ requires inv && vm_ok(vm.vm) && !held(kc_locks, &mem.lock) && vm.vm->state == KC_VM_DYING;
    requires pa.pa % 4096 == 0 && 0 <= pa.pa < KC_WP_PA_LIMIT;
    assigns mem.pages[0 .. KC_RAM_PAGES_MAX - 1], kc_locks, kc_s2_ep, kc_data, kc_cache,
            vm.vm->page_count;
    INV_POST_BY(reclaim_or_not{Pre,Post}(\old(kc_s2_ep), kc_s2_ep, \old(pidx(pa.pa)), vm.vm->vmid,
                                         \old(mem.pages[pidx(pa.pa)].gfn), \result))
    // The step, one clause per conjunct of reclaim_or_not (ram_same, owners_same, shares_same,
    // gfns_same and reclaim_page, reclaim_s2 on success; no_step on failure):
    ensures \result == KC_OK ==> ram_same{Pre,Post} && owners_same{Pre,Post}(\old(pidx(pa.pa)));
    ensures \result == KC_OK ==> shares_same{Pre,Post}(\old(pidx(pa.pa)));
    ensures \result == KC_OK ==> gfns_same{Pre,Post}(\old(pidx(pa.pa)));
    ensures \result == KC_OK ==> reclaim_page{Pre,Post}(\old(pidx(pa.pa)), vm.vm->vmid,
                                                        \old(mem.pages[pidx(pa.pa)].gfn));
    ensures \result == KC_OK ==> reclaim_s2{Pre}(\old(kc_s2_ep), kc_s2_ep, \old(pidx(pa.pa)), vm.vm->vmid,
                                                 \old(mem.pages[pidx(pa.pa)].gfn));
    ensures \result != KC_OK ==> no_step{Pre,Post}(\old(kc_s2_ep), kc_s2_ep);
    ensures held(kc_locks, &vm.vm->lock) && !held(kc_locks, &mem.lock);
    ensures locks_same{Pre, Post};
    ensures kcore_pages_fixed{Pre, Post};
    LIVE_SAME
    ensures \result != KC_OK ==> table_unchanged{Pre, Post};
    ensures \result == KC_OK ==> \old(is_ram(pa.pa)) && \old(OWN(pidx(pa.pa))) == vm.vm->vmid;
    ensures \result == KC_OK ==> OWN(pidx(pa.pa)) == KC_OWNER_HOST && mem.pages[pidx(pa.pa)].share_count == 0;
    // The decrement wraps at 0 (no bound on page_count is part of inv), hence the guard.
    ensures \result == KC_OK && \old(vm.vm->page_count) > 0 ==>
      vm.vm->page_count == \old(vm.vm->page_count) - 1;
    ensures reclaim_scrubs: \result == KC_OK ==> page_zero(kc_data, pa.pa) && page_clean(kc_data, kc_cache, pa.pa);
    ensures \result == KC_OK || \result == KC_EPERM;
*/
int mem_host_reclaim_vm(struct kc_vm_locked vm, kc_pa_t pa);

/*@ requires inv && held(kc_locks, &mem.lock) && \valid(ret_desc) && \separated(ret_desc, &mem);
    requires pa.pa % 4096 == 0 && 0 <= pa.pa < KC_WP_PA_LIMIT;
    assigns *ret_desc;
    ensures \result == KC_OK || \result == KC_EPERM;
    ensures \result == KC_OK ==> (*ret_desc & 0xfffffffff000) == pa.pa;
    ensures \result == KC_OK ==> (*ret_desc & 1) == 1;
    ensures host_map_allowed: \result == KC_OK ==> (is_ram(pa.pa) ==> OWN(pidx(pa.pa)) == KC_OWNER_HOST ||
         (is_vm(OWN(pidx(pa.pa))) && mem.pages[pidx(pa.pa)].share_count > 0));
*/
static int check_host_may_map_locked(kc_pa_t pa, uint64_t *ret_desc);

/* HOST: OWNED or SHARED_BORROWED, unmapped -> mapped (identity) in the host's stage-2. */
/*@ requires inv && !held(kc_locks, &mem.lock);
    assigns kc_locks, kc_s2_ep, kc_pool, mem.host_s2.quota.used;
    INV_POST
    ensures !held(kc_locks, &mem.lock);
    ensures \forall arch_lock_t *o; o != &mem.lock ==> (held(kc_locks, o) <==> held(\old(kc_locks), o));
    ensures table_unchanged{Pre, Post};
*/
int mem_host_fault(kc_pa_t pa);

/*@ requires ram_ok && !held(kc_locks, &mem.lock);
    assigns kc_locks;
    ensures !held(kc_locks, &mem.lock);
    ensures is_ram(pa.pa) ==> \result == mem.pages[pidx(pa.pa)];
    ensures !is_ram(pa.pa) ==> \result.owner == KC_OWNER_NONE;
*/
struct kc_page mem_page_get(kc_pa_t pa);

/*@ assigns \nothing; */
uint64_t mem_host_vttbr(void);

/*@ assigns \nothing;
    ensures \result == &mem.host_s2;
*/
const struct kc_s2 *mem_host_s2(void);
