/*
 * kserv-run: run the el2 test guest (tests/el2/guest.c) as a protected VM from user space in the
 * Linux host, through /dev/kcore, and attack it. Prints "LINUX-HOST-CHECK ok|FAIL NAME" lines
 * for tests/linux-host/rootfs/init.
 *
 * usage: kserv-run GUEST.bin GUEST.bin.sig
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "el2-tests.h"
#include "kcore-abi.h"
#include "kserv.h"

static int failures;

static void check(const char *name, int ok, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void check(const char *name, int ok, const char *fmt, ...)
{
	va_list ap;

	if (ok) {
		printf("LINUX-HOST-CHECK ok %s\n", name);
	} else {
		printf("LINUX-HOST-CHECK FAIL %s: ", name);
		va_start(ap, fmt);
		vprintf(fmt, ap);
		va_end(ap);
		printf("\n");
		failures++;
	}
	fflush(stdout);
}

static void *read_file(const char *path, size_t *ret_size)
{
	struct stat st;
	void *buf;
	int fd = open(path, O_RDONLY);

	if (fd < 0 || fstat(fd, &st) != 0 || (buf = malloc(st.st_size)) == NULL ||
	    read(fd, buf, st.st_size) != st.st_size) {
		fprintf(stderr, "kserv-run: cannot read %s: %s\n", path, strerror(errno));
		exit(1);
	}
	close(fd);
	*ret_size = st.st_size;
	return buf;
}

/* In a child: read up to `len` - 1 bytes at p (to the page's end); the child's end as below. */
static int read_in_child(const volatile char *p, size_t room, char *out, size_t len)
{
	int pipefd[2], status;
	pid_t pid;

	if (pipe(pipefd) != 0) {
		return -1;
	}
	pid = fork();
	if (pid == 0) {
		char buf[64];
		size_t n = len - 1 < room ? len - 1 : room;

		if (p == MAP_FAILED) {
			_exit(2);
		}
		for (size_t i = 0; i < n && i < sizeof(buf); i++) {
			buf[i] = p[i];
		}
		(void)write(pipefd[1], buf, n < sizeof(buf) ? n : sizeof(buf));
		_exit(0);
	}
	close(pipefd[1]);
	memset(out, 0, len);
	(void)read(pipefd[0], out, len - 1);
	close(pipefd[0]);
	waitpid(pid, &status, 0);
	return WIFSIGNALED(status) ? WTERMSIG(status) : -WEXITSTATUS(status);
}

/* Map the host page behind `ipa` through /dev/kcore (MAP_FAILED if refused). */
static volatile char *map_guest_page(int dev, uint64_t vmid, uint64_t ipa)
{
	struct kserv_vm_pfn q = { .vmid = vmid, .ipa = ipa };

	if (ioctl(dev, KSERV_VM_PFN, &q) != 0) {
		return MAP_FAILED;
	}
	return mmap(NULL, 4096, PROT_READ, MAP_SHARED, dev, (off_t)(q.pfn << 12));
}

/*
 * In a child: map the host page behind `ipa` and read from `ipa` on. Returns the signal that
 * killed the child (SIGBUS when kcore refused), or 0 and the bytes.
 */
static int peek(int dev, uint64_t vmid, uint64_t ipa, char *out, size_t len)
{
	volatile char *p = map_guest_page(dev, vmid, ipa);
	int r = read_in_child(p == MAP_FAILED ? p : p + (ipa & 4095), 4096 - (ipa & 4095), out, len);

	if (p != MAP_FAILED) {
		munmap((void *)p, 4096);
	}
	return r;
}

