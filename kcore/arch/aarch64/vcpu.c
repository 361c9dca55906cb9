/*
 * The world switch: a protected vCPU runs at EL1 with its own stage-2 (VMID), EL1 system
 * registers and FP/SIMD registers, all kept in kcore memory; an exception back to EL2 ends the
 * run with the syndrome the core classifies (kcore/core/vcpu.c).
 */
#include <stddef.h>

#include "el2.h"


_Static_assert(offsetof(struct el2_cpu, guest_regs) == CPU_GUEST_REGS, "entry.S layout");
_Static_assert(offsetof(struct el2_cpu, kctx) == CPU_KCTX, "entry.S layout");
_Static_assert(offsetof(struct el2_cpu, kctx.sp) == CPU_KCTX_SP, "entry.S layout");
_Static_assert(offsetof(struct arch_vcpu_regs, pc) == REGS_PC, "entry.S layout");
_Static_assert(offsetof(struct arch_vcpu_regs, pstate) == REGS_PSTATE, "entry.S layout");
_Static_assert(sizeof(struct el2_frame) == FRAME_SIZE, "entry.S layout");
_Static_assert(offsetof(struct el2_fpsimd, fpsr) == 512, "entry.S layout");

#define EC_WFX 0x01u
#define EC_SYSREG 0x18u
#define MDCR_TPMCR (UINT64_C(1) << 5)
#define MDCR_TPM (UINT64_C(1) << 6)
#define MDCR_TDA (UINT64_C(1) << 9)
#define MDCR_TDOSA (UINT64_C(1) << 10)
#define MDCR_TDRA (UINT64_C(1) << 11)
/* While a guest runs: the PMU and the debug registers (breakpoints, watchpoints, OS lock) are
 * the host's, and would let a guest watch the host or kcore or leave state behind for it. */
#define MDCR_GUEST_TRAPS (MDCR_TPM | MDCR_TPMCR | MDCR_TDA | MDCR_TDOSA | MDCR_TDRA)

/*
 * A guest's access to a PMU or debug register (trapped by MDCR_GUEST_TRAPS): reads as zero,
 * writes are ignored. ISS of EC 0x18: Op0 21:20, Op2 19:17, Op1 16:14, CRn 13:10, Rt 9:5,
 * CRm 4:1, read 0. Debug registers are Op0 = 2; PMU registers Op0 = 3 with CRn = 9, or
 * Op1 = 3, CRn = 14, CRm >= 8 (PMEVCNTR/PMEVTYPER/PMCCFILTR).
 */
static bool sysreg_emulate(uint64_t esr, struct arch_vcpu_regs *regs)
{
	uint64_t op0 = (esr >> 20) & 3u, op1 = (esr >> 14) & 7u, crn = (esr >> 10) & 0xfu;
	uint64_t crm = (esr >> 1) & 0xfu, rt = (esr >> 5) & 0x1fu;
	bool pmu = op0 == 3u && (crn == 9u || (op1 == 3u && crn == 14u && crm >= 8u));

	if (op0 != 2u && !pmu) {
		return false;
	}
	if ((esr & 1u) && rt != 31u) {
		regs->x[rt] = 0;
	}
	regs->pc += 4u;
	return true;
}

/*
 * Each vCPU's EL1 and FP/SIMD context, by vmid and index. The core asks for a reset on a vCPU's
 * first run and after PSCI CPU_ON; the contexts are also scrubbed when the VM's stage-2 is torn
 * down (arch_tlbi_vmalls12e1is below), so no guest's registers outlive its VM in kcore memory.
 */
static struct el2_el1_ctx guest_ctx[KC_VMS_MAX + 1u][KC_VM_VCPUS_MAX];

#define SAVE(c, i, r) ((c)->sys[i] = read_sysreg(r))
#define LOAD(c, i, r) write_sysreg(r, (c)->sys[i])

