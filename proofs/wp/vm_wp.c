/*
 * WP target: kcore/core/vm.c (#included unchanged but for its loop annotations), on top of
 * mem_wp.c (mem.c with its contracts and the INV predicates), so the VM lifecycle is checked
 * against the ownership invariants it must keep.
 *
 * It also holds mem_init's proof (the boot establishes inv), which needs s2_init's contract below.
 *
 * vm_inv is the VM table's well-formedness: slot i holds vmid i+1, its state and its vCPUs'
 * states are in range, vCPUs [0, vcpu_count) are the created ones, a FREE slot has no vCPU and
 * no page, a live slot's stage-2 is its own (vmid, guarded by its lock). free_owns_nothing ties it
 * to mem.c: no RAM page is owned by the vmid of a FREE slot. Both are required and kept by
 * vm_create, vcpu_create, vm_destroy and vm_reclaim, together with mem.c's inv, except where a
 * VM is torn down (see TEARDOWN below).
 *
 * TEARDOWN, not proved: vm_destroy and vm_reclaim free a VM when its page_count is 0. That no
 * page is owned by it then needs "page_count is the number of pages it owns", a counting
 * invariant over the ownership table that WP cannot carry without induction (not available here).
 * So after a teardown, INV-1r and free_owns_nothing are not proved; every other part of inv and
 * vm_inv is. The README's "not yet" table lists it.
 */
#include "mem_wp.c"	/* mem.c and its contracts, itself found through -I */

/*@
  // Stage-2 epoch e2 is e1 with VM v0's whole stage-2 emptied.
  predicate s2_cleared(integer e1, integer e2, integer v0) = (\forall integer g; s2m(e2, v0, g) == 0) &&
    \forall integer v, g; v != v0 ==> s2m(e2, v, g) == s2m(e1, v, g);
  predicate s2_same(integer e1, integer e2) = \forall integer v, g; s2m(e2, v, g) == s2m(e1, v, g);
  predicate owns_nothing{L}(integer v) = \forall integer p; 0 <= p < mem.ram_pages ==> OWN(p) != v;

  // The ownership table and RAM geometry are the same in L1 and L2.
  predicate mem_same{L1,L2} = ram_same{L1,L2} &&
    (\forall integer i; 0 <= i < KC_RAM_PAGES_MAX ==> page_same{L1,L2}(i)) &&
    \at(mem.host_s2.vmid, L1) == \at(mem.host_s2.vmid, L2) &&
    \at(mem.host_s2.guard, L1) == \at(mem.host_s2.guard, L2);

  // Emptying one VM's stage-2 keeps INV-1 and INV-2 (the host's is untouched); INV-1r too if
  // the VM owns no page. These and the mem_same_ lemmas are the steps the solvers prove the
  // quiet_ lemmas below from (the contracts use only quiet_*).
  lemma cleared_inv1{L}: \forall integer e1, e2, v0; inv1(e1) && s2_cleared(e1, e2, v0) ==> inv1(e2);
  lemma cleared_inv2{L}: \forall integer e1, e2, v0; is_vm(v0) && inv2(e1) && s2_cleared(e1, e2, v0) ==> inv2(e2);
  lemma cleared_inv1r{L}: \forall integer e1, e2, v0; inv1r(e1) && s2_cleared(e1, e2, v0) &&
    owns_nothing(v0) ==> inv1r(e2);
  lemma same_inv1{L}: \forall integer e1, e2; inv1(e1) && s2_same(e1, e2) ==> inv1(e2);
  lemma same_inv1r{L}: \forall integer e1, e2; inv1r(e1) && s2_same(e1, e2) ==> inv1r(e2);
  lemma same_inv2{L}: \forall integer e1, e2; inv2(e1) && s2_same(e1, e2) ==> inv2(e2);
  // The invariants depend only on the ownership table (and the stage-2 epoch).
  lemma mem_same_ok{L1,L2}: ram_ok{L1} && owner_ok{L1} && share_ok{L1} && gfn_ok{L1} && inv_host_s2{L1} &&
    mem_same{L1,L2} ==> ram_ok{L2} && owner_ok{L2} && share_ok{L2} && gfn_ok{L2} && inv_host_s2{L2};
  lemma mem_same_inv1{L1,L2}: \forall integer e; ram_ok{L1} && inv1{L1}(e) && mem_same{L1,L2} ==> inv1{L2}(e);
  lemma mem_same_inv1r{L1,L2}: \forall integer e; ram_ok{L1} && inv1r{L1}(e) && mem_same{L1,L2} ==> inv1r{L2}(e);
  lemma mem_same_inv2{L1,L2}: \forall integer e; ram_ok{L1} && inv2{L1}(e) && mem_same{L1,L2} ==> inv2{L2}(e);
  // A step that changes no page and at most empties VM v's stage-2 keeps the invariants.
  predicate quiet_step{L1,L2}(integer e1, integer e2, integer v) = mem_same{L1,L2} &&
    (s2_cleared(e1, e2, v) || s2_same(e1, e2));
  lemma quiet_ok{L1,L2}: \forall integer e1, e2, v; ram_ok{L1} && owner_ok{L1} && share_ok{L1} && gfn_ok{L1} &&
    inv_host_s2{L1} && quiet_step{L1,L2}(e1, e2, v) ==>
    ram_ok{L2} && owner_ok{L2} && share_ok{L2} && gfn_ok{L2} && inv_host_s2{L2};
  lemma quiet_inv1{L1,L2}: \forall integer e1, e2, v; ram_ok{L1} && inv1{L1}(e1) &&
    quiet_step{L1,L2}(e1, e2, v) ==> inv1{L2}(e2);
  lemma quiet_inv2{L1,L2}: \forall integer e1, e2, v; is_vm(v) && ram_ok{L1} && inv2{L1}(e1) &&
    quiet_step{L1,L2}(e1, e2, v) ==> inv2{L2}(e2);
  lemma quiet_inv1r{L1,L2}: \forall integer e1, e2, v; ram_ok{L1} && inv1r{L1}(e1) &&
    quiet_step{L1,L2}(e1, e2, v) && (s2_same(e1, e2) || owns_nothing{L1}(v)) ==> inv1r{L2}(e2);
*/

