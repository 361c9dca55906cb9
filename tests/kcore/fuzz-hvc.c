/*
 * Fuzz target for kcore's host hypercall dispatcher on the model machine.
 * The input is a script of 32-byte records (four little-endian words: op, a1, a2, a3). By
 * op & 7 a record is:
 *   0-3  a known host call, host_calls[(op >> 3) % 12], with shaped arguments
 *   4    a raw function id (op >> 3) with shaped arguments
 *   5    KC_HC_VM_VERIFY of VM shape(a1) with the honest signature of what the host loaded
 *        into it (one bit flipped when op bit 3 is set), so scripts get past the image check
 *   6    a guest program for vCPU (a1 >> 8) % 8 of VM 1 + a1 % 8: four instructions, one per
 *        byte quad of a2, a3 (kind, register, size, argument; see guest_op)
 *   7    a host read (op bit 3 clear) or 8-byte write of a3 at page shape(a1) + a2 % 512 words
 * kcore must never panic (the model aborts on a panic or a BBM violation) and INV-1..5 must
 * hold after every record.
 *
 * tests/kcore/fuzz-libfuzzer.py builds this with clang and -fsanitize=fuzzer (the 'fuzz'
 * suite); kcore/meson.build does too when the compiler is clang. Otherwise main() below replays
 * the files (or every file in the directories) named on the command line, or, with no
 * argument, runs 3000 pseudo-random inputs as a regression test.
 */
#include <dirent.h>
#include <sodium/crypto_sign_ed25519.h>
#include <stdio.h>
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

static bool trace; /* -v: print each record and what kcore answered */

/* What the host gave each VM, so record kind 5 can sign it as an honest host would. */
#define TRACK_PAGES 32u
static struct {
	uint64_t ipa, bytes, loaded;
	uint64_t pfn[TRACK_PAGES];
} track[KC_VMS_MAX + 1];

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
	case 2: return FX_IMAGE_IPA + ((raw >> 2) % 64) * KC_PAGE_SIZE; /* an IPA */
	default: return raw;						  /* anything; a size */
	}
}

static void track_call(const struct kc_regs *in, int64_t ret, uint64_t x1)
{
	uint64_t vmid = in->x[1];

	if (ret != KC_OK) {
		return;
	}
	if (in->x[0] == KC_HC_VM_CREATE && x1 <= KC_VMS_MAX) {
		memset(&track[x1], 0, sizeof(track[x1]));
	} else if (in->x[0] == KC_HC_VM_SET_BOOT) {
		track[vmid].ipa = in->x[2];
		track[vmid].bytes = in->x[3];
	} else if (in->x[0] == KC_HC_VM_LOAD_PAGE && in->x[2] < TRACK_PAGES) {
		track[vmid].pfn[in->x[2]] = in->x[3];
		track[vmid].loaded |= UINT64_C(1) << in->x[2];
	}
}

/* The signature over the VM's image as loaded, read from the pages as kcore will hash them. */
static void honest_verify(uint64_t vmid, bool flip)
{
	uint64_t pages, i, off, v, len;
	crypto_sign_ed25519ph_state st;
	int64_t ret;
	uint8_t sig[KC_SIG_BYTES], page[KC_PAGE_SIZE];

	memset(sig, 0x5a, sizeof(sig));
	pages = vmid <= KC_VMS_MAX ? (track[vmid].bytes + KC_PAGE_SIZE - 1) / KC_PAGE_SIZE : 0;
	if (pages > 0 && pages <= TRACK_PAGES && track[vmid].loaded == (UINT64_C(1) << pages) - 1) {
		crypto_sign_ed25519ph_init(&st);
		for (i = 0; i < pages; i++) {
			for (off = 0; off < KC_PAGE_SIZE; off += 8) {
				v = model_phys_read64((track[vmid].pfn[i] << KC_PAGE_SHIFT) + off);
				memcpy(page + off, &v, 8);
			}
			len = track[vmid].bytes - i * KC_PAGE_SIZE;
			len = len < KC_PAGE_SIZE ? len : KC_PAGE_SIZE;
			crypto_sign_ed25519ph_update(&st, page, len);
		}
		fx_sign_state(&st, sig);
	}
	sig[0] ^= flip ? 1u : 0u;
	ret = fx_verify(vmid, sig);
	if (trace) {
		fprintf(stderr, "verify vm %llu%s -> %lld\n", (unsigned long long)vmid,
			flip ? " (flipped)" : "", (long long)ret);
	}
}

/* One guest instruction from four bytes: kind, register (31 = xzr), log2 size, argument. */
static struct model_op guest_op(uint32_t quad)
{
	uint8_t b[4] = { (uint8_t)quad, (uint8_t)(quad >> 8), (uint8_t)(quad >> 16),
			 (uint8_t)(quad >> 24) };
	static const uint64_t args[4] = { FX_IMAGE_IPA, UINT64_C(0x09000000), KC_GC_FIRST, 0 };
	static const uint64_t steps[4] = { KC_PAGE_SIZE, 8, 1, 1 };
	struct model_op op = { (enum model_op_kind)(MOP_MOV + b[0] % 5u), b[1] % 32u, b[2] % 4u,
			       0 };

