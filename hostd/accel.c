/* Is there a KVM that really works? /dev/kvm existing proves nothing (see docs/hostd.md). */
#include "accel.h"

#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

static bool path_exists(const char *root, const char *rel)
{
	_cleanup_free_ char *p = util_strdup_printf("%s/%s", root, rel);
	struct stat st;

	return stat(p, &st) == 0;
}

static bool cpu_has_virt_flag(const char *root)
{
	_cleanup_free_ char *p = util_strdup_printf("%s/proc/cpuinfo", root);
	_cleanup_free_ char *data = NULL;

	if (util_read_file(p, 16 * 1024 * 1024, &data, NULL) < 0) {
		return false;
	}
	for (char *line = strtok(data, "\n"); line; line = strtok(NULL, "\n")) {
		if (strncmp(line, "flags", 5) == 0 && (strstr(line, " vmx") || strstr(line, " svm"))) {
			return true;
		}
	}
	return false;
}

void accel_detect(const char *root, struct accel_info *ret)
{
	_cleanup_free_ char *dev = util_strdup_printf("%s/dev/kvm", root);
	_cleanup_close_ int fd = open(dev, O_RDWR | O_CLOEXEC);

	memset(ret, 0, sizeof(*ret));
	if (fd < 0) {
		snprintf(ret->reason, sizeof(ret->reason), "cannot open /dev/kvm: %s", strerror(errno));
		return;
	}
#if defined(__x86_64__) || defined(__i386__)
	if (path_exists(root, "sys/module/kvm_pvm")) {
		snprintf(ret->reason, sizeof(ret->reason),
			 "/dev/kvm is kvm_pvm, a paging-based nested KVM on which QEMU guests fail");
		return;
	}
	if (!cpu_has_virt_flag(root)) {
		snprintf(ret->reason, sizeof(ret->reason), "the CPU has no vmx or svm flag");
		return;
	}
	if (!path_exists(root, "sys/module/kvm_intel") && !path_exists(root, "sys/module/kvm_amd")) {
		snprintf(ret->reason, sizeof(ret->reason), "no hardware KVM module (kvm_intel, kvm_amd)");
		return;
	}
#endif
	ret->kvm_usable = true;
	snprintf(ret->reason, sizeof(ret->reason), "/dev/kvm is a hardware KVM");
}
