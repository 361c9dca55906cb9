/*
 * The hardware seam (kcore/include/kcore/arch.h) on Armv8-A at EL2: the exact barrier and TLBI
 * instructions of kcore-facts.md section 4, single-copy-atomic PTE accesses, ticket locks with
 * LDAXR/STXR and STLR, and the current CPU. kcore's stage-1 map is the identity, so a physical
 * address is also kcore's pointer to it.
 */
#include "el2.h"

/* ---- locks: ticket lock; acquire then DSB; ISB, DSB; ISB then release (VRM No-Barrier-Misuse) */

static inline void el2_barrier(void)
{
	__asm__ volatile("dsb ish\n\tisb" : : : "memory");
}

void arch_lock(arch_lock_t *lock)
{
	uint32_t ticket, next, fail, owner;

	__asm__ volatile(
		"1:	ldaxr	%w0, [%4]\n"
		"	add	%w1, %w0, #1\n"
		"	stxr	%w2, %w1, [%4]\n"
		"	cbnz	%w2, 1b\n"
		"	ldar	%w3, [%5]\n"
		"	cmp	%w3, %w0\n"
		"	b.eq	3f\n"
		"	sevl\n"
		"2:	wfe\n"
		"	ldaxr	%w3, [%5]\n"
		"	cmp	%w3, %w0\n"
		"	b.ne	2b\n"
		"3:\n"
		: "=&r"(ticket), "=&r"(next), "=&r"(fail), "=&r"(owner)
		: "r"(&lock->next), "r"(&lock->owner)
		: "memory", "cc");
	el2_barrier();
	lock->holder = arch_cpu_id() + 1u;
}

void arch_unlock(arch_lock_t *lock)
{
	uint32_t owner = lock->owner + 1u;

	lock->holder = 0;
	el2_barrier();
	__asm__ volatile("stlr %w0, [%1]" : : "r"(owner), "r"(&lock->owner) : "memory");
}

bool arch_lock_held(const arch_lock_t *lock)
{
	return lock->holder == arch_cpu_id() + 1u && lock->owner != lock->next;
}

unsigned int arch_cpu_id(void)
{
	return el2_this_cpu()->idx;
}

/* ---- barriers ---- */

void arch_dsb_ishst(void)
{
	__asm__ volatile("dsb ishst" : : : "memory");
}

void arch_dsb_ish(void)
{
	__asm__ volatile("dsb ish" : : : "memory");
}

void arch_isb(void)
{
	__asm__ volatile("isb" : : : "memory");
}

/* ---- stage-2 context and TLB maintenance (reference sequences #2'' and #3) ---- */

uint64_t el2_host_vttbr;

void arch_s2_context_enter(uint64_t vttbr)
{
	write_sysreg(vttbr_el2, vttbr);
	isb();
}

void arch_s2_context_exit(void)
{
	write_sysreg(vttbr_el2, el2_host_vttbr);
	isb();
}

void arch_tlbi_ipas2e1is(kc_ipa_t ipa)
{
	/* Xt holds IPA[51:12] in bits [39:0]. */
	__asm__ volatile("tlbi ipas2e1is, %0" : : "r"(ipa.ipa >> 12) : "memory");
}

void arch_tlbi_vmalle1is(void)
{
	__asm__ volatile("tlbi vmalle1is" : : : "memory");
}

/* arch_tlbi_vmalls12e1is is in vcpu.c: it also scrubs the dying VMID's vCPU contexts. */

/*
 * Reference sequence #6 on the calling CPU: the tables are published (the core's last PTE
 * store was followed by DSB ISHST), then VTCR/VTTBR and HCR_EL2.VM, ISB, and a local flush of
 * whatever this CPU may hold for VMID 0. The other CPUs do the same in el2_host_setup_cpu()
 * before they first run the host.
 */
void arch_s2_host_install(uint64_t vttbr)
{
	el2_host_vttbr = vttbr;
	arch_dsb_ish();
	el2_host_setup_cpu();
}

/* ---- page-table entries and pages, by physical address ---- */

uint64_t arch_pte_load(kc_pa_t entry)
{
	return *(volatile const uint64_t *)entry.pa;
}

void arch_pte_store(kc_pa_t entry, uint64_t desc)
{
	/* One aligned 64-bit STR: single-copy atomic for the table walker. */
	__asm__ volatile("str %0, [%1]" : : "r"(desc), "r"(entry.pa) : "memory");
}

void arch_page_zero(kc_pa_t page)
{
	volatile uint64_t *p = (volatile uint64_t *)page.pa;
	uint32_t i;

	for (i = 0; i < KC_PAGE_SIZE / 8u; i += 2) {
		__asm__ volatile("stp xzr, xzr, [%0]" : : "r"(&p[i]) : "memory");
	}
}

static uint64_t dcache_line(void)
{
	/* CTR_EL0.DminLine: log2 of the smallest data cache line in words. */
	return UINT64_C(4) << ((read_sysreg(ctr_el0) >> 16) & 0xf);
}

void arch_page_clean_poc(kc_pa_t page)
{
	uint64_t line = dcache_line();
	uint64_t a;

	arch_dsb_ish(); /* the zeroing stores are ordered before the maintenance */
	for (a = page.pa; a < page.pa + KC_PAGE_SIZE; a += line) {
		__asm__ volatile("dc civac, %0" : : "r"(a) : "memory");
	}
	__asm__ volatile("dsb sy" : : : "memory");
}

const uint8_t *arch_page_view(kc_pa_t page)
{
	return (const uint8_t *)page.pa;
}

_Noreturn void arch_panic(const char *why)
{
	el2_log("kcore: PANIC on cpu %u: %s\n", arch_cpu_id(), why);
	el2_system_off();
}
