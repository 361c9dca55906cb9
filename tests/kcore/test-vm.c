/* VM and vCPU state machines, the dispatcher's handling of bad calls, and what an exit shows. */
#include "fixture.h"

#define MMIO_IPA UINT64_C(0x09000010)
#define SECRET UINT64_C(0x5ec2e75ec2e75ec2)

static void test_dispatcher_rejects_bad_calls(void)
{
	struct kc_regs regs = { { 0 } };

	fx_boot();
	CHECK_EQ(hc(KC_HC_VERSION, 0, 0, 0).x[1], KC_ABI_VERSION);
	CHECK_EQ(hc(KC_HC_FEATURES, KC_HC_VM_RECLAIM, 0, 0).ret, KC_OK);
	CHECK_EQ(hc(KC_HC_FEATURES, KC_GC_MEM_SHARE, 0, 0).ret, KC_ENOSYS);
	CHECK_EQ(hc(KC_HC_LAST + 1, 0, 0, 0).ret, KC_ENOSYS);
	CHECK_EQ(hc(KC_GC_MEM_SHARE, 0, 0, 0).ret, KC_ENOSYS); /* a guest call from the host */
	CHECK_EQ(hc(0x84000000u, 0, 0, 0).ret, KC_SMCCC_NOT_SUPPORTED); /* PSCI, not kcore's */
	CHECK_EQ(hc(KC_HC_VERSION | (UINT64_C(1) << 32), 0, 0, 0).ret, KC_SMCCC_NOT_SUPPORTED);
	CHECK_EQ(hc(KC_HC_VERSION & ~KC_SMCCC_64, 0, 0, 0).ret, KC_ENOSYS); /* SMC32 form */
	/* Unused result registers are zeroed, never left with kcore values. */
	regs.x[0] = KC_HC_VM_DESTROY;
	regs.x[1] = 77;
	regs.x[2] = regs.x[3] = regs.x[4] = 0xdead;
	model_hvc(&regs);
	CHECK_EQ((int64_t)regs.x[0], KC_ENOENT);
	CHECK(regs.x[1] == 0 && regs.x[2] == 0 && regs.x[3] == 0 && regs.x[4] == 0);
	inv_check("dispatcher");
}

