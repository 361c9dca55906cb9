/* A tiny TAP producer for hostd's unit tests: one "ok"/"not ok" line per check, the plan last. */
#pragma once

#include <ftw.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static unsigned tap_count;
static unsigned tap_failures;

static inline __attribute__((format(printf, 5, 0))) void
tap_vline(bool ok, const char *file, int line, const char *detail, const char *fmt, va_list ap)
{
	tap_count++;
	printf("%s %u - ", ok ? "ok" : "not ok", tap_count);
	vprintf(fmt, ap);
	if (!ok) {
		tap_failures++;
		if (detail) {
			printf(": %s", detail);
		}
		printf("\n# at %s:%d", file, line);
	}
	putchar('\n');
	fflush(stdout);
}

static inline __attribute__((format(printf, 5, 6))) bool
tap_result(bool ok, const char *file, int line, const char *detail, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	tap_vline(ok, file, line, detail, fmt, ap);
	va_end(ap);
	return ok;
}

static inline __attribute__((format(printf, 2, 3))) void tap_skip(const char *reason,
								  const char *fmt, ...)
{
	va_list ap;

	tap_count++;
	printf("ok %u - ", tap_count);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf(" # SKIP %s\n", reason);
	fflush(stdout);
}

static inline __attribute__((format(printf, 1, 2))) void tap_diag(const char *fmt, ...)
{
	va_list ap;

	fputs("# ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

/* Print the plan; the value is main's exit status. */
static inline int tap_done(void)
{
	printf("1..%u\n", tap_count);
	if (tap_failures) {
		printf("# %u of %u checks failed\n", tap_failures, tap_count);
	}
	return tap_failures ? 1 : 0;
}

/* s in quotes with control and non-ASCII bytes as \xNN (malloc'd), or NULL. */
static inline char *tap_quote(const char *s)
{
	size_t n = 1;
	char *r;

	if (!s) {
		return strdup("NULL");
	}
	r = malloc(strlen(s) * 4 + 3);
	if (!r) {
		abort();
	}
	r[0] = '"';
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c < 0x20 || c >= 0x7f) {
			n += (size_t)sprintf(r + n, "\\x%02x", c);
		} else {
			r[n++] = (char)c;
		}
	}
	r[n++] = '"';
	r[n] = '\0';
	return r;
}

/* s with control and non-ASCII bytes as \xNN, for test names; valid until 4 more calls. */
static inline const char *tap_esc(const char *s)
{
	static char bufs[4][512];
	static unsigned next;
	char *b = bufs[next++ % 4];
	size_t n = 0;

	for (; *s && n + 5 < sizeof(bufs[0]); s++) {
		unsigned char c = (unsigned char)*s;

		n += (size_t)snprintf(b + n, sizeof(bufs[0]) - n,
				      c < 0x20 || c >= 0x7f || c == '#' ? "\\x%02x" : "%c", c);
	}
	b[n] = '\0';
	return b;
}

/* Each macro is an expression: true when the check passed, so a test can stop early. */
#define CHECK(cond, ...) tap_result(!!(cond), __FILE__, __LINE__, NULL, __VA_ARGS__)

#define CHECK_EQ_INT(got, expected, ...)                                                           \
	({                                                                                         \
		long long got_ = (long long)(got), exp_ = (long long)(expected);                   \
		char detail_[96];                                                                  \
		snprintf(detail_, sizeof(detail_), "expected %lld got %lld", exp_, got_);          \
		tap_result(got_ == exp_, __FILE__, __LINE__, detail_, __VA_ARGS__);                \
	})

#define CHECK_STREQ(got, expected, ...)                                                            \
	({                                                                                         \
		const char *got_ = (got), *exp_ = (expected);                                      \
		bool same_ = got_ && exp_ ? strcmp(got_, exp_) == 0 : got_ == exp_;                \
		char *g_ = tap_quote(got_), *e_ = tap_quote(exp_), *detail_ = NULL;                \
		if (asprintf(&detail_, "expected %s got %s", e_, g_) < 0) {                        \
			abort();                                                                   \
		}                                                                                  \
		tap_result(same_, __FILE__, __LINE__, detail_, __VA_ARGS__);                       \
		free(g_);                                                                          \
		free(e_);                                                                          \
		free(detail_);                                                                     \
		same_;                                                                             \
	})

/* A private temporary directory, removed with everything in it by tap_tmpdir_remove(). */
static inline char *tap_tmpdir(void)
{
	const char *base = getenv("TMPDIR");
	char *tmpl;

	if (asprintf(&tmpl, "%s/sekvm-unit-XXXXXX", base && *base ? base : "/tmp") < 0 ||
	    !mkdtemp(tmpl)) {
		perror("mkdtemp");
		exit(99);
	}
	return tmpl;
}

static inline int tap_rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path) < 0 ? -1 : 0;
}

static inline void tap_tmpdir_remove(char *dir)
{
	if (nftw(dir, tap_rm_one, 16, FTW_DEPTH | FTW_PHYS) < 0) {
		tap_diag("cannot remove %s", dir);
	}
	free(dir);
}
