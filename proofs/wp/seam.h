/*
 * THE HARDWARE SEAM: the only assumptions of the WP proofs (proofs/README.md).
 *
 * Contracts for the arch_* functions of kcore/include/kcore/arch.h. They are axioms: WP
 * never sees their bodies (kcore/arch/aarch64, kcore/model). Each contract says which
 * Arm ARM (DDI 0487 K.a) rule or which part of the seam's own comment it models.
 * Ghost state used to state them:
 *   kc_locks  : which locks the running CPU holds           (held(kc_locks, l))
 *   kc_s2_ep  : the page-table memory: pte(kc_s2_ep, pa) is the 64-bit word at pa as
 *               arch_pte_load/arch_pte_store see it, live(kc_s2_ep, vmid) a ghost flag (the vmid's
 *               stage-2 is in use; no hardware state); s2-contract.h walks it
 *   kc_data   : contents of physical pages                   (page_zero(kc_data, pa))
 *   kc_cache  : cache state of physical pages                (page_clean(kc_data, kc_cache, pa))
 * They are ghost integers: "epochs" that a seam call replaces, with the logic functions
 * below giving the observation at an epoch.
 */
#ifndef KC_WP_SEAM_H
#define KC_WP_SEAM_H
#include "kcore/arch.h"

/*@ ghost int kc_locks; */
/*@ ghost int kc_s2_ep; */
/*@ ghost int kc_data; */
/*@ ghost int kc_cache; */

/*@ axiomatic KcSeam {
  logic boolean held(integer locks, arch_lock_t *l);
  predicate page_zero(integer data, integer pa);
  predicate page_clean(integer data, integer cache, integer pa);
  logic integer pte(integer ep, integer pa);
  logic boolean live(integer ep, integer vmid);
} */

/* SEAM-LOCK: arch.h "acquire, then barrier"; ticket lock acquire with LDAXR/STXR and the
 * acquire barrier, Arm ARM B2.3.7 (Load-Acquire ordering), kcore-facts.md 2.7 No-Barrier-Misuse.
 * The lock words themselves (volatile, read and written only inside the seam) are abstracted
 * by the ghost kc_locks: the contracts say "assigns kc_locks", not "assigns *lock". */
/*@ assigns kc_locks;
    ensures held(kc_locks, lock);
    ensures \forall arch_lock_t *o; o != lock ==> (held(kc_locks, o) <==> held(\old(kc_locks), o));
*/
void arch_lock(arch_lock_t *lock);

/* SEAM-UNLOCK: "barrier, then release"; STLR release, Arm ARM B2.3.7 (Store-Release ordering). */
/*@ requires held(kc_locks, lock);
    assigns kc_locks;
    ensures !held(kc_locks, lock);
    ensures \forall arch_lock_t *o; o != lock ==> (held(kc_locks, o) <==> held(\old(kc_locks), o));
*/
void arch_unlock(arch_lock_t *lock);

/* SEAM-HELD: the holder field read by the holding CPU (no architectural rule: a software fact). */
/*@ assigns \nothing;
    ensures \result <==> held(kc_locks, lock);
*/
bool arch_lock_held(const arch_lock_t *lock);

/* SEAM-PANIC: never returns (WFI loop). requires \false: WP must show every KC_BUG_ON
 * is unreachable on the proved paths (a panic is a broken invariant, CONVENTIONS rule 7). */
/*@ requires \false;
    assigns \nothing;
    ensures \false;
*/
void arch_panic(const char *why);

/* SEAM-ZERO: DC ZVA / STP of zero over the page, Arm ARM C6.2.81 (DC ZVA) and B2.2 (single-copy
 * atomicity of the stores): afterwards every byte of the page reads 0 to this CPU. */
/*@ assigns kc_data;
    ensures page_zero(kc_data, page.pa);
*/
void arch_page_zero(kc_pa_t page);

/* SEAM-CLEAN: DC CVAC over the page then DSB, Arm ARM D7.5.9 (cache maintenance to the PoC):
 * the page's contents are in memory beyond every cache; contents (kc_data) unchanged. */
/*@ assigns kc_cache;
    ensures page_clean(kc_data, kc_cache, page.pa);
*/
void arch_page_clean_poc(kc_pa_t page);

