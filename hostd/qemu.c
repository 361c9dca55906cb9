/* The qemu backend: one QEMU process per running VM, driven over QMP, outliving hostd. */
#include "qemu.h"

#include "console.h"
#include "hostd.h"
#include "log.h"
#include "qmp.h"
#include "rpc.h"
#include "util.h"

#include <errno.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>

#define QEMU_QUIT_GRACE_S 5 /* after 'quit', SIGKILL */
#define QEMU_LOG_TAIL 2048  /* how much of QEMU's stderr an error quotes */
#define QEMU_MAX_ARGS 64

enum qemu_phase {
	PHASE_STARTING,   /* launched with -S; 'cont' not yet answered */
	PHASE_ADOPTING,   /* re-connected after a hostd restart; status not yet known */
	PHASE_RUNNING,    /* vCPUs may run (running, paused or in shutdown) */
};

struct qemu {
	struct hostd *h;
	struct vm *vm;
	enum qemu_phase phase;
	pid_t pid;
	bool is_child; /* we can reap it and read its exit status */
	bool kvm;
	int pidfd;
	struct event *exit_ev;
	struct event *timer; /* shutdown timeout, or the SIGKILL grace after quit */
	struct qmp *qmp;
	struct bufferevent *serial;
	bool user_stop;      /* vm.stop: exit means 'destroyed' */
	bool guest_off;      /* the guest powered off: exit means 'shutdown' */
	bool reboot_pending; /* ACPI reboot: reset instead of quit on the guest's power-off */
	bool shutdown_force;
	unsigned resets_asked; /* RESET events hostd caused and announced itself */
	enum vm_state state_before_shutdown;
};

/* QEMU option values are comma-separated: a literal comma is written twice. */
static char *opt_escape(const char *s)
{
	size_t n = strlen(s), commas = 0;
	char *out, *o;

	for (size_t i = 0; i < n; i++) {
		commas += s[i] == ',';
	}
	out = o = util_xcalloc(n + commas + 1, 1);
	for (size_t i = 0; i < n; i++) {
		*o++ = s[i];
		if (s[i] == ',') {
			*o++ = ',';
		}
	}
	return out;
}

struct argv_builder {
	char *v[QEMU_MAX_ARGS + 1];
	size_t n;
};

static void arg_add(struct argv_builder *a, char *owned)
{
	if (a->n >= QEMU_MAX_ARGS) {
		log_error("bug: too many QEMU arguments");
		abort();
	}
	a->v[a->n++] = owned;
}

static void arg_free(struct argv_builder *a)
{
	for (size_t i = 0; i < a->n; i++) {
		free(a->v[i]);
	}
}

static bool use_kvm(struct hostd *h, const struct vm *vm)
{
	enum vm_accel a = vm->cfg.accel != VM_ACCEL_AUTO ? vm->cfg.accel : h->cfg.accel;

	return a == VM_ACCEL_KVM || (a == VM_ACCEL_AUTO && h->kvm.kvm_usable);
}