/*
 * s2_init and s2_destroy, USED here and not proved yet (proofs/README.md): s2_init zeroes the
 * VM's root and makes its stage-2 live (s2_ok), so its walk finds nothing; s2_destroy makes it
 * dead, so nothing is reachable from its root (s2_wp.c's model: s2m is 0 for a dead vmid).
 * Both keep the page-table invariant s2_wf and the other vmids' live flags.
 */
/*@ requires \valid(s2) && 0 <= vmid <= KC_VMS_MAX;
    requires s2_wf(kc_s2_ep, kc_pool);
    assigns s2->root, s2->vmid, s2->guard, s2->quota, kc_pool, kc_data, kc_s2_ep;
    ensures s2_wf(kc_s2_ep, kc_pool);
    ensures \forall integer v; v != vmid ==> (live(kc_s2_ep, v) <==> live(\old(kc_s2_ep), v));
    ensures \result == KC_OK ==> s2_ok(kc_s2_ep, s2);
    ensures \result == KC_OK || \result == KC_ENOSPC;
    ensures \result == KC_OK ==> s2->vmid == vmid && s2->guard == guard;
    ensures \result == KC_OK ==> s2_cleared(\old(kc_s2_ep), kc_s2_ep, vmid);
    ensures \result != KC_OK ==> s2_same(\old(kc_s2_ep), kc_s2_ep);
*/
int s2_init(struct kc_s2 *s2, uint32_t vmid, uint64_t quota_pages, const arch_lock_t *guard);

/*@ requires \valid(s2) && held(kc_locks, (arch_lock_t *)s2->guard) && 1 <= s2->vmid <= KC_VMS_MAX;
    requires s2_wf(kc_s2_ep, kc_pool) && s2_ok(kc_s2_ep, s2);
    assigns s2->quota, kc_pool, kc_s2_ep;
    ensures s2_wf(kc_s2_ep, kc_pool);
    ensures \forall integer v; v != s2->vmid ==> (live(kc_s2_ep, v) <==> live(\old(kc_s2_ep), v));
    ensures !live(kc_s2_ep, s2->vmid);
    ensures s2_cleared(\old(kc_s2_ep), kc_s2_ep, s2->vmid);
*/
void s2_destroy(struct kc_s2 *s2);

