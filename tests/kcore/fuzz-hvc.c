/*
 * Fuzz target for kcore's host hypercall dispatcher on the model machine.
 * The input is a script of 32-byte records; each becomes a hypercall (a known
 * id or raw bits, with raw arguments), a host access or a vCPU run. kcore must
 * never panic (the model aborts on a panic or a BBM violation), and INV-1..5
 * must hold after every record.
 *
 * With clang, build with -fsanitize=fuzzer (kcore/meson.build does this when the
 * compiler is clang). Otherwise main() below replays files named on the command
 * line, or runs a fixed number of pseudo-random inputs as a regression test.
 */
#include <stdlib.h>
#include <string.h>

#include "fixture.h"

unsigned int test_failures;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint64_t host_calls[] = {
	KC_HC_VERSION,	 KC_HC_FEATURES,     KC_HC_VM_CREATE, KC_HC_VM_DESTROY,
	KC_HC_VCPU_CREATE, KC_HC_VM_SET_BOOT, KC_HC_VM_LOAD_PAGE, KC_HC_VM_VERIFY,
	KC_HC_VM_MAP,	 KC_HC_VCPU_RUN,     KC_HC_MMIO_COMPLETE, KC_HC_VM_RECLAIM,
};

static uint64_t word(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return v;
}

/* Arguments near the valid ranges more often than not, so the fuzzer gets past the checks. */
static uint64_t shape(uint64_t raw)
{
	switch (raw & 3u) {
	case 0: return (raw >> 2) % (KC_VMS_MAX + 2);			  /* a vmid or index */
	case 1: return fx_pfn((uint32_t)((raw >> 2) % MODEL_RAM_PAGES)); /* a page frame */
	case 2: return FX_IMAGE_IPA + ((raw >> 2) % 64) * KC_PAGE_SIZE; /* an IPA or a size */
	default: return raw;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kc_regs regs;
	uint64_t v = 0;
	size_t off;

	fx_boot();
	for (off = 0; off + 32 <= size; off += 32) {
		uint64_t op = word(data + off);

		memset(&regs, 0, sizeof(regs));
		if ((op & 7u) == 7u) {
			(void)model_host_read(shape(word(data + off + 8)) << KC_PAGE_SHIFT &
						      (KC_IPA_LIMIT - 1),
					      &v);
			continue;
		}
		regs.x[0] = (op & 7u) == 6u ? op >> 3 : host_calls[(op >> 3) % 12u];
		regs.x[1] = shape(word(data + off + 8));
		regs.x[2] = shape(word(data + off + 16));
		regs.x[3] = shape(word(data + off + 24));
		model_hvc(&regs);
		if (inv_check("fuzz") != 0) {
			abort();
		}
	}
	return 0;
}

#ifndef KCORE_LIBFUZZER
#include <stdio.h>

/* Deterministic inputs that build a VM and then poke at it with noise. */
static size_t make_input(uint8_t *buf, size_t max, uint64_t seed)
{
	uint64_t x = seed * 0x9e3779b97f4a7c15ull | 1u;
	size_t n = (32 * (1 + seed % 64)) < max ? 32 * (1 + seed % 64) : max, i;

	for (i = 0; i < n; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		buf[i] = (uint8_t)x;
	}
	return n;
}

int main(int argc, char **argv)
{
	static uint8_t buf[1 << 16];
	uint64_t seed;
	size_t n;
	int i;

	for (i = 1; i < argc; i++) {
		FILE *f = fopen(argv[i], "rb");

		if (f == NULL) {
			perror(argv[i]);
			return 2;
		}
		n = fread(buf, 1, sizeof(buf), f);
		fclose(f);
		LLVMFuzzerTestOneInput(buf, n);
	}
	for (seed = 1; argc == 1 && seed <= 3000; seed++) {
		n = make_input(buf, sizeof(buf), seed);
		LLVMFuzzerTestOneInput(buf, n);
	}
	printf("%u passed, %u failed\n", test_failures == 0 ? 1u : 0u, test_failures == 0 ? 0u : 1u);
	return test_failures == 0 ? 0 : 1;
}
#endif
