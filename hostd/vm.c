/* The VM model: definition, state and reason (libvirt's model), and the registry of all VMs. */
#include "vm.h"

#include "console.h"
#include "params.h"

#include <errno.h>
#include <string.h>

static const char *const state_names[] = {
	[VM_SHUTOFF] = "shut off",
	[VM_RUNNING] = "running",
	[VM_PAUSED] = "paused",
	[VM_IN_SHUTDOWN] = "in shutdown",
	[VM_CRASHED] = "crashed",
};

static const char *const reason_names[] = {
	[VM_REASON_UNKNOWN] = "unknown",   [VM_REASON_DEFINED] = "defined",
	[VM_REASON_BOOTED] = "booted",     [VM_REASON_USER] = "user",
	[VM_REASON_SHUTDOWN] = "shutdown", [VM_REASON_DESTROYED] = "destroyed",
	[VM_REASON_CRASHED] = "crashed",   [VM_REASON_FAILED] = "failed",
	[VM_REASON_RESET] = "reset",
};

static const char *const accel_names[] = {
	[VM_ACCEL_AUTO] = "auto",
	[VM_ACCEL_KVM] = "kvm",
	[VM_ACCEL_TCG] = "tcg",
};

const char *vm_state_name(enum vm_state s)
{
	return state_names[s];
}

const char *vm_reason_name(enum vm_reason r)
{
	return reason_names[r];
}

const char *vm_accel_name(enum vm_accel a)
{
	return accel_names[a];
}

int vm_accel_from_name(const char *s, enum vm_accel *ret)
{
	for (size_t i = 0; i < ELEMENTSOF(accel_names); i++) {
		if (strcmp(s, accel_names[i]) == 0) {
			*ret = (enum vm_accel)i;
			return 0;
		}
	}
	return -EINVAL;
}

bool vm_is_active(const struct vm *vm)
{
	return vm->state == VM_RUNNING || vm->state == VM_PAUSED || vm->state == VM_IN_SHUTDOWN;
}

void vm_config_clear(struct vm_config *c)
{
	free(c->kernel);
	free(c->initrd);
	free(c->cmdline);
	for (size_t i = 0; i < c->n_disks; i++) {
		free(c->disks[i]);
	}
	memset(c, 0, sizeof(*c));
}

static void add_opt_string(json_object *o, const char *key, const char *value)
{
	json_object_object_add(o, key, value ? json_object_new_string(value) : NULL);
}

json_object *vm_config_to_json(const struct vm_config *c)
{
	json_object *o = json_object_new_object(), *disks = json_object_new_array();

	json_object_object_add(o, "uuid", json_object_new_string(c->uuid));
	json_object_object_add(o, "name", json_object_new_string(c->name));
	json_object_object_add(o, "memory_mib", json_object_new_int64(c->memory_mib));
	json_object_object_add(o, "vcpus", json_object_new_int64(c->vcpus));
	add_opt_string(o, "kernel", c->kernel);
	add_opt_string(o, "initrd", c->initrd);
	add_opt_string(o, "cmdline", c->cmdline);
	for (size_t i = 0; i < c->n_disks; i++) {
		json_object_array_add(disks, json_object_new_string(c->disks[i]));
	}
	json_object_object_add(o, "disks", disks);
	json_object_object_add(o, "accel", json_object_new_string(vm_accel_name(c->accel)));
	json_object_object_add(o, "autostart", json_object_new_boolean(c->autostart));
	return o;
}

static int get_string(json_object *o, const char *key, bool nullable, const char **ret, char **ret_msg)
{
	json_object *v;

	if (!json_object_object_get_ex(o, key, &v)) {
		*ret_msg = util_strdup_printf("missing field '%s'", key);
		return -EINVAL;
	}
	if (!v && nullable) {
		*ret = NULL;
		return 0;
	}
	if (!json_object_is_type(v, json_type_string)) {
		*ret_msg = util_strdup_printf("field '%s' must be a string", key);
		return -EINVAL;
	}
	*ret = json_object_get_string(v);
	return 0;
}

static int get_int(json_object *o, const char *key, long min, long max, long *ret, char **ret_msg)
{
	json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_int) ||
	    json_object_get_int64(v) < min || json_object_get_int64(v) > max) {
		*ret_msg = util_strdup_printf("field '%s' must be an integer from %ld to %ld", key, min, max);
		return -EINVAL;
	}
	*ret = (long)json_object_get_int64(v);
	return 0;
}

