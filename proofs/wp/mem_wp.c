/*
 * WP target: kcore/core/mem.c itself (#included unchanged), with its contracts below.
 * The contracts sit after the code: Frama-C merges a contract given on a later
 * declaration with the definition. INV-1, INV-2, INV-3, INV-5 are stated over the ownership
 * table and the abstract stage-2 s2m (s2-contract.h); every transition has
 * "requires inv; ensures inv;".
 */
#include "seam.h"
#include "bits-facts.h"
#include "helpers.h"
#include "s2-contract.h"
#include "mem.c"	/* kcore/core/mem.c (or a mutant copy), found through -I */

#define OWN(i) mem.pages[i].owner
/* "ensures inv", one clause per part, so each is its own (smaller) goal. */
#define INV_POST ensures ram_ok; ensures owner_ok; ensures share_ok; ensures gfn_ok; \
    ensures inv1(kc_s2_ep); ensures inv1r(kc_s2_ep); ensures inv2(kc_s2_ep); ensures inv_host_s2;
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
    mem.host_s2.vmid == 0 && mem.host_s2.guard == &mem.lock;

  lemma inv_implies_inv3{L}: inv ==> inv3(kc_s2_ep);

  predicate inv_host_s2{L} = mem.host_s2.vmid == 0 && mem.host_s2.guard == &mem.lock;
  predicate vm_ok{L}(struct kc_vm *vm) = \valid(vm) && \separated(vm, &mem) && is_vm(vm->vmid) &&
    vm->s2.vmid == vm->vmid && vm->s2.guard == &vm->lock && held(kc_locks, &vm->lock);

  predicate kcore_pages_fixed{L1, L2} = \forall integer i; 0 <= i < \at(mem.ram_pages, L1) ==>
    (\at(OWN(i), L1) == KC_OWNER_KCORE <==> \at(OWN(i), L2) == KC_OWNER_KCORE);
  predicate table_unchanged{L1, L2} = \forall integer i; 0 <= i < KC_RAM_PAGES_MAX ==>
    \at(mem.pages[i], L1) == \at(mem.pages[i], L2);
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
    assigns kc_s2_ep;
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
    INV_POST
    ensures held(kc_locks, &vm.vm->lock) && !held(kc_locks, &mem.lock);
    ensures kcore_pages_fixed{Pre, Post};
    ensures \result == KC_OK ==> \old(is_ram(pa.pa)) && \old(OWN(pidx(pa.pa))) == KC_OWNER_HOST &&
      OWN(pidx(pa.pa)) == vm.vm->vmid && mem.pages[pidx(pa.pa)].gfn == ipa.ipa / 4096 &&
      s2m(kc_s2_ep, vm.vm->vmid, ipa.ipa / 4096) != 0 &&
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
    ensures kcore_pages_fixed{Pre, Post};
    ensures \result != KC_OK ==> table_unchanged{Pre, Post};
*/
int mem_vm_unshare_host(struct kc_vm_locked vm, kc_ipa_t ipa);

/* VM n (dying): OWNED -> NOPAGE; HOST: NOPAGE -> OWNED, zeroed and cleaned to PoC (INV-5). */
/*@ requires inv && vm_ok(vm.vm) && !held(kc_locks, &mem.lock) && vm.vm->state == KC_VM_DYING;
    requires pa.pa % 4096 == 0 && 0 <= pa.pa < KC_WP_PA_LIMIT;
    assigns mem.pages[0 .. KC_RAM_PAGES_MAX - 1], kc_locks, kc_s2_ep, kc_data, kc_cache,
            vm.vm->page_count;
    INV_POST
    ensures held(kc_locks, &vm.vm->lock) && !held(kc_locks, &mem.lock);
    ensures kcore_pages_fixed{Pre, Post};
    ensures \result != KC_OK ==> table_unchanged{Pre, Post};
    ensures \result == KC_OK ==> \old(is_ram(pa.pa)) && \old(OWN(pidx(pa.pa))) == vm.vm->vmid &&
      OWN(pidx(pa.pa)) == KC_OWNER_HOST && mem.pages[pidx(pa.pa)].share_count == 0 &&
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