	op.arg = args[b[3] & 3u] + (uint64_t)(b[3] >> 2) * steps[b[3] & 3u];
	return op;
}

static void guest_program(uint64_t a1, uint64_t a2, uint64_t a3)
{
	uint32_t vmid = 1u + (uint32_t)(a1 % KC_VMS_MAX);
	uint32_t vcpu = (uint32_t)((a1 >> 8) % KC_VM_VCPUS_MAX);
	struct model_op ops[4] = { guest_op((uint32_t)a2), guest_op((uint32_t)(a2 >> 32)),
				   guest_op((uint32_t)a3), guest_op((uint32_t)(a3 >> 32)) };
	uint64_t pc = model_guest_regs(vmid, vcpu)->pc;

	model_guest_program(vmid, vcpu, pc != 0 ? pc : track[vmid].ipa, ops, 4);
}

static void host_access(uint64_t op, uint64_t a1, uint64_t a2, uint64_t a3)
{
	uint64_t pa = (shape(a1) << KC_PAGE_SHIFT & (KC_IPA_LIMIT - 1)) + (a2 % 512u) * 8u, v = 0;
	int r;

	r = (op & 8u) ? model_host_write(pa, a3) : model_host_read(pa, &v);
	if (trace) {
		fprintf(stderr, "host %s 0x%llx -> %s\n", (op & 8u) ? "write" : "read",
			(unsigned long long)pa, r == MODEL_OK ? "ok" : "fault");
	}
}

/* "hvc ID (x1, x2, x3) -> status (x1, x2, x3, x4)" */
static void trace_hvc(const struct kc_regs *in, const struct kc_regs *out)
{
	unsigned int i;

	fprintf(stderr, "hvc 0x%llx (", (unsigned long long)in->x[0]);
	for (i = 1; i <= 3; i++) {
		fprintf(stderr, "0x%llx%s", (unsigned long long)in->x[i], i < 3 ? ", " : "");
	}
	fprintf(stderr, ") -> %lld (", (long long)out->x[0]);
	for (i = 1; i <= 4; i++) {
		fprintf(stderr, "0x%llx%s", (unsigned long long)out->x[i], i < 4 ? ", " : ")\n");
	}
}

static void fuzz_record(const uint8_t *rec)
{
	uint64_t op = word(rec), a1 = word(rec + 8), a2 = word(rec + 16), a3 = word(rec + 24);
	struct kc_regs regs, in;

	switch (op & 7u) {
	case 5: honest_verify(shape(a1), (op & 8u) != 0); return;
	case 6: guest_program(a1, a2, a3); return;
	case 7: host_access(op, a1, a2, a3); return;
	default: break;
	}
	memset(&regs, 0, sizeof(regs));
	regs.x[0] = (op & 7u) == 4u ? op >> 3 : host_calls[(op >> 3) % 12u];
	regs.x[1] = shape(a1);
	regs.x[2] = shape(a2);
	regs.x[3] = shape(a3);
	in = regs;
	model_hvc(&regs);
	track_call(&in, (int64_t)regs.x[0], regs.x[1]);
	if (trace) {
		trace_hvc(&in, &regs);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t off;

	fx_boot();
	memset(track, 0, sizeof(track));
	for (off = 0; off + 32 <= size; off += 32) {
		fuzz_record(data + off);
		if (inv_check("fuzz") != 0) {
			abort();
		}
	}
	return 0;
}

#ifndef KCORE_LIBFUZZER

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

static int replay_file(const char *path)
{
	static uint8_t buf[1 << 16];
	FILE *f = fopen(path, "rb");
	size_t n;

	if (f == NULL) {
		perror(path);
		return -1;
	}
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	LLVMFuzzerTestOneInput(buf, n);
	return 0;
}

/* A file, or every regular file in a directory (a corpus); returns how many were replayed. */
static int replay(const char *path)
{
	char sub[4096];
	struct dirent *d;
	DIR *dir = opendir(path);
	int n = 0;

	if (dir == NULL) {
		return replay_file(path) < 0 ? -1 : 1;
	}
	while ((d = readdir(dir)) != NULL) {
		if (d->d_name[0] != '.' && snprintf(sub, sizeof(sub), "%s/%s", path, d->d_name) <
						   (int)sizeof(sub)) {
			if (replay_file(sub) < 0) {
				n = -1;
				break;
			}
			n++;
		}
	}
	closedir(dir);
	return n;
}

/* kcore-fuzz-hvc [-v] [FILE|DIR]...: replay those, or with none run 3000 generated inputs. */
int main(int argc, char **argv)
{
	static uint8_t buf[1 << 16];
	int i, n, inputs = 0, files = 0;
	uint64_t seed;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-v") == 0) {
			trace = true;
			continue;
		}
		n = replay(argv[i]);
		if (n <= 0) {
			fprintf(stderr, "%s: nothing to replay\n", argv[i]);
			return 2;
		}
		inputs += n;
		files++;
	}
	for (seed = 1; files == 0 && seed <= 3000; seed++) {
		LLVMFuzzerTestOneInput(buf, make_input(buf, sizeof(buf), seed));
		inputs++;
	}
	printf("%d inputs replayed; %u checks failed\n", inputs, test_failures);
	return test_failures == 0 ? 0 : 1;
}
#endif
