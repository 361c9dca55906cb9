/* cmd-list.c: vmctl list: every defined VM in a table like virsh list --all (vm.list). */
#include <stdio.h>

#include "vmctl.h"

static const char *const list_headers[] = { "Name", "State", "vCPUs", "Memory", "UUID" };

static void list_add(struct vmctl_table *t, json_object *vm)
{
	char vcpus[24], memory[32];
	const char *const cells[] = {
		vmctl_json_str(vm, "name"), vmctl_json_str(vm, "state"), vcpus, memory,
		vmctl_json_str(vm, "uuid"),
	};

	snprintf(vcpus, sizeof(vcpus), "%lld", vmctl_json_int(vm, "vcpus"));
	snprintf(memory, sizeof(memory), "%lld MiB", vmctl_json_int(vm, "memory_mib"));
	vmctl_table_add(t, cells);
}

static int list_run(struct vmctl_ctx *ctx, const struct vmctl_args *args)
{
	_cleanup_(vmctl_table_freep) struct vmctl_table *t = NULL;
	_cleanup_json_ json_object *result = NULL;
	json_object *vms = NULL;
	size_t i, n = 0;
	int r;

	r = vmctl_call(ctx, "vm.list", NULL, &result);
	if (r < 0) {
		return r;
	}
	if (ctx->json) {
		vmctl_json_print(result);
		return 0;
	}
	if (json_object_object_get_ex(result, "vms", &vms) &&
	    json_object_is_type(vms, json_type_array)) {
		n = json_object_array_length(vms);
	}
	t = vmctl_table_new(sizeof(list_headers) / sizeof(list_headers[0]), list_headers);
	for (i = 0; i < n; i++) {
		list_add(t, json_object_array_get_idx(vms, i));
	}
	vmctl_table_print(t);
	return 0;
}

const struct vmctl_cmd vmctl_cmd_list = {
	.name = "list",
	.run = list_run,
	.summary = "list every defined VM with its state",
};
