/* VM and vCPU lifecycle: create, destroy, reclaim and the id reuse rule. */
#include "mem.h"
#include "vm.h"

static struct kc_vm vms[KC_VMS_MAX];

/* Guest registers are secrets too: they are scrubbed with the VM. */
static void vcpu_clear(struct kc_vcpu *vcpu)
{
	vcpu->state = KC_VCPU_FREE;
	vcpu->power = KC_VCPU_OFF;
	vcpu->entry.ipa = 0;
	vcpu->context = 0;
	vcpu->pending = KC_PENDING_NONE;
	vcpu->fault_ipa.ipa = 0;
	vcpu->mmio_rt = 0;
	vcpu->mmio_size_log2 = 0;
	vcpu->mmio_sign_extend = false;
	vcpu->mmio_64bit = false;
	vcpu->regs.pc = 0;
	vcpu->regs.pstate = 0;
	vcpu_regs_zero(&vcpu->regs);
}

static void vm_clear_locked(struct kc_vm *vm, uint32_t vmid)
{
	uint32_t i;

	vm->state = KC_VM_FREE;
	vm->vmid = vmid;
	vm->page_count = 0;
	vm->vcpu_count = 0;
	vm->system_event = 0;
	vm->boot.set = false;
	vm->boot.ipa.ipa = 0;
	vm->boot.bytes = 0;
	vm->boot.pages = 0;
	vm->boot.loaded = 0;
	/*@ loop invariant 0 <= i <= KC_VM_VCPUS_MAX;
	    loop invariant \forall integer j; 0 <= j < i ==> vcpu_cleared(&vm->vcpus[j]);
	    loop assigns i, vm->vcpus[0 .. KC_VM_VCPUS_MAX - 1];
	    loop variant KC_VM_VCPUS_MAX - i; */
	for (i = 0; i < KC_VM_VCPUS_MAX; i++) {
		vcpu_clear(&vm->vcpus[i]);
	}
}

void vm_init(void)
{
	uint32_t i;

	/*@ loop invariant 0 <= i <= KC_VMS_MAX;
	    loop invariant \forall integer k; 0 <= k < i ==> vms[k].state == KC_VM_FREE;
	    loop invariant \forall integer k; 0 <= k < i ==> vms[k].vmid == k + 1;
	    loop invariant \forall integer k; 0 <= k < i ==> vms[k].vcpu_count == 0 && vms[k].page_count == 0;
	    loop invariant \forall integer k, j; 0 <= k < i && 0 <= j < KC_VM_VCPUS_MAX ==>
	      vms[k].vcpus[j].state == KC_VCPU_FREE;
	    loop assigns i, vms[0 .. KC_VMS_MAX - 1];
	    loop variant KC_VMS_MAX - i; */
	for (i = 0; i < KC_VMS_MAX; i++) {
		vm_clear_locked(&vms[i], i + 1u);
	}
}

const struct kc_vm *vm_peek(uint32_t vmid)
{
	if (vmid == 0 || vmid > KC_VMS_MAX) {
		return NULL;
	}
	return &vms[vmid - 1u];
}

int vm_lock(uint64_t vmid, struct kc_vm_locked *ret_locked)
{
	struct kc_vm *vm;

	if (vmid == 0 || vmid > KC_VMS_MAX) {
		return KC_ENOENT;
	}
	vm = &vms[vmid - 1u];
	arch_lock(&vm->lock);
	if (vm->state == KC_VM_FREE) {
		arch_unlock(&vm->lock);
		return KC_ENOENT;
	}
	ret_locked->vm = vm;
	return KC_OK;
}

void vm_unlock(struct kc_vm_locked locked)
{
	arch_unlock(&locked.vm->lock);
}

/* FREE -> CREATED for one slot; KC_ENOSPC if the slot is taken. */
static int vm_claim(struct kc_vm *vm, uint64_t quota, uint64_t *ret_vmid)
{
	int r = KC_ENOSPC;

	arch_lock(&vm->lock);
	if (vm->state != KC_VM_FREE) {
		goto unlock;
	}
	r = s2_init(&vm->s2, vm->vmid, quota, &vm->lock);
	if (r < 0) {
		goto unlock;
	}
	vm->state = KC_VM_CREATED;
	*ret_vmid = vm->vmid;
unlock:
	arch_unlock(&vm->lock);
	return r;
}

