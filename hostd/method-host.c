/* host.info and events.subscribe: facts about the host and hostd, and its notifications. */
#include "hostd.h"
#include "methods.h"
#include "server.h"

#include <sys/utsname.h>
#include <unistd.h>

int method_host_info(struct rpc_call *call, json_object *params)
{
	struct hostd *h = rpc_call_ctx(call);
	json_object *o = json_object_new_object(), *kvm = json_object_new_object();
	json_object *guest = json_object_new_object();
	_cleanup_free_ char *kernel = hostd_default_kernel(h), *initrd = hostd_default_initrd(h);
	bool kvm_default = h->cfg.accel == VM_ACCEL_KVM || (h->cfg.accel == VM_ACCEL_AUTO && h->kvm.kvm_usable);
	struct utsname u;
	size_t running = 0;

	uname(&u);
	for (size_t i = 0; i < h->reg.n; i++) {
		running += vm_is_active(h->reg.vms[i]);
	}
	json_object_object_add(o, "version", json_object_new_string(SEKVM_VERSION));
	json_object_object_add(o, "hostname", json_object_new_string(u.nodename));
	json_object_object_add(o, "arch", json_object_new_string(u.machine));
	json_object_object_add(kvm, "usable", json_object_new_boolean(h->kvm.kvm_usable));
	json_object_object_add(kvm, "reason", json_object_new_string(h->kvm.reason));
	json_object_object_add(o, "kvm", kvm);
	json_object_object_add(o, "default_accel", json_object_new_string(kvm_default ? "kvm" : "tcg"));
	json_object_object_add(o, "qemu", json_object_new_string(h->cfg.qemu));
	json_object_object_add(o, "vms_defined", json_object_new_int64((int64_t)h->reg.n));
	json_object_object_add(o, "vms_running", json_object_new_int64((int64_t)running));
	json_object_object_add(guest, "kernel", json_object_new_string(kernel));
	json_object_object_add(guest, "initrd", json_object_new_string(initrd));
	json_object_object_add(guest, "available",
			       json_object_new_boolean(access(kernel, R_OK) == 0 && access(initrd, R_OK) == 0));
	json_object_object_add(o, "default_guest", guest);
	rpc_reply(call, o);
	return 0;
}

int method_events_subscribe(struct rpc_call *call, json_object *params)
{
	json_object *o = json_object_new_object();

	server_subscribe(rpc_call_client(call));
	json_object_object_add(o, "subscribed", json_object_new_boolean(true));
	rpc_reply(call, o);
	return 0;
}
