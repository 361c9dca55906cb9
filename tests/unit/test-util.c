/* Unit tests of hostd's helpers: UUIDs, atomic writes, bounded reads, start times, VM names. */
#include "params.h"
#include "tap.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/prctl.h>
#include <sys/stat.h>

static char *tmp;

static char *path_in(const char *name)
{
	return util_strdup_printf("%s/%s", tmp, name);
}

static void write_bytes(const char *path, const char *data, size_t len)
{
	FILE *f = fopen(path, "w");

	if (!f || fwrite(data, 1, len, f) != len || fclose(f) != 0) {
		perror(path);
		exit(99);
	}
}

/* A file of n bytes whose content differs at every offset that matters here. */
static char *pattern(size_t n)
{
	char *s = malloc(n + 1);

	for (size_t i = 0; i < n; i++) {
		s[i] = (char)('a' + (i * 7 + i / 26) % 26);
	}
	s[n] = '\0';
	return s;
}

/* The names in dir, sorted, joined by ' '. */
static char *list_dir(const char *dir)
{
	struct dirent **names;
	int n = scandir(dir, &names, NULL, alphasort);
	char *out = util_xstrdup("");

	for (int i = 0; i < n; i++) {
		if (names[i]->d_name[0] != '.') {
			char *next = util_strdup_printf("%s%s%s", out, *out ? " " : "",
							names[i]->d_name);

			free(out);
			out = next;
		}
		free(names[i]);
	}
	free(names);
	return out;
}

static void test_uuid(void)
{
	char a[UUID_STR_LEN + 1], b[UUID_STR_LEN + 1];
	static const char *const bad[] = {
		"3F2504E0-4F89-41D3-9A0C-0305E82C3301",	 /* upper case */
		"3f2504e04-f89-41d3-9a0c-0305e82c3301",	 /* dash moved */
		"3f2504e0-4f89-41d3-9a0c-0305e82c330",	 /* short */
		"3f2504e0-4f89-41d3-9a0c-0305e82c33011", /* long */
		"3f2504e0-4f89-41d3-9a0c_0305e82c3301",	 /* '_' for '-' */
		"3f2504e0-4f89-41d3-9a0c-0305e82c330g",	 /* not hex */
		"3f2504e0x4f89-41d3-9a0c-0305e82c3301",	 /* no dash */
		"",
	};

	CHECK_EQ_INT(util_uuid_new(a), 0, "util_uuid_new succeeds");
	CHECK_EQ_INT(util_uuid_new(b), 0, "util_uuid_new succeeds again");
	CHECK(util_uuid_valid(a), "a new UUID is valid: %s", a);
	CHECK(util_uuid_valid(b), "a second new UUID is valid: %s", b);
	CHECK(strcmp(a, b) != 0, "two new UUIDs differ");
	CHECK(a[14] == '4', "version 4: %s", a);
	CHECK(strchr("89ab", a[19]) != NULL, "RFC 4122 variant: %s", a);
	CHECK(util_uuid_valid("3f2504e0-4f89-41d3-9a0c-0305e82c3301"),
	      "a lower-case UUID is valid");
	for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
		CHECK(!util_uuid_valid(bad[i]), "util_uuid_valid rejects '%s'", bad[i]);
	}
}

static void test_write_atomic(void)
{
	char *path = path_in("atomic"), *data = NULL, *names;
	struct stat st;

	CHECK_EQ_INT(util_write_file_atomic(path, "first version", 13, 0640), 0, "atomic write");
	CHECK_EQ_INT(util_write_file_atomic(path, "second", 6, 0640), 0, "atomic write replaces");
	if (CHECK_EQ_INT(util_read_file(path, 1024, &data, NULL), 0, "read back")) {
		CHECK_STREQ(data, "second", "the content was replaced, not appended to");
	}
	free(data);
	CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0640, "the file has mode 0640");
	names = list_dir(tmp);
	CHECK_STREQ(names, "atomic", "no temp file is left behind");
	free(names);
	free(path);

	path = util_strdup_printf("%s/missing-dir/file", tmp);
	CHECK_EQ_INT(util_write_file_atomic(path, "x", 1, 0640), -ENOENT,
		     "into a missing directory: -ENOENT");
	free(path);

	/* The rename fails (a directory is in the way): the temp file must go too. */
	path = path_in("adir");
	mkdir(path, 0755);
	CHECK_EQ_INT(util_write_file_atomic(path, "x", 1, 0640), -EISDIR,
		     "over a directory: -EISDIR");
	names = list_dir(tmp);
	CHECK_STREQ(names, "adir atomic", "a failed write leaves no temp file behind");
	free(names);
	rmdir(path);
	free(path);
	path = path_in("atomic");
	unlink(path);
	free(path);
}

