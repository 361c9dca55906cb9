/* Running vCPUs: entry, exit decoding, what the host may see, MMIO completion and fault mapping. */
#include "mem.h"
#include "vm.h"

#define KC_PSTATE_EL1H_MASKED 0x3c5u	/* EL1h with D, A, I, F masked: the Arm64 boot state */

static int vcpu_lookup_locked(struct kc_vm_locked locked, uint64_t idx, struct kc_vcpu **ret_vcpu)
{
	if (idx >= locked.vm->vcpu_count) {
		return KC_ENOENT;
	}
	*ret_vcpu = &locked.vm->vcpus[idx];
	return KC_OK;
}

/* OFF -> ON_PENDING: the next run starts from reset at `entry` with x0 = `context`. */
static void vcpu_power_on(struct kc_vcpu *vcpu, kc_ipa_t entry, uint64_t context)
{
	KC_BUG_ON(vcpu->state != KC_VCPU_READY || vcpu->power != KC_VCPU_OFF);
	vcpu->power = KC_VCPU_ON_PENDING;
	vcpu->entry = entry;
	vcpu->context = context;
}

void vcpu_boot_locked(struct kc_vm_locked locked)
{
	/* Verification makes the VM runnable: vCPU 0 starts at the image, the others stay off. */
	if (locked.vm->vcpu_count > 0) {
		vcpu_power_on(&locked.vm->vcpus[0], locked.vm->boot.ipa, 0);
	}
}

/* ON_PENDING -> ON: registers all zero but the entry point and x0 = the context. */
static void vcpu_reset(struct kc_vcpu *vcpu)
{
	vcpu_regs_zero(&vcpu->regs);
	vcpu->regs.x[0] = vcpu->context;
	vcpu->regs.pc = vcpu->entry.ipa;
	vcpu->regs.pstate = KC_PSTATE_EL1H_MASKED;
	vcpu->pending = KC_PENDING_NONE;
	vcpu->power = KC_VCPU_ON;
}

/* Finish what the last exit left: an emulated MMIO access retires its instruction. */
static void vcpu_apply_pending(struct kc_vcpu *vcpu)
{
	if (vcpu->pending == KC_PENDING_MMIO_WRITE || vcpu->pending == KC_PENDING_MMIO_DONE) {
		vcpu->regs.pc += 4u;
	}
	/* A fault the host did not answer simply faults again. */
	vcpu->pending = KC_PENDING_NONE;
}

static void exit_info(struct kc_exit_info *info, uint64_t exit_class, uint64_t ipa, uint64_t flags,
		      uint64_t data)
{
	info->exit_class = exit_class;
	info->ipa = ipa;
	info->flags = flags;
	info->data = data;
}

/* vCPU READY and ON (or ON_PENDING) -> RUNNING, its VM -> ACTIVE; true if it starts from reset. */
static bool vcpu_start_locked(struct kc_vm_locked locked, struct kc_vcpu *vcpu)
{
	bool reset = vcpu->power == KC_VCPU_ON_PENDING;

	if (reset) {
		vcpu_reset(vcpu);
	}
	vcpu_apply_pending(vcpu);
	locked.vm->state = KC_VM_ACTIVE;
	vcpu->state = KC_VCPU_RUNNING;
	return reset;
}

/*
 * VM VERIFIED or ACTIVE, vCPU READY and ON -> RUNNING (VM -> ACTIVE); *ret_reset tells whether
 * it starts from reset. A vCPU that is off, or a VM a guest switched off, does not run: the
 * exit saying so is in *ret_exit and *ret_vcpu stays NULL.
 */
