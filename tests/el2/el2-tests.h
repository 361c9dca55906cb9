/* The EL2 test scenarios, one meson test each: the test host runs the one whose number QEMU's
 * loader stores at EL2_TEST_SELECT (run-el2.py reads this list, so it is written once). */
#ifndef EL2_TESTS_H
#define EL2_TESTS_H

#define EL2_TEST_SELECT 0x43fff000u

#define EL2_TESTS(X)                  \
	X(1, boot)                    \
	X(2, kcore_memory)            \
	X(3, smp)                     \
	X(4, vm_lifecycle)            \
	X(5, donated_page)            \
	X(6, page_in_two_vms)         \
	X(7, image_changed)           \
	X(8, guest_reads_other_vm)    \
	X(9, exit_hides_registers)    \
	X(10, unshared_any_cpu)       \
	X(11, hostile_hypercalls)     \
	X(12, vm_smp)

/* Benchmarks (tests/bench/el2-bench.py), not tests: run under QEMU -icount. */
#define EL2_BENCHES(B) \
	B(100, bench)

/* The guest's MMIO devices, in the MMIO window of its IPA space. */
#define GUEST_UART 0x09000000u		/* PL011 DR (write) and FR (+0x18, read) */
#define GUEST_CTL 0x09001000u		/* test control block */
#define GUEST_CTL_SHARED (GUEST_CTL + 0x00)	/* write: IPA of a page the guest shared */
#define GUEST_CTL_DONE (GUEST_CTL + 0x08)	/* write: the guest is finished (value = status) */
#define GUEST_CTL_UNSHARED (GUEST_CTL + 0x10)	/* write: IPA the guest unshared */
#define GUEST_CTL_SECRET (GUEST_CTL + 0x18)	/* write: one register, all others hold secrets */
#define GUEST_CTL_MODE (GUEST_CTL + 0x20)	/* read: what the host wants the guest to do */
#define GUEST_CTL_TICK (GUEST_CTL + 0x28)	/* write: one more round trip (benchmark) */

#define GUEST_MODE_FULL 0	/* print, share/unshare, registers, done */
#define GUEST_MODE_SECRET 1	/* fill a page with a secret, report it as "shared" without sharing, done */
#define GUEST_MODE_READ 2	/* read the first word of a fresh page and report it, done */
#define GUEST_MODE_SMP 3	/* PSCI: switch on vCPUs 1-3, meet them, they switch off, SYSTEM_OFF */
#define GUEST_MODE_BENCH 4	/* touch GUEST_BENCH_PAGES fresh pages, then write GUEST_CTL_TICK forever */
#define GUEST_BENCH_PAGES 56

#define GUEST_VCPUS 4
#define GUEST_STACK_SIZE 8192

#define GUEST_SECRET_WORD 0x5ec4e75ec4e75ec4ull
#define GUEST_IMAGE_IPA 0x40000000u

#endif
