/*
 * Traps from the host: kcore's hypercalls, PSCI (SMC trapped by HCR_EL2.TSC), stage-2 aborts
 * (lazy identity map through the core, or a synchronous external abort injected at EL1), and
 * anything else as an undefined instruction. kcore's own faults stop the machine.
 */
#include "el2.h"


#define EC_UNKNOWN 0x00u
#define EC_WFX 0x01u
#define EC_SMC64 0x17u
#define EC_IABT_CUR 0x21u
#define EC_DABT_CUR 0x25u
#define ESR_IL (UINT64_C(1) << 25)
#define FSC_SEA 0x10u		/* synchronous external abort, not on a table walk */

#define PSCI_VERSION 0x84000000u
#define PSCI_CPU_OFF 0x84000002u
#define PSCI_CPU_ON_64 0xc4000003u
#define PSCI_AFFINITY_INFO_64 0xc4000004u
#define PSCI_SYSTEM_OFF 0x84000008u
#define PSCI_SYSTEM_RESET 0x84000009u
#define PSCI_FEATURES 0x8400000au
#define PSCI_SUCCESS 0
#define PSCI_NOT_SUPPORTED (-1)
#define PSCI_INVALID_PARAMETERS (-2)
#define PSCI_ALREADY_ON (-4)
#define PSCI_INTERNAL_FAILURE (-6)
#define PSCI_INVALID_ADDRESS (-9)
#define MPIDR_AFF_MASK UINT64_C(0xff00ffffff)

void el2_cpu_park_self(void);

_Noreturn void el2_system_off(void)
{
	el2_smc(PSCI_SYSTEM_OFF, 0, 0, 0);
	for (;;) {
		__asm__ volatile("wfe");
	}
}

/* kcore itself faulted: a bug, never the host's doing. */
void el2_self_trap(struct el2_frame *f, uint64_t kind);
void el2_self_trap(struct el2_frame *f, uint64_t kind)
{
	el2_log("kcore: PANIC: EL2 exception kind %lu on cpu %u: ESR %lx ELR %lx FAR %lx x0 %lx\n",
		kind, arch_cpu_id(), read_sysreg(esr_el2), read_sysreg(elr_el2),
		read_sysreg(far_el2), f->x[0]);
	el2_system_off();
}

/*
 * Take an exception to the host's EL1 as the hardware would (Arm ARM D1.10): ESR/FAR/ELR/SPSR
 * of EL1, PSTATE EL1h with DAIF masked, PC at the right vector.
 */
static void inject_el1(uint64_t esr, uint64_t far)
{
	uint64_t spsr = read_sysreg(spsr_el2);
	uint64_t mode = spsr & 0xf;
	uint64_t offset = mode == 0x5 ? 0x200 : mode == 0x4 ? 0x000 : 0x400;

	write_sysreg(esr_el1, esr);
	write_sysreg(far_el1, far);
	write_sysreg(elr_el1, read_sysreg(elr_el2));
	write_sysreg(spsr_el1, spsr);
	write_sysreg(elr_el2, read_sysreg(vbar_el1) + offset);
	write_sysreg(spsr_el2, EL2_PSTATE_EL1H_MASKED);
}

static bool from_el0(void)
{
	return (read_sysreg(spsr_el2) & 0xf) == 0;
}

static void inject_sea(uint64_t esr_el2, uint64_t far)
{
	uint64_t ec = KC_FIELD_GET(KC_ESR_EC, esr_el2);
	uint64_t new_ec;

	if (ec == KC_EC_IABT_LOW) {
		new_ec = from_el0() ? KC_EC_IABT_LOW : EC_IABT_CUR;
	} else {
		new_ec = from_el0() ? KC_EC_DABT_LOW : EC_DABT_CUR;
	}
	/* Keep WnR for data aborts; no syndrome (ISV = 0), FSC = external abort. */
	inject_el1(KC_FIELD_PREP(KC_ESR_EC, new_ec) | ESR_IL | (esr_el2 & KC_ISS_WNR) | FSC_SEA, far);
}

static void inject_undef(void)
{
	inject_el1(KC_FIELD_PREP(KC_ESR_EC, EC_UNKNOWN) | ESR_IL, 0);
}

static void host_abort(uint64_t esr)
{
	uint64_t far = read_sysreg(far_el2);
	uint64_t hpfar = read_sysreg(hpfar_el2);
	uint64_t fsc = KC_FIELD_GET(KC_ISS_FSC, esr);

	/* Only a translation fault means "not mapped yet"; HPFAR is valid for those. The core
	 * refuses kcore's own pages (KC_OWNER_KCORE) like any page the host does not own. */
	if ((fsc >> 2) != KC_FSC_TYPE_TRANSLATION || kcore_host_abort(esr, far, hpfar) != KC_OK) {
		inject_sea(esr, far);
	}
}

static struct el2_cpu *cpu_by_mpidr(uint64_t mpidr)
{
	unsigned int i;

	for (i = 0; i < el2_plat.cpu_count; i++) {
		if ((el2_plat.cpu_mpidr[i] & MPIDR_AFF_MASK) == (mpidr & MPIDR_AFF_MASK)) {
			return &el2_cpus[i];
		}
	}
	return 0;
}

