/*
 * WP target: kcore/core/vcpu.c (#included unchanged but for its loop annotations), on top of
 * vm_wp.c (vm.c, mem.c, their contracts and the INV predicates). vcpu.c holds three hypercall
 * handlers (vcpu_run, vcpu_mmio_complete, vcpu_map_fault) and the guest calls a run makes
 * (share, unshare, PSCI). Each contract says it keeps mem.c's inv, vm.c's vm_inv and
 * free_owns_nothing, and run_inv below, and releases every lock it takes. PROVED so far:
 * vcpu_mmio_complete, PSCI and the exit decoding (run.py's list). Written, NOT proved:
 * vcpu_guest_call_locked, vcpu_start_locked, vcpu_begin_run, vcpu_handle_exit, vcpu_run,
 * vcpu_map_fault (goals time out on frames: stores to the VM table's 32-bit fields, or donate's
 * havoc of mem.pages, against the quantified invariants; proofs/README.md).
 *
 * run_inv is what vcpu.c relies on about the vCPUs of every slot (vcpus_ok) and the stage-2 of
 * every live VM (its root slot is live: s2_ok, which mem.c's calls require):
 *   - power, pending and system_event are in range; mmio_rt names x0..x30 or XZR (31) and the
 *     access size is 1..8 bytes (the MMIO completion's index and shifts are in bounds);
 *   - a pending RAM fault is at a page-aligned IPA below 2^40 (KC_HC_VM_MAP donates there);
 *   - a RUNNING vCPU is ON (so a CPU_ON target that is OFF is READY: vcpu_power_on's check).
 * vm.c does not state run_inv yet (vm_create and vcpu_create keep it by their frames, the
 * cleared vCPUs of vm_clear_locked satisfy it): proofs/README.md lists that as not proved.
 *
 * What the host learns (the "exit hides registers" property), as vcpu_run's contract states it:
 * an exit's data is 0 but for an MMIO write (the one register, masked to the access size) and
 * CPU_ON (the target's index); a RAM fault shows the page, never the offset. Proved for the
 * parts: vcpu_exit_mmio, vcpu_exit_abort, the PSCI functions.
 */
#include "vm_wp.c"	/* vm.c, mem.c and their contracts */

