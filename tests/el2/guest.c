/*
 * A protected guest: prints through its MMIO UART, shares and unshares a page, hides secrets,
 * and brings its secondary vCPUs up and down through PSCI.
 */
#include <stdint.h>

#include "kcore-abi.h"
#include "el2-tests.h"

void guest_main(uint64_t idx);
void guest_secondary_main(uint64_t idx);
void guest_secret_exit(void);
int64_t guest_hvc(uint64_t fn, uint64_t a1, uint64_t *ret1);
int64_t guest_psci(uint64_t fn, uint64_t a1, uint64_t a2, uint64_t a3);
int64_t guest_psci_smc(uint64_t fn, uint64_t a1, uint64_t a2, uint64_t a3);
extern char guest_secondary_entry[];

static uint8_t shared_page[4096] __attribute__((aligned(4096)));
static uint64_t secret_page[512] __attribute__((aligned(4096)));
static volatile uint64_t arrived[GUEST_VCPUS];
static uint64_t bench_pages[GUEST_BENCH_PAGES][512] __attribute__((aligned(4096)));

static void mmio_write(uint64_t addr, uint64_t v)
{
	*(volatile uint64_t *)addr = v;
}

static uint32_t mmio_read32(uint64_t addr)
{
	return *(volatile uint32_t *)addr;
}

static void putc_(char c)
{
	while (mmio_read32(GUEST_UART + 0x18) & (1u << 5)) {
	}
	*(volatile uint32_t *)GUEST_UART = (uint8_t)c;
}

static void puts_(const char *s)
{
	while (*s) {
		putc_(*s++);
	}
}

static void done(uint64_t status)
{
	mmio_write(GUEST_CTL_DONE, status);
	for (;;) {
		mmio_write(GUEST_CTL_DONE, status);
	}
}

static void wait_event(void)
{
	__asm__ volatile("wfe" ::: "memory"); /* trapped: the host gets its CPU back meanwhile */
}

/* A secondary vCPU, switched on by vCPU 0: says hello, checks who it is, switches itself off. */
void guest_secondary_main(uint64_t idx)
{
	uint64_t mpidr;

	__asm__ volatile("mrs %0, mpidr_el1" : "=r"(mpidr));
	puts_("hello from protected vCPU ");
	putc_((char)('0' + idx));
	putc_('\n');
	if ((mpidr & 0xff) != idx) {
		done(40 + idx);
	}
	arrived[idx] = 1;
	guest_psci(KC_PSCI_CPU_OFF, 0, 0, 0);
	done(50 + idx); /* CPU_OFF returned */
}

/* vCPU 0 in GUEST_MODE_SMP; returns a failure code, or never when all went well. */
static uint64_t smp_main(void)
{
	uint64_t entry = (uint64_t)guest_secondary_entry;
	int64_t r;
	unsigned int t;

	if (guest_psci(KC_PSCI_VERSION, 0, 0, 0) != KC_PSCI_VERSION_1_0 ||
	    guest_psci(KC_PSCI_AFFINITY_INFO, 1, 0, 0) != KC_PSCI_AFF_OFF ||
	    guest_psci(KC_PSCI_CPU_ON, GUEST_VCPUS, entry, 0) != KC_PSCI_INVALID_PARAMETERS ||
	    guest_psci(KC_PSCI_CPU_ON, 1, 0x09000000u, 1) != KC_PSCI_INVALID_ADDRESS) {
		return 20;
	}
	for (t = 1; t < GUEST_VCPUS; t++) {
		if (guest_psci(KC_PSCI_CPU_ON, t, entry, t) != KC_PSCI_SUCCESS) {
			return 21;
		}
	}
	r = guest_psci(KC_PSCI_CPU_ON, 1, entry, 1);
	if (r != KC_PSCI_ALREADY_ON && r != KC_PSCI_ON_PENDING) {
		return 22;
	}
	for (t = 1; t < GUEST_VCPUS; t++) {
		while (!arrived[t]) {
			wait_event();
		}
	}
	puts_("all vCPUs met\n");
	for (t = 1; t < GUEST_VCPUS; t++) {
		while (guest_psci(KC_PSCI_AFFINITY_INFO, t, 0, 0) != KC_PSCI_AFF_OFF) {
			wait_event();
		}
	}
	puts_("secondaries off, system off\n");
	guest_psci_smc(KC_PSCI_SYSTEM_OFF, 0, 0, 0);
	return 23; /* SYSTEM_OFF returned */
}

void guest_main(uint64_t idx)
{
	static const char msg[] = "shared hello from the guest";
	uint64_t version = 0, mode = mmio_read32(GUEST_CTL_MODE);
	unsigned int i;

	if (mode == GUEST_MODE_SECRET) {
		for (i = 0; i < 512; i++) {
			secret_page[i] = GUEST_SECRET_WORD;
		}
		mmio_write(GUEST_CTL_SHARED, (uint64_t)secret_page); /* a report, not a share */
		done(0);
	}
	if (mode == GUEST_MODE_READ) {
		done(secret_page[0]);
	}
	if (mode == GUEST_MODE_SMP) {
		done(smp_main());
	}
	if (mode == GUEST_MODE_BENCH) {
		for (i = 0; i < GUEST_BENCH_PAGES; i++) {
			((volatile uint64_t *)bench_pages[i])[0] = i; /* a stage-2 fault each */
		}
		for (;;) {
			mmio_write(GUEST_CTL_TICK, 0);
		}
	}
	puts_("hello from protected vCPU ");
	putc_((char)('0' + idx));
	putc_('\n');
	if (guest_hvc(KC_GC_VERSION, 0, &version) != KC_OK || version != KC_ABI_VERSION) {
		puts_("guest: bad version call\n");
		done(1);
	}
	/* The PMU and debug registers are the host's: they read as zero here, writes go nowhere. */
	uint64_t pmcr = 1, cnt = 1, bvr = 1, oslsr = 1;
	__asm__ volatile("msr pmcr_el0, %0" : : "r"(UINT64_C(7)));
	__asm__ volatile("mrs %0, pmcr_el0" : "=r"(pmcr));
	__asm__ volatile("mrs %0, pmevcntr0_el0" : "=r"(cnt));
	__asm__ volatile("msr dbgbvr0_el1, %0" : : "r"(UINT64_C(0x40001000)));
	__asm__ volatile("mrs %0, dbgbvr0_el1" : "=r"(bvr));
	__asm__ volatile("mrs %0, oslsr_el1" : "=r"(oslsr));
	if (pmcr != 0 || cnt != 0 || bvr != 0 || oslsr != 0) {
		puts_("guest: sees the host's PMU or debug registers\n");
		done(4);
	}
	for (i = 0; i < sizeof(msg); i++) {
		shared_page[i] = (uint8_t)msg[i];
	}
	if (guest_hvc(KC_GC_MEM_SHARE, (uint64_t)shared_page, 0) != KC_OK) {
		done(2);
	}
	mmio_write(GUEST_CTL_SHARED, (uint64_t)shared_page);
	if (guest_hvc(KC_GC_MEM_UNSHARE, (uint64_t)shared_page, 0) != KC_OK ||
	    guest_hvc(KC_GC_MEM_UNSHARE, (uint64_t)shared_page, 0) != KC_EPERM) {
		done(3);
	}
	mmio_write(GUEST_CTL_UNSHARED, (uint64_t)shared_page);
	guest_secret_exit();
	puts_("guest done\n");
	done(0);
}
