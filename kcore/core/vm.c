/* VM and vCPU lifecycle: create, destroy, reclaim and the id reuse rule. */
#include "mem.h"
#include "vm.h"

static struct kc_vm vms[KC_VMS_MAX];

static void vm_clear_locked(struct kc_vm *vm, uint32_t vmid)
{
	uint32_t i, r;

	vm->state = KC_VM_FREE;
	vm->vmid = vmid;
	vm->page_count = 0;
	vm->vcpu_count = 0;
	vm->system_event = 0;
	vm->boot.set = false;
	vm->boot.ipa = kc_ipa(0);
	vm->boot.bytes = 0;
	vm->boot.pages = 0;
	vm->boot.loaded = 0;
	for (i = 0; i < KC_VM_VCPUS_MAX; i++) {
		/* Guest registers are secrets too: scrub them with the VM. */
		for (r = 0; r < 31u; r++) {
			vm->vcpus[i].regs.x[r] = 0;
		}
		vm->vcpus[i].regs.pc = 0;
		vm->vcpus[i].regs.pstate = 0;
		vm->vcpus[i].state = KC_VCPU_FREE;
		vm->vcpus[i].power = KC_VCPU_OFF;
		vm->vcpus[i].entry = kc_ipa(0);
		vm->vcpus[i].context = 0;
		vm->vcpus[i].pending = KC_PENDING_NONE;
		vm->vcpus[i].fault_ipa = kc_ipa(0);
		vm->vcpus[i].mmio_rt = 0;
		vm->vcpus[i].mmio_size_log2 = 0;
		vm->vcpus[i].mmio_sign_extend = false;
		vm->vcpus[i].mmio_64bit = false;
	}
}

void vm_init(void)
{
	uint32_t i;

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