/*@
  predicate vcpu_ok{L}(struct kc_vcpu *c) =
    KC_VCPU_FREE <= c->state <= KC_VCPU_RUNNING && KC_VCPU_OFF <= c->power <= KC_VCPU_ON &&
    KC_PENDING_NONE <= c->pending <= KC_PENDING_MMIO_DONE &&
    c->mmio_rt <= 31 && c->mmio_size_log2 <= 3 &&
    (c->pending == KC_PENDING_MEM_FAULT ==> c->fault_ipa.ipa % 4096 == 0 && c->fault_ipa.ipa < KC_WP_PA_LIMIT);
  predicate run_on{L}(struct kc_vcpu *c) = c->state == KC_VCPU_RUNNING ==> c->power == KC_VCPU_ON;
  predicate event_ok(integer e) = e == 0 || e == KC_EXIT_SYSTEM_OFF || e == KC_EXIT_SYSTEM_RESET;
  // Every vCPU of vm is well-formed (vcpus_base) and runs only when ON (vcpus_ok); but for
  // `self`, which may just have switched itself off (vcpus_ok_but).
  predicate vcpus_base{L}(struct kc_vm *vm) =
    vm->vcpu_count <= KC_VM_VCPUS_MAX && event_ok(vm->system_event) &&
    \forall integer j; 0 <= j < KC_VM_VCPUS_MAX ==> vcpu_ok(&vm->vcpus[j]) &&
      (j < vm->vcpu_count <==> vm->vcpus[j].state != KC_VCPU_FREE);
  predicate vcpus_ok{L}(struct kc_vm *vm) = vcpus_base(vm) &&
    \forall integer j; 0 <= j < KC_VM_VCPUS_MAX ==> run_on(&vm->vcpus[j]);
  predicate vcpus_ok_but{L}(struct kc_vm *vm, struct kc_vcpu *self) = vcpus_base(vm) &&
    \forall integer j; 0 <= j < KC_VM_VCPUS_MAX && &vm->vcpus[j] != self ==> run_on(&vm->vcpus[j]);
  lemma vcpus_ok_but_weak{L}: \forall struct kc_vm *vm, struct kc_vcpu *self;
    vcpus_ok(vm) ==> vcpus_ok_but(vm, self);
  lemma vcpus_ok_but_back{L}: \forall struct kc_vm *vm, struct kc_vcpu *self;
    vcpus_ok_but(vm, self) && run_on(self) ==> vcpus_ok(vm);
  predicate run_inv{L} = \forall integer i; 0 <= i < KC_VMS_MAX ==> vcpus_ok(&vms[i]) &&
    (vms[i].state != KC_VM_FREE ==> s2_ok(kc_s2_ep, &vms[i].s2));
  // c is vCPU x of vm, a created one.
  predicate vcpu_of{L}(struct kc_vm *vm, struct kc_vcpu *c) =
    \exists integer x; 0 <= x < vm->vcpu_count && c == &vm->vcpus[x];
  predicate exit_class_ok(integer c) = KC_EXIT_IRQ <= c <= KC_EXIT_SYSTEM_RESET;

  // mem.c's state is the same in L1 and L2 (a PSCI call changes only the VM's record): with the
  // ghost page-table and pool states the same too, inv carries over (the mem_kept_ lemmas).
  predicate mem_kept{L1,L2} = mem_same{L1,L2} &&
    \at(mem.host_s2.root.pa, L1) == \at(mem.host_s2.root.pa, L2);
  lemma mem_kept_ok{L1,L2}: ram_ok{L1} && owner_ok{L1} && share_ok{L1} && gfn_ok{L1} && inv_host_s2{L1} &&
    mem_kept{L1,L2} ==> ram_ok{L2} && owner_ok{L2} && share_ok{L2} && gfn_ok{L2} && inv_host_s2{L2};
  lemma mem_kept_invs{L1,L2}: \forall integer e; ram_ok{L1} && inv1{L1}(e) && inv1r{L1}(e) && inv2{L1}(e) &&
    mem_kept{L1,L2} ==> inv1{L2}(e) && inv1r{L2}(e) && inv2{L2}(e);
  lemma mem_kept_host{L1,L2}: \forall integer e; mem_kept{L1,L2} && 0 <= \at(mem.host_s2.vmid, L1) <= KC_VMS_MAX &&
    live(e, \at(mem.host_s2.vmid, L1)) && \at(mem.host_s2.root.pa, L1) == kc_root(\at(mem.host_s2.vmid, L1)) ==>
    0 <= \at(mem.host_s2.vmid, L2) <= KC_VMS_MAX && live(e, \at(mem.host_s2.vmid, L2)) &&
    \at(mem.host_s2.root.pa, L2) == kc_root(\at(mem.host_s2.vmid, L2));

  // The vCPU loop of vcpu_run (its loop invariant in vcpu.c): vcpu, if any, is vCPU idx of the
  // ACTIVE VM vmid and RUNNING; the state invariants hold.
  predicate running{L}(integer vmid, integer idx, struct kc_vcpu *vcpu) =
    1 <= vmid <= KC_VMS_MAX && idx < vms[vmid - 1].vcpu_count && vcpu == &vms[vmid - 1].vcpus[idx] &&
    vcpu->state == KC_VCPU_RUNNING && vms[vmid - 1].state == KC_VM_ACTIVE;
  predicate run_loop{L}(integer vmid, integer idx, struct kc_vcpu *vcpu, struct kc_exit_info *info) =
    inv && vm_inv && free_owns_nothing && unlocked && run_inv &&
    (vcpu != \null ==> running(vmid, idx, vcpu)) &&
    (vcpu == \null ==> exit_class_ok(info->exit_class) && 1 <= vmid <= KC_VMS_MAX &&
       idx < vms[vmid - 1].vcpu_count && vms[vmid - 1].vcpus[idx].state == KC_VCPU_READY);
*/