/* The command line; fd 3 is the QMP listening socket and fd 4 the serial one. */
static void build_argv(struct hostd *h, struct vm *vm, struct argv_builder *a)
{
	bool kvm = use_kvm(h, vm);
	_cleanup_free_ char *log = hostd_vm_logpath(h, vm, "console");
	_cleanup_free_ char *log_esc = opt_escape(log);

	arg_add(a, util_xstrdup(h->cfg.qemu));
	arg_add(a, util_strdup_printf("-name"));
	arg_add(a, util_strdup_printf("guest=%s", vm->cfg.name));
	arg_add(a, util_xstrdup("-uuid"));
	arg_add(a, util_xstrdup(vm->cfg.uuid));
#if defined(__aarch64__)
	arg_add(a, util_xstrdup("-machine"));
	arg_add(a, util_xstrdup("virt,gic-version=max"));
	arg_add(a, util_xstrdup("-cpu"));
	arg_add(a, util_xstrdup(kvm ? "host" : "max,pauth-impdef=on"));
#else
	arg_add(a, util_xstrdup("-machine"));
	arg_add(a, util_xstrdup("pc"));
	if (kvm) {
		arg_add(a, util_xstrdup("-cpu"));
		arg_add(a, util_xstrdup("host"));
	}
#endif
	arg_add(a, util_xstrdup("-accel"));
	arg_add(a, util_xstrdup(kvm ? "kvm" : "tcg"));
	arg_add(a, util_xstrdup("-m"));
	arg_add(a, util_strdup_printf("%ld", vm->cfg.memory_mib));
	arg_add(a, util_xstrdup("-smp"));
	arg_add(a, util_strdup_printf("%ld", vm->cfg.vcpus));
	arg_add(a, util_xstrdup("-nodefaults"));
	arg_add(a, util_xstrdup("-no-user-config"));
	arg_add(a, util_xstrdup("-display"));
	arg_add(a, util_xstrdup("none"));
	arg_add(a, util_xstrdup("-no-shutdown")); /* hostd decides what a guest power-off means */
	arg_add(a, util_xstrdup("-S"));
	arg_add(a, util_xstrdup("-msg"));
	arg_add(a, util_xstrdup("timestamp=on"));
	arg_add(a, util_xstrdup("-chardev"));
	arg_add(a, util_xstrdup("socket,id=qmp,fd=3,server=on,wait=off"));
	arg_add(a, util_xstrdup("-mon"));
	arg_add(a, util_xstrdup("chardev=qmp,mode=control"));
	arg_add(a, util_xstrdup("-chardev"));
	arg_add(a, util_strdup_printf("socket,id=ser0,fd=4,server=on,wait=off,logfile=%s,logappend=on", log_esc));
	arg_add(a, util_xstrdup("-serial"));
	arg_add(a, util_xstrdup("chardev:ser0"));
	arg_add(a, util_xstrdup("-kernel"));
	arg_add(a, vm->cfg.kernel ? util_xstrdup(vm->cfg.kernel) : hostd_default_kernel(h));
	if (vm->cfg.initrd || !vm->cfg.kernel) {
		arg_add(a, util_xstrdup("-initrd"));
		arg_add(a, vm->cfg.kernel ? util_xstrdup(vm->cfg.initrd) : hostd_default_initrd(h));
	}
	arg_add(a, util_xstrdup("-append"));
	arg_add(a, util_xstrdup(vm->cfg.cmdline ? vm->cfg.cmdline : hostd_default_cmdline()));
	for (size_t i = 0; i < vm->cfg.n_disks; i++) {
		_cleanup_free_ char *d = opt_escape(vm->cfg.disks[i]);

		arg_add(a, util_xstrdup("-drive"));
		arg_add(a, util_strdup_printf("file=%s,if=virtio,format=raw,index=%zu", d, i));
	}
}

static int unix_listen(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		return -ENAMETOOLONG;
	}
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		return -errno;
	}
	unlink(path);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 4) < 0) {
		int r = -errno;

		close(fd);
		return r;
	}
	return fd;
}

static int unix_connect(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		return -ENAMETOOLONG;
	}
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		return -errno;
	}
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int r = -errno;

		close(fd);
		return r;
	}
	return fd;
}

/* In the child, between fork and exec: only async-signal-safe calls. */
static void child_exec(struct argv_builder *a, int qmp_fd, int ser_fd, int log_fd)
{
	sigset_t all;
	int null_fd = open("/dev/null", O_RDWR);

	setsid(); /* out of hostd's session and process group: QEMU outlives hostd */
	sigemptyset(&all);
	sigprocmask(SIG_SETMASK, &all, NULL);
	signal(SIGPIPE, SIG_DFL);
	/* Move the fds above 4 first so the dup2s below cannot clobber one another. */
	qmp_fd = fcntl(qmp_fd, F_DUPFD, 10);
	ser_fd = fcntl(ser_fd, F_DUPFD, 10);
	log_fd = fcntl(log_fd, F_DUPFD, 10);
	if (null_fd < 0 || qmp_fd < 0 || ser_fd < 0 || log_fd < 0 || dup2(null_fd, 0) < 0 ||
	    dup2(log_fd, 1) < 0 || dup2(log_fd, 2) < 0 || dup2(qmp_fd, 3) < 0 || dup2(ser_fd, 4) < 0) {
		_exit(126);
	}
	close_range(5, ~0U, 0);
	execvp(a->v[0], a->v);
	dprintf(2, "hostd: cannot run %s: %s\n", a->v[0], strerror(errno));
	_exit(127);
}

