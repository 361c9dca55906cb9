/* kcore hypercall ABI: the one contract between kcore (EL2) and the host or guests; see kcore-abi.md. */
#ifndef KCORE_ABI_H
#define KCORE_ABI_H

#if defined(__KERNEL__)
#include <linux/types.h>
#ifndef UINT64_C
#define UINT64_C(c) c##ULL
#endif
#else
#include <stdint.h>
#endif

/*
 * Calling convention (SMCCC v1.2, HVC #0, SMC64 fast calls):
 *   in:  x0 = function id, x1..x6 = arguments (unused ones are ignored)
 *   out: x0 = status (KC_OK or a negative KC_E* code), x1..x4 = results (0 when unused)
 * Function ids lie in the vendor-specific hypervisor service range (OEN 6).
 * Host calls use numbers 0x0100-0x01ff, guest calls 0x0200-0x02ff.
 */
#define KC_SMCCC_FAST_CALL	0x80000000u
#define KC_SMCCC_64		0x40000000u
#define KC_SMCCC_OEN_SHIFT	24
#define KC_SMCCC_OEN_MASK	0x3f000000u
#define KC_SMCCC_OEN_VENDOR_HYP	6u
#define KC_SMCCC_MBZ_MASK	0x00ff0000u	/* must be zero in a fast call id */
#define KC_SMCCC_FUNC_MASK	0x0000ffffu
#define KC_FN(num)                                                                              \
	(KC_SMCCC_FAST_CALL | KC_SMCCC_64 | (KC_SMCCC_OEN_VENDOR_HYP << KC_SMCCC_OEN_SHIFT) |  \
	 (uint32_t)(num))

/* Host -> kcore. Arguments and results per call are in kcore-abi.md. */
#define KC_HC_VERSION		KC_FN(0x0100) /* -> x1 = KC_ABI_VERSION */
#define KC_HC_FEATURES		KC_FN(0x0101) /* x1 = fn id -> KC_OK if the host may call it */
#define KC_HC_VM_CREATE		KC_FN(0x0102) /* x1 = stage-2 table page quota -> x1 = vmid */
#define KC_HC_VM_DESTROY	KC_FN(0x0103) /* x1 = vmid -> x1 = pages still to reclaim */
#define KC_HC_VCPU_CREATE	KC_FN(0x0104) /* x1 = vmid -> x1 = vcpu index */
#define KC_HC_VM_SET_BOOT	KC_FN(0x0105) /* x1 = vmid, x2 = image IPA, x3 = image bytes */
#define KC_HC_VM_LOAD_PAGE	KC_FN(0x0106) /* x1 = vmid, x2 = page index, x3 = host PFN */
#define KC_HC_VM_VERIFY		KC_FN(0x0107) /* x1 = vmid, x2..x9 = signature (64 bytes LE) */
#define KC_HC_VM_MAP		KC_FN(0x0108) /* x1 = vmid, x2 = vcpu, x3 = host PFN */
#define KC_HC_VCPU_RUN		KC_FN(0x0109) /* x1 = vmid, x2 = vcpu -> x1..x4 = exit info */
#define KC_HC_MMIO_COMPLETE	KC_FN(0x010a) /* x1 = vmid, x2 = vcpu, x3 = value read */
#define KC_HC_VM_RECLAIM	KC_FN(0x010b) /* x1 = vmid, x2 = PFN -> x1 = pages left */
#define KC_HC_FIRST		KC_HC_VERSION
#define KC_HC_LAST		KC_HC_VM_RECLAIM

/* Guest -> kcore (HVC from EL1 of a protected VM). */
#define KC_GC_VERSION		KC_FN(0x0200) /* -> x1 = KC_ABI_VERSION */
#define KC_GC_MEM_SHARE		KC_FN(0x0201) /* x1 = IPA of an own page: let the host map it */
#define KC_GC_MEM_UNSHARE	KC_FN(0x0202) /* x1 = IPA: drop one share; at 0 the host loses it */
#define KC_GC_FIRST		KC_GC_VERSION
#define KC_GC_LAST		KC_GC_MEM_UNSHARE

/*
 * Guest -> kcore: PSCI 1.0 (standard secure service, OEN 4), by HVC #0 or SMC #0. vCPU i has
 * MPIDR_EL1.Aff0 = i; a PSCI target is that affinity value (Aff1..Aff3 zero).
 */
#define KC_PSCI_VERSION		0x84000000u	/* -> KC_PSCI_VERSION_1_0 */
#define KC_PSCI_CPU_SUSPEND	0xc4000001u	/* x1 = power state: a standby, as WFI */
#define KC_PSCI_CPU_OFF		0x84000002u
#define KC_PSCI_CPU_ON		0xc4000003u	/* x1 = target, x2 = entry IPA, x3 = context */
#define KC_PSCI_AFFINITY_INFO	0xc4000004u	/* x1 = target, x2 = lowest level (0) */
#define KC_PSCI_MIGRATE_INFO_TYPE 0x84000006u	/* -> KC_PSCI_TOS_NOT_PRESENT */
#define KC_PSCI_SYSTEM_OFF	0x84000008u
#define KC_PSCI_SYSTEM_RESET	0x84000009u
#define KC_PSCI_FEATURES	0x8400000au	/* x1 = function id -> 0 if implemented */
#define KC_PSCI_VERSION_1_0	0x00010000u
#define KC_PSCI_TOS_NOT_PRESENT	2

