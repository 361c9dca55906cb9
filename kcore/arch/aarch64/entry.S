/* kcore's EL2 entry points: boot and secondary entry, the MMU switch, vectors, guest enter/exit. */
#include "el2-defs.h"

.macro	adr_l	reg, sym
	adrp	\reg, \sym
	add	\reg, \reg, :lo12:\sym
.endm

	.section .text.boot, "ax"
	.global _start
/* Loaded as a raw image at 0x40080000; QEMU's stub enters at EL2h with x0 = the DTB. */
_start:
	msr	daifset, #0xf
	mov	x19, x0
	mrs	x1, CurrentEL
	cmp	x1, #(2 << 2)
	b.ne	.Lnot_el2
	ldr	x1, =EL2_CPTR
	msr	cptr_el2, x1
	adr_l	x1, __bss_start
	adr_l	x2, __bss_end
1:	cmp	x1, x2
	b.hs	2f
	stp	xzr, xzr, [x1], #16
	b	1b
	/*
	 * With the MMU off every store above went to memory; a line the loader left in a cache
	 * for these addresses would later shadow (or, dirty, overwrite) it. Drop them all, and
	 * again for the page table once it is written (as Linux's head.S does).
	 */
2:	adr_l	x0, __bss_start
	adr_l	x1, __bss_end
	bl	el2_dcache_inval
	adr_l	x1, el2_stacks
	add	x1, x1, #EL2_STACK_SIZE
	mov	sp, x1
	bl	el2_mmu_tables
	adr_l	x0, el2_pt_l1
	add	x1, x0, #4096
	bl	el2_dcache_inval
	bl	el2_mmu_on
	mov	x0, x19
	bl	el2_main
	b	el2_hang
.Lnot_el2:
	/* Not at EL2 (QEMU without virtualization=on): nothing kcore can do. */
	wfe
	b	.Lnot_el2

/* PSCI CPU_ON lands here at EL2 with x0 = the context id kcore gave: the CPU's index. */
	.global el2_secondary_entry
el2_secondary_entry:
	msr	daifset, #0xf
	mov	x19, x0
	ldr	x1, =EL2_CPTR
	msr	cptr_el2, x1
	adr_l	x1, el2_stacks
	mov	x2, #EL2_STACK_SIZE
	madd	x1, x19, x2, x1
	add	sp, x1, x2
	bl	el2_mmu_on
	mov	x0, x19
	bl	el2_secondary_main
	b	el2_hang

	.text
/* el2_dcache_inval(start, end): DC IVAC over [start, end) by CTR_EL0.DminLine, then DSB SY. */
el2_dcache_inval:
	mrs	x3, ctr_el0
	ubfx	x3, x3, #16, #4
	mov	x2, #4
	lsl	x2, x2, x3
	sub	x3, x2, #1
	bic	x0, x0, x3
1:	dc	ivac, x0
	add	x0, x0, x2
	cmp	x0, x1
	b.lo	1b
	dsb	sy
	ret

/* kcore's stage-1 tables were written once by the boot CPU (boot.c); every CPU uses them. */
el2_mmu_on:
	ldr	x0, =EL2_MAIR
	msr	mair_el2, x0
	ldr	x0, =EL2_TCR
	msr	tcr_el2, x0
	adr_l	x0, el2_pt_l1
	msr	ttbr0_el2, x0
	adr_l	x0, el2_vectors
	msr	vbar_el2, x0
	isb
	tlbi	alle2
	dsb	ish
	isb
	ldr	x0, =EL2_SCTLR_ON
	msr	sctlr_el2, x0
	isb
	ic	iallu
	dsb	ish
	isb
	ret

	.global el2_hang
el2_hang:
	wfe
	b	el2_hang

/* el2_eret_host(entry, x0, sp): drop to the host's EL1h with a fresh EL2 stack. */
	.global el2_eret_host
el2_eret_host:
	mov	sp, x2
	msr	elr_el2, x0
	mov	x2, #EL2_PSTATE_EL1H_MASKED
	msr	spsr_el2, x2
	mov	x0, x1
	.irp	n, 1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30
	mov	x\n, xzr
	.endr
	eret