/*@ requires ram_range_ram_ok: ram_ok;
    assigns \nothing;
    ensures \result == -1 || (0 <= \result <= mem.ram_pages && \result + pages <= mem.ram_pages &&
      base.pa == mem.ram_base.pa + \result * 4096);
*/
static int64_t ram_range_first(kc_pa_t base, uint64_t pages);

/*@ // Every RAM page in [base, base + pages * 4096) is kcore's.
  predicate range_kcore{L}(integer base, integer pages) = \forall integer i; 0 <= i < mem.ram_pages &&
    base <= mem.ram_base.pa + i * 4096 < base + pages * 4096 ==> OWN(i) == KC_OWNER_KCORE;
*/
/* Boot: every RAM page is the host's but the pool's and kcore's image, which are kcore's (INV-3);
 * the host's stage-2 is live and empty. From the boot state in which no stage-2 maps anything,
 * the result is inv. (mem.c's boot is proved here, not in mem_wp.c, for s2_init's contract.) */
/*@ requires \valid_read(info) && \separated(info, &mem);
    requires s2_wf(kc_s2_ep, kc_pool) && \forall integer v, g; s2m(kc_s2_ep, v, g) == 0;
    assigns mem.ram_base, mem.ram_pages, mem.pages[0 .. KC_RAM_PAGES_MAX - 1], mem.host_s2,
            kc_pool, kc_data, kc_s2_ep;
    ensures \result == KC_OK ==> ram_ok && owner_ok && share_ok && gfn_ok;
    ensures \result == KC_OK ==> inv1(kc_s2_ep);
    ensures \result == KC_OK ==> inv1r(kc_s2_ep);
    ensures \result == KC_OK ==> inv2(kc_s2_ep);
    ensures \result == KC_OK ==> inv_host_s2 && s2_wf(kc_s2_ep, kc_pool) && s2_ok(kc_s2_ep, &mem.host_s2);
    ensures \result == KC_OK ==> mem.ram_base.pa == info->ram_base.pa && mem.ram_pages == info->ram_pages;
    ensures \result == KC_OK ==> range_kcore(info->pool_base.pa, info->pool_pages);
    ensures \result == KC_OK ==> range_kcore(info->kcore_base.pa, info->kcore_pages);
*/
int mem_init(const struct kc_boot_info *info);

/* vm.c's table, declared ahead (a tentative definition, the same object as vm.c's) so that the
 * predicates below, which vm.c's loop annotations use, can name it. */
static struct kc_vm vms[KC_VMS_MAX];
#define VMS_SEP(p) \separated(p, &vms[0 .. KC_VMS_MAX - 1])
/* "ensures vm_inv && free_owns_nothing && unlocked", a goal each; with INV_POST (mem_wp.c): all. */
/* "ensures inv" for a step that changes no page and at most empties VM v's stage-2, through
 * quiet_step and its lemmas (the way mem_wp.c's INV_POST_BY does it); INV-1r needs the VM to
 * own nothing (NOTHING) when its stage-2 was emptied. */
#define QUIET_STEP(v) quiet_step{Pre, Post}(\old(kc_s2_ep), kc_s2_ep, v)
#define QUIET_POST(v, NOTHING) ensures post_quiet_step: QUIET_STEP(v); \
    ensures post_quiet_wf: s2_wf(kc_s2_ep, kc_pool); ensures post_quiet_host: s2_ok(kc_s2_ep, &mem.host_s2); \
    ensures post_quiet_ok: QUIET_STEP(v) ==> ram_ok && owner_ok && share_ok && gfn_ok && inv_host_s2; \
    ensures post_quiet_inv1: QUIET_STEP(v) ==> inv1(kc_s2_ep); ensures post_quiet_inv2: QUIET_STEP(v) ==> inv2(kc_s2_ep); \
    ensures post_quiet_inv1r: QUIET_STEP(v) && (s2_same(\old(kc_s2_ep), kc_s2_ep) || NOTHING) ==> inv1r(kc_s2_ep); \
    ensures post_quiet_nothing: s2_same(\old(kc_s2_ep), kc_s2_ep) || NOTHING;
