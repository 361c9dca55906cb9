/* /dev/kcore: the host kernel's door to kcore, served by the kserv module; see kserv.md. */
#ifndef KSERV_UAPI_H
#define KSERV_UAPI_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define KSERV_DEVICE "/dev/kcore"
#define KSERV_SYSFS "/sys/kernel/kcore"	/* version, features */

/* In: vCPUs (1..8) and the most pages the VM may get on faults. Out: kcore's vmid. */
struct kserv_vm_create {
	__u32 vcpus;
	__u32 reserved;		/* 0 */
	__u64 mem_pages;
	__u64 vmid;
};

/* The signed boot image: copied into fresh pages, given to the VM at `ipa`, then verified. */
struct kserv_vm_load {
	__u64 vmid;
	__u64 ipa;		/* page aligned, in the RAM window (>= 0x40000000) */
	__u64 image;		/* user pointer */
	__u64 size;		/* bytes */
	__u8 sig[64];		/* Ed25519ph signature (kcore-sign) */
};

/* Run until an exit the caller must answer; memory faults are served inside. */
struct kserv_vcpu_run {
	__u64 vmid;
	__u64 vcpu;
	__u64 exit_class;	/* out: KC_EXIT_* (kcore-abi.h), never KC_EXIT_MEM_FAULT */
	__u64 ipa;		/* out */
	__u64 flags;		/* out */
	__u64 data;		/* out */
};

struct kserv_mmio_complete {
	__u64 vmid;
	__u64 vcpu;
	__u64 value;
};

/* Which host page backs a guest IPA (what the host kernel knows anyway: it gave the page). */
struct kserv_vm_pfn {
	__u64 vmid;
	__u64 ipa;
	__u64 pfn;		/* out */
};

#define KSERV_IOC 'k'
#define KSERV_VM_CREATE		_IOWR(KSERV_IOC, 1, struct kserv_vm_create)
#define KSERV_VM_LOAD		_IOW(KSERV_IOC, 2, struct kserv_vm_load)
#define KSERV_VCPU_RUN		_IOWR(KSERV_IOC, 3, struct kserv_vcpu_run)
#define KSERV_MMIO_COMPLETE	_IOW(KSERV_IOC, 4, struct kserv_mmio_complete)
#define KSERV_VM_PFN		_IOWR(KSERV_IOC, 5, struct kserv_vm_pfn)
#define KSERV_VM_DESTROY	_IOW(KSERV_IOC, 6, __u64)	/* returns pages reclaimed */

#endif /* KSERV_UAPI_H */
