/* Small helpers shared by hostd and its tests: strings, files, UUIDs. */
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>

int util_uuid_new(char *ret)
{
	uint8_t b[16];

	if (getrandom(b, sizeof(b), 0) != sizeof(b)) {
		return -errno;
	}
	b[6] = (b[6] & 0x0f) | 0x40; /* version 4 */
	b[8] = (b[8] & 0x3f) | 0x80; /* RFC 4122 variant */
	snprintf(ret, UUID_STR_LEN + 1,
		 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1],
		 b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14],
		 b[15]);
	return 0;
}

bool util_uuid_valid(const char *s)
{
	for (size_t i = 0; i < UUID_STR_LEN; i++) {
		bool dash = i == 8 || i == 13 || i == 18 || i == 23;

		if (dash ? s[i] != '-' : !((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f'))) {
			return false;
		}
	}
	return s[UUID_STR_LEN] == '\0';
}

int util_fsync_dir_of(const char *path)
{
	_cleanup_free_ char *copy = util_xstrdup(path);
	_cleanup_close_ int dfd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (dfd < 0 || fsync(dfd) < 0) {
		return -errno;
	}
	return 0;
}

static int write_all(int fd, const void *data, size_t len)
{
	const char *p = data;

	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0) {
			if (errno == EINTR) {
				continue;
			}
			return -errno;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int util_write_file_atomic(const char *path, const void *data, size_t len, int mode)
{
	_cleanup_free_ char *tmp = util_strdup_printf("%s.tmp.%d", path, (int)getpid());
	int fd, r;

	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode);
	if (fd < 0) {
		return -errno;
	}
	r = write_all(fd, data, len);
	if (r == 0 && fsync(fd) < 0) {
		r = -errno;
	}
	if (close(fd) < 0 && r == 0) {
		r = -errno;
	}
	if (r == 0 && rename(tmp, path) < 0) {
		r = -errno;
	}
	if (r < 0) {
		unlink(tmp);
		return r;
	}
	return util_fsync_dir_of(path);
}

static int read_fd(int fd, size_t max, char **ret_data, size_t *ret_len)
{
	/* Read up to max + 1 bytes: the one byte more tells that the file is too big. */
	size_t limit = max + 1, cap = limit < 4096 ? limit : 4096, len = 0;
	char *buf = malloc(cap + 1);

	if (!buf) {
		return -ENOMEM;
	}
	for (;;) {
		ssize_t n;

		if (len == cap) {
			char *nb;

			if (cap == limit) {
				free(buf);
				return -EFBIG;
			}
			cap = cap * 2 > limit ? limit : cap * 2;
			nb = realloc(buf, cap + 1);
			if (!nb) {
				free(buf);
				return -ENOMEM;
			}
			buf = nb;
		}
		n = read(fd, buf + len, cap - len);
		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n < 0) {
			int r = -errno;

			free(buf);
			return r;
		}
		if (n == 0) {
			break;
		}
		len += (size_t)n;
	}
	buf[len] = '\0';
	*ret_data = buf;
	if (ret_len) {
		*ret_len = len;
	}
	return 0;
}

int util_read_file(const char *path, size_t max, char **ret_data, size_t *ret_len)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		return -errno;
	}
	return read_fd(fd, max, ret_data, ret_len);
}

int util_read_file_tail(const char *path, size_t max, char **ret_data, size_t *ret_len)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;

	if (fd < 0 && errno == ENOENT) {
		*ret_data = util_xstrdup("");
		if (ret_len) {
			*ret_len = 0;
		}
		return 0;
	}
	if (fd < 0 || fstat(fd, &st) < 0) {
		return -errno;
	}
	if ((size_t)st.st_size > max && lseek(fd, st.st_size - (off_t)max, SEEK_SET) < 0) {
		return -errno;
	}
	return read_fd(fd, max, ret_data, ret_len);
}

int util_mkdir_p(const char *path, int mode)
{
	_cleanup_free_ char *p = util_xstrdup(path);

	for (char *s = p + 1; *s; s++) {
		if (*s != '/') {
			continue;
		}
		*s = '\0';
		if (mkdir(p, mode) < 0 && errno != EEXIST) {
			return -errno;
		}
		*s = '/';
	}
	if (mkdir(p, mode) < 0 && errno != EEXIST) {
		return -errno;
	}
	return 0;
}

int util_rm_dir_files(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *de;

	if (!d) {
		return errno == ENOENT ? 0 : -errno;
	}
	while ((de = readdir(d))) {
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0) {
			unlinkat(dirfd(d), de->d_name, 0);
		}
	}
	closedir(d);
	if (rmdir(path) < 0 && errno != ENOENT) {
		return -errno;
	}
	return 0;
}

char *util_strdup_printf(const char *fmt, ...)
{
	va_list ap;
	char *s;
	int r;

	va_start(ap, fmt);
	r = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (r < 0) {
		abort();
	}
	return s;
}

char *util_xstrdup(const char *s)
{
	char *d = strdup(s);

	if (!d) {
		abort();
	}
	return d;
}

void *util_xcalloc(size_t n, size_t size)
{
	void *p = calloc(n, size);

	if (!p) {
		abort();
	}
	return p;
}

int util_proc_start_time(int pid, unsigned long long *ret)
{
	char path[64];
	_cleanup_free_ char *stat = NULL;
	char *p;
	int r;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	r = util_read_file(path, 4096, &stat, NULL);
	if (r < 0) {
		return r;
	}
	/* The command name may contain spaces and ')': fields restart after the last ')'. */
	p = strrchr(stat, ')');
	if (!p) {
		return -EINVAL;
	}
	/* Each space after the ')' starts the next field, 3 first: the 20th starts 22 (starttime). */
	for (int field = 3; field <= 22; field++) {
		p = strchr(p + 1, ' ');
		if (!p) {
			return -EINVAL;
		}
	}
	if (sscanf(p + 1, "%llu", ret) != 1) {
		return -EINVAL;
	}
	return 0;
}
