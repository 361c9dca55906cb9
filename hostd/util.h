/* Small helpers shared by hostd and its tests: cleanup attributes, strings, files, UUIDs. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <unistd.h>

#define ELEMENTSOF(a) (sizeof(a) / sizeof((a)[0]))

static inline void freep(void *p)
{
	free(*(void **)p);
}

static inline void closep(int *fd)
{
	if (*fd >= 0) {
		close(*fd);
	}
}

#define _cleanup_free_ __attribute__((cleanup(freep)))
#define _cleanup_close_ __attribute__((cleanup(closep)))

/* Hand ownership out of a cleanup-managed variable. */
#define TAKE_PTR(p)                                                                                \
	({                                                                                         \
		__typeof__(p) _p = (p);                                                            \
		(p) = NULL;                                                                        \
		_p;                                                                                \
	})
#define TAKE_FD(fd)                                                                                \
	({                                                                                         \
		int _fd = (fd);                                                                    \
		(fd) = -1;                                                                         \
		_fd;                                                                               \
	})

#define UUID_STR_LEN 36

/* Random (version 4) UUID in lower-case text form; ret must hold UUID_STR_LEN + 1 bytes. */
int util_uuid_new(char *ret);
bool util_uuid_valid(const char *s);

/* Write a whole file atomically: temp file in the same directory, fsync, rename, fsync dir. */
int util_write_file_atomic(const char *path, const void *data, size_t len, int mode);
/* Read a whole file (at most max bytes, else -EFBIG); the result is NUL-terminated. */
int util_read_file(const char *path, size_t max, char **ret_data, size_t *ret_len);
/* The last max bytes of a file, NUL-terminated; an empty string when the file is missing. */
int util_read_file_tail(const char *path, size_t max, char **ret_data, size_t *ret_len);
int util_mkdir_p(const char *path, int mode);
/* Remove a directory and the plain files in it (runtime directories have no subdirectories). */
int util_rm_dir_files(const char *path);
int util_fsync_dir_of(const char *path);

/* asprintf that aborts on out of memory: hostd treats OOM as fatal. */
char *util_strdup_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *util_xstrdup(const char *s);
void *util_xcalloc(size_t n, size_t size);

/* Process start time (field 22 of /proc/PID/stat), to tell a reused pid from the one we started. */
int util_proc_start_time(int pid, unsigned long long *ret);
