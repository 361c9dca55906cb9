/* hostd's manager: configuration, the VM registry, and what ties the RPC layer to the backend. */
#pragma once

#include <json-c/json.h>

#include "accel.h"
#include "vm.h"

struct event_base;
struct rpc_call;

struct hostd_config {
	const char *state_dir;
	const char *runtime_dir;
	const char *socket_path;
	const char *guest_dir; /* the bundled default guest: kernel, initramfs.cpio.gz */
	const char *qemu;      /* QEMU binary */
	enum vm_accel accel;   /* what 'auto' means: auto (detect), kvm or tcg */
};

struct hostd {
	struct event_base *base;
	struct hostd_config cfg;
	struct registry reg;
	struct accel_info kvm;
};

/* Calls waiting for a VM to reach a state; answered by hostd_vm_settled(). */
enum waiter_kind { WAIT_STARTED, WAIT_OFF };
struct waiter {
	struct rpc_call *call;
	enum waiter_kind kind;
	struct waiter *next;
};

void hostd_wait(struct vm *vm, struct rpc_call *call, enum waiter_kind kind);
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
