/* Attacks by a malicious host or guest, through the model's real accesses: each must fail. */
#include "fixture.h"

#define SECRET UINT64_C(0x5ec2e75ec2e75ec2)
#define RAM_IPA(n) (FX_IMAGE_IPA + 0x100000u + (uint64_t)(n) * KC_PAGE_SIZE)

/* Run vCPU 0 of vm on prog; a RAM fault is answered with host page `answer`. */
static void run_prog(uint64_t vm, const struct model_op *prog, uint32_t n, uint32_t answer)
{
	struct hc_result r;

	model_guest_program((uint32_t)vm, 0, model_guest_regs((uint32_t)vm, 0)->pc, prog, n);
	for (;;) {
		r = fx_run(vm, 0);
		CHECK_EQ(r.ret, KC_OK);
		if (r.ret != KC_OK || r.x[KC_EXIT_REG_CLASS] != KC_EXIT_MEM_FAULT) {
			break;
		}
		CHECK_EQ(hc(KC_HC_VM_MAP, vm, 0, fx_pfn(answer++)).ret, KC_OK);
	}
}

/* Start a VM (image at host pages first..) and make it write SECRET to a fresh RAM page. */
static uint64_t vm_with_secret(uint32_t first, uint32_t answer)
{
	const struct model_op prog[] = {
		{ MOP_MOV, 5, 0, SECRET }, { MOP_STR, 5, 3, RAM_IPA(0) }, { MOP_YIELD, 0, 0, 0 },
	};
	uint64_t vm = fx_vm_verified(first, 1, 1);

	CHECK_EQ(fx_run(vm, 0).x[KC_EXIT_REG_CLASS], KC_EXIT_IRQ);
	run_prog(vm, prog, 3, answer);
	CHECK_EQ(model_phys_read64(fx_pa(answer)), SECRET);
	return vm;
}

static void test_host_cannot_touch_donated_pages(void)
{
	uint64_t v = 0;

	fx_boot();
	/* The host had the page mapped (and in its TLB) before giving it away. */
	CHECK_EQ(model_host_write(fx_pa(401), 7), MODEL_OK);
	(void)vm_with_secret(400, 401);
	CHECK_EQ(model_host_read(fx_pa(401), &v), MODEL_FAULT);
	CHECK_EQ(model_host_write(fx_pa(401), 0), MODEL_FAULT);
	CHECK_EQ(model_host_read(fx_pa(400), &v), MODEL_FAULT); /* the image page too */
	CHECK_EQ(model_phys_read64(fx_pa(401)), SECRET);
	inv_check("host reads donated");
}

static void test_host_cannot_map_a_page_twice_or_kcore_pages(void)
{
	uint64_t a, b, v, pool_pfn = (MODEL_POOL_BASE >> KC_PAGE_SHIFT) + MODEL_POOL_PAGES - 1u;
	const struct model_op touch[] = { { MOP_LDR, 1, 3, RAM_IPA(0) }, { MOP_YIELD, 0, 0, 0 } };

	fx_boot();
	a = vm_with_secret(410, 411);
	b = fx_vm_verified(420, 1, 1);
	CHECK_EQ(fx_run(b, 0).x[KC_EXIT_REG_CLASS], KC_EXIT_IRQ);
	model_guest_program((uint32_t)b, 0, model_guest_regs((uint32_t)b, 0)->pc, touch, 2);
	CHECK_EQ(fx_run(b, 0).x[KC_EXIT_REG_CLASS], KC_EXIT_MEM_FAULT);
	/* A's page into B (the same page in two VMs), a kcore pool page, a root page, non-RAM. */
	CHECK_EQ(hc(KC_HC_VM_MAP, b, 0, fx_pfn(411)).ret, KC_EPERM);
	CHECK_EQ(hc(KC_HC_VM_MAP, b, 0, fx_pfn(410)).ret, KC_EPERM);
	CHECK_EQ(hc(KC_HC_VM_MAP, b, 0, pool_pfn).ret, KC_EPERM);
	CHECK_EQ(hc(KC_HC_VM_MAP, b, 0, MODEL_POOL_BASE >> KC_PAGE_SHIFT).ret, KC_EPERM);
	/* kcore's own image (kc_boot_info.kcore_base): never the host's, never a VM's. */
	CHECK_EQ(hc(KC_HC_VM_MAP, b, 0, MODEL_KCORE_BASE >> KC_PAGE_SHIFT).ret, KC_EPERM);
	CHECK_EQ(model_host_read(MODEL_KCORE_BASE, &v), MODEL_FAULT);
	CHECK_EQ(model_host_write(MODEL_POOL_BASE - 8, 0x41), MODEL_FAULT);
	CHECK_EQ(hc(KC_HC_VM_MAP, b, 0, 0x9000).ret, KC_EPERM);
	CHECK_EQ(hc(KC_HC_VM_MAP, b, 0, UINT64_C(1) << 40).ret, KC_EINVAL);
	CHECK_EQ(hc(KC_HC_VM_MAP, a, 0, fx_pfn(430)).ret, KC_EPERM); /* A has no pending fault */
	/* B still faults and reads its own fresh page, never A's secret. */
	CHECK_EQ(hc(KC_HC_VM_MAP, b, 0, fx_pfn(421)).ret, KC_OK);
	CHECK_EQ(fx_run(b, 0).x[KC_EXIT_REG_CLASS], KC_EXIT_IRQ);
	CHECK(model_guest_regs((uint32_t)b, 0)->x[1] != SECRET);
	inv_check("double map");
}

