/* Unit tests of the definition store: round trip, atomic writes, and what loading leaves alone. */
#include "store.h"
#include "tap.h"

#include <dirent.h>
#include <errno.h>
#include <sys/stat.h>

static char *tmp;

static char *vms_path(const char *name)
{
	return util_strdup_printf("%s/vms/%s", tmp, name);
}

static bool exists(const char *name)
{
	char *p = vms_path(name);
	struct stat st;
	bool r = stat(p, &st) == 0;

	free(p);
	return r;
}

static void write_text(const char *name, const char *text)
{
	char *p = vms_path(name);
	FILE *f = fopen(p, "w");

	if (!f || fputs(text, f) < 0 || fclose(f) != 0) {
		perror(p);
		exit(99);
	}
	free(p);
}

/* The names in <tmp>/vms, sorted, joined by ' '. */
static char *list_vms_dir(void)
{
	char *dir = util_strdup_printf("%s/vms", tmp), *out = util_xstrdup("");
	struct dirent **names;
	int n = scandir(dir, &names, NULL, alphasort);

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
	free(dir);
	return out;
}

static void registry_clear(struct registry *r)
{
	while (r->n > 0) {
		registry_remove(r, r->vms[0]);
	}
	free(r->vms);
	memset(r, 0, sizeof(*r));
}

/* A definition as stored, with the given uuid and name. */
static char *def_text(const char *uuid, const char *name)
{
	return util_strdup_printf(
		"{\"uuid\":\"%s\",\"name\":\"%s\",\"memory_mib\":128,\"vcpus\":1,\"kernel\":null,"
		"\"initrd\":null,\"cmdline\":null,\"disks\":[],\"accel\":\"tcg\",\"autostart\":"
		"false}\n",
		uuid, name);
}

static void new_uuid(char *ret)
{
	if (util_uuid_new(ret) < 0) {
		exit(99);
	}
}

static void check_config_equal(const struct vm_config *got, const struct vm_config *want)
{
	const char *n = want->name;

	CHECK_STREQ(got->uuid, want->uuid, "%s: uuid", n);
	CHECK_STREQ(got->name, want->name, "%s: name", n);
	CHECK_EQ_INT(got->memory_mib, want->memory_mib, "%s: memory_mib", n);
	CHECK_EQ_INT(got->vcpus, want->vcpus, "%s: vcpus", n);
	CHECK_STREQ(got->kernel, want->kernel, "%s: kernel", n);
	CHECK_STREQ(got->initrd, want->initrd, "%s: initrd", n);
	CHECK_STREQ(got->cmdline, want->cmdline, "%s: cmdline", n);
	if (CHECK_EQ_INT(got->n_disks, want->n_disks, "%s: disk count", n)) {
		for (size_t i = 0; i < want->n_disks; i++) {
			CHECK_STREQ(got->disks[i], want->disks[i], "%s: disk %zu", n, i);
		}
	}
	CHECK_EQ_INT(got->accel, want->accel, "%s: accel", n);
	CHECK_EQ_INT(got->autostart, want->autostart, "%s: autostart", n);
}

static void test_round_trip(void)
{
	struct vm_config full = {
		.name = "alpha",
		.memory_mib = 1048576,
		.vcpus = 64,
		.kernel = util_xstrdup("/boot/vmlinuz"),
		.initrd = util_xstrdup("/boot/initrd.img"),
		.cmdline = util_xstrdup("console=ttyS0 quote=\"x\" slash=/a\\b \xc3\xa9"),
		.disks = {util_xstrdup("/var/lib/d1.img"), util_xstrdup("/var/lib/with space.img")},
		.n_disks = 2,
		.accel = VM_ACCEL_KVM,
		.autostart = true,
	};
	struct vm_config bare = {
		.name = "beta", .memory_mib = 16, .vcpus = 1, .accel = VM_ACCEL_AUTO};
	struct registry reg = {0};
	char *names, *want_names;

	new_uuid(full.uuid);
	new_uuid(bare.uuid);
	CHECK_EQ_INT(store_load_all(tmp, &reg), 0, "loading an empty state dir");
	CHECK_EQ_INT(reg.n, 0, "finds no VM");
	CHECK(exists("."), "and makes <state>/vms");

	CHECK_EQ_INT(store_save(tmp, &full), 0, "store_save of a full definition");
	CHECK_EQ_INT(store_save(tmp, &bare), 0,
		     "store_save of one with NULL kernel/initrd/cmdline");
	names = list_vms_dir();
	want_names = strcmp(full.uuid, bare.uuid) < 0
			     ? util_strdup_printf("%s.json %s.json", full.uuid, bare.uuid)
			     : util_strdup_printf("%s.json %s.json", bare.uuid, full.uuid);
	CHECK_STREQ(names, want_names, "exactly <uuid>.json per VM, no temp file left behind");
	free(names);

	CHECK_EQ_INT(store_load_all(tmp, &reg), 0, "store_load_all");
	if (CHECK_EQ_INT(reg.n, 2, "loads both VMs")) {
		CHECK_STREQ(reg.vms[0]->cfg.name, "alpha", "sorted by name: alpha first");
		check_config_equal(&reg.vms[0]->cfg, &full);
		check_config_equal(&reg.vms[1]->cfg, &bare);
		CHECK_EQ_INT(reg.vms[1]->state, VM_SHUTOFF, "a loaded VM is shut off");
		CHECK_EQ_INT(reg.vms[1]->reason, VM_REASON_DEFINED, "with reason defined");
	}
	registry_clear(&reg);

	/* Saving again replaces the file in place. */
	bare.memory_mib = 4096;
	CHECK_EQ_INT(store_save(tmp, &bare), 0, "store_save over an existing definition");
	names = list_vms_dir();
	CHECK_STREQ(names, want_names, "still one file per VM, no temp file");
	free(names);
	store_load_all(tmp, &reg);
	if (CHECK_EQ_INT(reg.n, 2, "both VMs load after the rewrite")) {
		CHECK_EQ_INT(reg.vms[1]->cfg.memory_mib, 4096, "the new definition is what loads");
	}
	registry_clear(&reg);

	CHECK_EQ_INT(store_delete(tmp, full.uuid), 0, "store_delete");
	names = list_vms_dir();
	free(want_names);
	want_names = util_strdup_printf("%s.json", bare.uuid);
	CHECK_STREQ(names, want_names, "store_delete removes the file and only it");
	free(names);
	CHECK_EQ_INT(store_delete(tmp, full.uuid), -ENOENT,
		     "store_delete of a deleted VM: -ENOENT");
	store_load_all(tmp, &reg);
	if (CHECK_EQ_INT(reg.n, 1, "the deleted VM does not load")) {
		CHECK_STREQ(reg.vms[0]->cfg.name, "beta", "the other one does");
	}
	registry_clear(&reg);
	CHECK_EQ_INT(store_delete(tmp, bare.uuid), 0, "store_delete of the last VM");
	free(want_names);
	vm_config_clear(&full);
	vm_config_clear(&bare);
}

