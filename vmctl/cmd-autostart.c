/* cmd-autostart.c: vmctl autostart: whether hostd starts a VM after the host boots (vm.autostart). */
#include "vmctl.h"

enum { O_DISABLE };

static const struct vmctl_opt autostart_opts[] = {
	[O_DISABLE] = { .name = "disable", .type = VMCTL_ARG_FLAG, .help = "stop starting the VM at boot" },
	{ NULL },
};

static int autostart_run(struct vmctl_ctx *ctx, const struct vmctl_args *args)
{
	bool enable = !args->val[O_DISABLE].set;
	json_object *params = vmctl_params_vm(args->vm);

	vmctl_params_bool(params, "enabled", enable);
	return vmctl_call_done(ctx, "vm.autostart", params,
			       enable ? "marked as autostarted" : "unmarked as autostarted");
}

const struct vmctl_cmd vmctl_cmd_autostart = {
	.name = "autostart",
	.run = autostart_run,
	.summary = "start a VM when hostd first starts after the host boots",
	.opts = autostart_opts,
	.flags = VMCTL_CMD_VM,
};
