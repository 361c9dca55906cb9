/* cmd-stop.c: vmctl stop: forces a VM off at once (vm.stop). */
#include "vmctl.h"

static int stop_run(struct vmctl_ctx *ctx, const struct vmctl_args *args)
{
	return vmctl_call_done(ctx, "vm.stop", vmctl_params_vm(args->vm), "stopped");
}

const struct vmctl_cmd vmctl_cmd_stop = {
	.name = "stop",
	.run = stop_run,
	.summary = "force a VM off at once, like pulling the plug",
	.flags = VMCTL_CMD_VM,
};
