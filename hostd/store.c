/* Persistent VM definitions: one JSON file per VM in <state-dir>/vms, written atomically. */
#include "store.h"

#include "log.h"

#include <dirent.h>
#include <errno.h>
#include <string.h>

#define STORE_MAX_FILE (64 * 1024)

static char *def_path(const char *state_dir, const char *uuid)
{
	return util_strdup_printf("%s/vms/%s.json", state_dir, uuid);
}

int store_save(const char *state_dir, const struct vm_config *cfg)
{
	_cleanup_free_ char *path = def_path(state_dir, cfg->uuid);
	json_object *o = vm_config_to_json(cfg);
	const char *text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE);
	_cleanup_free_ char *data = util_strdup_printf("%s\n", text);
	int r;

	json_object_put(o);
	r = util_write_file_atomic(path, data, strlen(data), 0640);
	return r;
}

int store_delete(const char *state_dir, const char *uuid)
{
	_cleanup_free_ char *path = def_path(state_dir, uuid);

	if (unlink(path) < 0) {
		return -errno;
	}
	return util_fsync_dir_of(path);
}

static int load_one(const char *state_dir, const char *file, struct registry *reg)
{
	_cleanup_free_ char *path = util_strdup_printf("%s/vms/%s", state_dir, file);
	_cleanup_free_ char *data = NULL, *msg = NULL;
	struct vm_config cfg;
	json_object *o;
	int r;

	r = util_read_file(path, STORE_MAX_FILE, &data, NULL);
	if (r < 0) {
		log_error("%s: cannot read: %s; VM left out", path, strerror(-r));
		return r;
	}
	o = json_tokener_parse(data);
	r = o ? vm_config_from_json(o, &cfg, &msg) : -EINVAL;
	json_object_put(o);
	if (r < 0) {
		log_error("%s: %s; VM left out", path, msg ? msg : "not valid JSON");
		return r;
	}
	if (strncmp(file, cfg.uuid, UUID_STR_LEN) != 0) {
		log_error("%s: file name does not match uuid %s; VM left out", path, cfg.uuid);
	} else if (registry_find(reg, cfg.name)) {
		log_error("%s: a VM named '%s' was already loaded; VM left out", path, cfg.name);
	} else {
		registry_add(reg, &cfg);
		return 0;
	}
	vm_config_clear(&cfg);
	return -EINVAL;
}

int store_load_all(const char *state_dir, struct registry *reg)
{
	_cleanup_free_ char *dir = util_strdup_printf("%s/vms", state_dir);
	struct dirent *de;
	DIR *d;
	int r;

	r = util_mkdir_p(dir, 0750);
	if (r < 0) {
		return r;
	}
	d = opendir(dir);
	if (!d) {
		return -errno;
	}
	while ((de = readdir(d))) {
		size_t n = strlen(de->d_name);

		/* Only <uuid>.json: temp files of an interrupted write are ignored. */
		if (n == UUID_STR_LEN + 5 && strcmp(de->d_name + UUID_STR_LEN, ".json") == 0) {
			load_one(state_dir, de->d_name, reg);
		}
	}
	closedir(d);
	registry_sort(reg);
	return 0;
}
