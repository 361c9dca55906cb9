/* hostd's manager: the VM as the API shows it, calls waiting on VM states, file locations. */
#include "hostd.h"

#include "console.h"
#include "log.h"
#include "qemu.h"
#include "rpc.h"
#include "server.h"

#include <errno.h>
#include <event2/event.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

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

struct queued {
	struct rpc_call *call;
	json_object *params;
	int (*handler)(struct rpc_call *call, json_object *params);
	struct queued *next;
};

/* Deferred to the loop, so that handlers never run inside the backend's callbacks. */
static void run_queue(evutil_socket_t fd, short what, void *arg)
{
	struct vm *vm = arg;

	while (vm->queue && !qemu_busy(vm)) {
		struct queued *q = vm->queue;
		int r;

		vm->queue = q->next;
		r = q->handler(q->call, q->params);
		if (r < 0) {
			rpc_fail(q->call, RPC_INTERNAL_ERROR, NULL, "%s failed: %s", rpc_call_method(q->call),
				 strerror(-r));
		}
		json_object_put(q->params);
		free(q);
	}
}

int hostd_queue(struct hostd *h, struct vm *vm, struct rpc_call *call, json_object *params,
		int (*handler)(struct rpc_call *call, json_object *params))
{
	struct queued **tail = &vm->queue, *q;
	size_t n = 0;

	for (; *tail; tail = &(*tail)->next) {
		n++;
	}
	if (n >= HOSTD_MAX_QUEUED) {
		return -ENOBUFS;
	}
	if (!vm->queue_ev) {
		vm->queue_ev = evtimer_new(h->base, run_queue, vm);
	}
	q = util_xcalloc(1, sizeof(*q));
	q->call = call;
	q->params = json_object_get(params);
	q->handler = handler;
	*tail = q;
	return 0;
}

void hostd_vm_forget(struct vm *vm, const char *why)
{
	while (vm->queue) {
		struct queued *q = vm->queue;

		vm->queue = q->next;
		rpc_fail(q->call, RPC_INVALID_STATE, NULL, "%s", why);
		json_object_put(q->params);
		free(q);
	}
	if (vm->queue_ev) {
		event_free(vm->queue_ev);
		vm->queue_ev = NULL;
	}
}

void hostd_vm_settled(struct hostd *h, struct vm *vm, const char *err)
{
	static const struct timeval now = {0, 0};

	if (!vm_is_active(vm)) {
		console_hangup_all(vm->console);
	}
	answer_waiters(h, vm, err);
	if (vm->queue && !qemu_busy(vm)) {
		evtimer_add(vm->queue_ev, &now);
	}
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

static void utc_now(char *buf, size_t len)
{
	struct timeval tv;
	struct tm tm;

	gettimeofday(&tv, NULL);
	gmtime_r(&tv.tv_sec, &tm);
	snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
		 tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int)(tv.tv_usec / 1000));
}

void hostd_emit(struct hostd *h, struct vm *vm, const char *event)
{
	json_object *n = json_object_new_object(), *p = json_object_new_object();
	char now[64];

	utc_now(now, sizeof(now));
	json_object_object_add(p, "event", json_object_new_string(event));
	json_object_object_add(p, "uuid", json_object_new_string(vm->cfg.uuid));
	json_object_object_add(p, "name", json_object_new_string(vm->cfg.name));
	json_object_object_add(p, "state", json_object_new_string(vm_state_name(vm->state)));
	json_object_object_add(p, "reason", json_object_new_string(vm_reason_name(vm->reason)));
	if (vm->error && (vm->state == VM_CRASHED || vm->reason == VM_REASON_FAILED)) {
		json_object_object_add(p, "detail", json_object_new_string(vm->error));
	}
	json_object_object_add(p, "time", json_object_new_string(now));
	json_object_object_add(n, "jsonrpc", json_object_new_string("2.0"));
	json_object_object_add(n, "method", json_object_new_string("vm.event"));
	json_object_object_add(n, "params", p);
	if (h->server) {
		server_notify(h->server, n);
	}
	json_object_put(n);
}

/* The event a transition means; NULL when there is none (nothing changed). */
static const char *transition_event(enum vm_state from, enum vm_state to, enum vm_reason reason)
{
	switch (to) {
	case VM_CRASHED:
		return "crashed";
	case VM_SHUTOFF:
		return from != VM_SHUTOFF || reason == VM_REASON_FAILED ? "stopped" : NULL;
	case VM_PAUSED:
		return from != VM_PAUSED ? "paused" : NULL;
	case VM_IN_SHUTDOWN:
		return from != VM_IN_SHUTDOWN ? "shutdown_requested" : NULL;
	case VM_RUNNING:
		if (from == VM_PAUSED) {
			return "resumed";
		}
		if (from == VM_IN_SHUTDOWN) {
			return "shutdown_timeout";
		}
		return from == VM_RUNNING ? (reason == VM_REASON_RESET ? "reset" : NULL) : "started";
	}
	return NULL;
}

void hostd_vm_set_state(struct hostd *h, struct vm *vm, enum vm_state state, enum vm_reason reason)
{
	const char *event = transition_event(vm->state, state, reason);

	vm->state = state;
	vm->reason = reason;
	if (event) {
		hostd_emit(h, vm, event);
	}
}

void hostd_autostart(struct hostd *h)
{
	_cleanup_free_ char *marker = util_strdup_printf("%s/autostart.done", h->cfg.runtime_dir);
	_cleanup_close_ int fd = open(marker, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640);

	if (fd < 0) {
		if (errno != EEXIST) {
			log_warning("cannot create %s (%s); autostart skipped", marker, strerror(errno));
		}
		return; /* done already since the host booted */
	}
	for (size_t i = 0; i < h->reg.n; i++) {
		struct vm *vm = h->reg.vms[i];
		_cleanup_free_ char *err = NULL;

		if (!vm->cfg.autostart || vm->qemu) {
			continue;
		}
		log_info("autostart: starting VM '%s'", vm->cfg.name);
		if (qemu_start(h, vm, &err) < 0) {
			log_error("autostart: cannot start VM '%s': %s", vm->cfg.name, err);
			vm_set_error(vm, err);
			hostd_vm_set_state(h, vm, VM_SHUTOFF, VM_REASON_FAILED);
		}
	}
}
