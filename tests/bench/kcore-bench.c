/*
 * kcore-bench PHASE N: one measured scenario of kcore on the model machine, for callgrind.
 * Every hypercall to be measured goes through bench_measured_hvc(), which kcore-bench.py names in
 * callgrind's --toggle-collect, so set-up (filling and signing images, guest programs, the calls
 * that get a VM into shape) is not counted. Phases:
 *   version N          N x KC_HC_VERSION
 *   run N              N x KC_HC_VCPU_RUN of a guest that yields at once (run -> exit -> host)
 *   map N              N x KC_HC_VM_MAP, each answering a fresh stage-2 fault
 *   share N / share-base N       N guest runs that share a page / the same without the HVC
 *   unshare N / unshare-base N   the same for unsharing a page the host has mapped
 *   verify N / destroy N / reclaim N   a VM of N image pages (ran once): its KC_HC_VM_VERIFY,
 *                      its KC_HC_VM_DESTROY, and the N KC_HC_VM_RECLAIMs that scrub it
 * Without valgrind it runs the same and prints what it did.
 */
#include <stdlib.h>
#include <string.h>

#include "fixture.h"

unsigned int test_failures;

#define SHARE_IPA(i) (FX_IMAGE_IPA + (1u + (uint64_t)(i)) * KC_PAGE_SIZE)

void bench_measured_hvc(struct kc_regs *regs);

/* The one function callgrind collects in (--toggle-collect=bench_measured_hvc). */
__attribute__((noinline)) void bench_measured_hvc(struct kc_regs *regs)
{
	model_hvc(regs);
}

static struct hc_result measured(uint64_t fn, uint64_t a1, uint64_t a2, uint64_t a3)
{
	struct kc_regs regs;
	struct hc_result r;

	memset(&regs, 0, sizeof(regs));
	regs.x[0] = fn;
	regs.x[1] = a1;
	regs.x[2] = a2;
	regs.x[3] = a3;
	bench_measured_hvc(&regs);
	r.ret = (int64_t)regs.x[0];
	memcpy(r.x, regs.x, sizeof(r.x));
	return r;
}

static void expect(int64_t got, int64_t want, const char *what)
{
	if (got != want) {
		fprintf(stderr, "kcore-bench: %s: %lld, expected %lld\n", what, (long long)got,
			(long long)want);
		exit(1);
	}
}

/* Put a short program at the vCPU's current PC and run it (not measured unless asked). */
static struct hc_result run_prog(uint64_t vm, const struct model_op *ops, uint32_t n, bool measure)
{
	const struct arch_vcpu_regs *seen = model_guest_regs((uint32_t)vm, 0);

	model_guest_program((uint32_t)vm, 0, seen->pc != 0 ? seen->pc : FX_IMAGE_IPA, ops, n);
	return measure ? measured(KC_HC_VCPU_RUN, vm, 0, 0) : fx_run(vm, 0);
}

static void phase_run(uint64_t n)
{
	const struct model_op yield[] = { { MOP_YIELD, 0, 0, 0 } };
	uint64_t vm = fx_vm_verified(8, 1, 1), i;

	for (i = 0; i < n; i++) {
		expect((int64_t)run_prog(vm, yield, 1, true).x[KC_EXIT_REG_CLASS], KC_EXIT_IRQ,
		       "run");
	}
}

/* A running VM with pages 1..n after its image mapped (through faults and KC_HC_VM_MAP). */
static uint64_t vm_with_mapped_pages(uint64_t n, bool measure)
{
	uint64_t vm = fx_vm_verified(8, 1, 1), i;
	struct model_op touch = { MOP_LDR, 1, 3, 0 };
	struct hc_result r;

	for (i = 0; i < n; i++) {
		touch.arg = SHARE_IPA(i);
		r = run_prog(vm, &touch, 1, false);
		expect((int64_t)r.x[KC_EXIT_REG_CLASS], KC_EXIT_MEM_FAULT, "fault");
		r = measure ? measured(KC_HC_VM_MAP, vm, 0, fx_pfn(16 + (uint32_t)i))
			    : hc(KC_HC_VM_MAP, vm, 0, fx_pfn(16 + (uint32_t)i));
		expect(r.ret, KC_OK, "map");
		expect((int64_t)fx_run(vm, 0).x[KC_EXIT_REG_CLASS], KC_EXIT_IRQ, "after map");
	}
	return vm;
}