static arch_lock_t psci_lock;

/* The host's CPU_ON wakes a CPU kcore parked at boot; it enters the host at `entry`. */
static int64_t psci_cpu_on(uint64_t mpidr, uint64_t entry, uint64_t ctx)
{
	struct el2_cpu *cpu = cpu_by_mpidr(mpidr);
	int64_t r = PSCI_SUCCESS;

	if (cpu == 0) {
		return PSCI_INVALID_PARAMETERS;
	}
	if (entry == 0 || (entry & 3) != 0) {
		return PSCI_INVALID_ADDRESS;
	}
	arch_lock(&psci_lock);
	if (cpu->state == EL2_CPU_HOST || cpu->on_entry != 0) {
		r = PSCI_ALREADY_ON;
	} else if (cpu->state != EL2_CPU_PARKED) {
		r = PSCI_INTERNAL_FAILURE;
	} else {
		cpu->on_ctx = ctx;
		__atomic_store_n(&cpu->on_entry, entry, __ATOMIC_RELEASE);
		__asm__ volatile("dsb ish\n\tsev" : : : "memory");
	}
	arch_unlock(&psci_lock);
	return r;
}

static int64_t psci_affinity_info(uint64_t mpidr, uint64_t level)
{
	struct el2_cpu *cpu = cpu_by_mpidr(mpidr);

	if (cpu == 0 || level != 0) {
		return PSCI_INVALID_PARAMETERS;
	}
	return cpu->state == EL2_CPU_HOST ? 0 : 1; /* ON : OFF */
}

static void host_psci(struct el2_frame *f)
{
	uint64_t fn = f->x[0] & 0xffffffffu;
	int64_t r;

	switch (fn) {
	case PSCI_VERSION:
	case PSCI_SYSTEM_OFF:
	case PSCI_SYSTEM_RESET:
		r = (int64_t)el2_smc(fn, 0, 0, 0);
		break;
	case PSCI_FEATURES:
		fn = f->x[1] & 0xffffffffu;
		r = (fn == PSCI_VERSION || fn == PSCI_CPU_OFF || fn == PSCI_CPU_ON_64 ||
		     fn == PSCI_AFFINITY_INFO_64 || fn == PSCI_SYSTEM_OFF || fn == PSCI_SYSTEM_RESET ||
		     fn == PSCI_FEATURES) ? PSCI_SUCCESS : PSCI_NOT_SUPPORTED;
		break;
	case PSCI_CPU_ON_64:
		r = psci_cpu_on(f->x[1], f->x[2], f->x[3]);
		break;
	case PSCI_AFFINITY_INFO_64:
		r = psci_affinity_info(f->x[1], f->x[2]);
		break;
	case PSCI_CPU_OFF:
		el2_cpu_park_self(); /* does not return: the CPU waits for the next CPU_ON */
		r = PSCI_INTERNAL_FAILURE;
		break;
	default:
		r = PSCI_NOT_SUPPORTED;
		break;
	}
	f->x[0] = (uint64_t)r;
}

/* A kcore hypercall. kcore's code may use FP/SIMD (the Ed25519 objects): the host's is kept. */
static void host_kcore_call(struct el2_frame *f)
{
	struct el2_cpu *cpu = el2_this_cpu();
	struct kc_regs regs;
	unsigned int i;

	for (i = 0; i < 18u; i++) {
		regs.x[i] = f->x[i];
	}
	el2_fpsimd_save(&cpu->host_fp);
	kcore_host_hvc(&regs);
	el2_fpsimd_restore(&cpu->host_fp);
	for (i = 0; i < 5u; i++) {
		f->x[i] = regs.x[i];
	}
}

static bool fn_is_psci(uint64_t fn)
{
	return (fn & 0xbfffffe0u) == 0x84000000u; /* SMC32/SMC64 standard service, 0x00-0x1f */
}

void el2_host_sync(struct el2_frame *f)
{
	uint64_t esr = read_sysreg(esr_el2);
	uint64_t ec = KC_FIELD_GET(KC_ESR_EC, esr);

	switch (ec) {
	case KC_EC_HVC64:
		if ((esr & 0xffffu) == 0 && fn_is_psci(f->x[0])) {
			host_psci(f);
		} else if ((esr & 0xffffu) == 0) {
			host_kcore_call(f);
		} else {
			f->x[0] = (uint64_t)(int64_t)KC_SMCCC_NOT_SUPPORTED;
		}
		break;
	case EC_SMC64:
		/* A trapped SMC returns to the instruction after it. */
		write_sysreg(elr_el2, read_sysreg(elr_el2) + 4u);
		if (fn_is_psci(f->x[0])) {
			host_psci(f);
		} else {
			f->x[0] = (uint64_t)(int64_t)KC_SMCCC_NOT_SUPPORTED;
		}
		break;
	case KC_EC_DABT_LOW:
	case KC_EC_IABT_LOW:
		host_abort(esr);
		break;
	default:
		inject_undef();
		break;
	}
}

/* The host does not route its interrupts to EL2 (HCR_EL2.IMO = 0); an SError is its own. */
void el2_host_irq(struct el2_frame *f)
{
	(void)f;
}
