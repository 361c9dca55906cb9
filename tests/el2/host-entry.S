/* The EL1 test host: entry on CPU 0 (x0 = DTB) and on CPUs it starts, its vectors, the HVC call. */
#define HOST_STACK 8192

	.section .text.boot, "ax"
	.global _start
_start:
	mov	x19, x0
	adrp	x1, __bss_start
	add	x1, x1, :lo12:__bss_start
	adrp	x2, __bss_end
	add	x2, x2, :lo12:__bss_end
1:	cmp	x1, x2
	b.hs	2f
	str	xzr, [x1], #8
	b	1b
2:	mov	x0, #0
	bl	host_cpu_setup
	mov	x0, x19
	bl	host_main
3:	wfe
	b	3b

/* PSCI CPU_ON entry: x0 = the context id, which the host sets to the CPU index. */
	.global host_secondary_entry
host_secondary_entry:
	mov	x19, x0
	bl	host_cpu_setup
	mov	x0, x19
	bl	host_secondary_main
1:	wfe
	b	1b

/* x0 = cpu index: stack and vectors (preserves x0). */
host_cpu_setup:
	adrp	x1, host_stacks
	add	x1, x1, :lo12:host_stacks
	mov	x2, #HOST_STACK
	madd	x1, x0, x2, x1
	add	x1, x1, x2
	mov	sp, x1
	adrp	x1, host_vectors
	add	x1, x1, :lo12:host_vectors
	msr	vbar_el1, x1
	isb
	ret

/* Every exception is recorded by C (host_exception); an abort skips the faulting instruction. */
.macro	vec
	.balign	0x80
	stp	x29, x30, [sp, #-16]!
	bl	host_exception_entry
	ldp	x29, x30, [sp], #16
	eret
.endm

	.text
	.balign	0x800
host_vectors:
	.rept	16
	vec
	.endr

host_exception_entry:
	sub	sp, sp, #160
	stp	x0, x1, [sp, #0]
	stp	x2, x3, [sp, #16]
	stp	x4, x5, [sp, #32]
	stp	x6, x7, [sp, #48]
	stp	x8, x9, [sp, #64]
	stp	x10, x11, [sp, #80]
	stp	x12, x13, [sp, #96]
	stp	x14, x15, [sp, #112]
	stp	x16, x17, [sp, #128]
	str	x18, [sp, #144]
	str	x30, [sp, #152]
	bl	host_exception
	ldp	x0, x1, [sp, #0]
	ldp	x2, x3, [sp, #16]
	ldp	x4, x5, [sp, #32]
	ldp	x6, x7, [sp, #48]
	ldp	x8, x9, [sp, #64]
	ldp	x10, x11, [sp, #80]
	ldp	x12, x13, [sp, #96]
	ldp	x14, x15, [sp, #112]
	ldp	x16, x17, [sp, #128]
	ldr	x18, [sp, #144]
	ldr	x30, [sp, #152]
	add	sp, sp, #160
	ret

/* host_call(uint64_t x[18]): x0..x17 in, HVC #0, x0..x17 out (the host sees what kcore left). */
	.global host_call
host_call:
	stp	x29, x30, [sp, #-32]!
	str	x0, [sp, #16]
	ldp	x2, x3, [x0, #16]
	ldp	x4, x5, [x0, #32]
	ldp	x6, x7, [x0, #48]
	ldp	x8, x9, [x0, #64]
	ldp	x10, x11, [x0, #80]
	ldp	x12, x13, [x0, #96]
	ldp	x14, x15, [x0, #112]
	ldp	x16, x17, [x0, #128]
	ldp	x0, x1, [x0, #0]
	hvc	#0
	ldr	x18, [sp, #16]
	stp	x0, x1, [x18, #0]
	stp	x2, x3, [x18, #16]
	stp	x4, x5, [x18, #32]
	stp	x6, x7, [x18, #48]
	stp	x8, x9, [x18, #64]
	stp	x10, x11, [x18, #80]
	stp	x12, x13, [x18, #96]
	stp	x14, x15, [x18, #112]
	stp	x16, x17, [x18, #128]
	ldp	x29, x30, [sp], #32
	ret

/* host_smc(fn, a1, a2, a3): PSCI as firmware would see it (kcore traps it). */
	.global host_smc
host_smc:
	smc	#0
	ret

/* The signed guest image and its signature, as a loader would have them in memory. */
	.section .rodata
	.balign	4096
	.global guest_image, guest_image_end, guest_sig
guest_image:
	.incbin	GUEST_BIN
guest_image_end:
	.balign	8
guest_sig:
	.incbin	GUEST_SIG

	.bss
	.balign	16
	.global host_stacks
host_stacks:
	.space	HOST_STACK * 4
