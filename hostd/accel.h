/* Is there a KVM that really works? /dev/kvm existing proves nothing (see docs/hostd.md). */
#pragma once

#include <stdbool.h>

struct accel_info {
	bool kvm_usable;
	char reason[256]; /* why KVM is or is not used, for host.info and the log */
};

/*
 * Decide from the files under root ("/" normally; tests pass a fake tree): the device must open
 * read-write, and on x86 the CPU must have vmx or svm and a hardware KVM module (kvm_intel or
 * kvm_amd) must be loaded; a paging-based nested KVM such as kvm_pvm makes QEMU fail.
 */
void accel_detect(const char *root, struct accel_info *ret);
