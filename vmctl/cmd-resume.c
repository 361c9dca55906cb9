/* cmd-resume.c: vmctl resume: lets a paused VM run again (vm.resume). */
#include "vmctl.h"

static int resume_run(struct vmctl_ctx *ctx, const struct vmctl_args *args)
{
	return vmctl_call_done(ctx, "vm.resume", vmctl_params_vm(args->vm), "resumed");
}

const struct vmctl_cmd vmctl_cmd_resume = {
	.name = "resume",
	.run = resume_run,
	.summary = "let a paused VM run again",
	.flags = VMCTL_CMD_VM,
};