static void test_guest_cannot_read_other_vm(void)
{
	uint64_t b;
	const struct model_op peek[] = {
		{ MOP_LDR, 2, 3, RAM_IPA(0) }, { MOP_LDR, 3, 3, FX_IMAGE_IPA }, { MOP_YIELD, 0, 0, 0 },
	};
	struct hc_result r;

	fx_boot();
	(void)vm_with_secret(440, 441);
	b = fx_vm_verified(450, 1, 1);
	CHECK_EQ(fx_run(b, 0).x[KC_EXIT_REG_CLASS], KC_EXIT_IRQ);
	/* B's stage-2 has its own image at FX_IMAGE_IPA and nothing at A's RAM IPA. */
	model_guest_program((uint32_t)b, 0, model_guest_regs((uint32_t)b, 0)->pc, peek, 3);
	r = fx_run(b, 0);
	CHECK_EQ(r.x[KC_EXIT_REG_CLASS], KC_EXIT_MEM_FAULT);
	CHECK_EQ(r.x[KC_EXIT_REG_IPA], RAM_IPA(0));
	CHECK_EQ(hc(KC_HC_VM_MAP, b, 0, fx_pfn(441)).ret, KC_EPERM);
	CHECK_EQ(hc(KC_HC_VM_MAP, b, 0, fx_pfn(451)).ret, KC_OK);
	CHECK_EQ(fx_run(b, 0).x[KC_EXIT_REG_CLASS], KC_EXIT_IRQ);
	CHECK(model_guest_regs((uint32_t)b, 0)->x[2] != SECRET);
	CHECK_EQ(model_guest_regs((uint32_t)b, 0)->x[3], model_phys_read64(fx_pa(450)));
	inv_check("cross-VM read");
}

static void test_revoked_share_faults_for_host(void)
{
	const struct model_op share[] = {
		{ MOP_MOV, 0, 0, KC_GC_MEM_SHARE }, { MOP_MOV, 1, 0, RAM_IPA(0) }, { MOP_HVC, 0, 0, 0 },
		{ MOP_YIELD, 0, 0, 0 },
	};
	const struct model_op unshare[] = {
		{ MOP_MOV, 0, 0, KC_GC_MEM_UNSHARE }, { MOP_MOV, 1, 0, RAM_IPA(0) }, { MOP_HVC, 0, 0, 0 },
		{ MOP_YIELD, 0, 0, 0 },
	};
	uint64_t vm, v = 0;

	fx_boot();
	vm = vm_with_secret(460, 461);
	run_prog(vm, share, 4, 0);
	CHECK_EQ(model_guest_regs((uint32_t)vm, 0)->x[0], KC_OK);
	CHECK_EQ(model_host_read(fx_pa(461), &v), MODEL_OK); /* now in the host's TLB too */
	CHECK_EQ(v, SECRET);
	CHECK(model_tlb_count(0) > 0);
	run_prog(vm, unshare, 4, 0);
	CHECK_EQ(model_guest_regs((uint32_t)vm, 0)->x[0], KC_OK);
	/* Only a real TLBI (stage 2 and stage 1, completed) makes this fault. */
	CHECK_EQ(model_host_read(fx_pa(461), &v), MODEL_FAULT);
	CHECK_EQ(model_host_write(fx_pa(461), 0), MODEL_FAULT);
	inv_check("revoke share");
}

