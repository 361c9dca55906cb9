/* params.c: builds request params; running out of memory ends vmctl, as xmalloc does in tmux. */
#include <stdio.h>

#include "vmctl.h"

_Noreturn void vmctl_oom(void)
{
	fputs("vmctl: out of memory\n", stderr);
	exit(VMCTL_EXIT_FAIL);
}

static json_object *check(json_object *obj)
{
	if (!obj) {
		vmctl_oom();
	}
	return obj;
}

static void add(json_object *params, const char *key, json_object *value)
{
	if (json_object_object_add(params, key, check(value)) < 0) {
		vmctl_oom();
	}
}

json_object *vmctl_params_new(void)
{
	return check(json_object_new_object());
}

json_object *vmctl_params_vm(const char *vm)
{
	json_object *params = vmctl_params_new();

	vmctl_params_str(params, "vm", vm);
	return params;
}

void vmctl_params_str(json_object *params, const char *key, const char *value)
{
	add(params, key, json_object_new_string(value));
}

void vmctl_params_int(json_object *params, const char *key, long long value)
{
	add(params, key, json_object_new_int64(value));
}

void vmctl_params_bool(json_object *params, const char *key, bool value)
{
	add(params, key, json_object_new_boolean(value));
}

/* Adds an empty array under key and returns it, for vmctl_params_push_str. */
json_object *vmctl_params_array(json_object *params, const char *key)
{
	json_object *array = check(json_object_new_array());

	add(params, key, array);
	return array;
}

void vmctl_params_push_str(json_object *array, const char *value)
{
	if (json_object_array_add(array, check(json_object_new_string(value))) < 0) {
		vmctl_oom();
	}
}
