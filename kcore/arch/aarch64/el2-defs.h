/* Constants shared by kcore's EL2 assembly and C: register values, layout, structure offsets. */
#ifndef KCORE_EL2_DEFS_H
#define KCORE_EL2_DEFS_H

#ifdef __ASSEMBLER__
#define U_(x) x
#else
#define U_(x) x##U
#endif

#define EL2_STACK_SIZE 16384

/* struct el2_cpu and struct arch_vcpu_regs offsets (checked by _Static_assert in vcpu.c). */
#define CPU_GUEST_REGS 0
#define CPU_KCTX 8
#define CPU_KCTX_SP 104
#define REGS_PC 248
#define REGS_PSTATE 256
#define FRAME_SIZE 256

/* SCTLR_EL2: RES1 bits | I | SA | C | M (WXN stays off: RAM is one RWX mapping, see docs/el2.md). */
#define EL2_SCTLR_RES1 0x30c50830
#define EL2_SCTLR_ON (EL2_SCTLR_RES1 | (U_(1) << 12) | (U_(1) << 3) | (U_(1) << 2) | (U_(1) << 0))
/* MAIR: attr0 Normal WB RA/WA, attr1 Device-nGnRE, attr2 Device-nGnRnE. */
#define EL2_MAIR 0x0004ff
/* TCR_EL2: RES1(31,23) | PS=40 bits | TG0=4K | SH0=inner | ORGN0/IRGN0=WBWA | T0SZ=25 (39-bit VA). */
#define EL2_TCR ((U_(1) << 31) | (U_(1) << 23) | (U_(2) << 16) | (U_(3) << 12) | (U_(1) << 10) | (U_(1) << 8) | 25)
/* VTCR_EL2: RES1(31) | PS=40 bits | TG0=4K | SH0 inner | WBWA | SL0=1 (level 1) | T0SZ=24. */
#define EL2_VTCR ((U_(1) << 31) | (U_(2) << 16) | (U_(3) << 12) | (U_(1) << 10) | (U_(1) << 8) | (U_(1) << 6) | 24)
/* CPTR_EL2: RES1 bits only, TFP=0: FP/SIMD is not trapped (kcore switches it itself). */
#define EL2_CPTR 0x33ff

/* HCR_EL2 bits. */
#define HCR_VM (U_(1) << 0)
#define HCR_SWIO (U_(1) << 1)
#define HCR_FMO (U_(1) << 3)
#define HCR_IMO (U_(1) << 4)
#define HCR_AMO (U_(1) << 5)
#define HCR_FB (U_(1) << 9)
#define HCR_BSU_IS (U_(1) << 10)
#define HCR_TWI (U_(1) << 13)
#define HCR_TWE (U_(1) << 14)
#define HCR_TSC (U_(1) << 19)
#define HCR_RW (U_(1) << 31)
/* The host: stage-2 on, SMCs (PSCI) trapped; its own interrupts go to it. */
#define EL2_HCR_HOST (HCR_RW | HCR_TSC | HCR_SWIO | HCR_VM)
/* A guest: also physical interrupts and WFx exit to kcore. */
#define EL2_HCR_GUEST (EL2_HCR_HOST | HCR_TWI | HCR_TWE | HCR_AMO | HCR_IMO | HCR_FMO | \
		       HCR_FB | HCR_BSU_IS)

#define EL2_PSTATE_EL1H_MASKED 0x3c5
/* SCTLR_EL1 at reset as kcore hands it out: RES1 bits, MMU and caches off, little-endian. */
#define EL1_SCTLR_RESET 0x30d00800

#define EL2_HOST_ENTRY_DEFAULT 0x44000000
#define EL2_DT_GROWTH 1024	/* bytes kcore may add to the host's device tree */

#endif /* KCORE_EL2_DEFS_H */
