/* The model machine: kcore's hardware seam on the build host, with a TLB that keeps stale entries. */
#ifndef KCORE_MODEL_H
#define KCORE_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kcore/kcore.h"

#define MODEL_RAM_BASE UINT64_C(0x40000000)
#define MODEL_RAM_PAGES 1024u
#define MODEL_POOL_PAGES 256u	/* the last pages of RAM */
#define MODEL_POOL_BASE (MODEL_RAM_BASE + (uint64_t)(MODEL_RAM_PAGES - MODEL_POOL_PAGES) * 4096u)
#define MODEL_KCORE_PAGES 8u	/* "kcore's image": the pages just below the pool */
#define MODEL_KCORE_BASE (MODEL_POOL_BASE - (uint64_t)MODEL_KCORE_PAGES * 4096u)
#define MODEL_HOST_QUOTA 16u
#define MODEL_TLB_ENTRIES 512u

enum model_access {
	MODEL_OK = 0,
	MODEL_FAULT = 1,	/* a stage-2 fault the owner of the access could not resolve */
};

/* Reset the machine and boot kcore on it with this image key; returns kcore_init's result. */
int model_boot(const uint8_t pubkey[32]);

/* The host: a hypercall, and 8-byte accesses through its stage-2 and the TLB (faults go to kcore). */
void model_hvc(struct kc_regs *regs);
int model_host_read(uint64_t pa, uint64_t *ret_val);
int model_host_write(uint64_t pa, uint64_t val);
/* Test oracles: physical memory as it is, bypassing every translation. */
uint64_t model_phys_read64(uint64_t pa);
bool model_page_is_zero(uint64_t pa);
bool model_is_ram(uint64_t pa);

/* Guest code: a tiny instruction list per vCPU, at base_ipa, indexed by the vCPU's PC. */
enum model_op_kind {
	MOP_MOV = 1,	/* x[reg] = arg */
	MOP_LDR,	/* x[reg] = [arg], 1 << size_log2 bytes */
	MOP_STR,	/* [arg] = x[reg] */
	MOP_HVC,	/* call kcore with x0..x3 */
	MOP_SMC,	/* the same through a trapped SMC (it returns to itself) */
	MOP_YIELD,	/* an interrupt arrives after this instruction */
};

struct model_op {
	enum model_op_kind kind;
	uint32_t reg;
	uint32_t size_log2;
	uint64_t arg;
};

#define MODEL_PROG_MAX 64u
void model_guest_program(uint32_t vmid, uint32_t vcpu, uint64_t base_ipa, const struct model_op *ops,
			 uint32_t count);
/* The last guest register state the model saw for a vCPU (for tests; the host never sees this). */
const struct arch_vcpu_regs *model_guest_regs(uint32_t vmid, uint32_t vcpu);
/* How many times the arch was told to reset this vCPU's EL1 state. */
uint32_t model_guest_resets(uint32_t vmid, uint32_t vcpu);

/* The log of barriers, TLBIs, context switches and PTE stores. */
enum model_event_kind {
	EV_DSB_ISHST = 1,
	EV_DSB_ISH,
	EV_ISB,
	EV_CTX_ENTER,		/* a = vmid */
	EV_CTX_EXIT,
	EV_TLBI_IPAS2E1IS,	/* a = vmid, b = ipa */
	EV_TLBI_VMALLE1IS,	/* a = vmid */
	EV_TLBI_VMALLS12E1IS,	/* a = vmid */
	EV_PTE_STORE,		/* a = entry pa, b = descriptor */
	EV_PAGE_ZERO,		/* a = pa */
	EV_PAGE_CLEAN,		/* a = pa */
};

struct model_event {
	enum model_event_kind kind;
	uint64_t a;
	uint64_t b;
};

#define MODEL_LOG_MAX 4096u
void model_log_clear(void);
size_t model_log(const struct model_event **ret_events);
const char *model_event_name(enum model_event_kind kind);

/*
 * The break-before-make checker: a PTE store, DSB, TLBI and ISB automaton per
 * broken entry (after Casemate). A violation is fatal unless a test turns
 * that off to look at it.
 */
void model_set_violation_fatal(bool fatal);
const char *model_violation(void);

/* INV-4 at a quiescent point: every TLB entry matches a walk of the current tables. */
bool model_tlb_coherent(const char **ret_why);
size_t model_tlb_count(uint32_t vmid);

/* INV-5 bookkeeping: who wrote a page last (0 = host, vmid, or MODEL_WRITER_KCORE), and clean? */
#define MODEL_WRITER_KCORE 0xfffeu
uint32_t model_page_writer(uint64_t pa);
bool model_page_clean(uint64_t pa);

/* Walk a stage-2 root as the hardware would: the leaf descriptor for ipa, or 0. */
uint64_t model_walk(uint64_t root_pa, uint64_t ipa);

#endif /* KCORE_MODEL_H */