static void test_read_file(void)
{
	char *small = path_in("small"), *big = path_in("big"), *missing = path_in("missing");
	char *sentinel = (char *)"untouched", *data = sentinel, *want = pattern(10000);
	size_t len = 777;

	write_bytes(small, "0123456789", 10);
	write_bytes(big, want, 10000);

	CHECK_EQ_INT(util_read_file(small, 5, &data, &len), -EFBIG,
		     "a 10-byte file with max 5: -EFBIG");
	CHECK(data == sentinel && len == 777, "on -EFBIG the outputs are not written");
	if (data != sentinel) {
		free(data);
		data = sentinel;
	}
	CHECK_EQ_INT(util_read_file(big, 5000, &data, &len), -EFBIG,
		     "a 10000-byte file with max 5000: -EFBIG");
	if (data != sentinel) {
		free(data);
		data = sentinel;
	}
	CHECK_EQ_INT(util_read_file(big, 9999, &data, &len), -EFBIG,
		     "a 10000-byte file with max 9999: -EFBIG");
	if (data != sentinel) {
		free(data);
		data = sentinel;
	}
	if (CHECK_EQ_INT(util_read_file(small, 10, &data, &len), 0, "max equal to the size (10)")) {
		CHECK_STREQ(data, "0123456789", "its content");
		CHECK_EQ_INT(len, 10, "its length");
		free(data);
	}
	data = sentinel;
	if (CHECK_EQ_INT(util_read_file(big, 10000, &data, &len), 0,
			 "max equal to the size (10000)")) {
		CHECK(len == 10000 && strcmp(data, want) == 0, "its content, whole");
		free(data);
	}
	data = sentinel;
	if (CHECK_EQ_INT(util_read_file(big, 1 << 20, &data, NULL), 0, "max above the size")) {
		CHECK(strcmp(data, want) == 0, "its content, whole and NUL-terminated");
		free(data);
	}
	data = sentinel;
	CHECK_EQ_INT(util_read_file(missing, 100, &data, &len), -ENOENT, "a missing file: -ENOENT");
	CHECK(data == sentinel, "on -ENOENT the output is not written");
	free(small);
	free(big);
	free(missing);
	free(want);
}

static void test_read_tail(void)
{
	char *small = path_in("tail-small"), *big = path_in("tail-big"), *missing = path_in("none");
	char *data = NULL, *want = pattern(20000);
	size_t len = 777;

	write_bytes(small, "0123456789", 10);
	write_bytes(big, want, 20000);

	if (CHECK_EQ_INT(util_read_file_tail(small, 4, &data, &len), 0, "tail of 4 bytes")) {
		CHECK_STREQ(data, "6789", "the last 4 bytes");
		CHECK_EQ_INT(len, 4, "length 4");
		free(data);
	}
	if (CHECK_EQ_INT(util_read_file_tail(small, 100, &data, &len), 0,
			 "tail longer than the file")) {
		CHECK_STREQ(data, "0123456789", "the whole file");
		CHECK_EQ_INT(len, 10, "length 10");
		free(data);
	}
	if (CHECK_EQ_INT(util_read_file_tail(small, 10, &data, &len), 0,
			 "tail of exactly the size")) {
		CHECK_STREQ(data, "0123456789", "the whole file");
		free(data);
	}
	/* As qemu_adopt does with the console log and CONSOLE_RING_SIZE: tail larger than 4 KiB. */
	if (CHECK_EQ_INT(util_read_file_tail(big, 8192, &data, &len), 0,
			 "tail of 8192 bytes of a 20000-byte file")) {
		CHECK_EQ_INT(len, 8192, "length 8192");
		CHECK(memcmp(data, want + 20000 - 8192, 8192) == 0 && data[8192] == '\0',
		      "the last 8192 bytes, NUL-terminated");
		free(data);
	}
	if (CHECK_EQ_INT(util_read_file_tail(big, 20000, &data, &len), 0,
			 "tail of exactly the size of a 20000-byte file")) {
		CHECK(len == 20000 && strcmp(data, want) == 0, "the whole file");
		free(data);
	}
	data = NULL;
	len = 777;
	if (CHECK_EQ_INT(util_read_file_tail(missing, 100, &data, &len), 0,
			 "tail of a missing file succeeds")) {
		CHECK_STREQ(data, "", "and is the empty string");
		CHECK_EQ_INT(len, 0, "of length 0");
		free(data);
	}
	unlink(small);
	unlink(big);
	free(small);
	free(big);
	free(missing);
	free(want);
}

