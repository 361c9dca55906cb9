/* cmd-create.c: vmctl create: defines a new VM, which stays shut off until started (vm.create). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "vmctl.h"

enum { O_MEMORY, O_VCPUS, O_KERNEL, O_INITRD, O_CMDLINE, O_DISK, O_ACCEL, O_AUTOSTART };

static const struct vmctl_opt create_opts[] = {
	[O_MEMORY] = { .name = "memory",
		       .type = VMCTL_ARG_UINT,
		       .arg = "MIB",
		       .help = "memory in MiB (default 256)" },
	[O_VCPUS] = { .name = "vcpus",
		      .type = VMCTL_ARG_UINT,
		      .arg = "N",
		      .help = "virtual CPUs (default 1)" },
	[O_KERNEL] = { .name = "kernel",
		       .type = VMCTL_ARG_PATH,
		       .arg = "PATH",
		       .help = "kernel image (default: the bundled guest)" },
	[O_INITRD] = { .name = "initrd",
		       .type = VMCTL_ARG_PATH,
		       .arg = "PATH",
		       .help = "initramfs, only with --kernel" },
	[O_CMDLINE] = { .name = "cmdline",
			.type = VMCTL_ARG_STR,
			.arg = "STR",
			.help = "kernel command line" },
	[O_DISK] = { .name = "disk",
		     .type = VMCTL_ARG_PATH,
		     .arg = "PATH",
		     .help = "raw disk image, attached as virtio-blk; repeatable",
		     .flags = VMCTL_OPT_MULTI },
	[O_ACCEL] = { .name = "accel",
		      .type = VMCTL_ARG_ENUM,
		      .arg = "auto|kvm|tcg",
		      .help = "accelerator (default auto: KVM when usable)" },
	[O_AUTOSTART] = { .name = "autostart",
			  .type = VMCTL_ARG_FLAG,
			  .help = "start the VM whenever hostd starts" },
	{ NULL },
};

/*
 * hostd's working directory is not ours, so the contract takes absolute paths: a relative one is
 * resolved here, and a missing file is reported before hostd is asked.
 */
static int create_abspath(const char *what, const char *path, char **ret_abs)
{
	struct stat st;
	char *abs;

	if (path[0] == '/') {
		abs = stat(path, &st) == 0 ? strdup(path) : NULL;
	} else {
		abs = realpath(path, NULL);
	}
	if (!abs) {
		int err = errno;

		fprintf(stderr, "vmctl: cannot use %s '%s': %s\n", what, path, strerror(err));
		return -err;
	}
	*ret_abs = abs;
	return 0;
}

static int create_path(json_object *params, const char *key, const struct vmctl_val *v)
{
	_cleanup_free_ char *abs = NULL;
	int r;

	if (!v->set) {
		return 0;
	}
	r = create_abspath(key, v->str, &abs);
	if (r < 0) {
		return r;
	}
	vmctl_params_str(params, key, abs);
	return 0;
}

static int create_disks(json_object *params, const struct vmctl_val *v)
{
	json_object *disks;
	size_t i;
	int r;

	if (!v->set) {
		return 0;
	}
	disks = vmctl_params_array(params, "disks");
	for (i = 0; i < v->n; i++) {
		_cleanup_free_ char *abs = NULL;

		r = create_abspath("disk", v->list[i], &abs);
		if (r < 0) {
			return r;
		}
		vmctl_params_push_str(disks, abs);
	}
	return 0;
}

static void create_scalars(json_object *params, const struct vmctl_args *args)
{
	const struct vmctl_val *val = args->val;

	vmctl_params_str(params, "name", args->vm);
	if (val[O_MEMORY].set) {
		vmctl_params_int(params, "memory_mib", val[O_MEMORY].num);
	}
	if (val[O_VCPUS].set) {
		vmctl_params_int(params, "vcpus", val[O_VCPUS].num);
	}
	if (val[O_CMDLINE].set) {
		vmctl_params_str(params, "cmdline", val[O_CMDLINE].str);
	}
	if (val[O_ACCEL].set) {
		vmctl_params_str(params, "accel", val[O_ACCEL].str);
	}
	if (val[O_AUTOSTART].set) {
		vmctl_params_bool(params, "autostart", true);
	}
}

static int create_run(struct vmctl_ctx *ctx, const struct vmctl_args *args)
{
	_cleanup_json_ json_object *params = vmctl_params_new();
	int r;

	create_scalars(params, args);
	r = create_path(params, "kernel", &args->val[O_KERNEL]);
	if (r < 0) {
		return r;
	}
	r = create_path(params, "initrd", &args->val[O_INITRD]);
	if (r < 0) {
		return r;
	}
	r = create_disks(params, &args->val[O_DISK]);
	if (r < 0) {
		return r;
	}
	return vmctl_call_done(ctx, "vm.create", TAKE_PTR(params), "defined");
}

const struct vmctl_cmd vmctl_cmd_create = {
	.name = "create",
	.run = create_run,
	.summary = "define a new VM; it stays shut off until started",
	.opts = create_opts,
	.flags = VMCTL_CMD_VM,
};