#include "vcpu.c"	/* kcore/core/vcpu.c (or a mutant copy), found through -I */

/*@ requires \valid(locked.vm) && locked.vm->vcpu_count <= KC_VM_VCPUS_MAX && \valid(ret_vcpu);
    assigns *ret_vcpu;
    ensures \result == KC_OK || \result == KC_ENOENT;
    ensures \result == KC_OK <==> idx < locked.vm->vcpu_count;
    ensures \result == KC_OK ==> *ret_vcpu == &locked.vm->vcpus[idx];
*/
static int vcpu_lookup_locked(struct kc_vm_locked locked, uint64_t idx, struct kc_vcpu **ret_vcpu);

/*@ requires \valid(vcpu) && vcpu->state == KC_VCPU_READY && vcpu->power == KC_VCPU_OFF;
    assigns vcpu->power, vcpu->entry, vcpu->context;
    ensures \separated(vcpu, &mem) ==> mem_kept{Pre, Post};
    ensures vcpu->power == KC_VCPU_ON_PENDING && vcpu->entry.ipa == entry.ipa && vcpu->context == context;
*/
static void vcpu_power_on(struct kc_vcpu *vcpu, kc_ipa_t entry, uint64_t context);

/* vCPU 0 is READY and OFF when its VM is verified (boot.c's caller: CREATED, no vCPU ran). */
/*@ requires \valid(locked.vm) && locked.vm->vcpu_count <= KC_VM_VCPUS_MAX;
    requires locked.vm->vcpu_count > 0 ==>
      locked.vm->vcpus[0].state == KC_VCPU_READY && locked.vm->vcpus[0].power == KC_VCPU_OFF;
    assigns locked.vm->vcpus[0].power, locked.vm->vcpus[0].entry, locked.vm->vcpus[0].context;
    ensures locked.vm->vcpu_count > 0 ==> locked.vm->vcpus[0].power == KC_VCPU_ON_PENDING &&
      locked.vm->vcpus[0].entry.ipa == locked.vm->boot.ipa.ipa && locked.vm->vcpus[0].context == 0;
*/
void vcpu_boot_locked(struct kc_vm_locked locked);

/* A reset leaves nothing of an earlier run: every register zero but x0 and the pc. */
/*@ requires \valid(vcpu);
    assigns vcpu->regs, vcpu->pending, vcpu->power;
    ensures vcpu->power == KC_VCPU_ON && vcpu->pending == KC_PENDING_NONE;
    ensures vcpu->regs.x[0] == vcpu->context && vcpu->regs.pc == vcpu->entry.ipa &&
      vcpu->regs.pstate == KC_PSTATE_EL1H_MASKED;
    ensures \forall integer k; 1 <= k < 31 ==> vcpu->regs.x[k] == 0;
*/
static void vcpu_reset(struct kc_vcpu *vcpu);

/*@ requires \valid(vcpu);
    assigns vcpu->regs.pc, vcpu->pending;
    ensures vcpu->pending == KC_PENDING_NONE;
*/
static void vcpu_apply_pending(struct kc_vcpu *vcpu);

/*@ requires \valid(info);
    assigns *info;
    ensures \separated(info, &mem) ==> mem_kept{Pre, Post};
    ensures info->exit_class == exit_class && info->ipa == ipa && info->flags == flags && info->data == data;
*/
static void exit_info(struct kc_exit_info *info, uint64_t exit_class, uint64_t ipa, uint64_t flags,
		      uint64_t data);

/*@ requires \valid_read(vcpu) && rt <= 31;
    assigns \nothing;
    ensures \result == (rt == 31 ? 0 : vcpu->regs.x[rt]);
*/
static uint64_t vcpu_reg(const struct kc_vcpu *vcpu, uint32_t rt);

