/* cmd-info.c: vmctl info: one VM's definition and state as key: value lines (vm.info). */
#include <stdio.h>

#include "vmctl.h"

static void info_disks(json_object *vm)
{
	json_object *disks = NULL;
	size_t i, n = 0;

	if (json_object_object_get_ex(vm, "disks", &disks) &&
	    json_object_is_type(disks, json_type_array)) {
		n = json_object_array_length(disks);
	}
	if (n == 0) {
		vmctl_kv("Disks", "-");
	}
	for (i = 0; i < n; i++) {
		vmctl_kv(i == 0 ? "Disks" : "", "%s",
			 json_object_get_string(json_object_array_get_idx(disks, i)));
	}
}

/* Members the contract marks optional, shown only when hostd sent them. */
static void info_optional(json_object *vm)
{
	if (json_object_object_get_ex(vm, "accel_used", NULL)) {
		vmctl_kv("Accel used", "%s", vmctl_json_str(vm, "accel_used"));
	}
	if (json_object_object_get_ex(vm, "pid", NULL)) {
		vmctl_kv("PID", "%lld", vmctl_json_int(vm, "pid"));
	}
	if (json_object_object_get_ex(vm, "error", NULL)) {
		vmctl_kv("Error", "%s", vmctl_json_str(vm, "error"));
	}
	if (json_object_object_get_ex(vm, "console_log", NULL)) {
		vmctl_kv("Console log", "%s", vmctl_json_str(vm, "console_log"));
	}
}

static void info_print(json_object *vm)
{
	vmctl_kv("Name", "%s", vmctl_json_str(vm, "name"));
	vmctl_kv("UUID", "%s", vmctl_json_str(vm, "uuid"));
	vmctl_kv("State", "%s", vmctl_json_str(vm, "state"));
	vmctl_kv("Reason", "%s", vmctl_json_str(vm, "reason"));
	vmctl_kv("vCPUs", "%lld", vmctl_json_int(vm, "vcpus"));
	vmctl_kv("Memory", "%lld MiB", vmctl_json_int(vm, "memory_mib"));
	vmctl_kv("Kernel", "%s", vmctl_dash(vmctl_json_str(vm, "kernel")));
	vmctl_kv("Initrd", "%s", vmctl_dash(vmctl_json_str(vm, "initrd")));
	vmctl_kv("Cmdline", "%s", vmctl_dash(vmctl_json_str(vm, "cmdline")));
	info_disks(vm);
	vmctl_kv("Accel", "%s", vmctl_json_str(vm, "accel"));
	vmctl_kv("Autostart", "%s", vmctl_json_bool(vm, "autostart") ? "yes" : "no");
	info_optional(vm);
}

static int info_run(struct vmctl_ctx *ctx, const struct vmctl_args *args)
{
	_cleanup_json_ json_object *result = NULL;
	int r;

	r = vmctl_call(ctx, "vm.info", vmctl_params_vm(args->vm), &result);
	if (r < 0) {
		return r;
	}
	if (ctx->json) {
		vmctl_json_print(result);
	} else {
		info_print(result);
	}
	return 0;
}

const struct vmctl_cmd vmctl_cmd_info = {
	.name = "info",
	.run = info_run,
	.summary = "show a VM's definition and state",
	.flags = VMCTL_CMD_VM,
};
