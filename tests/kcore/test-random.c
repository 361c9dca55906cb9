/*
 * Long random sequences from a malicious host and guests: random hypercalls with
 * random and near-valid arguments, host accesses anywhere, guests that load,
 * store, share and unshare at random. After every step: INV-1..5 (inv.c), and
 * the model's BBM checker is fatal throughout.
 */
#include "fixture.h"

#define STEPS 4000u
#define SEEDS 6u

static uint64_t rng;

/* What the runs reached, printed so a weak generator shows. */
static struct {
	unsigned int verified, maps, mmio, reclaimed, freed, shared_reads, cpu_on, off;
} seen;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static uint64_t pick(uint64_t n)
{
	return rnd() % n;
}

/* A vmid, mostly valid. */
static uint64_t any_vmid(void)
{
	return pick(8) == 0 ? pick(3) * (KC_VMS_MAX + 1) : 1 + pick(KC_VMS_MAX);
}

/* A page frame: mostly host RAM, sometimes kcore's pool, non-RAM or out of range. */
static uint64_t any_pfn(void)
{
	switch (pick(10)) {
	case 0: return (MODEL_POOL_BASE >> KC_PAGE_SHIFT) + pick(MODEL_POOL_PAGES);
	case 1: return pick(UINT64_C(1) << 29);
	case 2: return pick(0x40000);
	default: return fx_pfn((uint32_t)pick(MODEL_RAM_PAGES - MODEL_POOL_PAGES));
	}
}

/* A VM in the given state if there is one (three times in four), else any vmid. */
static uint64_t vm_in(enum kc_vm_state a, enum kc_vm_state b)
{
	uint32_t v, start = (uint32_t)pick(KC_VMS_MAX), i;
	bool look = pick(4) != 0;

	for (i = 0; look && i < KC_VMS_MAX; i++) {
		v = 1 + (start + i) % KC_VMS_MAX;
		if (vm_peek(v)->state == a || vm_peek(v)->state == b) {
			return v;
		}
	}
	return any_vmid();
}

/* A page the host would know about: one shared with it (half the time, if any), else any. */
static uint64_t host_pa(void)
{
	uint32_t i, start = (uint32_t)pick(MODEL_RAM_PAGES);
	bool look = pick(2) != 0;

	for (i = 0; look && i < MODEL_RAM_PAGES; i++) {
		if (mem_page_get(kc_pa(fx_pa((start + i) % MODEL_RAM_PAGES))).share_count > 0) {
			return fx_pa((start + i) % MODEL_RAM_PAGES);
		}
	}
	return any_pfn() << KC_PAGE_SHIFT & (KC_IPA_LIMIT - 1);
}

static uint64_t any_ipa(void)
{
	switch (pick(6)) {
	case 0: return pick(KC_IPA_MMIO_LIMIT) & ~UINT64_C(7);
	case 1: return rnd() & ~UINT64_C(7);
	default: return FX_IMAGE_IPA + (pick(64) << KC_PAGE_SHIFT) + (pick(4) ? 0 : pick(512) * 8);
	}
}

static const uint64_t psci_fns[] = {
	KC_PSCI_CPU_ON, KC_PSCI_CPU_ON, KC_PSCI_CPU_OFF, KC_PSCI_AFFINITY_INFO, KC_PSCI_SYSTEM_OFF,
	KC_PSCI_VERSION, KC_PSCI_FEATURES,
};