int vm_create(uint64_t quota, uint64_t *ret_vmid)
{
	uint32_t i;
	int r = KC_ENOSPC;

	if (quota < KC_VM_QUOTA_MIN || quota > KC_POOL_PAGES_MAX) {
		return KC_EINVAL;
	}
	/*@ loop invariant 0 <= i <= KC_VMS_MAX && (r == KC_ENOSPC || (r == KC_OK && i > 0));
	    loop invariant inv && vm_inv && free_owns_nothing && unlocked && locks_same{Pre, Here};
	    loop invariant r == KC_ENOSPC ==> states_same{Pre, Here}(-1);
	    loop invariant r == KC_OK ==> *ret_vmid == i && claimed{Pre, Here}(i - 1);
	    loop assigns i, r, *ret_vmid, vms[0 .. KC_VMS_MAX - 1], kc_locks, kc_pool, kc_data, kc_s2_ep;
	    loop variant KC_VMS_MAX - i; */
	for (i = 0; i < KC_VMS_MAX && r == KC_ENOSPC; i++) {
		r = vm_claim(&vms[i], quota, ret_vmid);
	}
	return r;
}

/* CREATED: vCPU FREE -> READY. */
int vcpu_create(uint64_t vmid, uint64_t *ret_idx)
{
	struct kc_vm_locked locked;
	struct kc_vm *vm;
	int r;

	r = vm_lock(vmid, &locked);
	if (r < 0) {
		return r;
	}
	vm = locked.vm;
	if (vm->state != KC_VM_CREATED) {
		r = KC_EPERM;
		goto unlock;
	}
	if (vm->vcpu_count == KC_VM_VCPUS_MAX) {
		r = KC_ENOSPC;
		goto unlock;
	}
	vm->vcpus[vm->vcpu_count].state = KC_VCPU_READY;
	*ret_idx = vm->vcpu_count;
	vm->vcpu_count++;
unlock:
	vm_unlock(locked);
	return r;
}

/* DYING with no page left -> FREE: the vmid may now be reused. */
static void vm_teardown_locked(struct kc_vm_locked locked)
{
	struct kc_vm *vm = locked.vm;

	KC_BUG_ON(vm->state != KC_VM_DYING || vm->page_count != 0);
	s2_destroy(&vm->s2);
	vm_clear_locked(vm, vm->vmid);
}

static bool vm_any_vcpu_running_locked(const struct kc_vm *vm)
{
	uint32_t i;

	/*@ loop invariant 0 <= i <= vm->vcpu_count;
	    loop invariant \forall integer j; 0 <= j < i ==> vm->vcpus[j].state != KC_VCPU_RUNNING;
	    loop assigns i;
	    loop variant vm->vcpu_count - i; */
	for (i = 0; i < vm->vcpu_count; i++) {
		if (vm->vcpus[i].state == KC_VCPU_RUNNING) {
			return true;
		}
	}
	return false;
}

/* CREATED, VERIFIED or ACTIVE -> DYING (-> FREE at once if it owns no page). */
int vm_destroy(uint64_t vmid, uint64_t *ret_left)
{
	struct kc_vm_locked locked;
	uint64_t left;
	int r;

	r = vm_lock(vmid, &locked);
	if (r < 0) {
		return r;
	}
	if (locked.vm->state == KC_VM_DYING) {
		r = KC_EPERM;
		goto unlock;
	}
	if (vm_any_vcpu_running_locked(locked.vm)) {
		r = KC_EBUSY;
		goto unlock;
	}
	locked.vm->state = KC_VM_DYING;
	left = locked.vm->page_count;
	if (left == 0) {
		vm_teardown_locked(locked);
	}
	*ret_left = left;
unlock:
	vm_unlock(locked);
	return r;
}

/* One page of a DYING VM goes back to the host, scrubbed; the last one frees the VM. */
int vm_reclaim(uint64_t vmid, uint64_t pfn, uint64_t *ret_left)
{
	struct kc_vm_locked locked;
	kc_pa_t pa = kc_pa(0);
	uint64_t left;
	int r;

	r = mem_pfn_to_pa(pfn, &pa);
	if (r < 0) {
		return r;
	}
	r = vm_lock(vmid, &locked);
	if (r < 0) {
		return r;
	}
	if (locked.vm->state != KC_VM_DYING) {
		r = KC_EPERM;
		goto unlock;
	}
	r = mem_host_reclaim_vm(locked, pa);
	if (r < 0) {
		goto unlock;
	}
	left = locked.vm->page_count;
	if (left == 0) {
		vm_teardown_locked(locked);
	}
	*ret_left = left;
unlock:
	vm_unlock(locked);
	return r;
}
