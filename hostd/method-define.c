/* vm.create, vm.list, vm.info, vm.delete, vm.autostart: the definitions of VMs. */
#include "hostd.h"
#include "methods.h"
#include "console.h"
#include "qemu.h"
#include "store.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

static char *dup_param(json_object *params, const char *name)
{
	const char *s = params_str(params, name, NULL);

	return s ? util_xstrdup(s) : NULL;
}

/* Files named by the caller must exist and be regular files hostd can read. */
static json_object *param_data(const char *param)
{
	json_object *data = json_object_new_object();

	json_object_object_add(data, "param", json_object_new_string(param));
	return data;
}

static int check_file(struct rpc_call *call, const char *what, const char *param, const char *path)
{
	struct stat st;

	if (stat(path, &st) < 0) {
		rpc_fail(call, errno == EACCES ? RPC_PERMISSION_DENIED : RPC_NOT_FOUND, NULL,
			 "%s file '%s': %s", what, path, strerror(errno));
		return -1;
	}
	if (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode)) {
		rpc_fail(call, RPC_INVALID_PARAMS, param_data(param), "%s file '%s' is not a regular file",
			 what, path);
		return -1;
	}
	if (access(path, R_OK) < 0) {
		rpc_fail(call, RPC_PERMISSION_DENIED, NULL, "%s file '%s': %s", what, path, strerror(errno));
		return -1;
	}
	return 0;
}

static int config_from_params(struct rpc_call *call, json_object *params, struct vm_config *c)
{
	json_object *disks;

	memset(c, 0, sizeof(*c));
	strcpy(c->name, params_str(params, "name", ""));
	c->memory_mib = params_int(params, "memory_mib", 256);
	c->vcpus = params_int(params, "vcpus", 1);
	c->kernel = dup_param(params, "kernel");
	c->initrd = dup_param(params, "initrd");
	c->cmdline = dup_param(params, "cmdline");
	vm_accel_from_name(params_str(params, "accel", "auto"), &c->accel);
	c->autostart = params_bool(params, "autostart", false);
	if (json_object_object_get_ex(params, "disks", &disks)) {
		for (size_t i = 0; i < json_object_array_length(disks); i++) {
			c->disks[c->n_disks++] = util_xstrdup(json_object_get_string(json_object_array_get_idx(disks, i)));
		}
	}
	if (c->initrd && !c->kernel) {
		rpc_fail(call, RPC_INVALID_PARAMS, param_data("initrd"), "'initrd' needs 'kernel' too");
		return -1;
	}
	if ((c->kernel && check_file(call, "kernel", "kernel", c->kernel) < 0) ||
	    (c->initrd && check_file(call, "initrd", "initrd", c->initrd) < 0)) {
		return -1;
	}
	for (size_t i = 0; i < c->n_disks; i++) {
		if (check_file(call, "disk", "disks", c->disks[i]) < 0) {
			return -1;
		}
	}
	return 0;
}

int method_vm_create(struct rpc_call *call, json_object *params)
{
	struct hostd *h = rpc_call_ctx(call);
	struct vm_config c;
	struct vm *vm;
	int r;

	if (registry_find(&h->reg, params_str(params, "name", ""))) {
		rpc_fail(call, RPC_ALREADY_EXISTS, NULL, "VM '%s' already exists", params_str(params, "name", ""));
		return 0;
	}
	if (h->reg.n >= VM_MAX_COUNT) {
		rpc_fail(call, RPC_RESOURCE_EXHAUSTED, NULL, "cannot define VM '%s': hostd holds %d VMs, its limit",
			 params_str(params, "name", ""), VM_MAX_COUNT);
		return 0;
	}
	if (config_from_params(call, params, &c) < 0) {
		vm_config_clear(&c);
		return 0;
	}
	r = util_uuid_new(c.uuid);
	if (r >= 0) {
		r = store_save(h->cfg.state_dir, &c);
	}
	if (r < 0) {
		rpc_fail(call, RPC_INTERNAL_ERROR, NULL, "cannot save VM '%s': %s", c.name, strerror(-r));
		vm_config_clear(&c);
		return 0;
	}
	vm = registry_add(&h->reg, &c);
	registry_sort(&h->reg);
	hostd_emit(h, vm, "defined");
	rpc_reply(call, hostd_vm_json(h, vm));
	return 0;
}

int method_vm_list(struct rpc_call *call, json_object *params)
{
	struct hostd *h = rpc_call_ctx(call);
	json_object *o = json_object_new_object(), *vms = json_object_new_array();

	for (size_t i = 0; i < h->reg.n; i++) {
		json_object_array_add(vms, hostd_vm_json(h, h->reg.vms[i]));
	}
	json_object_object_add(o, "vms", vms);
	rpc_reply(call, o);
	return 0;
}

int method_vm_info(struct rpc_call *call, json_object *params)
{
	struct vm *vm = rpc_call_vm(call);

	/* After a restart the run state is QEMU's answer, not a guess: wait for it. */
	if (qemu_adopting(vm)) {
		method_wait_turn(call, vm, params, method_vm_info);
		return 0;
	}
	rpc_reply(call, hostd_vm_json(rpc_call_ctx(call), vm));
	return 0;
}

int method_vm_delete(struct rpc_call *call, json_object *params)
{
	struct hostd *h = rpc_call_ctx(call);
	struct vm *vm = rpc_call_vm(call);
	json_object *o;
	int r;

	if (vm->qemu) {
		method_fail_state(call, vm, "delete");
		return 0;
	}
	r = store_delete(h->cfg.state_dir, vm->cfg.uuid);
	if (r < 0 && r != -ENOENT) {
		rpc_fail(call, RPC_INTERNAL_ERROR, NULL, "cannot delete VM '%s': %s", vm->cfg.name, strerror(-r));
		return 0;
	}
	for (const char *const *kind = (const char *const[]){"console", "qemu", NULL}; *kind; kind++) {
		_cleanup_free_ char *log = hostd_vm_logpath(h, vm, *kind);

		unlink(log);
	}
	o = json_object_new_object();
	json_object_object_add(o, "uuid", json_object_new_string(vm->cfg.uuid));
	json_object_object_add(o, "name", json_object_new_string(vm->cfg.name));
	console_hangup_all(vm->console);
	hostd_vm_forget(vm, "the VM was deleted");
	hostd_emit(h, vm, "undefined");
	registry_remove(&h->reg, vm);
	rpc_reply(call, o);
	return 0;
}

int method_vm_autostart(struct rpc_call *call, json_object *params)
{
	struct hostd *h = rpc_call_ctx(call);
	struct vm *vm = rpc_call_vm(call);
	bool old = vm->cfg.autostart;
	int r;

	vm->cfg.autostart = params_bool(params, "enabled", false);
	r = store_save(h->cfg.state_dir, &vm->cfg);
	if (r < 0) {
		vm->cfg.autostart = old;
		rpc_fail(call, RPC_INTERNAL_ERROR, NULL, "cannot save VM '%s': %s", vm->cfg.name, strerror(-r));
		return 0;
	}
	rpc_reply(call, hostd_vm_json(h, vm));
	return 0;
}
