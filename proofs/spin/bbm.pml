/*
 * Break-before-make + TLB invalidation of kcore's s2_unmap (kcore/core/s2.c), then the page
 * leaving the VM (mem_host_reclaim_vm: zeroed and given to the host). NCPU CPUs in all:
 * CPU 0 runs kcore, CPUs 1..NCPU-1 run guest vCPUs of the VM, each with its own TLB holding
 * a stage-2-only entry (s2tlb, what TLBI IPAS2E1IS removes) and a combined stage-1+2 entry
 * (comb, what only TLBI VMALLE1IS removes). The page-table walker may fill either at any time
 * from the PTE visible in memory; kcore's PTE store sits in CPU 0's store buffer until it
 * drains; a broadcast TLBI completes on each CPU at some later time, and DSB ISH waits for
 * the store buffer and for every TLBI issued before it (Arm ARM B2.3.12, D8.13).
 * Property: no guest CPU reaches the old page through any translation once it was handed over.
 * Mutants (-D): NO_DSB_ST, NO_TLBI_IPA, NO_DSB_IPA, NO_TLBI_ALL, NO_DSB_ALL remove one step.
 */
#ifndef NCPU
#define NCPU 2
#endif
#define NG (NCPU - 1)

bit pte = 1;		/* visible leaf: 1 = valid, maps the old page */
bit sb = 0;		/* CPU 0's store buffer holds "pte := 0" */
bit s2tlb[NG];
bit comb[NG];
bit pend_ipa[NG];	/* TLBI IPAS2E1IS issued, not yet completed on that CPU */
bit pend_all[NG];	/* TLBI VMALLE1IS issued, not yet completed */
byte npend = 0;
bit given = 0;		/* the page is zeroed and the host's */

inline all_done() { (sb == 0 && npend == 0) }

proctype kcore()
{
	byte i;
	sb = 1;				/* STR xzr, [pte] */
#ifndef NO_DSB_ST
	(sb == 0);			/* DSB ISHST */
#endif
	/* VTTBR <- vm; ISB: selects the VMID, no other effect here */
#ifndef NO_TLBI_IPA
	atomic { i = 0; do :: i < NG -> pend_ipa[i] = 1; npend++; i++ :: else -> break od }
#endif
#ifndef NO_DSB_IPA
	all_done();			/* DSB ISH */
#endif
#ifndef NO_TLBI_ALL
	atomic { i = 0; do :: i < NG -> pend_all[i] = 1; npend++; i++ :: else -> break od }
#endif
#ifndef NO_DSB_ALL
	all_done();			/* DSB ISH */
#endif
	/* ISB; VTTBR <- host; ISB; then arch_page_zero, owner := HOST */
	given = 1
}

proctype memsys()
{
	byte i;
end:	do
	:: sb -> atomic { pte = 0; sb = 0 }
	:: atomic { i = 0; do :: i < NG - 1 -> i++ :: break od;
		if
		:: pend_ipa[i] -> s2tlb[i] = 0; pend_ipa[i] = 0; npend--
		:: pend_all[i] -> comb[i] = 0; pend_all[i] = 0; npend--
		:: pte -> s2tlb[i] = 1			/* walk fills the stage-2 entry */
		:: pte || s2tlb[i] -> comb[i] = 1	/* combined entry from a walk or s2 entry */
		:: s2tlb[i] = 0				/* eviction */
		:: comb[i] = 0
		fi }
	od
}

proctype guest(byte g)
{
end:	do
	:: atomic { (comb[g] || s2tlb[g] || pte) -> assert(!given) }	/* an access to the old page */
	od
}

init
{
	byte g;
	atomic {
		g = 0;
		do :: g < NG -> run guest(g); g++ :: else -> break od;
		run memsys();
		run kcore()
	}
}
