/* output.c: what vmctl prints on stdout: JSON, one-line confirmations, key: value lines, tables. */
#include <assert.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "vmctl.h"

#define KV_WIDTH       15 /* "Default accel:" and a space, like virsh dominfo */
#define TABLE_GAP      3
#define TABLE_COLS_MAX 16

struct vmctl_table {
	size_t ncols, nrows;
	char **cells; /* row-major; row 0 is the header */
};

void vmctl_json_print(json_object *obj)
{
	puts(json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
							 JSON_C_TO_STRING_NOSLASHESCAPE));
}

/* Member lookups for printing: a member hostd left out shows as "?" or 0, not as a crash. */
const char *vmctl_json_str(json_object *obj, const char *key)
{
	json_object *v;

	if (!json_object_object_get_ex(obj, key, &v) || !json_object_is_type(v, json_type_string)) {
		return "?";
	}
	return json_object_get_string(v);
}

long long vmctl_json_int(json_object *obj, const char *key)
{
	json_object *v;

	if (!json_object_object_get_ex(obj, key, &v)) {
		return 0;
	}
	return json_object_get_int64(v);
}

bool vmctl_json_bool(json_object *obj, const char *key)
{
	json_object *v;

	return json_object_object_get_ex(obj, key, &v) && json_object_get_boolean(v);
}

/* A state change: the result as JSON, or "Domain 'NAME' <what>" in virsh's words. */
int vmctl_print_done(const struct vmctl_ctx *ctx, json_object *result, const char *what)
{
	if (ctx->json) {
		vmctl_json_print(result);
	} else {
		printf("Domain '%s' %s\n", vmctl_json_str(result, "name"), what);
	}
	return 0;
}

/* One call whose reply is confirmed in one line. */
int vmctl_call_done(const struct vmctl_ctx *ctx, const char *method, json_object *params,
		    const char *what)
{
	_cleanup_json_ json_object *result = NULL;
	int r;

	r = vmctl_call(ctx, method, params, &result);
	if (r < 0) {
		return r;
	}
	return vmctl_print_done(ctx, result, what);
}

const char *vmctl_dash(const char *s)
{
	return *s ? s : "-";
}

/* "Key:" padded like virsh dominfo; an empty key continues the value above. */
void vmctl_kv(const char *key, const char *fmt, ...)
{
	size_t n = strlen(key);
	va_list ap;

	if (n == 0) {
		printf("%*s", KV_WIDTH + 1, "");
	} else {
		printf("%s:%*s", key, n < KV_WIDTH ? (int)(KV_WIDTH - n) : 1, "");
	}
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

int vmctl_flush_stdout(void)
{
	if (fflush(stdout) != 0 || ferror(stdout)) {
		int err = errno ? errno : EIO;

		fprintf(stderr, "vmctl: cannot write to standard output: %s\n", strerror(err));
		return -err;
	}
	return 0;
}

static char *xstrdup(const char *s)
{
	char *copy = strdup(s);

	if (!copy) {
		vmctl_oom();
	}
	return copy;
}

struct vmctl_table *vmctl_table_new(size_t ncols, const char *const *headers)
{
	struct vmctl_table *t = calloc(1, sizeof(*t));

	assert(ncols > 0 && ncols <= TABLE_COLS_MAX);
	if (!t) {
		vmctl_oom();
	}
	t->ncols = ncols;
	vmctl_table_add(t, headers);
	return t;
}

void vmctl_table_add(struct vmctl_table *t, const char *const *cells)
{
	char **grown = realloc(t->cells, (t->nrows + 1) * t->ncols * sizeof(*grown));
	size_t i;

	if (!grown) {
		vmctl_oom();
	}
	t->cells = grown;
	for (i = 0; i < t->ncols; i++) {
		t->cells[t->nrows * t->ncols + i] = xstrdup(cells[i]);
	}
	t->nrows++;
}

static size_t table_width(const struct vmctl_table *t, size_t col)
{
	size_t row, w = 0;

	for (row = 0; row < t->nrows; row++) {
		size_t n = strlen(t->cells[row * t->ncols + col]);

		w = n > w ? n : w;
	}
	return w;
}

static void table_row(const struct vmctl_table *t, size_t row, const size_t *widths)
{
	size_t col;

	putchar(' ');
	for (col = 0; col < t->ncols; col++) {
		const char *cell = t->cells[row * t->ncols + col];

		if (col + 1 == t->ncols) {
			printf("%s\n", cell);
		} else {
			printf("%-*s%*s", (int)widths[col], cell, TABLE_GAP, "");
		}
	}
}

/* Like virsh list: a leading space, columns as wide as their widest cell, a line of dashes. */
void vmctl_table_print(const struct vmctl_table *t)
{
	size_t widths[TABLE_COLS_MAX] = { 0 }, total = 1, row, col;

	for (col = 0; col < t->ncols; col++) {
		widths[col] = table_width(t, col);
		total += widths[col] + (col + 1 < t->ncols ? TABLE_GAP : 0);
	}
	table_row(t, 0, widths);
	for (col = 0; col < total; col++) {
		putchar('-');
	}
	putchar('\n');
	for (row = 1; row < t->nrows; row++) {
		table_row(t, row, widths);
	}
}

void vmctl_table_free(struct vmctl_table *t)
{
	size_t i;

	if (!t) {
		return;
	}
	for (i = 0; i < t->nrows * t->ncols; i++) {
		free(t->cells[i]);
	}
	free(t->cells);
	free(t);
}
