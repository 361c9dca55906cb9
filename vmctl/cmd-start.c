/* cmd-start.c: vmctl start: boots a VM that is shut off or crashed (vm.start). */
#include "vmctl.h"

static int start_run(struct vmctl_ctx *ctx, const struct vmctl_args *args)
{
	return vmctl_call_done(ctx, "vm.start", vmctl_params_vm(args->vm), "started");
}

const struct vmctl_cmd vmctl_cmd_start = {
	.name = "start",
	.run = start_run,
	.summary = "start a VM that is shut off or crashed",
	.flags = VMCTL_CMD_VM,
};