static char *log_tail(struct hostd *h, struct vm *vm)
{
	_cleanup_free_ char *path = hostd_vm_logpath(h, vm, "qemu");
	char *data = NULL;
	size_t len;

	if (util_read_file_tail(path, QEMU_LOG_TAIL, &data, &len) < 0) {
		return util_xstrdup("");
	}
	while (len > 0 && (data[len - 1] == '\n' || data[len - 1] == ' ')) {
		data[--len] = '\0';
	}
	return data;
}

static void qemu_free(struct qemu *q)
{
	_cleanup_free_ char *rundir = hostd_vm_rundir(q->h, q->vm);

	console_set_serial(q->vm->console, NULL);
	if (q->serial) {
		bufferevent_free(q->serial);
	}
	qmp_free(q->qmp);
	if (q->exit_ev) {
		event_free(q->exit_ev);
	}
	if (q->timer) {
		event_free(q->timer);
	}
	if (q->pidfd >= 0) {
		close(q->pidfd);
	}
	q->vm->qemu = NULL;
	free(q);
}

/* QEMU is gone: decide what that means, clean up the runtime files, tell the waiters. */
static void on_exited(struct qemu *q, int status)
{
	struct hostd *h = q->h;
	struct vm *vm = q->vm;
	_cleanup_free_ char *tail = log_tail(h, vm), *why = NULL, *rundir = hostd_vm_rundir(h, vm);
	bool starting = q->phase == PHASE_STARTING;

	if (q->qmp) {
		qmp_drain(q->qmp); /* a SHUTDOWN event may still sit in the socket */
	}
	if (status < 0) {
		why = util_xstrdup("QEMU exited");
	} else if (WIFSIGNALED(status)) {
		why = util_strdup_printf("QEMU was killed by signal %d (%s)", WTERMSIG(status),
					 strsignal(WTERMSIG(status)));
	} else {
		why = util_strdup_printf("QEMU exited with status %d", WEXITSTATUS(status));
	}
	if (q->user_stop) {
		hostd_vm_set_state(h, vm, VM_SHUTOFF, VM_REASON_DESTROYED);
	} else if (q->guest_off) {
		hostd_vm_set_state(h, vm, VM_SHUTOFF, VM_REASON_SHUTDOWN);
	} else if (starting) {
		_cleanup_free_ char *err = util_strdup_printf("%s%s%s", why, *tail ? ": " : "", tail);

		vm_set_error(vm, err);
		hostd_vm_set_state(h, vm, VM_SHUTOFF, VM_REASON_FAILED);
	} else {
		_cleanup_free_ char *err = util_strdup_printf("%s unexpectedly%s%s", why, *tail ? ": " : "", tail);

		vm_set_error(vm, err);
		hostd_vm_set_state(h, vm, VM_CRASHED, VM_REASON_CRASHED);
	}
	log_info("VM '%s' is %s (%s): %s", vm->cfg.name, vm_state_name(vm->state),
		 vm_reason_name(vm->reason), why);
	qemu_free(q);
	util_rm_dir_files(rundir);
	hostd_vm_settled(h, vm, starting && vm->reason == VM_REASON_FAILED ? vm->error : NULL);
}

static void on_pidfd(evutil_socket_t fd, short what, void *arg)
{
	struct qemu *q = arg;
	int status = -1;

	if (q->is_child && waitpid(q->pid, &status, WNOHANG) <= 0) {
		status = -1;
	}
	on_exited(q, status);
}

static void kill_now(struct qemu *q)
{
	if (pidfd_send_signal(q->pidfd, SIGKILL, NULL, 0) < 0 && errno != ESRCH) {
		log_warning("VM '%s': cannot kill QEMU pid %d: %s", q->vm->cfg.name, (int)q->pid,
			    strerror(errno));
	}
}

static void arm_timer(struct qemu *q, int seconds, event_callback_fn cb)
{
	struct timeval tv = {.tv_sec = seconds};

	if (q->timer) {
		event_free(q->timer);
	}
	q->timer = evtimer_new(q->h->base, cb, q);
	evtimer_add(q->timer, &tv);
}

static void on_quit_grace(evutil_socket_t fd, short what, void *arg)
{
	kill_now(arg);
}

static void quit(struct qemu *q)
{
	if (q->qmp) {
		qmp_command(q->qmp, "quit", NULL, NULL, NULL);
		arm_timer(q, QEMU_QUIT_GRACE_S, on_quit_grace);
	} else {
		kill_now(q);
	}
}