#define VM_POST ensures vm_inv; ensures free_owns_nothing; ensures unlocked; ensures locks_same{Pre, Post};

/*@
  predicate vcpu_cleared{L}(struct kc_vcpu *c) = c->state == KC_VCPU_FREE && c->power == KC_VCPU_OFF &&
    c->pending == KC_PENDING_NONE && c->regs.pc == 0 && c->regs.pstate == 0 &&
    \forall integer k; 0 <= k < 31 ==> c->regs.x[k] == 0;
  predicate slot_ok{L}(integer i) = vms[i].vmid == i + 1 &&
    KC_VM_FREE <= vms[i].state <= KC_VM_DYING && vms[i].vcpu_count <= KC_VM_VCPUS_MAX &&
    (vms[i].state == KC_VM_FREE ==> vms[i].vcpu_count == 0 && vms[i].page_count == 0) &&
    (vms[i].state != KC_VM_FREE ==> vms[i].s2.vmid == i + 1 && vms[i].s2.guard == &vms[i].lock) &&
    \forall integer j; 0 <= j < KC_VM_VCPUS_MAX ==>
      KC_VCPU_FREE <= vms[i].vcpus[j].state <= KC_VCPU_RUNNING &&
      (j < vms[i].vcpu_count <==> vms[i].vcpus[j].state != KC_VCPU_FREE);
  // vm is slot i of the table.
  predicate is_slot(struct kc_vm *vm, integer i) = 0 <= i < KC_VMS_MAX && vm == &vms[i];
  predicate vm_inv{L} = \forall integer i; 0 <= i < KC_VMS_MAX ==> slot_ok(i);
  lemma vm_inv_vmid{L}: vm_inv ==> \forall integer i; 0 <= i < KC_VMS_MAX ==> vms[i].vmid == i + 1;
  lemma vm_inv_count{L}: vm_inv ==> \forall integer i; 0 <= i < KC_VMS_MAX ==> vms[i].vcpu_count <= KC_VM_VCPUS_MAX;
  // What slot_ok reads of slot i is the same in L1 and L2: the record's own fields (core) and its
  // stage-2's identity (s2id), stated apart so that each frame is its own goal.
  predicate slot_core_same{L1,L2}(integer i) = \at(vms[i].vmid, L1) == \at(vms[i].vmid, L2) &&
    \at(vms[i].state, L1) == \at(vms[i].state, L2) &&
    \at(vms[i].vcpu_count, L1) == \at(vms[i].vcpu_count, L2) &&
    \at(vms[i].page_count, L1) == \at(vms[i].page_count, L2) &&
    \forall integer j; 0 <= j < KC_VM_VCPUS_MAX ==> \at(vms[i].vcpus[j].state, L1) == \at(vms[i].vcpus[j].state, L2);
  predicate slot_s2id_same{L1,L2}(integer i) = \at(vms[i].s2.vmid, L1) == \at(vms[i].s2.vmid, L2) &&
    \at(vms[i].s2.guard, L1) == \at(vms[i].s2.guard, L2);
  predicate slot_same{L1,L2}(integer i) = slot_core_same{L1,L2}(i) && slot_s2id_same{L1,L2}(i);
  predicate slots_core_same{L1,L2}(integer k) = \forall integer i; 0 <= i < KC_VMS_MAX && i != k ==>
    slot_core_same{L1,L2}(i);
  predicate slots_s2id_same{L1,L2}(integer k) = \forall integer i; 0 <= i < KC_VMS_MAX && i != k ==>
    slot_s2id_same{L1,L2}(i);
  predicate slots_same{L1,L2}(integer k) = slots_core_same{L1,L2}(k) && slots_s2id_same{L1,L2}(k);
  lemma slot_same_ok{L1,L2}: \forall integer i; 0 <= i < KC_VMS_MAX && slot_ok{L1}(i) &&
    slot_same{L1,L2}(i) ==> slot_ok{L2}(i);
  // One slot k changed and is well-formed, the others are as before: the table is well-formed.
  lemma vm_inv_step{L1,L2}: \forall integer k; vm_inv{L1} && 0 <= k < KC_VMS_MAX &&
    slot_ok{L2}(k) && slots_same{L1,L2}(k) ==> vm_inv{L2};
  lemma vm_inv_same{L1,L2}: vm_inv{L1} && slots_same{L1,L2}(-1) ==> vm_inv{L2};
  predicate free_owns_nothing{L} = \forall integer i, p; 0 <= i < KC_VMS_MAX &&
    vms[i].state == KC_VM_FREE && 0 <= p < mem.ram_pages ==> OWN(p) != i + 1;
  // No slot became FREE between L1 and L2; with the table unchanged, free_owns_nothing is kept.
  predicate no_new_free{L1,L2} = \forall integer i; 0 <= i < KC_VMS_MAX && \at(vms[i].state, L2) == KC_VM_FREE ==>
    \at(vms[i].state, L1) == KC_VM_FREE;
  lemma free_kept{L1,L2}: free_owns_nothing{L1} && ram_ok{L1} && mem_same{L1,L2} && no_new_free{L1,L2} ==>
    free_owns_nothing{L2};
  // This CPU holds no VM lock and not the ownership lock: the state at every hypercall entry.
  predicate unlocked{L} = !held(kc_locks, &mem.lock) &&
    \forall integer i; 0 <= i < KC_VMS_MAX ==> !held(kc_locks, &vms[i].lock);
  // Every slot but x keeps its state.
  predicate states_same{L1,L2}(integer x) = \forall integer i; 0 <= i < KC_VMS_MAX && i != x ==>
    \at(vms[i].state, L1) == \at(vms[i].state, L2);
  // Slot k went FREE -> CREATED, every other slot kept its state.
  predicate claimed{L1,L2}(integer k) = 0 <= k < KC_VMS_MAX && \at(vms[k].state, L1) == KC_VM_FREE &&
    \at(vms[k].state, L2) == KC_VM_CREATED && states_same{L1,L2}(k);
  lemma claimed_later{L1,L2,L3}: \forall integer k; states_same{L1,L2}(-1) && claimed{L2,L3}(k) ==> claimed{L1,L3}(k);
*/

