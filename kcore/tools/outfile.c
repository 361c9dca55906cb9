/* Output files written whole or not at all: a temporary file beside the target, fsync, rename. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kcore-sign.h"

mode_t ksign_out_public_mode(void)
{
	mode_t mask = umask(0);

	umask(mask);
	return 0644 & ~mask;
}

static int write_all(int fd, const void *data, size_t len)
{
	const char *p = data;
	ssize_t n;

	while (len > 0) {
		n = write(fd, p, len);
		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n < 0) {
			return -errno;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int ksign_out_prepare(const char *path, mode_t mode, const void *data, size_t len,
		      struct ksign_outfile *ret_out)
{
	char *tmp;
	int fd, r;

	if (asprintf(&tmp, "%s.tmp-XXXXXX", path) < 0) {
		return -ENOMEM;
	}
	fd = mkostemp(tmp, O_CLOEXEC); /* created 0600: a secret is never readable by others */
	if (fd < 0) {
		r = -errno;
		free(tmp);
		return r;
	}
	r = fchmod(fd, mode) < 0 ? -errno : 0;
	if (r == 0) {
		r = write_all(fd, data, len);
	}
	if (r == 0 && fsync(fd) < 0) {
		r = -errno;
	}
	if (close(fd) < 0 && r == 0) {
		r = -errno;
	}
	if (r < 0) {
		unlink(tmp);
		free(tmp);
		return r;
	}
	ret_out->path = path;
	ret_out->tmp = tmp;
	return 0;
}

/* The new name must survive a crash too: fsync the directory that holds it. */
static int sync_dir_of(const char *path)
{
	char *copy = strdup(path);
	int fd, r = 0;

	if (copy == NULL) {
		return -ENOMEM;
	}
	fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || fsync(fd) < 0) {
		r = -errno;
	}
	if (fd >= 0) {
		close(fd);
	}
	free(copy);
	return r;
}

/* Atomic, and never over an existing file (link() where the filesystem lacks the flag). */
static int rename_noreplace(const char *from, const char *to, bool *ret_renamed)
{
	*ret_renamed = false;
	if (renameat2(AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE) == 0) {
		*ret_renamed = true;
		return 0;
	}
	if (errno != EINVAL && errno != ENOSYS) {
		return -errno;
	}
	return link(from, to) < 0 ? -errno : 0;
}

int ksign_out_commit(struct ksign_outfile *out, bool replace)
{
	bool renamed = false;
	int r = 0;

	if (replace) {
		r = rename(out->tmp, out->path) < 0 ? -errno : 0;
		renamed = r == 0;
	} else {
		r = rename_noreplace(out->tmp, out->path, &renamed);
	}
	if (renamed) {
		free(out->tmp); /* its name is the target's now */
		out->tmp = NULL;
	}
	ksign_out_discard(out);
	return r < 0 ? r : sync_dir_of(out->path);
}

void ksign_out_discard(struct ksign_outfile *out)
{
	if (out->tmp != NULL) {
		(void)unlink(out->tmp);
		free(out->tmp);
		out->tmp = NULL;
	}
}