/* A read shows the host nothing of the guest's registers; a write shows the one, masked. */
/*@ requires \valid(vcpu) && \valid(info) && \separated(vcpu, info) && vcpu_ok(vcpu);
    assigns vcpu->mmio_rt, vcpu->mmio_size_log2, vcpu->mmio_sign_extend, vcpu->mmio_64bit,
            vcpu->pending, *info;
    ensures vcpu_ok(vcpu);
    ensures vcpu->pending == KC_PENDING_MMIO_WRITE || vcpu->pending == KC_PENDING_MMIO_READ;
    ensures info->exit_class == KC_EXIT_MMIO && info->ipa == ipa;
    ensures vcpu->pending == KC_PENDING_MMIO_READ ==> info->data == 0;
*/
static void vcpu_exit_mmio(struct kc_vcpu *vcpu, uint64_t esr, uint64_t ipa,
			   struct kc_exit_info *info);

/* A RAM fault: the host sees the page only. */
/*@ requires \valid(vcpu) && \valid_read(hw) && \valid(info) && \separated(vcpu, info, hw) && vcpu_ok(vcpu);
    assigns vcpu->mmio_rt, vcpu->mmio_size_log2, vcpu->mmio_sign_extend, vcpu->mmio_64bit,
            vcpu->pending, vcpu->fault_ipa, *info;
    ensures vcpu_ok(vcpu);
    ensures exit_class_ok(info->exit_class);
    ensures info->exit_class == KC_EXIT_MEM_FAULT ==> info->ipa % 4096 == 0 && info->data == 0 && info->flags == 0;
    ensures info->exit_class == KC_EXIT_GUEST_ERROR ==> info->ipa == 0 && info->data == 0 && info->flags == 0;
*/
static void vcpu_exit_abort(struct kc_vcpu *vcpu, const struct arch_exit *hw,
			    struct kc_exit_info *info);

/*@ requires \valid(locked.vm) && locked.vm->vcpu_count <= KC_VM_VCPUS_MAX;
    assigns \nothing;
    ensures mpidr < locked.vm->vcpu_count ==> \result == &locked.vm->vcpus[mpidr];
    ensures mpidr >= locked.vm->vcpu_count ==> \result == \null;
*/
static struct kc_vcpu *psci_target_locked(struct kc_vm_locked locked, uint64_t mpidr);

/*@ requires \valid(locked.vm) && vcpus_ok(locked.vm);
    requires \valid(info) && \separated(info, locked.vm);
    requires \separated(info, &mem) && \separated(locked.vm, &mem);
    ensures mem_kept{Pre, Post};
    assigns locked.vm->vcpus[0 .. KC_VM_VCPUS_MAX - 1].power, locked.vm->vcpus[0 .. KC_VM_VCPUS_MAX - 1].entry,
            locked.vm->vcpus[0 .. KC_VM_VCPUS_MAX - 1].context, *info;
    ensures vcpus_ok(locked.vm);
    ensures \forall integer j; 0 <= j < KC_VM_VCPUS_MAX && locked.vm->vcpus[j].power != \old(locked.vm->vcpus[j].power) ==>
      \old(locked.vm->vcpus[j].power) == KC_VCPU_OFF;
    ensures \result == KC_PSCI_SUCCESS ==> info->exit_class == KC_EXIT_CPU_ON && info->data == mpidr &&
      info->ipa == 0 && info->flags == 0;
    ensures \result != KC_PSCI_SUCCESS ==> info->exit_class == \old(info->exit_class) &&
      info->ipa == \old(info->ipa) && info->flags == \old(info->flags) && info->data == \old(info->data);
*/
static int64_t psci_cpu_on_locked(struct kc_vm_locked locked, uint64_t mpidr, uint64_t entry,
				  uint64_t context, struct kc_exit_info *info);

/*@ requires \valid(locked.vm) && locked.vm->vcpu_count <= KC_VM_VCPUS_MAX;
    assigns \nothing;
*/
static int64_t psci_affinity_info_locked(struct kc_vm_locked locked, uint64_t mpidr,
					 uint64_t level);

/*@ assigns \nothing; */
static bool psci_implemented(uint64_t fn);

/* What a guest call leaves (vcpu_psci_locked, vcpu_guest_call_locked): the VM's vCPUs stay
 * well-formed, the caller is still ON unless it switched itself off (then the exit says so), and
 * the exit info is untouched (class 0) or one of the PSCI exits, whose data is 0 but CPU_ON's. */