static void test_vm_lifecycle_and_limits(void)
{
	uint64_t vm, i;

	fx_boot();
	CHECK_EQ(hc(KC_HC_VM_CREATE, KC_VM_QUOTA_MIN - 1, 0, 0).ret, KC_EINVAL);
	CHECK_EQ(hc(KC_HC_VM_CREATE, MODEL_POOL_PAGES, 0, 0).ret, KC_ENOSPC); /* pool too small */
	for (i = 1; i <= KC_VMS_MAX; i++) {
		CHECK_EQ(hc(KC_HC_VM_CREATE, KC_VM_QUOTA_MIN, 0, 0).x[1], i);
	}
	CHECK_EQ(hc(KC_HC_VM_CREATE, KC_VM_QUOTA_MIN, 0, 0).ret, KC_ENOSPC);
	CHECK_EQ(hc(KC_HC_VM_DESTROY, 3, 0, 0).ret, KC_OK); /* no pages: FREE at once */
	CHECK_EQ(hc(KC_HC_VM_DESTROY, 3, 0, 0).ret, KC_ENOENT);
	CHECK_EQ(hc(KC_HC_VM_CREATE, KC_VM_QUOTA_MIN, 0, 0).x[1], 3);

	vm = 1;
	for (i = 0; i < KC_VM_VCPUS_MAX; i++) {
		CHECK_EQ(hc(KC_HC_VCPU_CREATE, vm, 0, 0).x[1], i);
	}
	CHECK_EQ(hc(KC_HC_VCPU_CREATE, vm, 0, 0).ret, KC_ENOSPC);
	CHECK_EQ(hc(KC_HC_VCPU_RUN, vm, 0, 0).ret, KC_EPERM); /* not verified */
	CHECK_EQ(hc(KC_HC_VM_LOAD_PAGE, vm, 0, fx_pfn(10)).ret, KC_EPERM); /* no region */
	CHECK_EQ(hc(KC_HC_VM_SET_BOOT, vm, 0x1000, 4096).ret, KC_EINVAL);	 /* MMIO window */
	CHECK_EQ(hc(KC_HC_VM_SET_BOOT, vm, FX_IMAGE_IPA + 8, 4096).ret, KC_EINVAL);
	CHECK_EQ(hc(KC_HC_VM_SET_BOOT, vm, FX_IMAGE_IPA, 0).ret, KC_EINVAL);
	CHECK_EQ(hc(KC_HC_VM_SET_BOOT, vm, KC_IPA_LIMIT - KC_PAGE_SIZE, 8192).ret, KC_EINVAL);
	CHECK_EQ(hc(KC_HC_VM_SET_BOOT, vm, FX_IMAGE_IPA, (uint64_t)KC_IMAGE_PAGES_MAX * 4096 + 1).ret,
		 KC_EINVAL);
	/* A size whose page count would wrap to 0 (an image of 2^64 - 1 bytes and no page). */
	CHECK_EQ(hc(KC_HC_VM_SET_BOOT, vm, FX_IMAGE_IPA, UINT64_MAX).ret, KC_EINVAL);
	CHECK_EQ(hc(KC_HC_VM_SET_BOOT, vm, FX_IMAGE_IPA, UINT64_MAX - KC_PAGE_SIZE + 2).ret, KC_EINVAL);
	CHECK_EQ(hc(KC_HC_VM_SET_BOOT, vm, FX_IMAGE_IPA, 8192).ret, KC_OK);
	CHECK_EQ(hc(KC_HC_VM_SET_BOOT, vm, FX_IMAGE_IPA, 8192).ret, KC_EEXIST);
	CHECK_EQ(hc(KC_HC_VM_LOAD_PAGE, vm, 2, fx_pfn(10)).ret, KC_EINVAL);
	CHECK_EQ(hc(KC_HC_VM_LOAD_PAGE, vm, 0, fx_pfn(10)).ret, KC_OK);
	CHECK_EQ(hc(KC_HC_VM_LOAD_PAGE, vm, 1, fx_pfn(10)).ret, KC_EPERM); /* already the VM's */
	CHECK_EQ(hc(KC_HC_VM_VERIFY, vm, 0, 0).ret, KC_ENOENT);	   /* page 1 missing */
	CHECK_EQ(hc(KC_HC_VM_DESTROY, vm, 0, 0).x[1], 1);
	CHECK_EQ(hc(KC_HC_VM_DESTROY, vm, 0, 0).ret, KC_EPERM);
	CHECK_EQ(hc(KC_HC_VM_SET_BOOT, vm, FX_IMAGE_IPA, 8192).ret, KC_EPERM);
	CHECK_EQ(hc(KC_HC_VM_RECLAIM, vm, fx_pfn(11), 0).ret, KC_EPERM);
	CHECK_EQ(hc(KC_HC_VM_RECLAIM, 2, fx_pfn(10), 0).ret, KC_EPERM); /* 2 is not dying */
	CHECK_EQ(hc(KC_HC_VM_RECLAIM, vm, fx_pfn(10), 0).ret, KC_OK);
	CHECK_EQ(vm_peek(1)->state, KC_VM_FREE);
	inv_check("lifecycle");
}

static void test_verified_vm_is_sealed(void)
{
	uint64_t vm;

	fx_boot();
	vm = fx_vm_verified(20, 1, 1);
	CHECK_EQ(vm_peek((uint32_t)vm)->state, KC_VM_VERIFIED);
	CHECK_EQ(hc(KC_HC_VCPU_CREATE, vm, 0, 0).ret, KC_EPERM);
	CHECK_EQ(hc(KC_HC_VM_LOAD_PAGE, vm, 0, fx_pfn(30)).ret, KC_EPERM);
	CHECK_EQ(hc(KC_HC_VM_VERIFY, vm, 0, 0).ret, KC_EPERM);
	CHECK_EQ(hc(KC_HC_VM_MAP, vm, 0, fx_pfn(30)).ret, KC_EPERM); /* no fault yet */
	CHECK_EQ(hc(KC_HC_VCPU_RUN, vm, 1, 0).ret, KC_ENOENT);
	CHECK_EQ(fx_run(vm, 0).x[KC_EXIT_REG_CLASS], KC_EXIT_IRQ);
	CHECK_EQ(vm_peek((uint32_t)vm)->state, KC_VM_ACTIVE);
	/* The vCPU starts at the image with x0 = its index and nothing else set. */
	CHECK_EQ(model_guest_regs((uint32_t)vm, 0)->pc, FX_IMAGE_IPA);
	CHECK_EQ(model_guest_regs((uint32_t)vm, 0)->pstate, 0x3c5);
	inv_check("sealed");
}