#include "vm.c"	/* kcore/core/vm.c (or a mutant copy), found through -I */

/*@ requires \valid(regs);
    assigns regs->x[0 .. 30];
    ensures \forall integer k; 0 <= k < 31 ==> regs->x[k] == 0;
*/
static inline void vcpu_regs_zero(struct arch_vcpu_regs *regs);

/*@ requires \valid(vcpu);
    assigns *vcpu;
    ensures vcpu_cleared(vcpu);
*/
static void vcpu_clear(struct kc_vcpu *vcpu);

/* The whole record is rewritten but for its lock and stage-2; every vCPU is scrubbed. */
/*@ requires \valid(vm);
    assigns vm->state, vm->vmid, vm->page_count, vm->vcpu_count, vm->system_event, vm->boot,
            vm->vcpus[0 .. KC_VM_VCPUS_MAX - 1];
    ensures vm->state == KC_VM_FREE && vm->vmid == vmid && vm->page_count == 0 && vm->vcpu_count == 0;
    ensures vm->system_event == 0 && !vm->boot.set;
    ensures \forall integer j; 0 <= j < KC_VM_VCPUS_MAX ==> vcpu_cleared(&vm->vcpus[j]);
*/
static void vm_clear_locked(struct kc_vm *vm, uint32_t vmid);

/*@ assigns vms[0 .. KC_VMS_MAX - 1];
    ensures vm_inv;
    ensures \forall integer i; 0 <= i < KC_VMS_MAX ==> vms[i].state == KC_VM_FREE;
*/
void vm_init(void);

/*@ assigns \nothing;
    ensures 1 <= vmid <= KC_VMS_MAX ==> \result == &vms[vmid - 1];
    ensures !(1 <= vmid <= KC_VMS_MAX) ==> \result == \null;
*/
const struct kc_vm *vm_peek(uint32_t vmid);