static void test_changed_image_is_refused(void)
{
	uint8_t sig[KC_SIG_BYTES];
	uint64_t vm, v = 0;

	fx_boot();
	fx_fill(470, 2, 1);
	fx_sign(470, 2 * KC_PAGE_SIZE, sig);
	CHECK_EQ(model_host_write(fx_pa(471) + 256, 0xbad), MODEL_OK); /* after signing */
	vm = fx_vm_created(1, 2 * KC_PAGE_SIZE);
	CHECK_EQ(hc(KC_HC_VM_LOAD_PAGE, vm, 0, fx_pfn(470)).ret, KC_OK);
	CHECK_EQ(hc(KC_HC_VM_LOAD_PAGE, vm, 1, fx_pfn(471)).ret, KC_OK);
	CHECK_EQ(fx_verify(vm, sig), KC_EBADMSG);
	CHECK_EQ(fx_run(vm, 0).ret, KC_EPERM);
	CHECK_EQ(vm_peek((uint32_t)vm)->state, KC_VM_CREATED);
	/* Nor can the host fix up the loaded pages afterwards, or swap one. */
	CHECK_EQ(model_host_write(fx_pa(471) + 256, 0), MODEL_FAULT);
	CHECK_EQ(hc(KC_HC_VM_LOAD_PAGE, vm, 1, fx_pfn(472)).ret, KC_EEXIST);
	CHECK_EQ(fx_verify(vm, sig), KC_EBADMSG);
	/* A signature by another key (a flipped bit) fails the same way on a good image. */
	fx_boot();
	fx_fill(470, 1, 1);
	fx_sign(470, KC_PAGE_SIZE, sig);
	sig[5] ^= 1;
	vm = fx_vm_created(1, KC_PAGE_SIZE);
	CHECK_EQ(hc(KC_HC_VM_LOAD_PAGE, vm, 0, fx_pfn(470)).ret, KC_OK);
	CHECK_EQ(fx_verify(vm, sig), KC_EBADMSG);
	sig[5] ^= 1;
	CHECK_EQ(fx_verify(vm, sig), KC_OK);
	CHECK_EQ(model_host_read(fx_pa(470), &v), MODEL_FAULT);
	inv_check("changed image");
}

static void test_returned_page_reads_zero(void)
{
	uint64_t vm, v = 1;

	fx_boot();
	vm = vm_with_secret(480, 481);
	CHECK_EQ(hc(KC_HC_VM_DESTROY, vm, 0, 0).x[1], 2);
	CHECK_EQ(model_host_read(fx_pa(481), &v), MODEL_FAULT); /* not yet returned */
	CHECK_EQ(hc(KC_HC_VM_RECLAIM, vm, fx_pfn(481), 0).x[1], 1);
	CHECK_EQ(model_host_read(fx_pa(481), &v), MODEL_OK);
	CHECK_EQ(v, 0);
	CHECK(model_page_is_zero(fx_pa(481)) && model_page_clean(fx_pa(481)));
	CHECK_EQ(hc(KC_HC_VM_RECLAIM, vm, fx_pfn(480), 0).x[1], 0);
	CHECK_EQ(model_host_read(fx_pa(480) + 8, &v), MODEL_OK);
	CHECK_EQ(v, 0);
	inv_check("scrub");
}

/* A reused VMID starts with no translation left over from its previous VM. */
static void test_reused_vmid_sees_nothing_stale(void)
{
	const struct model_op peek[] = { { MOP_LDR, 2, 3, RAM_IPA(0) }, { MOP_YIELD, 0, 0, 0 } };
	uint64_t vm, again;
	struct hc_result r;

	fx_boot();
	vm = vm_with_secret(490, 491);
	CHECK(model_tlb_count((uint32_t)vm) > 0);
	CHECK_EQ(hc(KC_HC_VM_DESTROY, vm, 0, 0).ret, KC_OK);
	CHECK_EQ(hc(KC_HC_VM_RECLAIM, vm, fx_pfn(491), 0).ret, KC_OK);
	CHECK_EQ(hc(KC_HC_VM_RECLAIM, vm, fx_pfn(490), 0).ret, KC_OK);
	CHECK_EQ(model_tlb_count((uint32_t)vm), 0);
	again = fx_vm_verified(495, 1, 1);
	CHECK_EQ(again, vm);
	/* The new VM's first instruction reads the IPA the old one wrote. */
	model_guest_program((uint32_t)again, 0, FX_IMAGE_IPA, peek, 2);
	r = fx_run(again, 0);
	CHECK_EQ(r.x[KC_EXIT_REG_CLASS], KC_EXIT_MEM_FAULT);
	CHECK_EQ(r.x[KC_EXIT_REG_IPA], RAM_IPA(0));
	inv_check("vmid reuse");
}

const struct test_case tests_attack[] = {
	{ "host cannot touch donated pages", test_host_cannot_touch_donated_pages },
	{ "host cannot map a page twice or kcore pages", test_host_cannot_map_a_page_twice_or_kcore_pages },
	{ "guest cannot read another VM", test_guest_cannot_read_other_vm },
	{ "revoked share faults for the host", test_revoked_share_faults_for_host },
	{ "changed image is refused", test_changed_image_is_refused },
	{ "returned page reads zero", test_returned_page_reads_zero },
	{ "reused vmid sees nothing stale", test_reused_vmid_sees_nothing_stale },
	{ NULL, NULL },
};