#define GUEST_CALL_OUTCOME \
    ensures vcpus_ok_but(locked.vm, vcpu); \
    ensures vcpu->power == KC_VCPU_ON || info->exit_class == KC_EXIT_VCPU_OFF; \
    ensures info->exit_class == 0 || info->exit_class == KC_EXIT_IRQ || \
      info->exit_class == KC_EXIT_VCPU_OFF || info->exit_class == KC_EXIT_CPU_ON; \
    ensures info->exit_class != 0 ==> info->ipa == 0 && info->flags == 0 && \
      (info->exit_class != KC_EXIT_CPU_ON ==> info->data == 0); \
    ensures info->exit_class == 0 ==> info->ipa == \old(info->ipa) && \
      info->flags == \old(info->flags) && info->data == \old(info->data);

/* The calling vCPU may switch itself off (CPU_OFF): then the exit says so. */
/*@ requires \valid(locked.vm) && vcpus_ok(locked.vm) && vcpu_of(locked.vm, vcpu);
    requires vcpu->state == KC_VCPU_RUNNING;
    requires \valid(info) && \separated(info, locked.vm) && info->exit_class == 0;
    requires \separated(info, &mem) && \separated(locked.vm, &mem);
    ensures mem_kept{Pre, Post};
    assigns locked.vm->vcpus[0 .. KC_VM_VCPUS_MAX - 1].power, locked.vm->vcpus[0 .. KC_VM_VCPUS_MAX - 1].entry,
            locked.vm->vcpus[0 .. KC_VM_VCPUS_MAX - 1].context, locked.vm->system_event, *info;
    GUEST_CALL_OUTCOME
*/
static int64_t vcpu_psci_locked(struct kc_vm_locked locked, struct kc_vcpu *vcpu, uint64_t fn,
				struct kc_exit_info *info);

/* "ensures" for a hypercall's whole state: mem.c's inv (one goal per part), the VM table, the
 * vCPUs and live stage-2s, and the locks (none held, as at entry). */
#define RUN_POST INV_POST ensures vm_inv; ensures free_owns_nothing; ensures run_inv; \
    ensures unlocked; ensures locks_same{Pre, Post};
#define RUN_PRE requires inv && vm_inv && free_owns_nothing && run_inv && unlocked;
/* p is caller memory: not the VM table, not mem.c's state. */
#define OUTSIDE(p) \separated(p, &vms[0 .. KC_VMS_MAX - 1]) && \separated(p, &mem)

/* A guest's call: share/unshare (mem.c, inv kept) or PSCI; x0..x3 get the result. */
/*@ requires inv && vm_ok(locked.vm) && !held(kc_locks, &mem.lock);
    requires vcpus_ok(locked.vm) && vcpu_of(locked.vm, vcpu) && vcpu->state == KC_VCPU_RUNNING;
    requires \valid(info) && \separated(info, locked.vm) && \separated(info, &mem) && info->exit_class == 0;
    requires \separated(vcpu, &mem);
    assigns mem.pages[0 .. KC_RAM_PAGES_MAX - 1].share_count, kc_locks, kc_s2_ep,
            locked.vm->vcpus[0 .. KC_VM_VCPUS_MAX - 1].power, locked.vm->vcpus[0 .. KC_VM_VCPUS_MAX - 1].entry,
            locked.vm->vcpus[0 .. KC_VM_VCPUS_MAX - 1].context, locked.vm->system_event, *info,
            vcpu->regs.x[0 .. 3];
    INV_POST
    LIVE_SAME
    ensures locks_same{Pre, Post};
    GUEST_CALL_OUTCOME
*/
static void vcpu_guest_call_locked(struct kc_vm_locked locked, struct kc_vcpu *vcpu,
				   struct kc_exit_info *info);