/* Field 22 of /proc/self/stat, parsed here independently of util.c. */
static unsigned long long starttime_of_self(void)
{
	char *stat = NULL, *p;
	unsigned long long t = 0;

	if (util_read_file("/proc/self/stat", 4096, &stat, NULL) < 0 || !(p = strrchr(stat, ')'))) {
		free(stat);
		return 0;
	}
	/* After ") " come fields 3 (state) .. 21, then 22: starttime. */
	if (sscanf(p + 2,
		   "%*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s "
		   "%*s %llu",
		   &t) != 1) {
		t = 0;
	}
	free(stat);
	return t;
}

static void test_proc_start_time(void)
{
	unsigned long long a = 1, b = 2, want = starttime_of_self(), kept = 42;
	char name[16] = "";

	CHECK_EQ_INT(util_proc_start_time(getpid(), &a), 0, "start time of our own pid");
	CHECK_EQ_INT(util_proc_start_time(getpid(), &b), 0, "start time of our own pid again");
	CHECK(a == b, "stable across two calls (%llu, %llu)", a, b);
	CHECK(want != 0, "the test's own parse of /proc/self/stat found a start time");
	CHECK_EQ_INT(a, want, "it is field 22 (starttime) of /proc/PID/stat");
	CHECK_EQ_INT(util_proc_start_time(INT_MAX, &kept), -ENOENT, "a pid that does not exist");
	CHECK_EQ_INT(kept, 42, "its output is not written");

	/* A command name with ") " in it must not shift the fields. */
	prctl(PR_GET_NAME, name);
	if (prctl(PR_SET_NAME, "a) b) c d e f") == 0) {
		CHECK_EQ_INT(util_proc_start_time(getpid(), &b), 0, "start time with ') ' in comm");
		CHECK_EQ_INT(b, want, "the same start time with ') ' in comm");
		prctl(PR_SET_NAME, name);
	} else {
		tap_skip("prctl(PR_SET_NAME) failed", "start time with ') ' in comm");
	}
}

static void test_mkdir_rm(void)
{
	char *deep = util_strdup_printf("%s/d1/d2/d3", tmp), *top = path_in("d1");
	char *file = util_strdup_printf("%s/d1/d2/d3/f", tmp),
	     *mid = util_strdup_printf("%s/d1/d2", tmp);
	struct stat st;

	CHECK_EQ_INT(util_mkdir_p(deep, 0750), 0, "util_mkdir_p makes nested directories");
	CHECK(stat(deep, &st) == 0 && S_ISDIR(st.st_mode), "the directory exists");
	CHECK_EQ_INT(util_mkdir_p(deep, 0750), 0, "util_mkdir_p of an existing directory: 0");
	write_bytes(file, "x", 1);
	CHECK_EQ_INT(util_rm_dir_files(deep), 0,
		     "util_rm_dir_files removes a directory and its files");
	CHECK(stat(deep, &st) < 0 && errno == ENOENT, "it is gone");
	CHECK_EQ_INT(util_rm_dir_files(deep), 0, "util_rm_dir_files of a missing directory: 0");
	rmdir(mid);
	rmdir(top);
	free(deep);
	free(top);
	free(file);
	free(mid);
}

static void test_vm_names(void)
{
	static const char *const good[] = {"a",	  "Z",	 "0",	 "vm1",	 "a.b",
					   "a_b", "a-b", "a..b", "A-._9"};
	static const char *const bad[] = {"",	"-a",  ".a",  "_a",  "..", ".",		  "a/b",
					  "/a", "a b", "a\n", "a:b", "a*", "caf\xc3\xa9", "a\\b"};
	char name64[65], name65[66];

	memset(name64, 'n', 64);
	name64[64] = '\0';
	memset(name65, 'n', 65);
	name65[65] = '\0';
	for (size_t i = 0; i < ELEMENTSOF(good); i++) {
		CHECK(params_vm_name_valid(good[i]), "VM name '%s' is valid", good[i]);
	}
	CHECK(params_vm_name_valid(name64), "a 64-character VM name is valid");
	for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
		CHECK(!params_vm_name_valid(bad[i]), "VM name '%s' is invalid", tap_esc(bad[i]));
	}
	CHECK(!params_vm_name_valid(name65), "a 65-character VM name is invalid");
}

int main(void)
{
	umask(022);
	tmp = tap_tmpdir();
	test_uuid();
	test_write_atomic();
	test_read_file();
	test_read_tail();
	test_proc_start_time();
	test_mkdir_rm();
	test_vm_names();
	tap_tmpdir_remove(tmp);
	return tap_done();
}