void el2_el1_save(struct el2_el1_ctx *c)
{
	SAVE(c, EL1_SCTLR, sctlr_el1);
	SAVE(c, EL1_TTBR0, ttbr0_el1);
	SAVE(c, EL1_TTBR1, ttbr1_el1);
	SAVE(c, EL1_TCR, tcr_el1);
	SAVE(c, EL1_MAIR, mair_el1);
	SAVE(c, EL1_AMAIR, amair_el1);
	SAVE(c, EL1_VBAR, vbar_el1);
	SAVE(c, EL1_CONTEXTIDR, contextidr_el1);
	SAVE(c, EL1_TPIDR, tpidr_el1);
	SAVE(c, EL1_TPIDR0, tpidr_el0);
	SAVE(c, EL1_TPIDRRO0, tpidrro_el0);
	SAVE(c, EL1_SP0, sp_el0);
	SAVE(c, EL1_SP1, sp_el1);
	SAVE(c, EL1_ELR, elr_el1);
	SAVE(c, EL1_SPSR, spsr_el1);
	SAVE(c, EL1_ESR, esr_el1);
	SAVE(c, EL1_FAR, far_el1);
	SAVE(c, EL1_AFSR0, afsr0_el1);
	SAVE(c, EL1_AFSR1, afsr1_el1);
	SAVE(c, EL1_PAR, par_el1);
	SAVE(c, EL1_CPACR, cpacr_el1);
	SAVE(c, EL1_CNTKCTL, cntkctl_el1);
	SAVE(c, EL1_CSSELR, csselr_el1);
	SAVE(c, EL1_CNTV_CTL, cntv_ctl_el0);
	SAVE(c, EL1_CNTV_CVAL, cntv_cval_el0);
	SAVE(c, EL1_MDSCR, mdscr_el1);
}

void el2_el1_restore(const struct el2_el1_ctx *c)
{
	LOAD(c, EL1_SCTLR, sctlr_el1);
	LOAD(c, EL1_TTBR0, ttbr0_el1);
	LOAD(c, EL1_TTBR1, ttbr1_el1);
	LOAD(c, EL1_TCR, tcr_el1);
	LOAD(c, EL1_MAIR, mair_el1);
	LOAD(c, EL1_AMAIR, amair_el1);
	LOAD(c, EL1_VBAR, vbar_el1);
	LOAD(c, EL1_CONTEXTIDR, contextidr_el1);
	LOAD(c, EL1_TPIDR, tpidr_el1);
	LOAD(c, EL1_TPIDR0, tpidr_el0);
	LOAD(c, EL1_TPIDRRO0, tpidrro_el0);
	LOAD(c, EL1_SP0, sp_el0);
	LOAD(c, EL1_SP1, sp_el1);
	LOAD(c, EL1_ELR, elr_el1);
	LOAD(c, EL1_SPSR, spsr_el1);
	LOAD(c, EL1_ESR, esr_el1);
	LOAD(c, EL1_FAR, far_el1);
	LOAD(c, EL1_AFSR0, afsr0_el1);
	LOAD(c, EL1_AFSR1, afsr1_el1);
	LOAD(c, EL1_PAR, par_el1);
	LOAD(c, EL1_CPACR, cpacr_el1);
	LOAD(c, EL1_CNTKCTL, cntkctl_el1);
	LOAD(c, EL1_CSSELR, csselr_el1);
	LOAD(c, EL1_CNTV_CTL, cntv_ctl_el0);
	LOAD(c, EL1_CNTV_CVAL, cntv_cval_el0);
	LOAD(c, EL1_MDSCR, mdscr_el1);
}

static void guest_ctx_scrub(struct el2_el1_ctx *g)
{
	volatile uint8_t *p = (volatile uint8_t *)g;
	size_t i;

	for (i = 0; i < sizeof(*g); i++) {
		p[i] = 0;
	}
}

static struct el2_el1_ctx *guest_ctx_of(uint64_t vttbr, unsigned int idx)
{
	uint64_t vmid = KC_FIELD_GET(KC_VTTBR_VMID, vttbr);

	if (vmid == 0 || vmid > KC_VMS_MAX || idx >= KC_VM_VCPUS_MAX) {
		arch_panic("vcpu_enter: no such vCPU");
	}
	return &guest_ctx[vmid][idx];
}

/* Called from s2_destroy's whole-VMID flush, with the dying VM's VTTBR loaded. */
void arch_tlbi_vmalls12e1is(void)
{
	uint64_t vmid = KC_FIELD_GET(KC_VTTBR_VMID, read_sysreg(vttbr_el2));
	unsigned int i;

	__asm__ volatile("tlbi vmalls12e1is" : : : "memory");
	if (vmid != 0 && vmid <= KC_VMS_MAX) {
		for (i = 0; i < KC_VM_VCPUS_MAX; i++) {
			guest_ctx_scrub(&guest_ctx[vmid][i]);
		}
	}
}

