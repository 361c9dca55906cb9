/* cmd-host.c: vmctl host: facts about the host and hostd (host.info). */
#include <stdio.h>

#include "vmctl.h"

static void host_kvm(json_object *host)
{
	json_object *kvm = NULL;
	const char *reason;

	json_object_object_get_ex(host, "kvm", &kvm);
	reason = vmctl_json_str(kvm, "reason");
	vmctl_kv("KVM", "%s%s%s%s", vmctl_json_bool(kvm, "usable") ? "usable" : "not usable",
		 *reason ? " (" : "", reason, *reason ? ")" : "");
}

static void host_guest(json_object *host)
{
	json_object *guest = NULL;

	json_object_object_get_ex(host, "default_guest", &guest);
	vmctl_kv("Default guest", "%s",
		 vmctl_json_bool(guest, "available") ? "available" : "not available");
	vmctl_kv("Guest kernel", "%s", vmctl_dash(vmctl_json_str(guest, "kernel")));
	vmctl_kv("Guest initrd", "%s", vmctl_dash(vmctl_json_str(guest, "initrd")));
}

static void host_print(json_object *host)
{
	vmctl_kv("Version", "%s", vmctl_json_str(host, "version"));
	vmctl_kv("Hostname", "%s", vmctl_json_str(host, "hostname"));
	vmctl_kv("Arch", "%s", vmctl_json_str(host, "arch"));
	host_kvm(host);
	vmctl_kv("Default accel", "%s", vmctl_json_str(host, "default_accel"));
	vmctl_kv("QEMU", "%s", vmctl_dash(vmctl_json_str(host, "qemu")));
	vmctl_kv("VMs defined", "%lld", vmctl_json_int(host, "vms_defined"));
	vmctl_kv("VMs running", "%lld", vmctl_json_int(host, "vms_running"));
	host_guest(host);
}

static int host_run(struct vmctl_ctx *ctx, const struct vmctl_args *args)
{
	_cleanup_json_ json_object *result = NULL;
	int r;

	r = vmctl_call(ctx, "host.info", NULL, &result);
	if (r < 0) {
		return r;
	}
	if (ctx->json) {
		vmctl_json_print(result);
	} else {
		host_print(result);
	}
	return 0;
}

const struct vmctl_cmd vmctl_cmd_host = {
	.name = "host",
	.run = host_run,
	.summary = "show facts about the host and hostd",
};
