/* A protected guest: prints through its MMIO UART, shares and unshares a page, hides secrets. */
#include <stdint.h>

#include "kcore-abi.h"
#include "el2-tests.h"

void guest_main(uint64_t idx);
void guest_secret_exit(void);
int64_t guest_hvc(uint64_t fn, uint64_t a1, uint64_t *ret1);

static uint8_t shared_page[4096] __attribute__((aligned(4096)));
static uint64_t secret_page[512] __attribute__((aligned(4096)));

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
	puts_("hello from protected vCPU ");
	putc_((char)('0' + idx));
	putc_('\n');
	if (guest_hvc(KC_GC_VERSION, 0, &version) != KC_OK || version != KC_ABI_VERSION) {
		puts_("guest: bad version call\n");
		done(1);
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