static void test_exits_show_only_the_mmio_register(void)
{
	const struct model_op prog[] = {
		{ MOP_MOV, 5, 0, SECRET },		      /* a secret in a register */
		{ MOP_MOV, 6, 0, 0xabcd },
		{ MOP_STR, 6, 1, MMIO_IPA },	      /* 16-bit MMIO write of x6 */
		{ MOP_LDR, 7, 0, MMIO_IPA + 1 },	      /* 8-bit MMIO read into x7 */
		{ MOP_STR, 5, 3, FX_IMAGE_IPA + 0x200123 }, /* RAM fault: offset and data stay hidden */
		{ MOP_YIELD, 0, 0, 0 },
	};
	struct hc_result r;
	uint64_t vm;

	fx_boot();
	vm = fx_vm_verified(40, 1, 1);
	model_guest_program((uint32_t)vm, 0, FX_IMAGE_IPA, prog, 6);
	r = fx_run(vm, 0);
	CHECK_EQ(r.x[KC_EXIT_REG_CLASS], KC_EXIT_MMIO);
	CHECK_EQ(r.x[KC_EXIT_REG_IPA], MMIO_IPA);
	CHECK_EQ(r.x[KC_EXIT_REG_FLAGS], KC_EXIT_FLAG_WRITE | (1u << KC_EXIT_SIZE_SHIFT));
	CHECK_EQ(r.x[KC_EXIT_REG_DATA], 0xabcd);
	CHECK_EQ(hc(KC_HC_MMIO_COMPLETE, vm, 0, 1).ret, KC_EPERM); /* a write needs no value */
	r = fx_run(vm, 0);
	CHECK_EQ(r.x[KC_EXIT_REG_CLASS], KC_EXIT_MMIO);
	CHECK_EQ(r.x[KC_EXIT_REG_IPA], MMIO_IPA + 1);
	CHECK_EQ(r.x[KC_EXIT_REG_FLAGS], 0);
	CHECK_EQ(r.x[KC_EXIT_REG_DATA], 0);
	CHECK_EQ(fx_run(vm, 0).ret, KC_EBUSY); /* the read is not answered */
	CHECK_EQ(hc(KC_HC_MMIO_COMPLETE, vm, 0, 0x1ff).ret, KC_OK);
	CHECK_EQ(hc(KC_HC_MMIO_COMPLETE, vm, 0, 0x1ff).ret, KC_EPERM);
	r = fx_run(vm, 0);
	CHECK_EQ(model_guest_regs((uint32_t)vm, 0)->x[7], 0xff); /* masked to the access size */
	CHECK_EQ(r.x[KC_EXIT_REG_CLASS], KC_EXIT_MEM_FAULT);
	CHECK_EQ(r.x[KC_EXIT_REG_IPA], FX_IMAGE_IPA + 0x200000);
	CHECK(r.x[KC_EXIT_REG_FLAGS] == 0 && r.x[KC_EXIT_REG_DATA] == 0);
	CHECK_EQ(hc(KC_HC_MMIO_COMPLETE, vm, 0, 1).ret, KC_EPERM);
	CHECK_EQ(hc(KC_HC_VM_MAP, vm, 0, fx_pfn(41)).ret, KC_OK);
	CHECK_EQ(hc(KC_HC_VM_MAP, vm, 0, fx_pfn(42)).ret, KC_EPERM); /* answered already */
	CHECK_EQ(fx_run(vm, 0).x[KC_EXIT_REG_CLASS], KC_EXIT_IRQ);
	CHECK_EQ(model_phys_read64(fx_pa(41) + 0x123), SECRET);
	inv_check("exits");
}

