/* vm.start, vm.shutdown, vm.stop, vm.reboot, vm.pause, vm.resume: a VM's power and run state. */
#include "hostd.h"
#include "methods.h"
#include "qemu.h"

#include <string.h>

/* Operations on one VM do not overlap: one that comes while another runs waits its turn. */
static bool busy(struct rpc_call *call, struct vm *vm, json_object *params, rpc_handler_fn self)
{
	if (!qemu_busy(vm)) {
		return false;
	}
	method_wait_turn(call, vm, params, self);
	return true;
}

int method_vm_start(struct rpc_call *call, json_object *params)
{
	struct hostd *h = rpc_call_ctx(call);
	struct vm *vm = rpc_call_vm(call);
	_cleanup_free_ char *err = NULL;
	int r;

	if (busy(call, vm, params, method_vm_start)) {
		return 0;
	}
	if (vm->qemu) {
		method_fail_state(call, vm, "start");
		return 0;
	}
	r = qemu_start(h, vm, &err);
	if (r < 0) {
		vm_set_error(vm, err);
		hostd_vm_set_state(h, vm, VM_SHUTOFF, VM_REASON_FAILED);
		rpc_fail(call, RPC_BACKEND_FAILURE, NULL, "cannot start VM '%s': %s", vm->cfg.name, err);
		return 0;
	}
	hostd_wait(vm, call, WAIT_STARTED);
	return 0;
}

int method_vm_shutdown(struct rpc_call *call, json_object *params)
{
	struct hostd *h = rpc_call_ctx(call);
	struct vm *vm = rpc_call_vm(call);

	if (busy(call, vm, params, method_vm_shutdown)) {
		return 0;
	}
	if (vm->state != VM_RUNNING && vm->state != VM_IN_SHUTDOWN) {
		method_fail_state(call, vm, "shut down");
		return 0;
	}
	qemu_shutdown(h, vm, (int)params_int(params, "timeout", 60), params_bool(params, "force", false));
	if (params_bool(params, "wait", false)) {
		hostd_wait(vm, call, WAIT_OFF);
	} else {
		rpc_reply(call, hostd_vm_json(h, vm));
	}
	return 0;
}

int method_vm_stop(struct rpc_call *call, json_object *params)
{
	struct hostd *h = rpc_call_ctx(call);
	struct vm *vm = rpc_call_vm(call);

	/* Stop is the way out of anything, a start or a shutdown in progress included. */
	if (!vm->qemu) {
		method_fail_state(call, vm, "stop");
		return 0;
	}
	qemu_stop(h, vm);
	hostd_wait(vm, call, WAIT_OFF);
	return 0;
}

static void on_done(struct hostd *h, struct vm *vm, void *ud, const char *err)
{
	struct rpc_call *call = ud;

	if (err) {
		rpc_fail(call, RPC_BACKEND_FAILURE, NULL, "%s of VM '%s' failed: %s", rpc_call_method(call),
			 vm->cfg.name, err);
	} else {
		rpc_reply(call, hostd_vm_json(h, vm));
	}
}

/* The common shape of pause, resume and reboot: a state check, then one QMP command. */
static bool ready_for(struct rpc_call *call, json_object *params, rpc_handler_fn self, enum vm_state needed,
		      const char *what)
{
	struct vm *vm = rpc_call_vm(call);

	if (busy(call, vm, params, self)) {
		return false;
	}
	if (vm->state != needed) {
		method_fail_state(call, vm, what);
		return false;
	}
	return true;
}

int method_vm_reboot(struct rpc_call *call, json_object *params)
{
	struct vm *vm = rpc_call_vm(call);

	if (ready_for(call, params, method_vm_reboot, VM_RUNNING, "reboot")) {
		qemu_reboot(rpc_call_ctx(call), vm, strcmp(params_str(params, "mode", "acpi"), "acpi") == 0,
			    on_done, call);
	}
	return 0;
}

int method_vm_pause(struct rpc_call *call, json_object *params)
{
	struct vm *vm = rpc_call_vm(call);

	if (ready_for(call, params, method_vm_pause, VM_RUNNING, "pause")) {
		qemu_pause(rpc_call_ctx(call), vm, on_done, call);
	}
	return 0;
}

int method_vm_resume(struct rpc_call *call, json_object *params)
{
	struct vm *vm = rpc_call_vm(call);

	if (ready_for(call, params, method_vm_resume, VM_PAUSED, "resume")) {
		qemu_resume(rpc_call_ctx(call), vm, on_done, call);
	}
	return 0;
}
