/*
 * A protected guest's entries (EL1h, MMU off): vCPU 0 at the image start with x0 = 0, the others
 * where PSCI CPU_ON sends them with x0 = their index (the context); and its register-secret exit.
 */
#include "el2-tests.h"

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
2:	adrp	x1, guest_stacks
	add	x1, x1, :lo12:guest_stacks
	add	x1, x1, #GUEST_STACK_SIZE
	mov	sp, x1
	mov	x0, x19
	bl	guest_main
3:	b	3b

/* Secondary vCPUs: x0 = index, the stack at guest_stacks + (index + 1) * GUEST_STACK_SIZE. */
	.global guest_secondary_entry
guest_secondary_entry:
	cmp	x0, #GUEST_VCPUS
	b.hs	2f
	adrp	x1, guest_stacks
	add	x1, x1, :lo12:guest_stacks
	add	x2, x0, #1
	mov	x3, #GUEST_STACK_SIZE
	madd	x1, x2, x3, x1
	mov	sp, x1
	bl	guest_secondary_main
2:	b	2b

/* Every general register holds a secret, then one 32-bit MMIO write of w5. */
	.global guest_secret_exit
guest_secret_exit:
	stp	x29, x30, [sp, #-16]!
	sub	sp, sp, #96
	stp	x19, x20, [sp, #0]
	stp	x21, x22, [sp, #16]
	stp	x23, x24, [sp, #32]
	stp	x25, x26, [sp, #48]
	stp	x27, x28, [sp, #64]
	ldr	x5, =GUEST_SECRET_WORD
	ldr	x6, =GUEST_CTL_SECRET
	.irp	n, 0,1,2,3,4,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30
	mov	x\n, x5
	.endr
	str	w5, [x6]
	ldp	x19, x20, [sp, #0]
	ldp	x21, x22, [sp, #16]
	ldp	x23, x24, [sp, #32]
	ldp	x25, x26, [sp, #48]
	ldp	x27, x28, [sp, #64]
	add	sp, sp, #96
	ldp	x29, x30, [sp], #16
	ret
	.ltorg

/* guest_hvc(fn, a1) -> x0; x1 into *ret1 when ret1 is not NULL. */
	.global guest_hvc
guest_hvc:
	mov	x9, x2
	hvc	#0
	cbz	x9, 1f
	str	x1, [x9]
1:	ret

/* guest_psci(fn, a1, a2, a3) -> x0 through HVC; guest_psci_smc the same through SMC. */
	.global guest_psci
guest_psci:
	hvc	#0
	ret

	.global guest_psci_smc
guest_psci_smc:
	smc	#0
	ret

	.bss
	.balign	4096
guest_stacks:
	.space	GUEST_STACK_SIZE * GUEST_VCPUS