static void test_guest_calls(void)
{
	struct model_op prog[MODEL_PROG_MAX];
	uint64_t vm;
	uint32_t i, n = 0;

	fx_boot();
	vm = fx_vm_verified(50, 1, 1);
	prog[n++] = (struct model_op){ MOP_MOV, 0, 0, KC_GC_VERSION };
	prog[n++] = (struct model_op){ MOP_HVC, 0, 0, 0 };
	/* Then an unknown call, a share of an unmapped IPA and of a misaligned one. */
	prog[n++] = (struct model_op){ MOP_MOV, 0, 0, 0xc6000299u };
	prog[n++] = (struct model_op){ MOP_HVC, 0, 0, 0 };
	prog[n++] = (struct model_op){ MOP_STR, 0, 3, MMIO_IPA }; /* report x0 via MMIO */
	prog[n++] = (struct model_op){ MOP_MOV, 0, 0, KC_GC_MEM_SHARE };
	prog[n++] = (struct model_op){ MOP_MOV, 1, 0, FX_IMAGE_IPA + 0x5000 };
	prog[n++] = (struct model_op){ MOP_HVC, 0, 0, 0 };
	prog[n++] = (struct model_op){ MOP_STR, 0, 3, MMIO_IPA };
	prog[n++] = (struct model_op){ MOP_MOV, 0, 0, KC_GC_MEM_SHARE };
	prog[n++] = (struct model_op){ MOP_MOV, 1, 0, FX_IMAGE_IPA + 1 };
	prog[n++] = (struct model_op){ MOP_HVC, 0, 0, 0 };
	prog[n++] = (struct model_op){ MOP_STR, 0, 3, MMIO_IPA };
	model_guest_program((uint32_t)vm, 0, FX_IMAGE_IPA, prog, n);
	CHECK_EQ(fx_run(vm, 0).x[KC_EXIT_REG_DATA], KC_SMCCC_NOT_SUPPORTED & 0xffffffffffffffffu);
	CHECK_EQ(fx_run(vm, 0).x[KC_EXIT_REG_DATA], (uint64_t)(int64_t)KC_ENOENT);
	CHECK_EQ(fx_run(vm, 0).x[KC_EXIT_REG_DATA], (uint64_t)(int64_t)KC_EINVAL);

	/* A guest that only makes calls still returns to the host after a bounded number. */
	for (i = 0; i < MODEL_PROG_MAX; i++) {
		prog[i] = (struct model_op){ i % 2 ? MOP_HVC : MOP_MOV, 0, 0, KC_GC_VERSION };
	}
	model_guest_program((uint32_t)vm, 0, model_guest_regs((uint32_t)vm, 0)->pc + 4, prog,
			    MODEL_PROG_MAX);
	CHECK_EQ(fx_run(vm, 0).x[KC_EXIT_REG_CLASS], KC_EXIT_IRQ);
	CHECK_EQ(model_guest_regs((uint32_t)vm, 0)->x[1], KC_ABI_VERSION);
	inv_check("guest calls");
}

/* vCPU 0's PSCI calls, each reported through an MMIO write of x0 (see test_guest_psci). */
#define SEC_ENTRY (FX_IMAGE_IPA + 0x800)
#define OP(k, r, a) (prog[n++] = (struct model_op){ (k), (r), 0, (a) })
#define REPORT() (prog[n++] = (struct model_op){ MOP_STR, 0, 3, MMIO_IPA })