/* ---- vectors ---- */
.macro	save_frame
	sub	sp, sp, #FRAME_SIZE
	stp	x0, x1, [sp, #0]
	stp	x2, x3, [sp, #16]
	stp	x4, x5, [sp, #32]
	stp	x6, x7, [sp, #48]
	stp	x8, x9, [sp, #64]
	stp	x10, x11, [sp, #80]
	stp	x12, x13, [sp, #96]
	stp	x14, x15, [sp, #112]
	stp	x16, x17, [sp, #128]
	stp	x18, x19, [sp, #144]
	stp	x20, x21, [sp, #160]
	stp	x22, x23, [sp, #176]
	stp	x24, x25, [sp, #192]
	stp	x26, x27, [sp, #208]
	stp	x28, x29, [sp, #224]
	str	x30, [sp, #240]
.endm

.macro	vector	target, kind
	.balign	0x80
	save_frame
	mov	x1, #\kind
	b	\target
.endm

	.balign	0x800
	.global el2_vectors
el2_vectors:
	vector	el2_trap_self, 0	/* current EL, SP_EL0 */
	vector	el2_trap_self, 1
	vector	el2_trap_self, 2
	vector	el2_trap_self, 3
	vector	el2_trap_self, 0	/* current EL, SP_EL2: kcore's own faults */
	vector	el2_trap_self, 1
	vector	el2_trap_self, 2
	vector	el2_trap_self, 3
	vector	el2_trap_lower, 1	/* lower EL, AArch64: sync (ARCH_EXIT_SYNC) */
	vector	el2_trap_lower, 2	/* IRQ (ARCH_EXIT_IRQ) */
	vector	el2_trap_lower, 2	/* FIQ */
	vector	el2_trap_lower, 3	/* SError */
	vector	el2_trap_self, 4	/* lower EL, AArch32: never enabled (HCR_EL2.RW) */
	vector	el2_trap_self, 4
	vector	el2_trap_self, 4
	vector	el2_trap_self, 4

el2_trap_self:
	mov	x0, sp
	bl	el2_self_trap		/* prints and stops the machine */
	b	el2_hang

/* From the host or from a guest: which one is running says where the frame goes. */
el2_trap_lower:
	mrs	x2, tpidr_el2
	ldr	x3, [x2, #CPU_GUEST_REGS]
	cbnz	x3, .Lguest_exit
	mov	x0, sp
	cmp	x1, #1
	b.ne	1f
	bl	el2_host_sync
	b	el2_restore_eret
1:	bl	el2_host_irq
	b	el2_restore_eret

/* The guest's registers are in the frame: hand them to C, then return from el2_guest_enter. */
.Lguest_exit:
	mov	x0, sp
	bl	el2_guest_exit
	mrs	x0, tpidr_el2
	ldp	x19, x20, [x0, #(CPU_KCTX + 0)]
	ldp	x21, x22, [x0, #(CPU_KCTX + 16)]
	ldp	x23, x24, [x0, #(CPU_KCTX + 32)]
	ldp	x25, x26, [x0, #(CPU_KCTX + 48)]
	ldp	x27, x28, [x0, #(CPU_KCTX + 64)]
	ldp	x29, x30, [x0, #(CPU_KCTX + 80)]
	ldr	x1, [x0, #CPU_KCTX_SP]
	mov	sp, x1
	ret

el2_restore_eret:
	ldp	x0, x1, [sp, #0]
	ldp	x2, x3, [sp, #16]
	ldp	x4, x5, [sp, #32]
	ldp	x6, x7, [sp, #48]
	ldp	x8, x9, [sp, #64]
	ldp	x10, x11, [sp, #80]
	ldp	x12, x13, [sp, #96]
	ldp	x14, x15, [sp, #112]
	ldp	x16, x17, [sp, #128]
	ldp	x18, x19, [sp, #144]
	ldp	x20, x21, [sp, #160]
	ldp	x22, x23, [sp, #176]
	ldp	x24, x25, [sp, #192]
	ldp	x26, x27, [sp, #208]
	ldp	x28, x29, [sp, #224]
	ldr	x30, [sp, #240]
	add	sp, sp, #FRAME_SIZE
	eret

/* el2_guest_enter(regs): save kcore's callee-saved state, load the guest's x0-x30, PC, PSTATE. */
	.global el2_guest_enter
el2_guest_enter:
	mrs	x1, tpidr_el2
	stp	x19, x20, [x1, #(CPU_KCTX + 0)]
	stp	x21, x22, [x1, #(CPU_KCTX + 16)]
	stp	x23, x24, [x1, #(CPU_KCTX + 32)]
	stp	x25, x26, [x1, #(CPU_KCTX + 48)]
	stp	x27, x28, [x1, #(CPU_KCTX + 64)]
	stp	x29, x30, [x1, #(CPU_KCTX + 80)]
	mov	x2, sp
	str	x2, [x1, #CPU_KCTX_SP]
	str	x0, [x1, #CPU_GUEST_REGS]
	ldr	x2, [x0, #REGS_PC]
	msr	elr_el2, x2
	ldr	x2, [x0, #REGS_PSTATE]
	msr	spsr_el2, x2
	mov	x2, #-1
	msr	pmcntenclr_el0, x2	/* the host's PMU counters stop for the guest (vcpu.c) */
	ldp	x2, x3, [x0, #16]
	ldp	x4, x5, [x0, #32]
	ldp	x6, x7, [x0, #48]
	ldp	x8, x9, [x0, #64]
	ldp	x10, x11, [x0, #80]
	ldp	x12, x13, [x0, #96]
	ldp	x14, x15, [x0, #112]
	ldp	x16, x17, [x0, #128]
	ldp	x18, x19, [x0, #144]
	ldp	x20, x21, [x0, #160]
	ldp	x22, x23, [x0, #176]
	ldp	x24, x25, [x0, #192]
	ldp	x26, x27, [x0, #208]
	ldp	x28, x29, [x0, #224]
	ldr	x30, [x0, #240]
	ldp	x0, x1, [x0, #0]
	eret

/* FP/SIMD state: q0-q31, FPSR, FPCR (struct el2_fpsimd). */
	.global el2_fpsimd_save
el2_fpsimd_save:
	stp	q0, q1, [x0, #0]
	stp	q2, q3, [x0, #32]
	stp	q4, q5, [x0, #64]
	stp	q6, q7, [x0, #96]
	stp	q8, q9, [x0, #128]
	stp	q10, q11, [x0, #160]
	stp	q12, q13, [x0, #192]
	stp	q14, q15, [x0, #224]
	stp	q16, q17, [x0, #256]
	stp	q18, q19, [x0, #288]
	stp	q20, q21, [x0, #320]
	stp	q22, q23, [x0, #352]
	stp	q24, q25, [x0, #384]
	stp	q26, q27, [x0, #416]
	stp	q28, q29, [x0, #448]
	stp	q30, q31, [x0, #480]
	mrs	x1, fpsr
	mrs	x2, fpcr
	str	x1, [x0, #512]
	str	x2, [x0, #520]
	ret

	.global el2_fpsimd_restore
el2_fpsimd_restore:
	ldp	q0, q1, [x0, #0]
	ldp	q2, q3, [x0, #32]
	ldp	q4, q5, [x0, #64]
	ldp	q6, q7, [x0, #96]
	ldp	q8, q9, [x0, #128]
	ldp	q10, q11, [x0, #160]
	ldp	q12, q13, [x0, #192]
	ldp	q14, q15, [x0, #224]
	ldp	q16, q17, [x0, #256]
	ldp	q18, q19, [x0, #288]
	ldp	q20, q21, [x0, #320]
	ldp	q22, q23, [x0, #352]
	ldp	q24, q25, [x0, #384]
	ldp	q26, q27, [x0, #416]
	ldp	q28, q29, [x0, #448]
	ldp	q30, q31, [x0, #480]
	ldr	x1, [x0, #512]
	ldr	x2, [x0, #520]
	msr	fpsr, x1
	msr	fpcr, x2
	ret

/* el2_smc(fn, a1, a2, a3): an SMCCC call to the firmware (QEMU's PSCI). */
	.global el2_smc
el2_smc:
	smc	#0
	ret

	.ltorg