/* SEAM-PTE-LOAD: LDR of an aligned doubleword of page-table memory (kcore/arch: a volatile
 * 64-bit load), single-copy atomic, Arm ARM B2.2.1 (requirements for single-copy atomicity:
 * an aligned 64-bit access): it returns the whole descriptor last stored at entry, never a mix.
 * Ordering against the table walker is not modelled here (Spin, VRM). */
/*@ requires entry.pa % 8 == 0;
    assigns \nothing;
    ensures \result == pte(kc_s2_ep, entry.pa);
*/
uint64_t arch_pte_load(kc_pa_t entry);

/* SEAM-PTE-STORE: STR of an aligned doubleword, single-copy atomic, Arm ARM B2.2.1: afterwards
 * the doubleword at entry reads desc and every other aligned doubleword is unchanged. live is a
 * ghost flag, not memory: a store does not change it. */
/*@ predicate pte_stored(integer ep1, integer ep2, integer e, integer d) = pte(ep2, e) == d &&
      (\forall integer a; a % 8 == 0 && a != e ==> pte(ep2, a) == pte(ep1, a)) &&
      (\forall integer v; live(ep2, v) <==> live(ep1, v));
*/
/*@ requires entry.pa % 8 == 0;
    assigns kc_s2_ep;
    ensures pte_stored(\old(kc_s2_ep), kc_s2_ep, entry.pa, desc);  // the three clauses below, as one
    ensures pte(kc_s2_ep, entry.pa) == desc;
    ensures \forall integer a; a % 8 == 0 && a != entry.pa ==> pte(kc_s2_ep, a) == pte(\old(kc_s2_ep), a);
    ensures \forall integer v; live(kc_s2_ep, v) <==> live(\old(kc_s2_ep), v);
*/
void arch_pte_store(kc_pa_t entry, uint64_t desc);

/* SEAM-BARRIERS: DSB ISHST / DSB ISH / ISB, Arm ARM B2.3.12 (DSB), B2.3.11 (ISB). They change
 * no state visible to the sequential proof; their ordering duties are checked by Spin
 * (proofs/spin) and by the VRM sequence checker (proofs/vrm), not by WP. */
/*@ assigns \nothing; */ void arch_dsb_ishst(void);
/*@ assigns \nothing; */ void arch_dsb_ish(void);
/*@ assigns \nothing; */ void arch_isb(void);

/* SEAM-TLBI: TLBI IPAS2E1IS / VMALLE1IS / VMALLS12E1IS, Arm ARM D8.13 (TLB maintenance);
 * VTTBR switch with ISB, D8.13.5 (the VMID of the current context). Nothing the sequential
 * proof observes (the TLB is modelled in proofs/spin). */
/*@ assigns \nothing; */ void arch_s2_context_enter(uint64_t vttbr);
/*@ assigns \nothing; */ void arch_s2_context_exit(void);
/*@ assigns \nothing; */ void arch_tlbi_ipas2e1is(kc_ipa_t ipa);
/*@ assigns \nothing; */ void arch_tlbi_vmalle1is(void);
/*@ assigns \nothing; */ void arch_tlbi_vmalls12e1is(void);
/*@ assigns \nothing; */ void arch_s2_host_install(uint64_t vttbr);

/* SEAM-VCPU-ENTER: restore the guest's registers, ERET to EL1 under VTTBR_EL2 = vttbr, and on the
 * next exception taken to EL2 save them back and read its syndrome (Arm ARM D1, "Exception entry"
 * and "Exception return"; the ESR_EL2, FAR_EL2 and HPFAR_EL2 register descriptions). The guest
 * may leave any value in any register and any exception syndrome: *regs and *ret_exit are
 * arbitrary afterwards. It writes only memory its stage-2 maps (D8, stage 2 translation), which
 * the sequential proof abstracts as "page contents (kc_data, kc_cache) may change"; it cannot
 * touch kcore's state, page tables (kc_s2_ep) or locks. */
/*@ requires \valid(regs) && \valid(ret_exit) && \separated(regs, ret_exit);
    assigns *regs, *ret_exit, kc_data, kc_cache;
*/
void arch_vcpu_enter(uint64_t vttbr, unsigned int vcpu_idx, bool reset, struct arch_vcpu_regs *regs,
		     struct arch_exit *ret_exit);

#endif
