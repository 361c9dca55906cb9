/* The hardware seam: the only primitives kcore/core may call (kcore/model and kcore/arch implement them). */
#ifndef KCORE_ARCH_H
#define KCORE_ARCH_H

#include <stdbool.h>
#include <stdint.h>

/* Physical addresses and guest IPAs are distinct types so they cannot be mixed up. */
typedef struct {
	uint64_t pa;
} kc_pa_t;

typedef struct {
	uint64_t ipa;
} kc_ipa_t;

static inline kc_pa_t kc_pa(uint64_t pa)
{
	kc_pa_t r = { pa };
	return r;
}

static inline kc_ipa_t kc_ipa(uint64_t ipa)
{
	kc_ipa_t r = { ipa };
	return r;
}

/* A ticket lock; the model uses the same fields and also records the holder. */
typedef struct {
	volatile uint32_t next;
	volatile uint32_t owner;
	volatile uint32_t holder;	/* cpu id + 1 while held, 0 when free */
} arch_lock_t;

void arch_lock(arch_lock_t *lock);		/* acquire, then barrier (VRM No-Barrier-Misuse) */
void arch_unlock(arch_lock_t *lock);		/* barrier, then release */
bool arch_lock_held(const arch_lock_t *lock);	/* by the current CPU */
unsigned int arch_cpu_id(void);

void arch_dsb_ishst(void);
void arch_dsb_ish(void);
void arch_isb(void);

/*
 * TLB maintenance applies to the VMID of the current stage-2 context.
 * context_enter writes VTTBR_EL2 and synchronises it (MSR; ISB) so that the
 * TLBIs that follow target that VMID; context_exit restores the host's
 * VTTBR the same way.
 */
void arch_s2_context_enter(uint64_t vttbr);
void arch_s2_context_exit(void);
void arch_tlbi_ipas2e1is(kc_ipa_t ipa);	/* stage-2 entries for one IPA page */
void arch_tlbi_vmalle1is(void);		/* every stage-1 and combined entry */
void arch_tlbi_vmalls12e1is(void);	/* every stage-1 and stage-2 entry */

/* Turn on the host's stage-2 (VTTBR, VTCR, HCR_EL2.VM) and flush it (reference sequence #6). */
void arch_s2_host_install(uint64_t vttbr);

/* Page-table entries, addressed by physical address, accessed single-copy atomically. */
uint64_t arch_pte_load(kc_pa_t entry);
void arch_pte_store(kc_pa_t entry, uint64_t desc);

void arch_page_zero(kc_pa_t page);
void arch_page_clean_poc(kc_pa_t page);
/* kcore's read-only view of a physical page (for hashing a boot image). */
const uint8_t *arch_page_view(kc_pa_t page);

/* Guest register state that kcore keeps in its own memory. */
struct arch_vcpu_regs {
	uint64_t x[31];
	uint64_t pc;
	uint64_t pstate;
};

enum arch_exit_kind {
	ARCH_EXIT_SYNC = 1,	/* synchronous exception: esr, far, hpfar are valid */
	ARCH_EXIT_IRQ = 2,	/* physical interrupt */
};

struct arch_exit {
	uint32_t kind;
	uint64_t esr;
	uint64_t far;
	uint64_t hpfar;
};

/*
 * Run a vCPU with the given stage-2 until the next exception to EL2. The arch keeps the rest of
 * its state (EL1 system and FP/SIMD registers) in kcore memory; `reset` puts all of it in the
 * architectural reset state first (a vCPU's first run, and each run after PSCI CPU_ON).
 */
void arch_vcpu_enter(uint64_t vttbr, unsigned int vcpu_idx, bool reset,
		     struct arch_vcpu_regs *regs, struct arch_exit *ret_exit);

/* A broken internal invariant: never reached from host or guest input. */
_Noreturn void arch_panic(const char *why);

#endif /* KCORE_ARCH_H */
