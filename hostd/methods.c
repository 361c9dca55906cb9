/* The method table: one handler per method of protocols/hostd-api.json. */
#include "methods.h"

#include "hostd.h"
#include "vm.h"

const struct rpc_method methods[] = {
	{"host.info", method_host_info},
	{"vm.create", method_vm_create},
	{"vm.list", method_vm_list},
	{"vm.info", method_vm_info},
	{"vm.delete", method_vm_delete},
	{"vm.start", method_vm_start},
	{"vm.shutdown", method_vm_shutdown},
	{"vm.stop", method_vm_stop},
	{"vm.reboot", method_vm_reboot},
	{"vm.pause", method_vm_pause},
	{"vm.resume", method_vm_resume},
	{"vm.console", method_vm_console},
	{"vm.autostart", method_vm_autostart},
	{"events.subscribe", method_events_subscribe},
	{NULL, NULL},
};

void method_wait_turn(struct rpc_call *call, struct vm *vm, json_object *params, rpc_handler_fn self)
{
	if (hostd_queue(rpc_call_ctx(call), vm, call, params, self) < 0) {
		rpc_fail(call, RPC_RESOURCE_EXHAUSTED, NULL, "VM '%s' has %d operations waiting already",
			 vm->cfg.name, HOSTD_MAX_QUEUED);
	}
}

void method_fail_state(struct rpc_call *call, struct vm *vm, const char *what)
{
	json_object *data = json_object_new_object();

	json_object_object_add(data, "state", json_object_new_string(vm_state_name(vm->state)));
	rpc_fail(call, RPC_INVALID_STATE, data, "cannot %s VM '%s': it is %s", what, vm->cfg.name,
		 vm_state_name(vm->state));
}