/*@ requires vm_inv && \valid(ret_locked) && VMS_SEP(ret_locked);
    requires 1 <= vmid <= KC_VMS_MAX ==> !held(kc_locks, &vms[vmid - 1].lock);
    assigns kc_locks, *ret_locked;
    ensures \result == KC_OK || \result == KC_ENOENT;
    ensures \result == KC_OK <==> 1 <= vmid <= KC_VMS_MAX && vms[vmid - 1].state != KC_VM_FREE;
    ensures \result == KC_OK ==> ret_locked->vm == &vms[vmid - 1] && held(kc_locks, &vms[vmid - 1].lock);
    ensures \result == KC_OK ==> \forall arch_lock_t *o; o != &vms[vmid - 1].lock ==>
      (held(kc_locks, o) <==> held(\old(kc_locks), o));
    ensures \result != KC_OK ==> locks_same{Pre, Post};
*/
int vm_lock(uint64_t vmid, struct kc_vm_locked *ret_locked);

/*@ requires \valid(locked.vm) && held(kc_locks, &locked.vm->lock);
    assigns kc_locks;
    ensures !held(kc_locks, &locked.vm->lock);
    ensures \forall arch_lock_t *o; o != &locked.vm->lock ==> (held(kc_locks, o) <==> held(\old(kc_locks), o));
*/
void vm_unlock(struct kc_vm_locked locked);

/*@ requires is_slot(vm, vm->vmid - 1);
    requires inv && vm_inv && free_owns_nothing && unlocked;
    requires KC_VM_QUOTA_MIN <= quota <= KC_POOL_PAGES_MAX;
    requires \valid(ret_vmid) && VMS_SEP(ret_vmid) && \separated(ret_vmid, &mem);
    assigns kc_locks, vm->state, vm->s2, *ret_vmid, kc_pool, kc_data, kc_s2_ep;
    // The step (then vm_inv by vm_inv_step, INV-1/1r/2 by the quiet_ lemmas):
    ensures vm->vmid == \old(vm->vmid);
    ensures slot_ok(\old(vm->vmid) - 1);
    ensures claim_frame: slots_core_same{Pre, Post}(\old(vm->vmid) - 1);
    ensures claim_frame_s2: slots_s2id_same{Pre, Post}(\old(vm->vmid) - 1);
    ensures mem_same{Pre, Post};
    ensures \result == KC_OK ==> s2_cleared(\old(kc_s2_ep), kc_s2_ep, \old(vm->vmid));
    ensures \result == KC_OK ==> \old(owns_nothing(vm->vmid));
    ensures \result != KC_OK ==> s2_same(\old(kc_s2_ep), kc_s2_ep);
    QUIET_POST(\old(vm->vmid), \old(owns_nothing(vm->vmid)))
    ensures slot_ok(\old(vm->vmid) - 1) && slots_core_same{Pre, Post}(\old(vm->vmid) - 1) &&
      slots_s2id_same{Pre, Post}(\old(vm->vmid) - 1) ==> vm_inv;
    ensures claim_no_free: no_new_free{Pre, Post};
    ensures mem_same{Pre, Post} && no_new_free{Pre, Post} ==> free_owns_nothing;
    ensures unlocked; ensures locks_same{Pre, Post};
    ensures \result == KC_OK || \result == KC_ENOSPC;
    ensures \result == KC_OK ==> claimed{Pre, Post}(\old(vm->vmid) - 1) && *ret_vmid == \old(vm->vmid);
    ensures \result != KC_OK ==> states_same{Pre, Post}(-1);
*/
static int vm_claim(struct kc_vm *vm, uint64_t quota, uint64_t *ret_vmid);

/* FREE -> CREATED for the first free slot. */
/*@ requires inv && vm_inv && free_owns_nothing && unlocked;
    requires \valid(ret_vmid) && VMS_SEP(ret_vmid) && \separated(ret_vmid, &mem);
    assigns kc_locks, vms[0 .. KC_VMS_MAX - 1], *ret_vmid, kc_pool, kc_data, kc_s2_ep;
    INV_POST VM_POST
    ensures \result == KC_OK || \result == KC_EINVAL || \result == KC_ENOSPC;
    ensures \result == KC_EINVAL <==> quota < KC_VM_QUOTA_MIN || quota > KC_POOL_PAGES_MAX;
    ensures \result == KC_OK ==> claimed{Pre, Post}(*ret_vmid - 1);
    ensures \result != KC_OK ==> states_same{Pre, Post}(-1);
*/
int vm_create(uint64_t quota, uint64_t *ret_vmid);