static uint32_t psci_program(struct model_op *prog)
{
	uint32_t n = 0;
	/* (this list and the checks in test_guest_psci go step by step together) */

	OP(MOP_MOV, 0, KC_PSCI_VERSION), OP(MOP_HVC, 0, 0), REPORT();
	OP(MOP_MOV, 0, KC_PSCI_AFFINITY_INFO), OP(MOP_MOV, 1, 1), OP(MOP_SMC, 0, 0), REPORT();
	OP(MOP_MOV, 0, KC_PSCI_CPU_ON), OP(MOP_MOV, 1, 3), OP(MOP_MOV, 2, SEC_ENTRY), OP(MOP_HVC, 0, 0),
		REPORT();
	OP(MOP_MOV, 0, KC_PSCI_CPU_ON), OP(MOP_MOV, 1, 1), OP(MOP_MOV, 2, 0x1000), OP(MOP_HVC, 0, 0),
		REPORT();
	OP(MOP_MOV, 0, KC_PSCI_CPU_ON), OP(MOP_MOV, 1, 1), OP(MOP_MOV, 2, SEC_ENTRY),
		OP(MOP_MOV, 3, 0x77), OP(MOP_HVC, 0, 0), REPORT();
	OP(MOP_MOV, 0, KC_PSCI_CPU_ON), OP(MOP_MOV, 1, 1), OP(MOP_MOV, 2, SEC_ENTRY), OP(MOP_HVC, 0, 0),
		REPORT();
	OP(MOP_MOV, 0, KC_PSCI_FEATURES), OP(MOP_MOV, 1, (UINT64_C(1) << 32) | KC_PSCI_CPU_ON),
		OP(MOP_HVC, 0, 0), REPORT();
	OP(MOP_MOV, 0, KC_PSCI_FEATURES), OP(MOP_MOV, 1, 0x84000001u), OP(MOP_HVC, 0, 0), REPORT();
	OP(MOP_MOV, 0, KC_PSCI_MIGRATE_INFO_TYPE), OP(MOP_HVC, 0, 0), REPORT();
	OP(MOP_MOV, 0, KC_PSCI_CPU_SUSPEND), OP(MOP_HVC, 0, 0), REPORT();
	OP(MOP_MOV, 0, KC_PSCI_AFFINITY_INFO), OP(MOP_MOV, 1, 1), OP(MOP_HVC, 0, 0), REPORT();
	OP(MOP_MOV, 0, KC_PSCI_AFFINITY_INFO), OP(MOP_MOV, 1, 0), OP(MOP_MOV, 2, 1), OP(MOP_HVC, 0, 0),
		REPORT();
	OP(MOP_MOV, 0, KC_PSCI_SYSTEM_OFF), OP(MOP_SMC, 0, 0);
	return n;
}

static uint64_t run_report(uint64_t vm, uint64_t vcpu)
{
	struct hc_result r = fx_run(vm, vcpu);

	CHECK_EQ(r.x[KC_EXIT_REG_CLASS], KC_EXIT_MMIO);
	return r.x[KC_EXIT_REG_DATA];
}