/* One exit of vCPU `vcpu` of the ACTIVE VM vmid, under the VM's lock. */
/*@ RUN_PRE
    requires 1 <= vmid <= KC_VMS_MAX && vms[vmid - 1].state == KC_VM_ACTIVE;
    requires vcpu_of(&vms[vmid - 1], vcpu) && vcpu->state == KC_VCPU_RUNNING;
    requires \valid_read(hw) && \valid(info) && OUTSIDE(info) && OUTSIDE(hw) && \separated(hw, info);
    assigns kc_locks, mem.pages[0 .. KC_RAM_PAGES_MAX - 1].share_count, kc_s2_ep,
            vms[vmid - 1].vcpus[0 .. KC_VM_VCPUS_MAX - 1], vms[vmid - 1].system_event, *info;
    RUN_POST
    ensures vms[vmid - 1].state == KC_VM_ACTIVE;
    ensures \result ==> vcpu->state == KC_VCPU_READY && exit_class_ok(info->exit_class);
    ensures !\result ==> vcpu->state == KC_VCPU_RUNNING;
    ensures calls + 1 >= KC_RUN_GUEST_CALLS_MAX ==> \result;
    ensures info->exit_class != KC_EXIT_MMIO && info->exit_class != KC_EXIT_CPU_ON ==> info->data == 0;
*/
static bool vcpu_handle_exit(uint64_t vmid, struct kc_vcpu *vcpu, const struct arch_exit *hw,
			     uint32_t calls, struct kc_exit_info *info);

/* The state step of a run: READY -> RUNNING, the VM ACTIVE; mem.c's state is not touched. */
/*@ requires inv && vm_inv && free_owns_nothing && run_inv;
    requires is_slot(locked.vm, locked.vm->vmid - 1);
    requires locked.vm->state == KC_VM_VERIFIED || locked.vm->state == KC_VM_ACTIVE;
    requires vcpu_of(locked.vm, vcpu) && vcpu->state == KC_VCPU_READY && vcpu->power != KC_VCPU_OFF;
    assigns locked.vm->state, vcpu->regs, vcpu->pending, vcpu->power, vcpu->state;
    INV_POST
    ensures vm_inv; ensures free_owns_nothing; ensures run_inv;
    ensures locked.vm->state == KC_VM_ACTIVE && vcpu->state == KC_VCPU_RUNNING;
    ensures \result <==> \old(vcpu->power) == KC_VCPU_ON_PENDING;
*/
static bool vcpu_start_locked(struct kc_vm_locked locked, struct kc_vcpu *vcpu);

/* VERIFIED or ACTIVE, vCPU READY and ON -> RUNNING; or the exit saying why it does not run. */
/*@ RUN_PRE
    requires \valid(ret_vcpu) && \valid(ret_vttbr) && \valid(ret_reset) && \valid(ret_exit);
    requires OUTSIDE(ret_vcpu) && OUTSIDE(ret_vttbr) && OUTSIDE(ret_reset) && OUTSIDE(ret_exit);
    requires \separated(ret_vcpu, ret_vttbr, ret_reset, ret_exit);
    requires *ret_vcpu == \null;
    assigns kc_locks, *ret_vcpu, *ret_vttbr, *ret_reset, *ret_exit, vms[0 .. KC_VMS_MAX - 1].state,
            vms[0 .. KC_VMS_MAX - 1].vcpus[0 .. KC_VM_VCPUS_MAX - 1];
    RUN_POST
    ensures \result == KC_OK || \result == KC_ENOENT || \result == KC_EPERM || \result == KC_EBUSY;
    ensures \result == KC_OK && *ret_vcpu != \null ==> running(vmid, idx, *ret_vcpu) &&
      \old(vms[vmid - 1].vcpus[idx].state) == KC_VCPU_READY;
    // Not run (switched off, or its VM is): the vCPU's state is as it was, and the exit says why.
    ensures \result == KC_OK && *ret_vcpu == \null ==> 1 <= vmid <= KC_VMS_MAX &&
      idx < vms[vmid - 1].vcpu_count &&
      vms[vmid - 1].vcpus[idx].state == \old(vms[vmid - 1].vcpus[idx].state) &&
      exit_class_ok(ret_exit->exit_class) && ret_exit->ipa == 0 && ret_exit->flags == 0 && ret_exit->data == 0;
*/
static int vcpu_begin_run(uint64_t vmid, uint64_t idx, struct kc_vcpu **ret_vcpu,
			  uint64_t *ret_vttbr, bool *ret_reset, struct kc_exit_info *ret_exit);

