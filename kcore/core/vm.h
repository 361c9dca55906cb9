/* VMs and vCPUs: state machines and the records kcore keeps for them (contexts live here, in kcore memory). */
#ifndef KCORE_VM_H
#define KCORE_VM_H

#include "kc.h"
#include "s2.h"

/* FREE -> CREATED -> VERIFIED -> ACTIVE -> DYING -> FREE; CREATED and VERIFIED may also go to DYING. */
enum kc_vm_state {
	KC_VM_FREE = 0,
	KC_VM_CREATED,
	KC_VM_VERIFIED,
	KC_VM_ACTIVE,
	KC_VM_DYING,
};

/* FREE -> READY <-> RUNNING; back to FREE with the VM. */
enum kc_vcpu_state {
	KC_VCPU_FREE = 0,
	KC_VCPU_READY,
	KC_VCPU_RUNNING,
};

/*
 * The guest's view (PSCI): OFF -> ON_PENDING (CPU_ON, or vCPU 0 at verify) -> ON (its next
 * run starts from reset at `entry`) -> OFF (CPU_OFF). Only an ON vCPU is ever RUNNING.
 */
enum kc_vcpu_power {
	KC_VCPU_OFF = 0,
	KC_VCPU_ON_PENDING,
	KC_VCPU_ON,
};

/* What the last exit left for the host to answer. */
enum kc_vcpu_pending {
	KC_PENDING_NONE = 0,
	KC_PENDING_MEM_FAULT,	/* the host may KC_HC_VM_MAP a page at fault_ipa */
	KC_PENDING_MMIO_WRITE,	/* done on the next run: skip the instruction */
	KC_PENDING_MMIO_READ,	/* needs KC_HC_MMIO_COMPLETE before the next run */
	KC_PENDING_MMIO_DONE,	/* value written to rt; skip the instruction on the next run */
};

struct kc_vcpu {
	enum kc_vcpu_state state;	/* RUNNING: the running CPU owns regs without the VM lock */
	enum kc_vcpu_power power;
	kc_ipa_t entry;			/* ON_PENDING: where it starts, with x0 = context */
	uint64_t context;
	enum kc_vcpu_pending pending;
	kc_ipa_t fault_ipa;
	uint32_t mmio_rt;
	uint32_t mmio_size_log2;
	bool mmio_sign_extend;
	bool mmio_64bit;
	struct arch_vcpu_regs regs;
};

struct kc_boot_region {
	bool set;
	kc_ipa_t ipa;
	uint64_t bytes;
	uint64_t pages;
	uint64_t loaded;
};

struct kc_vm {
	arch_lock_t lock;	/* guards everything below, the VM's stage-2 and its vCPUs */
	enum kc_vm_state state;
	uint32_t vmid;
	uint64_t page_count;	/* pages owned by this VM (INV-1: all mapped in s2) */
	uint32_t vcpu_count;
	uint32_t system_event;	/* 0, or KC_EXIT_SYSTEM_OFF/RESET once a guest asked: never runs again */
	struct kc_s2 s2;
	struct kc_boot_region boot;
	struct kc_vcpu vcpus[KC_VM_VCPUS_MAX];
};

/* Every general-purpose register zero (a scrub at teardown, and the base of a reset). */
static inline void vcpu_regs_zero(struct arch_vcpu_regs *regs)
{
	uint32_t r;

	/*@ loop invariant 0 <= r <= 31;
	    loop invariant \forall integer k; 0 <= k < r ==> regs->x[k] == 0;
	    loop assigns r, regs->x[0 .. 30];
	    loop variant 31 - r; */
	for (r = 0; r < 31u; r++) {
		regs->x[r] = 0;
	}
}

/* A VM whose lock the holder has. */
struct kc_vm_locked {
	struct kc_vm *vm;
};

void vm_init(void);
/* Lock the VM with this id: KC_ENOENT if the id is out of range or the slot is FREE. */
int vm_lock(uint64_t vmid, struct kc_vm_locked *ret_locked);
void vm_unlock(struct kc_vm_locked locked);

int vm_create(uint64_t quota, uint64_t *ret_vmid);
int vm_destroy(uint64_t vmid, uint64_t *ret_left);
int vm_reclaim(uint64_t vmid, uint64_t pfn, uint64_t *ret_left);
int vcpu_create(uint64_t vmid, uint64_t *ret_idx);

/* boot.c */
void boot_init(const uint8_t pubkey[KC_PUBKEY_BYTES]);
int boot_set_region(uint64_t vmid, uint64_t ipa, uint64_t bytes);
int boot_load_page(uint64_t vmid, uint64_t index, uint64_t pfn);
int boot_verify(uint64_t vmid, const uint8_t sig[KC_SIG_BYTES]);

/* vcpu.c */
void vcpu_boot_locked(struct kc_vm_locked locked);
int vcpu_run(uint64_t vmid, uint64_t vcpu, struct kc_exit_info *ret_exit);
int vcpu_mmio_complete(uint64_t vmid, uint64_t vcpu, uint64_t value);
int vcpu_map_fault(uint64_t vmid, uint64_t vcpu, uint64_t pfn);

/* For the model's invariant checker: the VM record, read while nothing runs. */
const struct kc_vm *vm_peek(uint32_t vmid);

#endif /* KCORE_VM_H */
