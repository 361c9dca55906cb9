/* Boot images and signatures as kcore sees them: the bytes it hashes, and 64-byte signatures. */
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kcore-sign.h"

#define IMAGE_BYTES_MAX ((uint64_t)KC_IMAGE_PAGES_MAX * KC_PAGE_SIZE)

/* Up to len bytes (fewer only at end of file); returns how many, or a negative errno. */
static ssize_t read_full(int fd, uint8_t *buf, size_t len)
{
	size_t done = 0;
	ssize_t n;

	while (done < len) {
		n = read(fd, buf + done, len - done);
		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n < 0) {
			return -errno;
		}
		if (n == 0) {
			break;
		}
		done += (size_t)n;
	}
	return (ssize_t)done;
}

static int open_input(const char *path)
{
	struct stat st;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		ksign_error("%s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		ksign_error("%s: %s", path, strerror(EISDIR));
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * kcore (core/boot.c) hashes the image region page by page, exactly x3 bytes of
 * KC_HC_VM_SET_BOOT and nothing else: no length, no padding of the last page. x3 is the
 * image file's size, so the signed message is the file's bytes.
 */
int ksign_image_hash(const char *path, crypto_sign_ed25519ph_state *state, uint64_t *ret_bytes)
{
	static uint8_t page[KC_PAGE_SIZE];
	uint64_t bytes = 0;
	ssize_t n;
	int fd, r = 0;

	fd = open_input(path);
	if (fd < 0) {
		return -1;
	}
	crypto_sign_ed25519ph_init(state);
	while ((n = read_full(fd, page, sizeof(page))) > 0) {
		bytes += (uint64_t)n;
		if (bytes > IMAGE_BYTES_MAX) {
			ksign_error("%s: larger than %llu bytes (%u pages), the most kcore loads",
				    path, (unsigned long long)IMAGE_BYTES_MAX, KC_IMAGE_PAGES_MAX);
			r = -1;
			goto out;
		}
		crypto_sign_ed25519ph_update(state, page, (unsigned long long)n);
	}
	if (n < 0) {
		ksign_error("%s: %s", path, strerror((int)-n));
		r = -1;
	} else if (bytes == 0) {
		ksign_error("%s: empty; kcore refuses an empty image "
			    "(KC_HC_VM_SET_BOOT: KC_EINVAL)", path);
		r = -1;
	}
out:
	close(fd);
	if (r == 0) {
		*ret_bytes = bytes;
	}
	return r;
}

int ksign_sig_read(const char *path, uint8_t ret_sig[KC_SIG_BYTES])
{
	uint8_t buf[KC_SIG_BYTES + 1];
	ssize_t n;
	int fd;

	fd = open_input(path);
	if (fd < 0) {
		return -1;
	}
	n = read_full(fd, buf, sizeof(buf));
	close(fd);
	if (n < 0) {
		ksign_error("%s: %s", path, strerror((int)-n));
		return -1;
	}
	if (n != KC_SIG_BYTES) {
		ksign_error("%s: %s%zd bytes; a kcore image signature is exactly %u", path,
			    n > KC_SIG_BYTES ? "more than " : "", n > KC_SIG_BYTES ? n - 1 : n,
			    KC_SIG_BYTES);
		return -1;
	}
	memcpy(ret_sig, buf, KC_SIG_BYTES);
	return 0;
}