static int vcpu_begin_run(uint64_t vmid, uint64_t idx, struct kc_vcpu **ret_vcpu,
			  uint64_t *ret_vttbr, bool *ret_reset, struct kc_exit_info *ret_exit)
{
	struct kc_vm_locked locked;
	struct kc_vcpu *vcpu = NULL;
	int r;

	r = vm_lock(vmid, &locked);
	if (r < 0) {
		return r;
	}
	if (locked.vm->state != KC_VM_VERIFIED && locked.vm->state != KC_VM_ACTIVE) {
		r = KC_EPERM;
		goto unlock;
	}
	r = vcpu_lookup_locked(locked, idx, &vcpu);
	if (r < 0) {
		goto unlock;
	}
	if (locked.vm->system_event != 0) {
		exit_info(ret_exit, locked.vm->system_event, 0, 0, 0);
		goto unlock;
	}
	if (vcpu->state != KC_VCPU_READY || vcpu->pending == KC_PENDING_MMIO_READ) {
		r = KC_EBUSY;
		goto unlock;
	}
	if (vcpu->power == KC_VCPU_OFF) {
		exit_info(ret_exit, KC_EXIT_VCPU_OFF, 0, 0, 0);
		goto unlock;
	}
	*ret_reset = vcpu_start_locked(locked, vcpu);
	*ret_vcpu = vcpu;
	*ret_vttbr = s2_vttbr(&locked.vm->s2);
unlock:
	vm_unlock(locked);
	return r;
}

static uint64_t vcpu_reg(const struct kc_vcpu *vcpu, uint32_t rt)
{
	return rt == 31u ? 0 : vcpu->regs.x[rt]; /* register 31 is XZR here */
}

/* An access in the MMIO window with a valid syndrome: the host sees only its one register. */
static void vcpu_exit_mmio(struct kc_vcpu *vcpu, uint64_t esr, uint64_t ipa,
			   struct kc_exit_info *info)
{
	uint64_t size_log2 = KC_FIELD_GET(KC_ISS_SAS, esr);
	uint64_t flags = KC_FIELD_PREP(KC_EXIT_SIZE_MASK, size_log2);
	uint64_t data = 0;
	uint64_t mask = size_log2 == 3u ? ~UINT64_C(0) : (KC_BIT(8u << size_log2) - 1u);

	vcpu->mmio_rt = (uint32_t)KC_FIELD_GET(KC_ISS_SRT, esr);
	vcpu->mmio_size_log2 = (uint32_t)size_log2;
	vcpu->mmio_sign_extend = (esr & KC_ISS_SSE) != 0;
	vcpu->mmio_64bit = (esr & KC_ISS_SF) != 0;
	if (esr & KC_ISS_WNR) {
		flags |= KC_EXIT_FLAG_WRITE;
		data = vcpu_reg(vcpu, vcpu->mmio_rt) & mask;
		vcpu->pending = KC_PENDING_MMIO_WRITE;
	} else {
		vcpu->pending = KC_PENDING_MMIO_READ;
	}
	exit_info(info, KC_EXIT_MMIO, ipa, flags, data);
}

/* A stage-2 abort (data or instruction) from the guest. */
static void vcpu_exit_abort(struct kc_vcpu *vcpu, const struct arch_exit *hw,
			    struct kc_exit_info *info)
{
	uint64_t ec = KC_FIELD_GET(KC_ESR_EC, hw->esr);
	uint64_t ipa = KC_HPFAR_TO_IPA(hw->hpfar) | (hw->far & KC_PAGE_MASK);
	bool translation = KC_FIELD_GET(KC_FSC_TYPE, hw->esr) == KC_FSC_TYPE_TRANSLATION;

	if (ipa < KC_IPA_MMIO_LIMIT) {
		if (ec == KC_EC_DABT_LOW && (hw->esr & KC_ISS_ISV) && !(hw->esr & KC_ISS_S1PTW)) {
			vcpu_exit_mmio(vcpu, hw->esr, ipa, info);
			return;
		}
	} else if (ipa < KC_IPA_RAM_LIMIT && translation) {
		/* Only the page: the offset, direction and data of a RAM access stay private. */
		vcpu->pending = KC_PENDING_MEM_FAULT;
		vcpu->fault_ipa = kc_ipa(ipa & ~KC_PAGE_MASK);
		exit_info(info, KC_EXIT_MEM_FAULT, vcpu->fault_ipa.ipa, 0, 0);
		return;
	}
	exit_info(info, KC_EXIT_GUEST_ERROR, 0, 0, 0);
}

/* The vCPU a PSCI target affinity names: Aff0 = index, every other affinity field zero. */
static struct kc_vcpu *psci_target_locked(struct kc_vm_locked locked, uint64_t mpidr)
{
	if (mpidr >= locked.vm->vcpu_count) {
		return NULL;
	}
	return &locked.vm->vcpus[mpidr];
}