/* CREATED: vCPU FREE -> READY. */
/*@ requires vm_inv && unlocked && \valid(ret_idx) && VMS_SEP(ret_idx);
    assigns kc_locks, *ret_idx, vms[0 .. KC_VMS_MAX - 1].vcpu_count,
            vms[0 .. KC_VMS_MAX - 1].vcpus[0 .. KC_VM_VCPUS_MAX - 1].state;
    ensures vcpu_frame: \result == KC_OK ==> slots_same{Pre, Post}(vmid - 1);
    ensures \result == KC_OK ==> slot_ok(vmid - 1);
    ensures vcpu_unchanged: \result != KC_OK ==> slots_same{Pre, Post}(-1);
    ensures (\result == KC_OK ==> slot_ok(vmid - 1) && slots_same{Pre, Post}(vmid - 1)) &&
      (\result != KC_OK ==> slots_same{Pre, Post}(-1)) ==> vm_inv;
    ensures unlocked; ensures locks_same{Pre, Post};
    ensures \result == KC_OK || \result == KC_ENOENT || \result == KC_EPERM || \result == KC_ENOSPC;
    ensures \result == KC_OK ==> 1 <= vmid <= KC_VMS_MAX && vms[vmid - 1].state == KC_VM_CREATED &&
      *ret_idx == \old(vms[vmid - 1].vcpu_count) && vms[vmid - 1].vcpu_count == *ret_idx + 1 &&
      vms[vmid - 1].vcpus[*ret_idx].state == KC_VCPU_READY;
*/
int vcpu_create(uint64_t vmid, uint64_t *ret_idx);

/* DYING with no page left -> FREE. Only slot k changes; the ownership table does not. */
/*@ requires is_slot(locked.vm, locked.vm->vmid - 1) && slot_ok(locked.vm->vmid - 1);
    requires held(kc_locks, &locked.vm->lock);
    requires locked.vm->state == KC_VM_DYING && locked.vm->page_count == 0;
    assigns locked.vm->state, locked.vm->vmid, locked.vm->page_count, locked.vm->vcpu_count,
            locked.vm->system_event, locked.vm->boot, locked.vm->vcpus[0 .. KC_VM_VCPUS_MAX - 1],
            locked.vm->s2.quota, kc_pool, kc_s2_ep;
    ensures locked.vm->vmid == \old(locked.vm->vmid);
    ensures slot_ok(\old(locked.vm->vmid) - 1) && locked.vm->state == KC_VM_FREE;
    ensures teardown_frame: slots_same{Pre, Post}(\old(locked.vm->vmid) - 1);
    ensures \forall integer j; 0 <= j < KC_VM_VCPUS_MAX ==> vcpu_cleared(&locked.vm->vcpus[j]);
    ensures s2_cleared(\old(kc_s2_ep), kc_s2_ep, \old(locked.vm->vmid));
    ensures mem_same{Pre, Post};
    ensures \forall integer i; 0 <= i < KC_VMS_MAX && i != \old(locked.vm->vmid) - 1 ==>
      vms[i].state == \old(vms[i].state);
*/
static void vm_teardown_locked(struct kc_vm_locked locked);	/* not proved yet: TEARDOWN */

/*@ requires \valid_read(vm) && vm->vcpu_count <= KC_VM_VCPUS_MAX;
    assigns \nothing;
    ensures \result <==> \exists integer j; 0 <= j < vm->vcpu_count && vm->vcpus[j].state == KC_VCPU_RUNNING;
*/
static bool vm_any_vcpu_running_locked(const struct kc_vm *vm);