static void on_cont_after_reset(void *ud, json_object *ret, const char *err)
{
	struct qemu *q = ud;

	if (err) {
		log_warning("VM '%s': cannot resume after reboot: %s", q->vm->cfg.name, err);
	}
}

static void on_guest_powered_off(struct qemu *q)
{
	struct vm *vm = q->vm;

	if (q->timer) {
		event_free(q->timer);
		q->timer = NULL;
	}
	if (q->reboot_pending) {
		q->reboot_pending = false;
		q->resets_asked++;
		qmp_command(q->qmp, "system_reset", NULL, NULL, NULL);
		qmp_command(q->qmp, "cont", NULL, on_cont_after_reset, q);
		hostd_vm_set_state(q->h, vm, VM_RUNNING, VM_REASON_RESET);
		hostd_vm_settled(q->h, vm, NULL);
		return;
	}
	q->guest_off = true;
	quit(q);
}

static void on_qmp_event(void *ud, const char *event, json_object *data)
{
	struct qemu *q = ud;
	json_object *guest;

	log_debug("VM '%s': QMP event %s %s", q->vm->cfg.name, event, data ? json_object_to_json_string(data) : "");
	if (strcmp(event, "SHUTDOWN") == 0 && json_object_object_get_ex(data, "guest", &guest) &&
	    json_object_get_boolean(guest)) {
		on_guest_powered_off(q);
	} else if (strcmp(event, "RESET") == 0) {
		if (q->resets_asked > 0) {
			q->resets_asked--;
		} else if (q->vm->state == VM_RUNNING) {
			hostd_vm_set_state(q->h, q->vm, VM_RUNNING, VM_REASON_RESET); /* the guest rebooted */
		}
	}
}

static void on_qmp_closed(void *ud)
{
	struct qemu *q = ud;

	/* The exit itself comes through the pidfd; without QMP, a stop can only kill. */
	qmp_free(q->qmp);
	q->qmp = NULL;
}

static void on_serial_read(struct bufferevent *bev, void *arg)
{
	struct qemu *q = arg;
	struct evbuffer *in = bufferevent_get_input(bev);
	size_t len = evbuffer_get_length(in);

	console_output(q->vm->console, evbuffer_pullup(in, (ssize_t)len), len);
	evbuffer_drain(in, len);
}

static void on_serial_event(struct bufferevent *bev, short what, void *arg)
{
	struct qemu *q = arg;

	if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR)) {
		console_set_serial(q->vm->console, NULL);
		bufferevent_free(q->serial);
		q->serial = NULL;
	}
}

static int connect_qemu(struct qemu *q, const char *rundir)
{
	_cleanup_free_ char *qmp_path = util_strdup_printf("%s/qmp.sock", rundir);
	_cleanup_free_ char *ser_path = util_strdup_printf("%s/serial.sock", rundir);
	int qfd, sfd;

	qfd = unix_connect(qmp_path);
	if (qfd < 0) {
		return qfd;
	}
	sfd = unix_connect(ser_path);
	if (sfd < 0) {
		close(qfd);
		return sfd;
	}
	q->qmp = qmp_new(q->h->base, qfd, on_qmp_event, on_qmp_closed, q);
	q->serial = bufferevent_socket_new(q->h->base, sfd, BEV_OPT_CLOSE_ON_FREE);
	if (!q->serial) {
		abort();
	}
	bufferevent_setcb(q->serial, on_serial_read, NULL, on_serial_event, q);
	bufferevent_enable(q->serial, EV_READ | EV_WRITE);
	console_set_serial(q->vm->console, q->serial);
	return 0;
}

static struct qemu *qemu_new(struct hostd *h, struct vm *vm, pid_t pid, int pidfd, bool is_child)
{
	struct qemu *q = util_xcalloc(1, sizeof(*q));

	q->h = h;
	q->vm = vm;
	q->pid = pid;
	q->pidfd = pidfd;
	q->is_child = is_child;
	q->exit_ev = event_new(h->base, pidfd, EV_READ, on_pidfd, q);
	event_add(q->exit_ev, NULL);
	vm->qemu = q;
	return q;
}

/* "PID STARTTIME ACCEL": who QEMU is, and what it runs on, for a later hostd. */
static int write_pidfile(const char *rundir, pid_t pid, bool kvm)
{
	_cleanup_free_ char *path = util_strdup_printf("%s/pid", rundir);
	_cleanup_free_ char *text = NULL;
	unsigned long long start;
	int r = util_proc_start_time(pid, &start);

	if (r < 0) {
		return r;
	}
	text = util_strdup_printf("%d %llu %s\n", (int)pid, start, kvm ? "kvm" : "tcg");
	return util_write_file_atomic(path, text, strlen(text), 0640);
}

