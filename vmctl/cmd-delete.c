/* cmd-delete.c: vmctl delete: removes a VM's definition and runtime files (vm.delete). */
#include "vmctl.h"

static int delete_run(struct vmctl_ctx *ctx, const struct vmctl_args *args)
{
	return vmctl_call_done(ctx, "vm.delete", vmctl_params_vm(args->vm), "deleted");
}

const struct vmctl_cmd vmctl_cmd_delete = {
	.name = "delete",
	.run = delete_run,
	.summary = "remove the definition of a VM that is not running",
	.flags = VMCTL_CMD_VM,
};