/* fn = KC_GC_MEM_SHARE or _UNSHARE; base: the same run with the HVC replaced by a MOV. */
static void phase_guest_call(uint64_t n, uint64_t fn, bool base)
{
	uint64_t vm = vm_with_mapped_pages(n, false), i, v = 0;
	struct model_op prog[] = {
		{ MOP_MOV, 0, 0, KC_GC_MEM_SHARE }, { MOP_MOV, 1, 0, 0 },
		{ MOP_HVC, 0, 0, 0 },		    { MOP_YIELD, 0, 0, 0 },
	};
	struct model_op nop = { MOP_MOV, 2, 0, 0 };

	for (i = 0; i < n; i++) {
		prog[0].arg = KC_GC_MEM_SHARE;
		prog[1].arg = SHARE_IPA(i);
		prog[2] = (struct model_op){ MOP_HVC, 0, 0, 0 };
		if (fn == KC_GC_MEM_UNSHARE) { /* shared, and mapped by the host, beforehand */
			run_prog(vm, prog, 4, false);
			expect((int64_t)model_guest_regs((uint32_t)vm, 0)->x[0], KC_OK, "share");
			expect(model_host_read(fx_pa(16 + (uint32_t)i), &v), MODEL_OK, "host map");
			prog[0].arg = KC_GC_MEM_UNSHARE;
		}
		if (base) {
			prog[2] = nop;
		}
		run_prog(vm, prog, 4, true);
		if (!base) {
			expect((int64_t)model_guest_regs((uint32_t)vm, 0)->x[0], KC_OK, "call");
		}
	}
}

/* A VM of `pages` image pages that has run; verify, destroy and reclaim measured as asked. */
static void phase_vm_size(uint64_t pages, const char *what)
{
	const struct model_op yield[] = { { MOP_YIELD, 0, 0, 0 } };
	uint64_t bytes = pages * KC_PAGE_SIZE, vm, i, pfn;
	uint8_t sig[KC_SIG_BYTES];
	struct hc_result r;
	struct kc_regs regs;

	fx_fill(8, (uint32_t)pages, 1);
	fx_sign(8, bytes, sig);
	vm = fx_vm_created(1, bytes);
	for (i = 0; i < pages; i++) {
		expect(hc(KC_HC_VM_LOAD_PAGE, vm, i, fx_pfn(8 + (uint32_t)i)).ret, KC_OK, "load");
	}
	memset(&regs, 0, sizeof(regs));
	regs.x[0] = KC_HC_VM_VERIFY;
	regs.x[1] = vm;
	memcpy(&regs.x[2], sig, KC_SIG_BYTES);
	if (strcmp(what, "verify") == 0) {
		bench_measured_hvc(&regs);
	} else {
		model_hvc(&regs);
	}
	expect((int64_t)regs.x[0], KC_OK, "verify");
	run_prog(vm, yield, 1, false);
	r = strcmp(what, "destroy") == 0 ? measured(KC_HC_VM_DESTROY, vm, 0, 0)
					 : hc(KC_HC_VM_DESTROY, vm, 0, 0);
	expect((int64_t)r.x[1], (int64_t)pages, "destroy");
	for (i = 0; i < pages; i++) {
		pfn = fx_pfn(8 + (uint32_t)i);
		r = strcmp(what, "reclaim") == 0 ? measured(KC_HC_VM_RECLAIM, vm, pfn, 0)
						 : hc(KC_HC_VM_RECLAIM, vm, pfn, 0);
		expect(r.ret, KC_OK, "reclaim");
	}
}

int main(int argc, char **argv)
{
	uint64_t n, i;

	/* Host pages 8.. hold the images and 16.. the mapped pages: below the pool (768). */
	if (argc != 3 || (n = strtoull(argv[2], NULL, 10)) == 0 || n > 100000 ||
	    (n > 700 && strcmp(argv[1], "version") != 0 && strcmp(argv[1], "run") != 0)) {
		fprintf(stderr, "usage: %s version|run|map|share|share-base|unshare|unshare-base|"
				"verify|destroy|reclaim N (1..700 pages)\n", argv[0]);
		return 2;
	}
	fx_boot();
	if (strcmp(argv[1], "version") == 0) {
		for (i = 0; i < n; i++) {
			expect(measured(KC_HC_VERSION, 0, 0, 0).ret, KC_OK, "version");
		}
	} else if (strcmp(argv[1], "run") == 0) {
		phase_run(n);
	} else if (strcmp(argv[1], "map") == 0) {
		vm_with_mapped_pages(n, true);
	} else if (strncmp(argv[1], "share", 5) == 0 || strncmp(argv[1], "unshare", 7) == 0) {
		phase_guest_call(n, argv[1][0] == 'u' ? KC_GC_MEM_UNSHARE : KC_GC_MEM_SHARE,
				 strstr(argv[1], "-base") != NULL);
	} else if (strcmp(argv[1], "verify") == 0 || strcmp(argv[1], "destroy") == 0 ||
		   strcmp(argv[1], "reclaim") == 0) {
		phase_vm_size(n, argv[1]);
	} else {
		fprintf(stderr, "kcore-bench: unknown phase '%s'\n", argv[1]);
		return 2;
	}
	if (inv_check("bench") != 0 || test_failures != 0) {
		return 1;
	}
	printf("kcore-bench %s %llu: done\n", argv[1], (unsigned long long)n);
	return 0;
}