static void random_program(uint32_t vm, uint32_t vcpu, uint64_t pc)
{
	struct model_op prog[24];
	uint32_t n = 0, target = 1 + (uint32_t)pick(16);
	uint64_t fn;

	while (n < target) {
		switch (pick(6)) {
		case 0:
			prog[n] = (struct model_op){ MOP_LDR, (uint32_t)pick(32), (uint32_t)pick(4), 0 };
			prog[n].arg = any_ipa() & ~((UINT64_C(1) << prog[n].size_log2) - 1);
			n++;
			break;
		case 1:
			prog[n++] = (struct model_op){ MOP_STR, (uint32_t)pick(32), 3, any_ipa() };
			break;
		case 2:
			/* Share or unshare, usually a page the VM has (its image or early RAM). */
			fn = pick(2) ? KC_GC_MEM_SHARE : KC_GC_MEM_UNSHARE;
			prog[n++] = (struct model_op){ MOP_MOV, 0, 0, fn };
			prog[n++] = (struct model_op){ MOP_MOV, 1, 0,
						       pick(4) ? FX_IMAGE_IPA + (pick(4) << KC_PAGE_SHIFT)
							       : any_ipa() };
			prog[n++] = (struct model_op){ MOP_HVC, 0, 0, 0 };
			break;
		case 3:
			prog[n++] = (struct model_op){ MOP_MOV, (uint32_t)pick(31), 0, rnd() };
			break;
		case 4:
			/* PSCI, by HVC or SMC: mostly switching vCPUs on and off, rarely the VM. */
			fn = psci_fns[pick(sizeof(psci_fns) / sizeof(psci_fns[0]))];
			if (fn == KC_PSCI_SYSTEM_OFF && pick(8) != 0) {
				fn = KC_PSCI_CPU_ON;
			}
			prog[n++] = (struct model_op){ MOP_MOV, 0, 0, fn };
			prog[n++] = (struct model_op){ MOP_MOV, 1, 0, pick(8) ? pick(KC_VM_VCPUS_MAX) : rnd() };
			prog[n++] = (struct model_op){ MOP_MOV, 2, 0, pick(4) ? FX_IMAGE_IPA : any_ipa() };
			prog[n++] = (struct model_op){ pick(2) ? MOP_HVC : MOP_SMC, 0, 0, 0 };
			break;
		default:
			prog[n++] = (struct model_op){ MOP_YIELD, 0, 0, 0 };
			break;
		}
	}
	model_guest_program(vm, vcpu, pc, prog, n);
}

/* Create a VM with a one- or two-page image, signed (or tampered with one time in four). */
static void start_vm(void)
{
	uint32_t first = (uint32_t)pick(MODEL_RAM_PAGES - MODEL_POOL_PAGES - 2), pages = 1 + (uint32_t)pick(2);
	uint64_t bytes = pages * KC_PAGE_SIZE - pick(100), v = 0, vm;
	uint8_t sig[KC_SIG_BYTES];
	struct hc_result r;
	uint32_t i;

	if (mem_page_get(kc_pa(fx_pa(first))).owner != KC_OWNER_HOST ||
	    mem_page_get(kc_pa(fx_pa(first + pages - 1))).owner != KC_OWNER_HOST) {
		return;
	}
	fx_sign(first, bytes, sig);
	if (pick(4) == 0) {
		(void)model_host_write(fx_pa(first), rnd());
	}
	r = hc(KC_HC_VM_CREATE, KC_VM_QUOTA_MIN + pick(8), 0, 0);
	if (r.ret != KC_OK) {
		return;
	}
	vm = r.x[1];
	for (i = 0; i < 1 + pick(3); i++) {
		(void)hc(KC_HC_VCPU_CREATE, vm, 0, 0);
	}
	(void)hc(KC_HC_VM_SET_BOOT, vm, FX_IMAGE_IPA, bytes);
	for (i = 0; i < pages; i++) {
		(void)hc(KC_HC_VM_LOAD_PAGE, vm, i, fx_pfn(first + i));
	}
	(void)model_host_read(fx_pa(first), &v);
	seen.verified += fx_verify(vm, sig) == KC_OK;
}

/* Run a vCPU and answer its exit as a host might, or might not. */
static void run_vcpu(void)
{
	uint64_t vm = vm_in(KC_VM_VERIFIED, KC_VM_ACTIVE), vcpu = pick(2) ? 0 : pick(4), pc, cls;
	struct hc_result r;

	if (pick(3) != 0 && vm >= 1 && vm <= KC_VMS_MAX) {
		pc = model_guest_regs((uint32_t)vm, (uint32_t)vcpu)->pc;
		random_program((uint32_t)vm, (uint32_t)vcpu, pc == 0 ? FX_IMAGE_IPA : pc);
	}
	r = fx_run(vm, vcpu);
	if (r.ret != KC_OK) {
		return;
	}
	cls = r.x[KC_EXIT_REG_CLASS];
	CHECK(cls >= KC_EXIT_IRQ && cls <= KC_EXIT_SYSTEM_RESET);
	/* Once a guest switched its VM off, nothing of it runs again. */
	CHECK(vm_peek((uint32_t)vm)->system_event == 0 || cls == vm_peek((uint32_t)vm)->system_event);
	CHECK(cls != KC_EXIT_CPU_ON || r.x[KC_EXIT_REG_DATA] < vm_peek((uint32_t)vm)->vcpu_count);
	seen.cpu_on += cls == KC_EXIT_CPU_ON;
	seen.off += cls == KC_EXIT_SYSTEM_OFF;
	if (r.x[KC_EXIT_REG_CLASS] == KC_EXIT_MEM_FAULT) {
		CHECK_EQ(r.x[KC_EXIT_REG_IPA] & KC_PAGE_MASK, 0);
		CHECK(r.x[KC_EXIT_REG_FLAGS] == 0 && r.x[KC_EXIT_REG_DATA] == 0);
		if (pick(4) != 0) {
			seen.maps += hc(KC_HC_VM_MAP, vm, vcpu, any_pfn()).ret == KC_OK;
		}
	} else if (r.x[KC_EXIT_REG_CLASS] == KC_EXIT_MMIO) {
		CHECK(r.x[KC_EXIT_REG_IPA] < KC_IPA_MMIO_LIMIT);
		seen.mmio++;
		if (pick(4) != 0) {
			(void)hc(KC_HC_MMIO_COMPLETE, vm, vcpu, rnd());
		}
	}
}