static int64_t psci_cpu_on_locked(struct kc_vm_locked locked, uint64_t mpidr, uint64_t entry,
				  uint64_t context, struct kc_exit_info *info)
{
	struct kc_vcpu *target = psci_target_locked(locked, mpidr);

	if (target == NULL) {
		return KC_PSCI_INVALID_PARAMETERS;
	}
	if (target->power == KC_VCPU_ON) {
		return KC_PSCI_ALREADY_ON;
	}
	if (target->power == KC_VCPU_ON_PENDING) {
		return KC_PSCI_ON_PENDING;
	}
	if (entry < KC_IPA_RAM_BASE || entry >= KC_IPA_RAM_LIMIT || (entry & 3u) != 0) {
		return KC_PSCI_INVALID_ADDRESS;
	}
	vcpu_power_on(target, kc_ipa(entry), context);
	exit_info(info, KC_EXIT_CPU_ON, 0, 0, mpidr); /* the host must schedule it: nothing more */
	return KC_PSCI_SUCCESS;
}

static int64_t psci_affinity_info_locked(struct kc_vm_locked locked, uint64_t mpidr,
					 uint64_t level)
{
	struct kc_vcpu *target = psci_target_locked(locked, mpidr);

	if (target == NULL || level != 0) {
		return KC_PSCI_INVALID_PARAMETERS;
	}
	if (target->power == KC_VCPU_ON) {
		return KC_PSCI_AFF_ON;
	}
	return target->power == KC_VCPU_OFF ? KC_PSCI_AFF_OFF : KC_PSCI_AFF_ON_PENDING;
}

static bool psci_implemented(uint64_t fn)
{
	return fn == KC_PSCI_VERSION || fn == KC_PSCI_CPU_SUSPEND || fn == KC_PSCI_CPU_OFF ||
	       fn == KC_PSCI_CPU_ON ||
	       fn == KC_PSCI_AFFINITY_INFO || fn == KC_PSCI_MIGRATE_INFO_TYPE ||
	       fn == KC_PSCI_SYSTEM_OFF || fn == KC_PSCI_SYSTEM_RESET || fn == KC_PSCI_FEATURES;
}

/* A guest's PSCI call. Switching vCPUs on or off, or the VM off, is an exit for the host. */
static int64_t vcpu_psci_locked(struct kc_vm_locked locked, struct kc_vcpu *vcpu, uint64_t fn,
				struct kc_exit_info *info)
{
	const uint64_t *x = vcpu->regs.x;

	switch (fn) {
	case KC_PSCI_VERSION:
		return KC_PSCI_VERSION_1_0;
	case KC_PSCI_FEATURES: /* an SMC32 call: its argument is W1 */
		return psci_implemented(x[1] & 0xffffffffu) ? KC_PSCI_SUCCESS : KC_PSCI_NOT_SUPPORTED;
	case KC_PSCI_MIGRATE_INFO_TYPE:
		return KC_PSCI_TOS_NOT_PRESENT;
	case KC_PSCI_CPU_ON:
		return psci_cpu_on_locked(locked, x[1], x[2], x[3], info);
	case KC_PSCI_AFFINITY_INFO:
		return psci_affinity_info_locked(locked, x[1], x[2]);
	case KC_PSCI_CPU_SUSPEND:
		/* Every power state is a standby that returns at once, as after a WFI: let the host
		 * schedule (an IRQ-class exit). The entry point of a powerdown state is not used. */
		exit_info(info, KC_EXIT_IRQ, 0, 0, 0);
		return KC_PSCI_SUCCESS;
	case KC_PSCI_CPU_OFF:
		vcpu->power = KC_VCPU_OFF; /* CPU_OFF does not return: the next run is a reset */
		exit_info(info, KC_EXIT_VCPU_OFF, 0, 0, 0);
		return KC_PSCI_SUCCESS;
	case KC_PSCI_SYSTEM_OFF:
	case KC_PSCI_SYSTEM_RESET:
		locked.vm->system_event =
			fn == KC_PSCI_SYSTEM_OFF ? KC_EXIT_SYSTEM_OFF : KC_EXIT_SYSTEM_RESET;
		return KC_PSCI_SUCCESS;
	default:
		return KC_PSCI_NOT_SUPPORTED;
	}
}

