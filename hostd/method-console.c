/* vm.console: turn the connection into the VM's serial console. */
#include "console.h"
#include "hostd.h"
#include "methods.h"
#include "server.h"

#include <errno.h>

int method_vm_console(struct rpc_call *call, json_object *params)
{
	struct vm *vm = rpc_call_vm(call);
	struct rpc_client *client = rpc_call_client(call);
	bool replay = params_bool(params, "replay", true), follow = params_bool(params, "follow", true);
	bool write = params_bool(params, "write", true), force = params_bool(params, "force", false);
	json_object *o;
	int r;

	if (rpc_call_batched(call)) {
		rpc_fail(call, RPC_INVALID_REQUEST, NULL, "vm.console cannot be part of a batch");
		return 0;
	}
	if (follow && !vm->qemu) {
		method_fail_state(call, vm, "attach to the console of");
		return 0;
	}
	r = server_console_attach(client, vm, follow, write && follow, force);
	if (r == -EBUSY) {
		rpc_fail(call, RPC_RESOURCE_EXHAUSTED, NULL,
			 "the console of VM '%s' already has a writer; use force to take over, or attach read-only",
			 vm->cfg.name);
		return 0;
	}
	if (r < 0) {
		return r;
	}
	o = json_object_new_object();
	json_object_object_add(o, "uuid", json_object_new_string(vm->cfg.uuid));
	json_object_object_add(o, "name", json_object_new_string(vm->cfg.name));
	json_object_object_add(o, "replayed", json_object_new_int64(replay ? (int64_t)console_kept(vm->console) : 0));
	/* Hold the client: the reply may find it gone, and then begin has nothing to do. */
	client->ref(client);
	rpc_reply(call, o);
	server_console_begin(client, vm, replay, follow);
	client->unref(client);
	return 0;
}
