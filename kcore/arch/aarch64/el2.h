/* kcore/arch/aarch64 internals: system registers, per-CPU state, the console and boot facts. */
#ifndef KCORE_EL2_H
#define KCORE_EL2_H

#include <stdbool.h>
#include <stdint.h>

#include "kcore/arch.h"
#include "kcore/kcore.h"
#include "bits.h"
#include "config.h"
#include "el2-defs.h"

#define read_sysreg(r)                                                  \
	({                                                              \
		uint64_t __v;                                           \
		__asm__ volatile("mrs %0, " #r : "=r"(__v));            \
		__v;                                                    \
	})
#define write_sysreg(r, v) __asm__ volatile("msr " #r ", %0" : : "r"((uint64_t)(v)) : "memory")
#define isb() __asm__ volatile("isb" : : : "memory")

/* ---- boot facts, from the device tree (dt.c) ---- */
#define EL2_CPUS_MAX 8u
#define EL2_MEM_RANGES_MAX 4u

struct el2_range {
	uint64_t base;
	uint64_t size;
};

struct el2_platform {
	struct el2_range mem[EL2_MEM_RANGES_MAX];
	unsigned int mem_count;
	uint64_t cpu_mpidr[EL2_CPUS_MAX];
	unsigned int cpu_count;
	uint64_t uart_base;
	uint64_t gicd_base, gicr_base;
	bool gic_v3;
	bool psci_smc;
	uint64_t host_entry;	/* kcore.host=ADDR in /chosen/bootargs, else EL2_HOST_ENTRY_DEFAULT */
};

extern struct el2_platform el2_plat;
int el2_dt_parse(const void *dtb);
/* Mark [base, base + size) reserved in the DTB the host gets (a /memreserve/ entry). */
int el2_dt_publish(void *dtb, uint64_t base, uint64_t size);
uint64_t el2_dt_size(const void *dtb);

/* ---- per-CPU state; TPIDR_EL2 points at the CPU's own entry ---- */
struct el2_kctx {
	uint64_t x19_x30[12];
	uint64_t sp;
};

struct el2_fpsimd {
	__uint128_t q[32];
	uint64_t fpsr, fpcr;
};

/* EL1 system registers switched between the host and a guest. */
enum el1_sysreg {
	EL1_SCTLR, EL1_TTBR0, EL1_TTBR1, EL1_TCR, EL1_MAIR, EL1_AMAIR, EL1_VBAR,
	EL1_CONTEXTIDR, EL1_TPIDR, EL1_TPIDR0, EL1_TPIDRRO0, EL1_SP0, EL1_SP1, EL1_ELR,
	EL1_SPSR, EL1_ESR, EL1_FAR, EL1_AFSR0, EL1_AFSR1, EL1_PAR, EL1_CPACR, EL1_CNTKCTL,
	EL1_CSSELR, EL1_CNTV_CTL, EL1_CNTV_CVAL, EL1_MDSCR,
	EL1_SYSREGS
};

struct el2_el1_ctx {
	uint64_t sys[EL1_SYSREGS];
	struct el2_fpsimd fp;
};

enum el2_cpu_state {
	EL2_CPU_OFF = 0,
	EL2_CPU_PARKED,		/* in kcore, waiting for the host's PSCI CPU_ON */
	EL2_CPU_HOST,		/* running the host */
};

struct el2_cpu {
	/* Offsets used by entry.S: keep these first and in this order. */
	struct arch_vcpu_regs *guest_regs;	/* non-NULL while a guest runs on this CPU */
	struct el2_kctx kctx;			/* kcore's callee-saved state around a guest run */
	/* C only from here. */
	unsigned int idx;
	uint64_t mpidr;
	volatile uint32_t state;
	volatile uint64_t on_entry, on_ctx;	/* PSCI CPU_ON mailbox */
	struct arch_exit *exit;			/* where the running guest's exit goes */
	uint64_t host_pmcnten;			/* the host's enabled PMU counters, off in a guest */
	struct el2_fpsimd host_fp;
	struct el2_el1_ctx host_el1;
};

extern struct el2_cpu el2_cpus[EL2_CPUS_MAX];

static inline struct el2_cpu *el2_this_cpu(void)
{
	return (struct el2_cpu *)read_sysreg(tpidr_el2);
}

/* The register frame the vectors push for a trap from a lower EL. */
struct el2_frame {
	uint64_t x[31];
	uint64_t pad;
};

/* ---- entry.S ---- */
void el2_guest_enter(struct arch_vcpu_regs *regs);	/* returns at the guest's next exit */
_Noreturn void el2_eret_host(uint64_t entry, uint64_t x0, uint64_t sp);
void el2_fpsimd_save(struct el2_fpsimd *fp);
void el2_fpsimd_restore(const struct el2_fpsimd *fp);
extern char el2_vectors[];
extern char el2_secondary_entry[];
extern char __kcore_start[], __kcore_end[];

/* ---- console (uart.c) ---- */
void el2_uart_init(uint64_t base);
void el2_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* ---- boot.c / trap.c / vcpu.c ---- */
void el2_main(uint64_t dtb);
void el2_secondary_main(unsigned int idx);
void el2_host_setup_cpu(void);
void el2_host_sync(struct el2_frame *f);
void el2_host_irq(struct el2_frame *f);
void el2_guest_exit(struct el2_frame *f, uint64_t kind);
uint64_t el2_smc(uint64_t fn, uint64_t a1, uint64_t a2, uint64_t a3);
_Noreturn void el2_system_off(void);
void el2_el1_save(struct el2_el1_ctx *c);
void el2_el1_restore(const struct el2_el1_ctx *c);

/* The first page the portable core manages; RAM below it is kcore's image (arch-protected). */
extern uint64_t el2_pool_end;	/* kcore's memory is [RAM base, el2_pool_end) */
extern uint64_t el2_host_vttbr;

#endif /* KCORE_EL2_H */
