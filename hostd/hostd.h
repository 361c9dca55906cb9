/* hostd's manager: configuration, the VM registry, and what ties the RPC layer to the backend. */
#pragma once

#include <json-c/json.h>

#include "accel.h"
#include "vm.h"

struct event_base;
struct rpc_call;
struct server;

struct hostd_config {
	const char *state_dir;
	const char *runtime_dir;
	const char *socket_path;
	const char *ro_socket_path; /* "" for none */
	const char *guest_dir; /* the bundled default guest: kernel, initramfs.cpio.gz */
	const char *qemu;      /* QEMU binary */
	enum vm_accel accel;   /* what 'auto' means: auto (detect), kvm or tcg */
};

struct hostd {
	struct event_base *base;
	struct hostd_config cfg;
	struct registry reg;
	struct accel_info kvm;
	struct server *server; /* where event notifications go */
};

/* Every change of a VM's state goes through here: it is what emits the vm.event notifications. */
void hostd_vm_set_state(struct hostd *h, struct vm *vm, enum vm_state state, enum vm_reason reason);
/*
 * Start the VMs flagged autostart, once per boot of the host: a marker in the runtime directory
 * (a tmpfs, emptied at boot) says it was done.
 */
void hostd_autostart(struct hostd *h);
/* For the events that are not state changes: defined, undefined. */
void hostd_emit(struct hostd *h, struct vm *vm, const char *event);

/* Calls waiting for a VM to reach a state; answered by hostd_vm_settled(). */
enum waiter_kind { WAIT_STARTED, WAIT_OFF };
struct waiter {
	struct rpc_call *call;
	enum waiter_kind kind;
	struct waiter *next;
};

void hostd_wait(struct vm *vm, struct rpc_call *call, enum waiter_kind kind);

/*
 * Operations on one VM run one at a time: while one is in progress (a start, a stop), the next
 * waits here and is run when the VM settles. At most HOSTD_MAX_QUEUED per VM (-ENOBUFS).
 */
#define HOSTD_MAX_QUEUED 16
int hostd_queue(struct hostd *h, struct vm *vm, struct rpc_call *call, json_object *params,
		int (*handler)(struct rpc_call *call, json_object *params));
/* Before a VM goes away: answer its queued calls with an error and drop its queue. */
void hostd_vm_forget(struct vm *vm, const char *why);
/* The VM's state changed: answer the waiters whose wait is over. err: why a start failed. */
void hostd_vm_settled(struct hostd *h, struct vm *vm, const char *err);
/* The waiters of kind lose: answer them with an error. */
void hostd_fail_waiters(struct vm *vm, enum waiter_kind kind, int code, const char *msg);

/* The VM as the API shows it (schema Vm). */
json_object *hostd_vm_json(struct hostd *h, struct vm *vm);

/* Files of the default guest and of a VM's run. Returned strings are malloc'd. */
char *hostd_default_kernel(struct hostd *h);
char *hostd_default_initrd(struct hostd *h);
const char *hostd_default_cmdline(void);
char *hostd_vm_rundir(struct hostd *h, const struct vm *vm);
char *hostd_vm_logpath(struct hostd *h, const struct vm *vm, const char *kind);
