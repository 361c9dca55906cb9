/* The host hypercall dispatcher: one short adapter per call; anything unknown gets an error, never a panic. */
#include "kcore/kcore.h"
#include "mem.h"
#include "vm.h"

/* Results go to x1..x4; results a call does not produce are zero. */
static void hvc_result(struct kc_regs *regs, int64_t status, uint64_t x1)
{
	regs->x[0] = (uint64_t)status;
	regs->x[1] = x1;
	regs->x[2] = 0;
	regs->x[3] = 0;
	regs->x[4] = 0;
}

static void handle_version(struct kc_regs *regs)
{
	hvc_result(regs, KC_OK, KC_ABI_VERSION);
}

static bool hvc_host_may_call(uint64_t fn)
{
	return fn >= KC_HC_FIRST && fn <= KC_HC_LAST;
}

static void handle_features(struct kc_regs *regs)
{
	hvc_result(regs, hvc_host_may_call(regs->x[1]) ? KC_OK : KC_ENOSYS, 0);
}

static void handle_vm_create(struct kc_regs *regs)
{
	uint64_t vmid = 0;
	int r = vm_create(regs->x[1], &vmid);

	hvc_result(regs, r, r == KC_OK ? vmid : 0);
}

static void handle_vm_destroy(struct kc_regs *regs)
{
	uint64_t left = 0;
	int r = vm_destroy(regs->x[1], &left);

	hvc_result(regs, r, r == KC_OK ? left : 0);
}

static void handle_vcpu_create(struct kc_regs *regs)
{
	uint64_t idx = 0;
	int r = vcpu_create(regs->x[1], &idx);

	hvc_result(regs, r, r == KC_OK ? idx : 0);
}

static void handle_vm_set_boot(struct kc_regs *regs)
{
	hvc_result(regs, boot_set_region(regs->x[1], regs->x[2], regs->x[3]), 0);
}

static void handle_vm_load_page(struct kc_regs *regs)
{
	hvc_result(regs, boot_load_page(regs->x[1], regs->x[2], regs->x[3]), 0);
}

static void handle_vm_verify(struct kc_regs *regs)
{
	uint8_t sig[KC_SIG_BYTES];
	uint32_t i;

	/* x2..x9 carry the 64 signature bytes, little-endian. */
	for (i = 0; i < KC_SIG_BYTES; i++) {
		sig[i] = (uint8_t)(regs->x[2u + i / 8u] >> (8u * (i % 8u)));
	}
	hvc_result(regs, boot_verify(regs->x[1], sig), 0);
}

static void handle_vm_map(struct kc_regs *regs)
{
	hvc_result(regs, vcpu_map_fault(regs->x[1], regs->x[2], regs->x[3]), 0);
}

static void handle_vcpu_run(struct kc_regs *regs)
{
	struct kc_exit_info info = { 0, 0, 0, 0 };
	int r = vcpu_run(regs->x[1], regs->x[2], &info);

	hvc_result(regs, r, 0);
	if (r == KC_OK) {
		regs->x[KC_EXIT_REG_CLASS] = info.exit_class;
		regs->x[KC_EXIT_REG_IPA] = info.ipa;
		regs->x[KC_EXIT_REG_FLAGS] = info.flags;
		regs->x[KC_EXIT_REG_DATA] = info.data;
	}
}

static void handle_mmio_complete(struct kc_regs *regs)
{
	hvc_result(regs, vcpu_mmio_complete(regs->x[1], regs->x[2], regs->x[3]), 0);
}

static void handle_vm_reclaim(struct kc_regs *regs)
{
	uint64_t left = 0;
	int r = vm_reclaim(regs->x[1], regs->x[2], &left);

	hvc_result(regs, r, r == KC_OK ? left : 0);
}

void kcore_host_hvc(struct kc_regs *regs)
{
	uint64_t fn = regs->x[0];

	/* SMC64 fast calls in kcore's host range only; SMCCC says w0 holds the id. */
	if ((fn >> 32) != 0 || (fn & KC_SMCCC_OEN_MASK) !=
				       (KC_SMCCC_OEN_VENDOR_HYP << KC_SMCCC_OEN_SHIFT)) {
		hvc_result(regs, KC_SMCCC_NOT_SUPPORTED, 0);
		return;
	}
	switch (fn) {
	case KC_HC_VERSION: handle_version(regs); break;
	case KC_HC_FEATURES: handle_features(regs); break;
	case KC_HC_VM_CREATE: handle_vm_create(regs); break;
	case KC_HC_VM_DESTROY: handle_vm_destroy(regs); break;
	case KC_HC_VCPU_CREATE: handle_vcpu_create(regs); break;
	case KC_HC_VM_SET_BOOT: handle_vm_set_boot(regs); break;
	case KC_HC_VM_LOAD_PAGE: handle_vm_load_page(regs); break;
	case KC_HC_VM_VERIFY: handle_vm_verify(regs); break;
	case KC_HC_VM_MAP: handle_vm_map(regs); break;
	case KC_HC_VCPU_RUN: handle_vcpu_run(regs); break;
	case KC_HC_MMIO_COMPLETE: handle_mmio_complete(regs); break;
	case KC_HC_VM_RECLAIM: handle_vm_reclaim(regs); break;
	default: hvc_result(regs, KC_ENOSYS, 0); break;
	}
}

int kcore_host_abort(uint64_t esr, uint64_t far, uint64_t hpfar)
{
	uint64_t ec = KC_FIELD_GET(KC_ESR_EC, esr);

	/* The host runs at EL1 behind its stage-2: only its lower-EL aborts come here. */
	if (ec != KC_EC_DABT_LOW && ec != KC_EC_IABT_LOW) {
		return KC_EINVAL;
	}
	return mem_host_fault(kc_pa(KC_HPFAR_TO_IPA(hpfar) | (far & KC_PAGE_MASK)));
}

int kcore_init(const struct kc_boot_info *info)
{
	int r;

	r = pool_init(info->pool_base, info->pool_pages);
	if (r < 0) {
		return r;
	}
	vm_init();
	boot_init(info->image_pubkey);
	return mem_init(info);
}