/*
 * A guest HVC or SMC: kcore's own calls and PSCI. The guest's x0..x3 get the result; the host
 * learns nothing unless the call needs it to act (then *info holds the exit, else it is left).
 */
static void vcpu_guest_call_locked(struct kc_vm_locked locked, struct kc_vcpu *vcpu,
				   struct kc_exit_info *info)
{
	uint64_t fn = vcpu->regs.x[0] & 0xffffffffu; /* SMCCC: the id is W0 */
	kc_ipa_t ipa = kc_ipa(vcpu->regs.x[1]);
	int64_t ret = KC_SMCCC_NOT_SUPPORTED;
	uint64_t val = 0;

	if (fn == KC_GC_VERSION) {
		ret = KC_OK;
		val = KC_ABI_VERSION;
	} else if (fn == KC_GC_MEM_SHARE || fn == KC_GC_MEM_UNSHARE) {
		ret = KC_EINVAL;
		if (kc_page_aligned(ipa.ipa) && ipa.ipa < KC_IPA_LIMIT) {
			ret = fn == KC_GC_MEM_SHARE ? mem_vm_share_host(locked, ipa)
						    : mem_vm_unshare_host(locked, ipa);
		}
	} else {
		ret = vcpu_psci_locked(locked, vcpu, fn, info);
	}
	vcpu->regs.x[0] = (uint64_t)ret;
	vcpu->regs.x[1] = val;
	vcpu->regs.x[2] = 0;
	vcpu->regs.x[3] = 0;
}

/* Decide what an exit means; true if it goes to the host (the vCPU is READY again). */
static bool vcpu_handle_exit(uint64_t vmid, struct kc_vcpu *vcpu, const struct arch_exit *hw,
			     uint32_t calls, struct kc_exit_info *info)
{
	struct kc_vm_locked locked;
	uint64_t ec = KC_FIELD_GET(KC_ESR_EC, hw->esr);
	bool to_host = true;

	/* The VM cannot go away: it is not DYING while one of its vCPUs runs. */
	KC_BUG_ON(vm_lock(vmid, &locked) != KC_OK);
	exit_info(info, KC_EXIT_IRQ, 0, 0, 0);
	if (hw->kind == ARCH_EXIT_SYNC && (ec == KC_EC_HVC64 || ec == KC_EC_SMC64)) {
		if (ec == KC_EC_SMC64) {
			vcpu->regs.pc += 4u; /* a trapped SMC returns to itself; an HVC returns after */
		}
		info->exit_class = 0;
		vcpu_guest_call_locked(locked, vcpu, info);
		to_host = info->exit_class != 0 || calls + 1u >= KC_RUN_GUEST_CALLS_MAX;
		if (info->exit_class == 0) {
			info->exit_class = KC_EXIT_IRQ;
		}
	} else if (hw->kind == ARCH_EXIT_SYNC && (ec == KC_EC_DABT_LOW || ec == KC_EC_IABT_LOW)) {
		vcpu_exit_abort(vcpu, hw, info);
	} else if (hw->kind == ARCH_EXIT_SYNC) {
		exit_info(info, KC_EXIT_GUEST_ERROR, 0, 0, 0);
	}
	if (locked.vm->system_event != 0) {
		/* Switched off, by this vCPU or another: whatever this exit was, the VM is over. */
		exit_info(info, locked.vm->system_event, 0, 0, 0);
		to_host = true;
	}
	if (to_host) {
		vcpu->state = KC_VCPU_READY;
	}
	vm_unlock(locked);
	return to_host;
}

