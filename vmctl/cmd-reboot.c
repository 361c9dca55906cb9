/* cmd-reboot.c: vmctl reboot: reboots a VM through ACPI, or resets it at once (vm.reboot). */
#include "vmctl.h"

enum { O_RESET };

static const struct vmctl_opt reboot_opts[] = {
	[O_RESET] = { .name = "reset",
		      .type = VMCTL_ARG_FLAG,
		      .help = "reset the machine at once, without asking the guest" },
	{ NULL },
};

static int reboot_run(struct vmctl_ctx *ctx, const struct vmctl_args *args)
{
	bool reset = args->val[O_RESET].set;
	json_object *params = vmctl_params_vm(args->vm);

	vmctl_params_str(params, "mode", reset ? "reset" : "acpi");
	return vmctl_call_done(ctx, "vm.reboot", params, reset ? "was reset" : "is being rebooted");
}

const struct vmctl_cmd vmctl_cmd_reboot = {
	.name = "reboot",
	.run = reboot_run,
	.summary = "reboot a VM (the guest is asked through ACPI)",
	.opts = reboot_opts,
	.flags = VMCTL_CMD_VM,
};