static void on_started(void *ud, json_object *ret, const char *err)
{
	struct qemu *q = ud;
	struct vm *vm = q->vm;

	if (err) {
		_cleanup_free_ char *msg = util_strdup_printf("QEMU refused to start the vCPUs: %s", err);

		vm_set_error(vm, msg);
		q->phase = PHASE_STARTING; /* the exit that follows reports a failed start */
		kill_now(q);
		return;
	}
	q->phase = PHASE_RUNNING;
	vm_set_error(vm, NULL);
	hostd_vm_set_state(q->h, vm, VM_RUNNING, VM_REASON_BOOTED);
	log_info("VM '%s' started (QEMU pid %d, %s)", vm->cfg.name, (int)q->pid, q->kvm ? "kvm" : "tcg");
	hostd_vm_settled(q->h, vm, NULL);
}

static int spawn(struct hostd *h, struct vm *vm, const char *rundir, pid_t *ret_pid)
{
	_cleanup_free_ char *qmp_path = util_strdup_printf("%s/qmp.sock", rundir);
	_cleanup_free_ char *ser_path = util_strdup_printf("%s/serial.sock", rundir);
	_cleanup_free_ char *log_path = hostd_vm_logpath(h, vm, "qemu");
	_cleanup_close_ int qfd = -1, sfd = -1, lfd = -1;
	struct argv_builder a = {0};
	pid_t pid;

	qfd = unix_listen(qmp_path);
	sfd = unix_listen(ser_path);
	lfd = open(log_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
	if (qfd < 0 || sfd < 0 || lfd < 0) {
		return qfd < 0 ? qfd : sfd < 0 ? sfd : -errno;
	}
	build_argv(h, vm, &a);
	pid = fork();
	if (pid == 0) {
		child_exec(&a, qfd, sfd, lfd);
	}
	arg_free(&a);
	if (pid < 0) {
		return -errno;
	}
	*ret_pid = pid;
	return 0;
}

static int check_files(struct hostd *h, struct vm *vm, char **ret_err)
{
	_cleanup_free_ char *kernel = vm->cfg.kernel ? util_xstrdup(vm->cfg.kernel) : hostd_default_kernel(h);
	const char *files[2 + VM_MAX_DISKS] = {kernel, vm->cfg.initrd};
	size_t n = 2;

	for (size_t i = 0; i < vm->cfg.n_disks; i++) {
		files[n++] = vm->cfg.disks[i];
	}
	for (size_t i = 0; i < n; i++) {
		if (files[i] && access(files[i], R_OK) < 0) {
			*ret_err = util_strdup_printf("cannot read %s: %s%s", files[i], strerror(errno),
						      vm->cfg.kernel ? "" : " (the default guest is not built; see README)");
			return -errno;
		}
	}
	return 0;
}

int qemu_start(struct hostd *h, struct vm *vm, char **ret_err)
{
	_cleanup_free_ char *rundir = hostd_vm_rundir(h, vm);
	struct qemu *q;
	pid_t pid;
	int r, pidfd;

	r = check_files(h, vm, ret_err);
	if (r < 0) {
		return r;
	}
	console_clear(vm->console); /* what a console replays is this run's output */
	util_rm_dir_files(rundir);
	r = util_mkdir_p(rundir, 0750);
	if (r >= 0) {
		r = spawn(h, vm, rundir, &pid);
	}
	if (r < 0) {
		*ret_err = util_strdup_printf("cannot launch QEMU: %s", strerror(-r));
		return r;
	}
	pidfd = pidfd_open(pid, 0);
	if (pidfd < 0) {
		r = -errno;
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		*ret_err = util_strdup_printf("pidfd_open: %s", strerror(-r));
		return r;
	}
	q = qemu_new(h, vm, pid, pidfd, true);
	q->phase = PHASE_STARTING;
	q->kvm = use_kvm(h, vm);
	r = write_pidfile(rundir, pid, q->kvm);
	if (r >= 0) {
		r = connect_qemu(q, rundir);
	}
	if (r < 0) {
		*ret_err = util_strdup_printf("cannot set up QEMU's runtime files: %s", strerror(-r));
		kill_now(q);
		return 0; /* the exit is reported as a failed start */
	}
	qmp_command(q->qmp, "cont", NULL, on_started, q);
	return 0;
}

static void on_shutdown_timeout(evutil_socket_t fd, short what, void *arg)
{
	struct qemu *q = arg;
	struct vm *vm = q->vm;
	_cleanup_free_ char *msg = NULL;

	event_free(q->timer);
	q->timer = NULL;
	if (q->shutdown_force) {
		log_info("VM '%s' did not shut down in time; stopping it", vm->cfg.name);
		qemu_stop(q->h, vm);
		return;
	}
	hostd_vm_set_state(q->h, vm, q->state_before_shutdown, VM_REASON_USER);
	msg = util_strdup_printf("VM '%s' did not shut down within the timeout", vm->cfg.name);
	hostd_fail_waiters(vm, WAIT_OFF, RPC_TIMEOUT, msg);
}

void qemu_shutdown(struct hostd *h, struct vm *vm, int timeout, bool force)
{
	struct qemu *q = vm->qemu;

	if (vm->state != VM_IN_SHUTDOWN) {
		q->state_before_shutdown = vm->state;
	}
	q->shutdown_force = force;
	hostd_vm_set_state(h, vm, VM_IN_SHUTDOWN, VM_REASON_USER);
	if (q->qmp) {
		qmp_command(q->qmp, "system_powerdown", NULL, NULL, NULL);
	}
	arm_timer(q, timeout, on_shutdown_timeout);
}

void qemu_stop(struct hostd *h, struct vm *vm)
{
	struct qemu *q = vm->qemu;

	q->user_stop = true;
	if (q->phase == PHASE_STARTING) {
		kill_now(q);
		return;
	}
	quit(q);
}

struct op {
	struct qemu *q;
	qemu_done_fn done;
	void *ud;
	enum vm_state state; /* on success */
	enum vm_reason reason;
};

static void on_op_reply(void *ud, json_object *ret, const char *err)
{
	struct op *op = ud;
	struct vm *vm = op->q->vm;

	if (!err && op->state != (enum vm_state) - 1) {
		hostd_vm_set_state(op->q->h, vm, op->state, op->reason);
	}
	if (op->done) {
		op->done(op->q->h, vm, op->ud, err);
	}
	free(op);
}

static void command(struct vm *vm, const char *cmd, int state, enum vm_reason reason, qemu_done_fn done,
		    void *ud)
{
	struct op *op = util_xcalloc(1, sizeof(*op));

	op->q = vm->qemu;
	op->done = done;
	op->ud = ud;
	op->state = (enum vm_state)state;
	op->reason = reason;
	if (!vm->qemu->qmp) {
		on_op_reply(op, NULL, "the QMP connection to QEMU is closed");
		return;
	}
	qmp_command(vm->qemu->qmp, cmd, NULL, on_op_reply, op);
}

void qemu_pause(struct hostd *h, struct vm *vm, qemu_done_fn done, void *ud)
{
	command(vm, "stop", VM_PAUSED, VM_REASON_USER, done, ud);
}

void qemu_resume(struct hostd *h, struct vm *vm, qemu_done_fn done, void *ud)
{
	command(vm, "cont", VM_RUNNING, VM_REASON_USER, done, ud);
}

void qemu_reboot(struct hostd *h, struct vm *vm, bool acpi, qemu_done_fn done, void *ud)
{
	if (acpi) {
		vm->qemu->reboot_pending = true;
		command(vm, "system_powerdown", -1, 0, done, ud);
	} else {
		vm->qemu->resets_asked++;
		command(vm, "system_reset", VM_RUNNING, VM_REASON_RESET, done, ud);
	}
}

int qemu_pid(const struct vm *vm)
{
	return (int)vm->qemu->pid;
}

const char *qemu_accel_used(const struct vm *vm)
{
	return vm->qemu->kvm ? "kvm" : "tcg";
}

const char *qemu_busy(const struct vm *vm)
{
	if (!vm->qemu) {
		return NULL;
	}
	if (vm->qemu->phase == PHASE_STARTING) {
		return "starting";
	}
	if (vm->qemu->phase == PHASE_ADOPTING) {
		return "being re-adopted";
	}
	if (vm->qemu->user_stop || vm->qemu->guest_off) {
		return "stopping";
	}
	return NULL;
}

bool qemu_adopting(const struct vm *vm)
{
	return vm->qemu && vm->qemu->phase == PHASE_ADOPTING;
}

static void on_adopt_status(void *ud, json_object *ret, const char *err)
{
	struct qemu *q = ud;
	struct vm *vm = q->vm;
	json_object *st;
	const char *status;

	if (err || !json_object_object_get_ex(ret, "status", &st)) {
		log_warning("VM '%s': QEMU pid %d gave no status (%s); stopping it", vm->cfg.name,
			    (int)q->pid, err ? err : "no status");
		q->phase = PHASE_RUNNING;
		kill_now(q);
		return;
	}
	status = json_object_get_string(st);
	q->phase = PHASE_RUNNING;
	/* Taking over a state that already held: not a transition, so no event. */
	vm->state = VM_RUNNING, vm->reason = VM_REASON_BOOTED;
	if (strcmp(status, "paused") == 0) {
		vm->state = VM_PAUSED, vm->reason = VM_REASON_USER;
	} else if (strcmp(status, "shutdown") == 0) {
		on_guest_powered_off(q); /* the guest powered off while hostd was away */
	} else if (strcmp(status, "prelaunch") == 0) {
		q->phase = PHASE_STARTING; /* a start that hostd did not see through */
		kill_now(q);
	}
	log_info("VM '%s': re-adopted QEMU pid %d (%s)", vm->cfg.name, (int)q->pid, status);
	hostd_vm_settled(q->h, vm, NULL);
}

static int read_pidfile(const char *rundir, pid_t *ret_pid, bool *ret_kvm)
{
	_cleanup_free_ char *path = util_strdup_printf("%s/pid", rundir);
	_cleanup_free_ char *text = NULL;
	unsigned long long start, now;
	char accel[4] = "";
	int pid, r;

	r = util_read_file(path, 128, &text, NULL);
	if (r < 0) {
		return r;
	}
	if (sscanf(text, "%d %llu %3s", &pid, &start, accel) != 3 || pid <= 1) {
		return -EINVAL;
	}
	/* A pid can be reused: the start time tells whether it is still our QEMU. */
	r = util_proc_start_time(pid, &now);
	if (r < 0 || now != start) {
		return -ESRCH;
	}
	*ret_pid = pid;
	*ret_kvm = strcmp(accel, "kvm") == 0;
	return 0;
}

void qemu_adopt(struct hostd *h, struct vm *vm)
{
	_cleanup_free_ char *rundir = hostd_vm_rundir(h, vm);
	_cleanup_free_ char *pidpath = util_strdup_printf("%s/pid", rundir);
	_cleanup_free_ char *log_path = hostd_vm_logpath(h, vm, "console"), *log = NULL;
	struct qemu *q;
	size_t len;
	bool kvm = false;
	pid_t pid;
	int pidfd, r;

	if (access(pidpath, F_OK) < 0) {
		return; /* it was not running */
	}
	r = read_pidfile(rundir, &pid, &kvm);
	pidfd = r < 0 ? -1 : pidfd_open(pid, 0);
	if (pidfd < 0) {
		vm_set_error(vm, "QEMU exited while hostd was not running");
		hostd_vm_set_state(h, vm, VM_CRASHED, VM_REASON_CRASHED);
		log_info("VM '%s': QEMU is gone since hostd last ran; marked crashed", vm->cfg.name);
		util_rm_dir_files(rundir);
		return;
	}
	q = qemu_new(h, vm, pid, pidfd, false);
	q->phase = PHASE_ADOPTING;
	q->kvm = kvm;
	vm->state = VM_RUNNING, vm->reason = VM_REASON_BOOTED;
	/* The console log has all output, also from while hostd was away. */
	if (util_read_file_tail(log_path, CONSOLE_RING_SIZE, &log, &len) == 0) {
		console_output(vm->console, log, len);
	}
	r = connect_qemu(q, rundir);
	if (r < 0) {
		log_warning("VM '%s': cannot reconnect to QEMU pid %d: %s; stopping it", vm->cfg.name,
			    (int)pid, strerror(-r));
		kill_now(q);
		return;
	}
	qmp_command(q->qmp, "query-status", NULL, on_adopt_status, q);
}

void qemu_release(struct vm *vm)
{
	if (vm->qemu) {
		qemu_free(vm->qemu);
	}
}
