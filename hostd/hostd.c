/* hostd's manager: the VM as the API shows it, calls waiting on VM states, file locations. */
#include "hostd.h"

#include "console.h"
#include "qemu.h"
#include "rpc.h"

#include <string.h>

#if defined(__aarch64__)
#define DEFAULT_CMDLINE "console=ttyAMA0 panic=-1"
#else
#define DEFAULT_CMDLINE "console=ttyS0 panic=-1"
#endif

char *hostd_default_kernel(struct hostd *h)
{
	return util_strdup_printf("%s/kernel", h->cfg.guest_dir);
}

char *hostd_default_initrd(struct hostd *h)
{
	return util_strdup_printf("%s/initramfs.cpio.gz", h->cfg.guest_dir);
}

const char *hostd_default_cmdline(void)
{
	return DEFAULT_CMDLINE;
}

char *hostd_vm_rundir(struct hostd *h, const struct vm *vm)
{
	return util_strdup_printf("%s/vms/%s", h->cfg.runtime_dir, vm->cfg.uuid);
}

char *hostd_vm_logpath(struct hostd *h, const struct vm *vm, const char *kind)
{
	return util_strdup_printf("%s/logs/%s.%s.log", h->cfg.state_dir, vm->cfg.uuid, kind);
}

void hostd_wait(struct vm *vm, struct rpc_call *call, enum waiter_kind kind)
{
	struct waiter *w = util_xcalloc(1, sizeof(*w));

	w->call = call;
	w->kind = kind;
	w->next = vm->waiters;
	vm->waiters = w;
}

/* Take the waiters for which done() holds out of the list, then answer them. */
static void answer_waiters(struct hostd *h, struct vm *vm, const char *start_err)
{
	struct waiter *w, **p = &vm->waiters, *done = NULL;
	bool active = vm_is_active(vm) && !qemu_busy(vm);

	while ((w = *p)) {
		bool over = w->kind == WAIT_OFF ? !vm_is_active(vm) : (active || !vm->qemu);

		if (over) {
			*p = w->next;
			w->next = done;
			done = w;
		} else {
			p = &w->next;
		}
	}
	while ((w = done)) {
		done = w->next;
		if (w->kind == WAIT_STARTED && !vm_is_active(vm)) {
			rpc_fail(w->call, RPC_BACKEND_FAILURE, NULL, "cannot start VM '%s': %s", vm->cfg.name,
				 start_err ? start_err : "the start was cancelled");
		} else {
			rpc_reply(w->call, hostd_vm_json(h, vm));
		}
		free(w);
	}
}

void hostd_vm_settled(struct hostd *h, struct vm *vm, const char *err)
{
	if (!vm_is_active(vm)) {
		console_hangup_all(vm->console);
	}
	answer_waiters(h, vm, err);
}

void hostd_fail_waiters(struct vm *vm, enum waiter_kind kind, int code, const char *msg)
{
	struct waiter *w, **p = &vm->waiters;

	while ((w = *p)) {
		if (w->kind == kind) {
			*p = w->next;
			rpc_fail(w->call, code, NULL, "%s", msg);
			free(w);
		} else {
			p = &w->next;
		}
	}
}

static json_object *string_or_empty(const char *s)
{
	return json_object_new_string(s ? s : "");
}

json_object *hostd_vm_json(struct hostd *h, struct vm *vm)
{
	const struct vm_config *c = &vm->cfg;
	json_object *o = vm_config_to_json(c);
	_cleanup_free_ char *kernel = c->kernel ? NULL : hostd_default_kernel(h);
	_cleanup_free_ char *initrd = c->kernel ? NULL : hostd_default_initrd(h);
	_cleanup_free_ char *log = hostd_vm_logpath(h, vm, "console");

	json_object_object_add(o, "kernel", string_or_empty(c->kernel ? c->kernel : kernel));
	json_object_object_add(o, "initrd", string_or_empty(c->kernel ? c->initrd : initrd));
	json_object_object_add(o, "cmdline", string_or_empty(c->cmdline ? c->cmdline : hostd_default_cmdline()));
	json_object_object_add(o, "state", json_object_new_string(vm_state_name(vm->state)));
	json_object_object_add(o, "reason", json_object_new_string(vm_reason_name(vm->reason)));
	json_object_object_add(o, "console_log", json_object_new_string(log));
	if (vm->error) {
		json_object_object_add(o, "error", json_object_new_string(vm->error));
	}
	if (vm->qemu) {
		json_object_object_add(o, "pid", json_object_new_int(qemu_pid(vm)));
		json_object_object_add(o, "accel_used", json_object_new_string(qemu_accel_used(vm)));
	}
	return o;
}