/* KC_HC_VCPU_RUN. When it returns the vCPU is READY again: none is left RUNNING. */
/*@ RUN_PRE
    requires \valid(ret_exit) && OUTSIDE(ret_exit);
    assigns kc_locks, *ret_exit, vms[0 .. KC_VMS_MAX - 1].state, vms[0 .. KC_VMS_MAX - 1].vcpus[0 .. KC_VM_VCPUS_MAX - 1],
            vms[0 .. KC_VMS_MAX - 1].system_event, mem.pages[0 .. KC_RAM_PAGES_MAX - 1].share_count,
            kc_s2_ep, kc_data, kc_cache;
    RUN_POST
    ensures \result == KC_OK || \result == KC_ENOENT || \result == KC_EPERM || \result == KC_EBUSY;
    ensures \result == KC_OK ==> 1 <= vmid <= KC_VMS_MAX && idx < vms[vmid - 1].vcpu_count &&
      vms[vmid - 1].vcpus[idx].state == KC_VCPU_READY && exit_class_ok(ret_exit->exit_class);
    ensures \result == KC_OK && ret_exit->exit_class != KC_EXIT_MMIO && ret_exit->exit_class != KC_EXIT_CPU_ON ==>
      ret_exit->data == 0;
*/
int vcpu_run(uint64_t vmid, uint64_t idx, struct kc_exit_info *ret_exit);

/*@ requires \valid_read(vcpu) && vcpu->mmio_size_log2 <= 3;
    assigns \nothing;
*/
static uint64_t mmio_extend(const struct kc_vcpu *vcpu, uint64_t value);

/* KC_HC_MMIO_COMPLETE: the value goes to the one register the read named (none for XZR). */
/*@ RUN_PRE
    assigns kc_locks, vms[0 .. KC_VMS_MAX - 1].vcpus[0 .. KC_VM_VCPUS_MAX - 1].regs.x[0 .. 30],
            vms[0 .. KC_VMS_MAX - 1].vcpus[0 .. KC_VM_VCPUS_MAX - 1].pending;
    RUN_POST
    ensures \result == KC_OK || \result == KC_ENOENT || \result == KC_EPERM;
    ensures \result == KC_OK ==> 1 <= vmid <= KC_VMS_MAX && idx < vms[vmid - 1].vcpu_count &&
      \old(vms[vmid - 1].vcpus[idx].pending) == KC_PENDING_MMIO_READ &&
      vms[vmid - 1].vcpus[idx].pending == KC_PENDING_MMIO_DONE;
*/
int vcpu_mmio_complete(uint64_t vmid, uint64_t idx, uint64_t value);

/* KC_HC_VM_MAP: the host donates page pfn at the pending fault's IPA (mem.c's donate). */
/*@ RUN_PRE
    assigns kc_locks, mem.pages[0 .. KC_RAM_PAGES_MAX - 1], kc_s2_ep, kc_pool,
            vms[0 .. KC_VMS_MAX - 1].page_count, vms[0 .. KC_VMS_MAX - 1].s2.quota.used,
            vms[0 .. KC_VMS_MAX - 1].vcpus[0 .. KC_VM_VCPUS_MAX - 1].pending;
    RUN_POST
    ensures \result == KC_OK ==> 1 <= vmid <= KC_VMS_MAX && idx < vms[vmid - 1].vcpu_count &&
      \old(vms[vmid - 1].vcpus[idx].pending) == KC_PENDING_MEM_FAULT &&
      vms[vmid - 1].vcpus[idx].pending == KC_PENDING_NONE &&
      OWN(pidx(pfn * 4096)) == vmid;
*/
int vcpu_map_fault(uint64_t vmid, uint64_t idx, uint64_t pfn);