static void test_guest_psci(void)
{
	struct model_op prog[MODEL_PROG_MAX], sec[4];
	struct hc_result r;
	uint32_t n;
	uint64_t vm;

	fx_boot();
	vm = fx_vm_verified(60, 1, 3);
	n = psci_program(prog);
	model_guest_program((uint32_t)vm, 0, FX_IMAGE_IPA, prog, n);
	/* vCPU 1 reports its x0 and x1, then switches itself off. */
	sec[0] = (struct model_op){ MOP_STR, 0, 3, MMIO_IPA };
	sec[1] = (struct model_op){ MOP_STR, 1, 3, MMIO_IPA };
	sec[2] = (struct model_op){ MOP_MOV, 0, 0, KC_PSCI_CPU_OFF };
	sec[3] = (struct model_op){ MOP_HVC, 0, 0, 0 };
	model_guest_program((uint32_t)vm, 1, SEC_ENTRY, sec, 4);

	/* Secondaries start off: running one does nothing until the guest switches it on. */
	CHECK_EQ(fx_run(vm, 1).x[KC_EXIT_REG_CLASS], KC_EXIT_VCPU_OFF);
	CHECK_EQ(model_guest_resets((uint32_t)vm, 1), 0);
	CHECK_EQ(run_report(vm, 0), KC_PSCI_VERSION_1_0);
	CHECK_EQ(model_guest_resets((uint32_t)vm, 0), 1);
	CHECK_EQ(run_report(vm, 0), KC_PSCI_AFF_OFF); /* through SMC: it returned past the SMC */
	CHECK_EQ(run_report(vm, 0), (uint64_t)(int64_t)KC_PSCI_INVALID_PARAMETERS); /* no vCPU 3 */
	CHECK_EQ(run_report(vm, 0), (uint64_t)(int64_t)KC_PSCI_INVALID_ADDRESS);    /* MMIO entry */
	r = fx_run(vm, 0);
	CHECK_EQ(r.x[KC_EXIT_REG_CLASS], KC_EXIT_CPU_ON);
	CHECK(r.x[KC_EXIT_REG_DATA] == 1 && r.x[KC_EXIT_REG_IPA] == 0 && r.x[KC_EXIT_REG_FLAGS] == 0);
	CHECK_EQ(run_report(vm, 0), KC_PSCI_SUCCESS);
	CHECK_EQ(run_report(vm, 0), (uint64_t)(int64_t)KC_PSCI_ON_PENDING);
	CHECK_EQ(run_report(vm, 0), KC_PSCI_SUCCESS); /* FEATURES(CPU_ON): w1, bits 63:32 ignored */
	CHECK_EQ(run_report(vm, 0), (uint64_t)(int64_t)KC_PSCI_NOT_SUPPORTED); /* CPU_SUSPEND */
	CHECK_EQ(run_report(vm, 0), KC_PSCI_TOS_NOT_PRESENT);
	CHECK_EQ(fx_run(vm, 0).x[KC_EXIT_REG_CLASS], KC_EXIT_IRQ); /* CPU_SUSPEND: a standby */
	CHECK_EQ(run_report(vm, 0), KC_PSCI_SUCCESS);

	/* vCPU 1 starts from reset at the entry, x0 = the context, every other register zero. */
	CHECK_EQ(run_report(vm, 1), 0x77);
	CHECK_EQ(model_guest_resets((uint32_t)vm, 1), 1);
	CHECK_EQ(run_report(vm, 1), 0);
	CHECK_EQ(fx_run(vm, 1).x[KC_EXIT_REG_CLASS], KC_EXIT_VCPU_OFF);
	CHECK_EQ(fx_run(vm, 1).x[KC_EXIT_REG_CLASS], KC_EXIT_VCPU_OFF); /* off stays off */
	CHECK_EQ(model_guest_resets((uint32_t)vm, 1), 1);
	CHECK_EQ(fx_run(vm, 2).x[KC_EXIT_REG_CLASS], KC_EXIT_VCPU_OFF);
	CHECK_EQ(run_report(vm, 0), KC_PSCI_AFF_OFF);
	CHECK_EQ(run_report(vm, 0), (uint64_t)(int64_t)KC_PSCI_INVALID_PARAMETERS); /* level 1 */

	/* SYSTEM_OFF: every vCPU of the VM reports it and none runs again; the VM can go. */
	CHECK_EQ(fx_run(vm, 0).x[KC_EXIT_REG_CLASS], KC_EXIT_SYSTEM_OFF);
	CHECK_EQ(fx_run(vm, 0).x[KC_EXIT_REG_CLASS], KC_EXIT_SYSTEM_OFF);
	CHECK_EQ(fx_run(vm, 1).x[KC_EXIT_REG_CLASS], KC_EXIT_SYSTEM_OFF);
	CHECK_EQ(model_guest_resets((uint32_t)vm, 0), 1);
	CHECK_EQ(hc(KC_HC_VM_DESTROY, vm, 0, 0).ret, KC_OK);
	inv_check("psci");
}

const struct test_case tests_vm[] = {
	{ "dispatcher rejects bad calls", test_dispatcher_rejects_bad_calls },
	{ "vm lifecycle and limits", test_vm_lifecycle_and_limits },
	{ "verified vm is sealed", test_verified_vm_is_sealed },
	{ "exits show only the mmio register", test_exits_show_only_the_mmio_register },
	{ "guest calls", test_guest_calls },
	{ "guest psci", test_guest_psci },
	{ NULL, NULL },
};
