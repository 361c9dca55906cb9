/* Unit tests of accel_detect on fake root trees, and a check of the real host's answer. */
#include "accel.h"
#include "tap.h"
#include "util.h"

#include <fcntl.h>
#include <sys/stat.h>

/*
 * These trees mock /dev/kvm, /proc/cpuinfo and /sys/module: dev/kvm is a plain file that opens
 * read-write, which is all accel_detect asks of the device. The integration tests run the real
 * detection against the real tree through hostd (host.info); this test pins down each decision.
 */

static char *tmp;

static void put(const char *root, const char *rel, const char *text)
{
	char *p = util_strdup_printf("%s/%s", root, rel);
	char *dir = util_xstrdup(p);
	FILE *f;

	*strrchr(dir, '/') = '\0';
	if (util_mkdir_p(dir, 0755) < 0 || !(f = fopen(p, "w")) || fputs(text, f) < 0 ||
	    fclose(f) != 0) {
		perror(p);
		exit(99);
	}
	free(dir);
	free(p);
}

static void module(const char *root, const char *name)
{
	char *p = util_strdup_printf("%s/sys/module/%s", root, name);

	if (util_mkdir_p(p, 0755) < 0) {
		perror(p);
		exit(99);
	}
	free(p);
}

static const char cpuinfo_vmx[] =
	"processor\t: 0\nvendor_id\t: GenuineIntel\n"
	"flags\t\t: fpu vme de pse tsc msr pae mce cx8 apic vmx ssse3 hypervisor\n"
	"vmx flags\t: vnmi preemption_timer invvpid ept_x_only\n\n";
static const char cpuinfo_svm[] =
	"processor\t: 0\nvendor_id\t: AuthenticAMD\n"
	"flags\t\t: fpu vme de pse tsc msr pae mce cx8 apic svm sse4a\n\n";
/* A guest CPU without virtualisation, whose "vmx flags" line must not count. */
static const char cpuinfo_none[] =
	"processor\t: 0\nvendor_id\t: GenuineIntel\n"
	"flags\t\t: fpu vme de pse tsc msr pae mce cx8 apic ssse3 hypervisor\n"
	"vmx flags\t: vnmi\n\n";

/* A fresh fake root named name under tmp. */
static char *root_new(const char *name)
{
	char *root = util_strdup_printf("%s/%s", tmp, name);

	if (util_mkdir_p(root, 0755) < 0) {
		exit(99);
	}
	return root;
}

/* Detect on root, starting from an accel_info full of junk so stale fields would show. */
static struct accel_info detect(const char *root)
{
	struct accel_info a;

	memset(&a, 0xa5, sizeof(a));
	a.kvm_usable = true;
	accel_detect(root, &a);
	return a;
}

static void check_reason(const struct accel_info *a, const char *needle, const char *what)
{
	CHECK(memchr(a->reason, '\0', sizeof(a->reason)) && strstr(a->reason, needle),
	      "%s: the reason mentions %s (\"%.200s\")", what, needle, a->reason);
}

static void test_fake_trees(void)
{
	char *root;
	struct accel_info a;

	root = root_new("no-dev");
	put(root, "proc/cpuinfo", cpuinfo_vmx);
	module(root, "kvm");
	module(root, "kvm_intel");
	a = detect(root);
	CHECK(!a.kvm_usable, "no dev/kvm: not usable");
	check_reason(&a, "/dev/kvm", "no dev/kvm");
	free(root);

#if defined(__x86_64__) || defined(__i386__)
	root = root_new("pvm");
	put(root, "dev/kvm", "");
	put(root, "proc/cpuinfo", cpuinfo_vmx);
	module(root, "kvm");
	module(root, "kvm_intel");
	module(root, "kvm_pvm");
	a = detect(root);
	CHECK(!a.kvm_usable, "kvm_pvm loaded: not usable, even with vmx and kvm_intel");
	check_reason(&a, "kvm_pvm", "kvm_pvm loaded");
	free(root);

	root = root_new("no-flag");
	put(root, "dev/kvm", "");
	put(root, "proc/cpuinfo", cpuinfo_none);
	module(root, "kvm");
	module(root, "kvm_intel");
	a = detect(root);
	CHECK(!a.kvm_usable, "no vmx/svm flag (a 'vmx flags' line aside): not usable");
	check_reason(&a, "vmx or svm", "no vmx/svm flag");
	free(root);

	root = root_new("no-cpuinfo");
	put(root, "dev/kvm", "");
	module(root, "kvm_intel");
	a = detect(root);
	CHECK(!a.kvm_usable, "no proc/cpuinfo: not usable");
	free(root);

	root = root_new("no-module");
	put(root, "dev/kvm", "");
	put(root, "proc/cpuinfo", cpuinfo_vmx);
	module(root, "kvm");
	a = detect(root);
	CHECK(!a.kvm_usable, "vmx without kvm_intel or kvm_amd: not usable");
	check_reason(&a, "kvm_intel", "no hardware module");
	free(root);

	root = root_new("intel");
	put(root, "dev/kvm", "");
	put(root, "proc/cpuinfo", cpuinfo_vmx);
	module(root, "kvm");
	module(root, "kvm_intel");
	a = detect(root);
	CHECK(a.kvm_usable, "vmx and kvm_intel: usable (%s)", a.reason);
	check_reason(&a, "hardware KVM", "vmx and kvm_intel");
	free(root);

	root = root_new("amd");
	put(root, "dev/kvm", "");
	put(root, "proc/cpuinfo", cpuinfo_svm);
	module(root, "kvm");
	module(root, "kvm_amd");
	a = detect(root);
	CHECK(a.kvm_usable, "svm and kvm_amd: usable (%s)", a.reason);
	free(root);
#else
	tap_skip("not x86", "CPU flag and module checks");
#endif
}

/* The real host: whatever it has, the answer must agree with what the tree shows. */
static void test_real_host(void)
{
	struct accel_info a = detect("/");
	int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	struct stat st;

	if (fd < 0) {
		CHECK(!a.kvm_usable, "this host: /dev/kvm does not open, so not usable");
		check_reason(&a, "/dev/kvm", "this host");
	} else if (stat("/sys/module/kvm_pvm", &st) == 0) {
		CHECK(!a.kvm_usable, "this host has /sys/module/kvm_pvm: not usable");
		check_reason(&a, "kvm_pvm", "this host");
	} else {
		CHECK(a.reason[0] != '\0', "this host: a reason is given (%s)", a.reason);
		tap_skip("neither kvm_pvm nor a closed /dev/kvm here", "this host's verdict");
	}
	if (fd >= 0) {
		close(fd);
	}
}

int main(void)
{
	tmp = tap_tmpdir();
	test_fake_trees();
	test_real_host();
	tap_tmpdir_remove(tmp);
	return tap_done();
}