void arch_vcpu_enter(uint64_t vttbr, unsigned int vcpu_idx, bool reset,
		     struct arch_vcpu_regs *regs, struct arch_exit *ret_exit)
{
	struct el2_cpu *cpu = el2_this_cpu();
	struct el2_el1_ctx *g = guest_ctx_of(vttbr, vcpu_idx);
	uint64_t host_elr = read_sysreg(elr_el2), host_spsr = read_sysreg(spsr_el2);
	uint64_t host_mdcr = read_sysreg(mdcr_el2);

	if (reset) {
		guest_ctx_scrub(g);
		g->sys[EL1_SCTLR] = EL1_SCTLR_RESET;
	}
	/* The host's FP/SIMD registers were saved by the hypercall entry (trap.c). */
	el2_el1_save(&cpu->host_el1);
	el2_el1_restore(g);
	el2_fpsimd_restore(&g->fp);
	write_sysreg(vmpidr_el2, (UINT64_C(1) << 31) | vcpu_idx);
	write_sysreg(cnthctl_el2, 1); /* EL1PCTEN: the counter, but not the host's physical timer */
	/*
	 * The host's counters stop while the guest runs (they would count its events): el2_guest_enter
	 * turns them off just before the ERET, el2_guest_exit back on first thing.
	 */
	cpu->host_pmcnten = read_sysreg(pmcntenset_el0);
	write_sysreg(mdcr_el2, host_mdcr | MDCR_GUEST_TRAPS);
	write_sysreg(hcr_el2, EL2_HCR_GUEST);
	write_sysreg(vttbr_el2, vttbr);
	isb();
	cpu->exit = ret_exit;
	el2_guest_enter(regs);
	write_sysreg(vttbr_el2, el2_host_vttbr);
	write_sysreg(hcr_el2, EL2_HCR_HOST);
	write_sysreg(cnthctl_el2, 3);
	write_sysreg(mdcr_el2, host_mdcr);
	write_sysreg(vmpidr_el2, read_sysreg(mpidr_el1));
	el2_fpsimd_save(&g->fp);
	el2_el1_save(g);
	el2_el1_restore(&cpu->host_el1);
	/* The host's hypercall returns through these. */
	write_sysreg(elr_el2, host_elr);
	write_sysreg(spsr_el2, host_spsr);
	isb();
}

/* From entry.S with the guest's x0-x30 in the frame; el2_guest_enter then returns. */
void el2_guest_exit(struct el2_frame *f, uint64_t kind)
{
	struct el2_cpu *cpu = el2_this_cpu();
	struct arch_vcpu_regs *regs = cpu->guest_regs;
	struct arch_exit *exit = cpu->exit;
	unsigned int i;

	write_sysreg(pmcntenset_el0, cpu->host_pmcnten);

	for (i = 0; i < 31u; i++) {
		regs->x[i] = f->x[i];
	}
	regs->pc = read_sysreg(elr_el2);
	regs->pstate = read_sysreg(spsr_el2);
	exit->kind = kind == 1 ? ARCH_EXIT_SYNC : ARCH_EXIT_IRQ;
	exit->esr = read_sysreg(esr_el2);
	exit->far = read_sysreg(far_el2);
	exit->hpfar = read_sysreg(hpfar_el2);
	if (exit->kind == ARCH_EXIT_SYNC && KC_FIELD_GET(KC_ESR_EC, exit->esr) == EC_WFX) {
		/* WFI/WFE: a hint; retire it and let the host schedule (an IRQ-class exit). */
		regs->pc += 4u;
		exit->kind = ARCH_EXIT_IRQ;
	} else if (exit->kind == ARCH_EXIT_SYNC &&
		   KC_FIELD_GET(KC_ESR_EC, exit->esr) == EC_SYSREG &&
		   sysreg_emulate(exit->esr, regs)) {
		exit->kind = ARCH_EXIT_IRQ; /* done here; the host learns only that the vCPU stopped */
	}
	cpu->guest_regs = 0;
}