static int get_disks(json_object *o, struct vm_config *c, char **ret_msg)
{
	json_object *v;

	if (!json_object_object_get_ex(o, "disks", &v) || !json_object_is_type(v, json_type_array) ||
	    json_object_array_length(v) > VM_MAX_DISKS) {
		*ret_msg = util_strdup_printf("field 'disks' must be an array of at most %d paths", VM_MAX_DISKS);
		return -EINVAL;
	}
	for (size_t i = 0; i < json_object_array_length(v); i++) {
		json_object *d = json_object_array_get_idx(v, i);

		if (!json_object_is_type(d, json_type_string) || json_object_get_string(d)[0] != '/') {
			*ret_msg = util_xstrdup("field 'disks' must hold absolute paths");
			return -EINVAL;
		}
		c->disks[c->n_disks++] = util_xstrdup(json_object_get_string(d));
	}
	return 0;
}

static char *dup_opt(const char *s)
{
	return s ? util_xstrdup(s) : NULL;
}

int vm_config_from_json(json_object *o, struct vm_config *ret, char **ret_msg)
{
	struct vm_config c = {0};
	const char *uuid, *name, *kernel, *initrd, *cmdline, *accel;
	json_object *v;
	int r;

	if (!json_object_is_type(o, json_type_object)) {
		*ret_msg = util_xstrdup("not a JSON object");
		return -EINVAL;
	}
	if ((r = get_string(o, "uuid", false, &uuid, ret_msg)) < 0 ||
	    (r = get_string(o, "name", false, &name, ret_msg)) < 0 ||
	    (r = get_string(o, "kernel", true, &kernel, ret_msg)) < 0 ||
	    (r = get_string(o, "initrd", true, &initrd, ret_msg)) < 0 ||
	    (r = get_string(o, "cmdline", true, &cmdline, ret_msg)) < 0 ||
	    (r = get_string(o, "accel", false, &accel, ret_msg)) < 0 ||
	    (r = get_int(o, "memory_mib", 16, 1048576, &c.memory_mib, ret_msg)) < 0 ||
	    (r = get_int(o, "vcpus", 1, 64, &c.vcpus, ret_msg)) < 0) {
		return r;
	}
	if (!util_uuid_valid(uuid) || !params_vm_name_valid(name) || vm_accel_from_name(accel, &c.accel) < 0) {
		*ret_msg = util_xstrdup("invalid 'uuid', 'name' or 'accel'");
		return -EINVAL;
	}
	if (!json_object_object_get_ex(o, "autostart", &v) || !json_object_is_type(v, json_type_boolean)) {
		*ret_msg = util_xstrdup("field 'autostart' must be true or false");
		return -EINVAL;
	}
	c.autostart = json_object_get_boolean(v);
	memcpy(c.uuid, uuid, UUID_STR_LEN + 1);
	memcpy(c.name, name, strlen(name) + 1);
	c.kernel = dup_opt(kernel);
	c.initrd = dup_opt(initrd);
	c.cmdline = dup_opt(cmdline);
	r = get_disks(o, &c, ret_msg);
	if (r < 0) {
		vm_config_clear(&c);
		return r;
	}
	*ret = c;
	return 0;
}

void vm_set_error(struct vm *vm, const char *error)
{
	free(vm->error);
	vm->error = error ? util_xstrdup(error) : NULL;
}

struct vm *registry_find(const struct registry *r, const char *name_or_uuid)
{
	for (size_t i = 0; i < r->n; i++) {
		struct vm *vm = r->vms[i];

		if (strcmp(vm->cfg.name, name_or_uuid) == 0 || strcmp(vm->cfg.uuid, name_or_uuid) == 0) {
			return vm;
		}
	}
	return NULL;
}

struct vm *registry_add(struct registry *r, const struct vm_config *cfg)
{
	struct vm *vm = util_xcalloc(1, sizeof(*vm));

	if (r->n == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 16;
		r->vms = realloc(r->vms, r->cap * sizeof(*r->vms));
		if (!r->vms) {
			abort();
		}
	}
	vm->cfg = *cfg;
	vm->state = VM_SHUTOFF;
	vm->reason = VM_REASON_DEFINED;
	vm->console = console_new();
	r->vms[r->n++] = vm;
	return vm;
}

void registry_remove(struct registry *r, struct vm *vm)
{
	for (size_t i = 0; i < r->n; i++) {
		if (r->vms[i] == vm) {
			r->vms[i] = r->vms[--r->n];
			break;
		}
	}
	vm_config_clear(&vm->cfg);
	console_free(vm->console);
	free(vm->error);
	free(vm);
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp((*(struct vm *const *)a)->cfg.name, (*(struct vm *const *)b)->cfg.name);
}

void registry_sort(struct registry *r)
{
	if (r->n > 1) { /* qsort's base must not be NULL, and an empty registry has none */
		qsort(r->vms, r->n, sizeof(*r->vms), cmp_name);
	}
}