/* Give back a page of a dying VM: the host usually knows which, sometimes guesses. */
static void reclaim(void)
{
	uint64_t vm = vm_in(KC_VM_DYING, KC_VM_DYING), pfn = any_pfn();
	struct hc_result r;
	uint32_t i;
	bool look = pick(3) != 0;

	for (i = 0; look && i < MODEL_RAM_PAGES; i++) {
		if (mem_page_get(kc_pa(fx_pa(i))).owner == vm) {
			pfn = fx_pfn(i);
			break;
		}
	}
	r = hc(KC_HC_VM_RECLAIM, vm, pfn, 0);
	seen.reclaimed += r.ret == KC_OK;
	seen.freed += r.ret == KC_OK && r.x[1] == 0;
}

static void step(void)
{
	uint64_t v = 0, pa;
	struct kc_page page;

	switch (pick(12)) {
	case 0: start_vm(); break;
	case 1: case 2: case 3: run_vcpu(); break;
	case 4: (void)hc(KC_HC_VM_DESTROY, pick(2) ? any_vmid() : vm_in(KC_VM_ACTIVE, KC_VM_CREATED), 0, 0); break;
	case 5: case 6: reclaim(); break;
	case 7:
		pa = host_pa();
		page = mem_page_get(kc_pa(pa));
		if (model_host_read(pa, &v) == MODEL_OK && page.owner >= 1 && page.owner <= KC_VMS_MAX) {
			seen.shared_reads++;
		}
		break;
	case 8: (void)model_host_write(host_pa(), rnd()); break;
	case 9: (void)hc(KC_HC_FIRST + pick(KC_HC_LAST - KC_HC_FIRST + 3), any_vmid(), pick(4), any_pfn()); break;
	case 10: (void)hc(KC_HC_VM_MAP, any_vmid(), pick(4), any_pfn()); break;
	default: (void)hc(rnd(), rnd(), rnd(), rnd()); break;
	}
}

static void test_random_sequences_keep_invariants(void)
{
	uint64_t seed;
	uint32_t i;
	char where[64];

	for (seed = 1; seed <= SEEDS; seed++) {
		rng = seed * 0x9e3779b97f4a7c15ull;
		fx_boot();
		for (i = 0; i < STEPS; i++) {
			step();
			snprintf(where, sizeof(where), "seed %llu step %u", (unsigned long long)seed, i);
			if (inv_check(where) != 0) {
				return;
			}
		}
	}
	fprintf(stderr, "random: %u VMs verified, %u pages mapped, %u MMIO exits, %u pages reclaimed, "
		"%u VMs freed, %u host reads of shared pages, %u CPU_ON and %u SYSTEM_OFF exits\n",
		seen.verified, seen.maps, seen.mmio, seen.reclaimed, seen.freed, seen.shared_reads,
		seen.cpu_on, seen.off);
	CHECK(seen.verified > 0 && seen.maps > 0 && seen.mmio > 0 && seen.reclaimed > 0 &&
	      seen.freed > 0 && seen.shared_reads > 0 && seen.cpu_on > 0 && seen.off > 0);
}

const struct test_case tests_random[] = {
	{ "random sequences keep invariants", test_random_sequences_keep_invariants },
	{ NULL, NULL },
};