/* CREATED, VERIFIED or ACTIVE -> DYING (-> FREE at once if it owns no page). */
/*@ requires inv && vm_inv && free_owns_nothing && unlocked && \valid(ret_left) && VMS_SEP(ret_left) &&
             \separated(ret_left, &mem);
    assigns kc_locks, *ret_left, vms[0 .. KC_VMS_MAX - 1], kc_pool, kc_s2_ep;
    ensures unlocked; ensures locks_same{Pre, Post};
    ensures destroy_frame: \result == KC_OK ==> slots_same{Pre, Post}(vmid - 1);
    ensures \result == KC_OK ==> slot_ok(vmid - 1);
    ensures \result != KC_OK ==> slots_same{Pre, Post}(-1);
    ensures (\result == KC_OK ==> slot_ok(vmid - 1) && slots_same{Pre, Post}(vmid - 1)) &&
      (\result != KC_OK ==> slots_same{Pre, Post}(-1)) ==> vm_inv;
    // Pages are untouched; the stage-2 is at most emptied (a teardown).
    QUIET_POST(vmid, \false)
    ensures \result == KC_OK || \result == KC_ENOENT || \result == KC_EPERM || \result == KC_EBUSY;
    ensures \result == KC_OK ==> 1 <= vmid <= KC_VMS_MAX &&
      (\at(vms[vmid - 1].state, Pre) == KC_VM_CREATED || \at(vms[vmid - 1].state, Pre) == KC_VM_VERIFIED ||
       \at(vms[vmid - 1].state, Pre) == KC_VM_ACTIVE) &&
      *ret_left == \at(vms[vmid - 1].page_count, Pre) &&
      (*ret_left == 0 ? vms[vmid - 1].state == KC_VM_FREE : vms[vmid - 1].state == KC_VM_DYING);
    ensures \result == KC_EBUSY ==> \exists integer j; 0 <= j < KC_VM_VCPUS_MAX &&
      \at(vms[vmid - 1].vcpus[j].state, Pre) == KC_VCPU_RUNNING;
    // A VM left alive: the stage-2s are unchanged, so INV-1r and free_owns_nothing are kept.
    ensures !(\result == KC_OK && *ret_left == 0) ==> s2_same(\old(kc_s2_ep), kc_s2_ep) && no_new_free{Pre, Post};
    ensures mem_same{Pre, Post} && no_new_free{Pre, Post} ==> free_owns_nothing;
*/
int vm_destroy(uint64_t vmid, uint64_t *ret_left);	/* not proved yet: TEARDOWN */

/* One page of a DYING VM goes back to the host, scrubbed; the last one frees the VM. */
/*@ requires inv && vm_inv && free_owns_nothing && unlocked && \valid(ret_left) && VMS_SEP(ret_left) &&
             \separated(ret_left, &mem);
    assigns kc_locks, *ret_left, vms[0 .. KC_VMS_MAX - 1], mem.pages[0 .. KC_RAM_PAGES_MAX - 1],
            kc_pool, kc_s2_ep, kc_data, kc_cache;
    ensures vm_inv && unlocked && locks_same{Pre, Post};
    ensures ram_ok && owner_ok && share_ok && gfn_ok && inv1(kc_s2_ep) && inv2(kc_s2_ep) && inv_host_s2;
    ensures !(\result == KC_OK && *ret_left == 0) ==> inv && free_owns_nothing;
    ensures \result == KC_OK || \result == KC_EINVAL || \result == KC_ENOENT || \result == KC_EPERM;
    ensures \result == KC_OK ==> 1 <= vmid <= KC_VMS_MAX && \at(vms[vmid - 1].state, Pre) == KC_VM_DYING &&
      pfn < KC_WP_GFN_LIMIT && is_ram(pfn * 4096) && \at(OWN(pidx(pfn * 4096)), Pre) == vmid &&
      OWN(pidx(pfn * 4096)) == KC_OWNER_HOST && page_zero(kc_data, pfn * 4096) &&
      page_clean(kc_data, kc_cache, pfn * 4096);
    ensures \result != KC_OK ==> table_unchanged{Pre, Post};
*/
int vm_reclaim(uint64_t vmid, uint64_t pfn, uint64_t *ret_left);	/* not proved yet: TEARDOWN */