int vcpu_run(uint64_t vmid, uint64_t idx, struct kc_exit_info *ret_exit)
{
	struct kc_vcpu *vcpu = NULL;
	struct kc_exit_info info;
	struct arch_exit hw;
	uint64_t vttbr = 0;
	uint32_t calls = 0;
	bool reset = false;
	int r;

	r = vcpu_begin_run(vmid, idx, &vcpu, &vttbr, &reset, &info);
	if (r < 0) {
		return r;
	}
	/*@ loop invariant run_loop(vmid, idx, vcpu, &info);
	    loop invariant vcpu != \null ==> calls < KC_RUN_GUEST_CALLS_MAX;
	    loop invariant vcpu == \null ==> info.exit_class != KC_EXIT_MMIO &&
	      info.exit_class != KC_EXIT_CPU_ON ==> info.data == 0;
	    loop assigns vcpu, hw, reset, calls, info, kc_locks, vms[0 .. KC_VMS_MAX - 1].vcpus[0 .. KC_VM_VCPUS_MAX - 1],
	      vms[0 .. KC_VMS_MAX - 1].system_event, mem.pages[0 .. KC_RAM_PAGES_MAX - 1].share_count,
	      kc_s2_ep, kc_data, kc_cache;
	    loop variant KC_RUN_GUEST_CALLS_MAX - calls; */
	while (vcpu != NULL) {
		hw.kind = 0;
		hw.esr = 0;
		hw.far = 0;
		hw.hpfar = 0;
		/* RUNNING: this CPU alone touches vcpu->regs until the vCPU is READY again. */
		arch_vcpu_enter(vttbr, (unsigned int)idx, reset, &vcpu->regs, &hw);
		reset = false;
		if (vcpu_handle_exit(vmid, vcpu, &hw, calls++, &info)) {
			vcpu = NULL;
		}
	}
	*ret_exit = info;
	return KC_OK;
}

static uint64_t mmio_extend(const struct kc_vcpu *vcpu, uint64_t value)
{
	uint32_t bits = 8u << vcpu->mmio_size_log2;

	if (bits < 64u) {
		value &= KC_BIT(bits) - 1u;
		if (vcpu->mmio_sign_extend && (value & KC_BIT(bits - 1u))) {
			value |= ~(KC_BIT(bits) - 1u);
		}
	}
	if (!vcpu->mmio_64bit) {
		value &= 0xffffffffu;
	}
	return value;
}

/* vCPU READY with a pending MMIO read: the value goes into the one register. */
int vcpu_mmio_complete(uint64_t vmid, uint64_t idx, uint64_t value)
{
	struct kc_vm_locked locked;
	struct kc_vcpu *vcpu = NULL;
	int r;

	r = vm_lock(vmid, &locked);
	if (r < 0) {
		return r;
	}
	r = vcpu_lookup_locked(locked, idx, &vcpu);
	if (r < 0) {
		goto unlock;
	}
	if (vcpu->state != KC_VCPU_READY || vcpu->pending != KC_PENDING_MMIO_READ) {
		r = KC_EPERM;
		goto unlock;
	}
	if (vcpu->mmio_rt != 31u) {
		vcpu->regs.x[vcpu->mmio_rt] = mmio_extend(vcpu, value);
	}
	vcpu->pending = KC_PENDING_MMIO_DONE;
unlock:
	vm_unlock(locked);
	return r;
}

/* VM ACTIVE, vCPU READY after a RAM fault: the host donates a page at the fault IPA. */
int vcpu_map_fault(uint64_t vmid, uint64_t idx, uint64_t pfn)
{
	struct kc_vm_locked locked;
	struct kc_vcpu *vcpu = NULL;
	kc_pa_t pa = kc_pa(0);
	int r;

	r = mem_pfn_to_pa(pfn, &pa);
	if (r < 0) {
		return r;
	}
	r = vm_lock(vmid, &locked);
	if (r < 0) {
		return r;
	}
	r = vcpu_lookup_locked(locked, idx, &vcpu);
	if (r < 0) {
		goto unlock;
	}
	if (locked.vm->state != KC_VM_ACTIVE || vcpu->state != KC_VCPU_READY ||
	    vcpu->pending != KC_PENDING_MEM_FAULT) {
		r = KC_EPERM;
		goto unlock;
	}
	r = mem_host_donate_vm(locked, pa, vcpu->fault_ipa);
	if (r < 0) {
		goto unlock;
	}
	vcpu->pending = KC_PENDING_NONE;
unlock:
	vm_unlock(locked);
	return r;
}
