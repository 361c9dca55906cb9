/* cmd-pause.c: vmctl pause: stops a VM's vCPUs and keeps its memory (vm.pause). */
#include "vmctl.h"

static int pause_run(struct vmctl_ctx *ctx, const struct vmctl_args *args)
{
	return vmctl_call_done(ctx, "vm.pause", vmctl_params_vm(args->vm), "paused");
}

const struct vmctl_cmd vmctl_cmd_pause = {
	.name = "pause",
	.run = pause_run,
	.summary = "stop a VM's vCPUs, keeping its memory",
	.flags = VMCTL_CMD_VM,
};
