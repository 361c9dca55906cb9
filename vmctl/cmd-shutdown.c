/* cmd-shutdown.c: vmctl shutdown: asks a guest to power off, optionally waiting (vm.shutdown). */
#include <string.h>

#include "vmctl.h"

enum { O_TIMEOUT, O_FORCE_AFTER, O_WAIT };

static const struct vmctl_opt shutdown_opts[] = {
	[O_TIMEOUT] = { .name = "timeout",
			.type = VMCTL_ARG_UINT,
			.arg = "S",
			.help = "seconds the guest has to power off (default 60)" },
	[O_FORCE_AFTER] = { .name = "force-after",
			    .type = VMCTL_ARG_FLAG,
			    .help = "stop the VM when the timeout passes" },
	[O_WAIT] = { .name = "wait",
		     .type = VMCTL_ARG_FLAG,
		     .help = "return only when the VM is shut off" },
	{ NULL },
};

static json_object *shutdown_params(const struct vmctl_args *args)
{
	json_object *params = vmctl_params_vm(args->vm);

	if (args->val[O_TIMEOUT].set) {
		vmctl_params_int(params, "timeout", args->val[O_TIMEOUT].num);
	}
	if (args->val[O_FORCE_AFTER].set) {
		vmctl_params_bool(params, "force", true);
	}
	if (args->val[O_WAIT].set) {
		vmctl_params_bool(params, "wait", true);
	}
	return params;
}

/* With --wait the reply tells whether the guest powered off or the timeout forced it off. */
static const char *shutdown_what(const struct vmctl_args *args, json_object *vm)
{
	if (!args->val[O_WAIT].set) {
		return "is being shut down";
	}
	if (strcmp(vmctl_json_str(vm, "reason"), "destroyed") == 0) {
		return "did not shut down in time and was stopped";
	}
	return "shut down";
}

static int shutdown_run(struct vmctl_ctx *ctx, const struct vmctl_args *args)
{
	_cleanup_json_ json_object *result = NULL;
	int r;

	r = vmctl_call(ctx, "vm.shutdown", shutdown_params(args), &result);
	if (r < 0) {
		return r;
	}
	return vmctl_print_done(ctx, result, shutdown_what(args, result));
}

const struct vmctl_cmd vmctl_cmd_shutdown = {
	.name = "shutdown",
	.run = shutdown_run,
	.summary = "ask a VM's guest to power off",
	.opts = shutdown_opts,
	.flags = VMCTL_CMD_VM,
};