static void test_bad_files(void)
{
	char good[UUID_STR_LEN + 1], stray[UUID_STR_LEN + 1], garbage[UUID_STR_LEN + 1];
	char misnamed[UUID_STR_LEN + 1], inner[UUID_STR_LEN + 1], dup1[UUID_STR_LEN + 1];
	char dup2[UUID_STR_LEN + 1], range[UUID_STR_LEN + 1];
	char *text, *name, *before, *after;
	struct registry reg = {0};
	struct vm *dup;

	new_uuid(good);
	new_uuid(stray);
	new_uuid(garbage);
	new_uuid(misnamed);
	new_uuid(inner);
	new_uuid(dup1);
	new_uuid(dup2);
	new_uuid(range);

	text = def_text(good, "good");
	name = util_strdup_printf("%s.json", good);
	write_text(name, text);
	free(text);
	free(name);

	/* An interrupted write: a valid definition under a temp name. */
	text = def_text(stray, "stray");
	name = util_strdup_printf("%s.json.tmp.123", stray);
	write_text(name, text);
	free(text);
	free(name);

	name = util_strdup_printf("%s.json", garbage);
	write_text(name, "{\"uuid\": \"not JSON at all");
	free(name);

	/* A valid definition whose uuid is not its file's name. */
	text = def_text(inner, "misnamed");
	name = util_strdup_printf("%s.json", misnamed);
	write_text(name, text);
	free(text);
	free(name);

	text = def_text(dup1, "twin");
	name = util_strdup_printf("%s.json", dup1);
	write_text(name, text);
	free(text);
	free(name);
	text = def_text(dup2, "twin");
	name = util_strdup_printf("%s.json", dup2);
	write_text(name, text);
	free(text);
	free(name);

	name = util_strdup_printf("%s.json", range);
	text = util_strdup_printf(
		"{\"uuid\":\"%s\",\"name\":\"range\",\"memory_mib\":1,\"vcpus\":1,\"kernel\":null,"
		"\"initrd\":null,\"cmdline\":null,\"disks\":[],\"accel\":\"tcg\",\"autostart\":"
		"false}\n",
		range);
	write_text(name, text);
	free(text);
	free(name);

	write_text("README", "not a definition\n");

	before = list_vms_dir();
	CHECK_EQ_INT(store_load_all(tmp, &reg), 0, "store_load_all with broken files succeeds");
	after = list_vms_dir();
	CHECK_STREQ(after, before, "loading leaves every file in place, broken ones included");
	free(before);
	free(after);

	if (CHECK_EQ_INT(reg.n, 2, "loads the good VM and one of the twins, nothing else")) {
		CHECK_STREQ(reg.vms[0]->cfg.name, "good", "the good VM is loaded");
		CHECK_STREQ(reg.vms[1]->cfg.name, "twin", "one twin is loaded");
	}
	CHECK(registry_find(&reg, good) != NULL, "the good VM is found by uuid");
	CHECK(registry_find(&reg, "stray") == NULL && registry_find(&reg, stray) == NULL,
	      "the stray temp file is ignored");
	CHECK(registry_find(&reg, garbage) == NULL, "the garbage file is skipped");
	CHECK(registry_find(&reg, "misnamed") == NULL && registry_find(&reg, inner) == NULL,
	      "the file whose name does not match its uuid is skipped");
	CHECK(registry_find(&reg, "range") == NULL, "the file with memory_mib 1 is skipped");
	dup = registry_find(&reg, "twin");
	CHECK(dup && (strcmp(dup->cfg.uuid, dup1) == 0 || strcmp(dup->cfg.uuid, dup2) == 0),
	      "the loaded twin is one of the two files");
	registry_clear(&reg);
}

int main(void)
{
	umask(022);
	tmp = tap_tmpdir();
	test_round_trip();
	test_bad_files();
	tap_tmpdir_remove(tmp);
	return tap_done();
}