#define KC_PSCI_SUCCESS			0
#define KC_PSCI_NOT_SUPPORTED		(-1)
#define KC_PSCI_INVALID_PARAMETERS	(-2)
#define KC_PSCI_ALREADY_ON		(-4)
#define KC_PSCI_ON_PENDING		(-5)
#define KC_PSCI_INVALID_ADDRESS		(-9)

/* AFFINITY_INFO results. */
#define KC_PSCI_AFF_ON		0
#define KC_PSCI_AFF_OFF		1
#define KC_PSCI_AFF_ON_PENDING	2

#define KC_ABI_VERSION_MAJOR	0u
#define KC_ABI_VERSION_MINOR	2u
#define KC_ABI_VERSION		((KC_ABI_VERSION_MAJOR << 16) | KC_ABI_VERSION_MINOR)

/*
 * Status codes: negative Linux errno values, so kserv can pass them through.
 * A function id outside kcore's ranges gets the SMCCC NOT_SUPPORTED value,
 * which has the same bit pattern as KC_EPERM: callers look at it only for
 * ids they know are kcore's.
 */
#define KC_OK			0
#define KC_EPERM		(-1)	/* the page, VM or vCPU is in the wrong state */
#define KC_ENOENT		(-2)	/* no such VM, vCPU or mapping */
#define KC_EAGAIN		(-11)	/* nothing to do yet (e.g. no pending fault) */
#define KC_ENOMEM		(-12)	/* the VM's stage-2 table quota is used up */
#define KC_EBUSY		(-16)	/* a vCPU is running, or an MMIO read is not completed */
#define KC_EEXIST		(-17)	/* already done (image region set, IPA mapped) */
#define KC_EINVAL		(-22)	/* malformed argument */
#define KC_ENOSPC		(-28)	/* no free VM or vCPU slot, or pool cannot cover a quota */
#define KC_ERANGE		(-34)	/* share count would overflow */
#define KC_ENOSYS		(-38)	/* unknown function id inside kcore's ranges */
#define KC_EBADMSG		(-74)	/* boot image signature does not verify */
#define KC_SMCCC_NOT_SUPPORTED	(-1)

/* Guest IPA layout of every protected VM (fixed, so the host cannot turn RAM into "MMIO"). */
#define KC_IPA_BITS		40
#define KC_IPA_LIMIT		(UINT64_C(1) << KC_IPA_BITS)
#define KC_IPA_MMIO_BASE	UINT64_C(0)
#define KC_IPA_MMIO_LIMIT	UINT64_C(0x40000000)
#define KC_IPA_RAM_BASE		KC_IPA_MMIO_LIMIT
#define KC_IPA_RAM_LIMIT	KC_IPA_LIMIT
#define KC_PAGE_SHIFT		12
#define KC_PAGE_SIZE		(UINT64_C(1) << KC_PAGE_SHIFT)

/* ABI limits. */
#define KC_VM_VCPUS_MAX		8u
#define KC_SHARE_COUNT_MAX	255u
#define KC_IMAGE_PAGES_MAX	16384u	/* 64 MiB */
#define KC_VM_QUOTA_MIN		2u	/* one level-2 and one level-3 table; the root is not counted */
#define KC_SIG_BYTES		64u
#define KC_PUBKEY_BYTES		32u

/*
 * vCPU exit info, returned by KC_HC_VCPU_RUN in x1..x4. This is everything
 * the host learns about a protected vCPU: never its other registers.
 */
#define KC_EXIT_REG_CLASS	1	/* x1 */
#define KC_EXIT_REG_IPA		2	/* x2 */
#define KC_EXIT_REG_FLAGS	3	/* x3 */
#define KC_EXIT_REG_DATA	4	/* x4 */

enum kc_exit_class {
	KC_EXIT_IRQ = 1,	 /* interrupted; run again when the host likes */
	KC_EXIT_MEM_FAULT = 2,	 /* RAM IPA not mapped: answer with KC_HC_VM_MAP; IPA page aligned */
	KC_EXIT_MMIO = 3,	 /* access in the MMIO window; reads need KC_HC_MMIO_COMPLETE */
	KC_EXIT_GUEST_ERROR = 4, /* an access kcore cannot emulate; the vCPU stays at that PC */
	KC_EXIT_CPU_ON = 5,	 /* PSCI CPU_ON: the guest switched on vCPU x4; run it */
	KC_EXIT_VCPU_OFF = 6,	 /* the vCPU is off (not yet on, or PSCI CPU_OFF): run it after a
				    KC_EXIT_CPU_ON names it */
	KC_EXIT_SYSTEM_OFF = 7,	 /* PSCI SYSTEM_OFF: no vCPU of the VM runs again; destroy it */
	KC_EXIT_SYSTEM_RESET = 8, /* PSCI SYSTEM_RESET: as SYSTEM_OFF; the host may build it anew */
};

/* x3 of a KC_EXIT_MMIO exit. */
#define KC_EXIT_FLAG_WRITE	UINT64_C(0x1)
#define KC_EXIT_SIZE_SHIFT	1	/* log2 of the access size in bytes, 0..3 */
#define KC_EXIT_SIZE_MASK	UINT64_C(0x6)

/* The host's decoded view of x1..x4. */
struct kc_exit_info {
	uint64_t exit_class;
	uint64_t ipa;
	uint64_t flags;
	uint64_t data;
};
_Static_assert(sizeof(struct kc_exit_info) == 32, "kc_exit_info is four registers");

#endif /* KCORE_ABI_H */