int main(int argc, char **argv)
{
	struct kserv_vm_create c = { .vcpus = 1, .mem_pages = 64 };
	struct kserv_vm_load l = { 0 };
	struct kserv_vcpu_run run = { 0 };
	size_t size, sig_size;
	uint8_t *image, *sig;
	char line[256], peeked[64];
	size_t len = 0;
	uint64_t vmid, done = ~0ull, shared = 0;
	int dev, r, sigk;

	if (argc != 3) {
		fprintf(stderr, "usage: kserv-run GUEST.bin GUEST.bin.sig\n");
		return 2;
	}
	image = read_file(argv[1], &size);
	sig = read_file(argv[2], &sig_size);
	dev = open(KSERV_DEVICE, O_RDWR);
	check("kserv-device", dev >= 0, "open %s: %s", KSERV_DEVICE, strerror(errno));
	if (dev < 0 || sig_size != sizeof(l.sig)) {
		return 1;
	}

	/* An image changed after signing is refused. */
	r = ioctl(dev, KSERV_VM_CREATE, &c);
	check("kserv-vm-create", r == 0, "%s", strerror(errno));
	l.vmid = c.vmid;
	l.ipa = GUEST_IMAGE_IPA;
	l.image = (uint64_t)(uintptr_t)image;
	l.size = size;
	memcpy(l.sig, sig, sizeof(l.sig));
	image[size / 2] ^= 1;
	r = ioctl(dev, KSERV_VM_LOAD, &l);
	check("kserv-tampered-image-refused", r < 0 && errno == -KC_EBADMSG, "load: %d, %s", r,
	      strerror(errno));
	image[size / 2] ^= 1;
	r = ioctl(dev, KSERV_VM_DESTROY, &c.vmid);
	check("kserv-vm-destroy-unverified", r == (int)((size + 4095) / 4096), "returned %d", r);

	/* The real one runs. */
	r = ioctl(dev, KSERV_VM_CREATE, &c);
	vmid = c.vmid;
	l.vmid = vmid;
	r = r ? r : ioctl(dev, KSERV_VM_LOAD, &l);
	check("kserv-image-verified", r == 0, "%s", strerror(errno));
	run.vmid = vmid;
	while (r == 0 && done == ~0ull) {
		r = ioctl(dev, KSERV_VCPU_RUN, &run);
		if (r != 0 || run.exit_class != KC_EXIT_MMIO) {
			check("kserv-run", 0, "run: %d (%s), exit class %llu", r, strerror(errno),
			      (unsigned long long)run.exit_class);
			break;
		}
		if (!(run.flags & KC_EXIT_FLAG_WRITE)) {
			struct kserv_mmio_complete m = { vmid, 0, 0 };

			m.value = run.ipa == GUEST_CTL_MODE ? GUEST_MODE_FULL : 0; /* UART FR: not full */
			r = ioctl(dev, KSERV_MMIO_COMPLETE, &m);
		} else if (run.ipa == GUEST_UART) {
			if (run.data == '\n' || len == sizeof(line) - 1) {
				line[len] = 0;
				printf("guest: %s\n", line);
				len = 0;
			} else {
				line[len++] = (char)run.data;
			}
		} else if (run.ipa == GUEST_CTL_SHARED) {
			shared = run.data;
			sigk = peek(dev, vmid, shared, peeked, sizeof(peeked));
			check("kserv-shared-page-readable", sigk == 0 && !strncmp(peeked, "shared hello", 12),
			      "child ended with %d, read '%s'", sigk, peeked);
		} else if (run.ipa == GUEST_CTL_UNSHARED) {
			sigk = peek(dev, vmid, run.data, peeked, sizeof(peeked));
			check("kserv-unshared-page-faults", sigk == SIGBUS, "child ended with %d", sigk);
		} else if (run.ipa == GUEST_CTL_DONE) {
			done = run.data;
		}
	}
	check("kserv-guest-done", done == 0, "guest status %llu", (unsigned long long)done);

	/* The host cannot read the guest's memory: its image page, or the page it stopped sharing. */
	sigk = peek(dev, vmid, GUEST_IMAGE_IPA, peeked, sizeof(peeked));
	check("kserv-guest-memory-faults", sigk == SIGBUS, "reading the image page: child ended with %d",
	      sigk);
	/* A mapping kept over the teardown must not become a way into the freed page. */
	volatile char *kept = map_guest_page(dev, vmid, GUEST_IMAGE_IPA);
	r = ioctl(dev, KSERV_VM_DESTROY, &vmid);
	check("kserv-teardown", r > (int)((size + 4095) / 4096), "%d pages came back (%s)", r,
	      r < 0 ? strerror(errno) : "ok");
	sigk = read_in_child(kept, 4096, peeked, sizeof(peeked));
	check("kserv-no-mapping-outlives-page", kept != MAP_FAILED && sigk == SIGBUS,
	      "reading a mapping of a reclaimed page: child ended with %d", sigk);
	printf("kserv-run: %d pages reclaimed and freed\n", r);
	return failures ? 1 : 0;
}
