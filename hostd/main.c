/* hostd: the sekvm host daemon. Parse arguments, check, serve JSON-RPC, keep VMs. */
#include "accel.h"
#include "hostd.h"
#include "log.h"
#include "methods.h"
#include "qemu.h"
#include "rpc.h"
#include "server.h"
#include "store.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <event2/event.h>
#include <getopt.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <systemd/sd-daemon.h>

#if defined(__aarch64__)
#define DEFAULT_QEMU "qemu-system-aarch64"
#else
#define DEFAULT_QEMU "qemu-system-x86_64"
#endif

struct options {
	struct hostd_config cfg;
	bool check_config;
};

static const char usage[] =
	"Usage: hostd [OPTIONS]\n"
	"The sekvm host daemon: manages VMs for vmctl and libvirt clients over a UNIX socket.\n\n"
	"  --state-dir DIR    VM definitions and logs (default /var/lib/sekvm)\n"
	"  --runtime-dir DIR  runtime files of running VMs (default /run/sekvm)\n"
	"  --socket PATH      JSON-RPC socket (default /run/sekvm/hostd.sock; under systemd\n"
	"                     socket activation the passed socket is used)\n"
	"  --guest-dir DIR    the bundled default guest (default " SEKVM_GUEST_DIR ")\n"
	"  --qemu PATH        QEMU binary (default " DEFAULT_QEMU ")\n"
	"  --accel MODE       what VMs with accel 'auto' use: auto (KVM if usable), kvm or tcg\n"
	"                     (default: $SEKVM_ACCEL, else auto)\n"
	"  --check-config     check the options and directories, print the result, exit\n"
	"  -v, --verbose      log debug messages\n"
	"  -h, --help         show this help\n"
	"  --version          show the version\n";

static int parse_args(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{"state-dir", required_argument, NULL, 's'}, {"runtime-dir", required_argument, NULL, 'r'},
		{"socket", required_argument, NULL, 'S'},    {"guest-dir", required_argument, NULL, 'g'},
		{"qemu", required_argument, NULL, 'q'},      {"accel", required_argument, NULL, 'a'},
		{"check-config", no_argument, NULL, 'c'},    {"verbose", no_argument, NULL, 'v'},
		{"help", no_argument, NULL, 'h'},            {"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0},
	};
	const char *accel = getenv("SEKVM_ACCEL");
	int c;

	o->cfg = (struct hostd_config){"/var/lib/sekvm", "/run/sekvm", "/run/sekvm/hostd.sock",
				       SEKVM_GUEST_DIR, DEFAULT_QEMU, VM_ACCEL_AUTO};
	while ((c = getopt_long(argc, argv, "vh", longopts, NULL)) != -1) {
		switch (c) {
		case 's': o->cfg.state_dir = optarg; break;
		case 'r': o->cfg.runtime_dir = optarg; break;
		case 'S': o->cfg.socket_path = optarg; break;
		case 'g': o->cfg.guest_dir = optarg; break;
		case 'q': o->cfg.qemu = optarg; break;
		case 'a': accel = optarg; break;
		case 'c': o->check_config = true; break;
		case 'v': log_set_max_level(LOG_DEBUG_); break;
		case 'h': fputs(usage, stdout); exit(0);
		case 'V': puts("hostd " SEKVM_VERSION); exit(0);
		default: fputs(usage, stderr); return -EINVAL;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "hostd: unexpected argument '%s'\n%s", argv[optind], usage);
		return -EINVAL;
	}
	if (accel && *accel && vm_accel_from_name(accel, &o->cfg.accel) < 0) {
		fprintf(stderr, "hostd: --accel (or SEKVM_ACCEL) must be auto, kvm or tcg, not '%s'\n", accel);
		return -EINVAL;
	}
	return 0;
}

/* Directories are made absolute: QEMU gets paths from them and runs elsewhere. */
static int absolute_dir(const char *dir, char **ret_abs)
{
	int r = util_mkdir_p(dir, 0750);

	if (r < 0 || !(*ret_abs = realpath(dir, NULL))) {
		r = r < 0 ? r : -errno;
		log_error("cannot use directory %s: %s", dir, strerror(-r));
		return r;
	}
	return 0;
}

static int check_dirs(const struct hostd_config *cfg)
{
	const char *dirs[][2] = {{cfg->state_dir, "vms"}, {cfg->state_dir, "logs"}, {cfg->runtime_dir, "vms"}};

	for (size_t i = 0; i < ELEMENTSOF(dirs); i++) {
		_cleanup_free_ char *d = util_strdup_printf("%s/%s", dirs[i][0], dirs[i][1]);
		int r = util_mkdir_p(d, 0750);

		if (r == 0 && access(d, W_OK) < 0) {
			r = -errno;
		}
		if (r < 0) {
			log_error("cannot use directory %s: %s", d, strerror(-r));
			return r;
		}
	}
	return 0;
}

/* Bind our own socket, unless one that answers is there already: then another hostd runs. */
static int bind_socket(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	_cleanup_close_ int fd = -1;
	struct group *g;
	mode_t old;
	int r;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		log_error("socket path %s is too long", path);
		return -ENAMETOOLONG;
	}
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		return -errno;
	}
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0) {
		log_error("another hostd is already listening on %s", path);
		return -EADDRINUSE;
	}
	unlink(path); /* stale: nobody answers */
	old = umask(0117);
	r = bind(fd, (struct sockaddr *)&sa, sizeof(sa));
	umask(old);
	if (r < 0 || listen(fd, 128) < 0) {
		r = -errno;
		log_error("cannot listen on %s: %s", path, strerror(-r));
		return r;
	}
	g = getgrnam("sekvm");
	if (g && chown(path, (uid_t)-1, g->gr_gid) < 0) {
		log_warning("cannot give %s to group sekvm: %s", path, strerror(errno));
	}
	return TAKE_FD(fd);
}

static int listen_fd(const struct hostd_config *cfg, bool *ret_bound)
{
	int n = sd_listen_fds(1);

	if (n > 1) {
		log_error("systemd passed %d sockets; hostd takes one", n);
		return -EINVAL;
	}
	*ret_bound = n != 1;
	return n == 1 ? SD_LISTEN_FDS_START : bind_socket(cfg->socket_path);
}

static struct vm *find_vm(void *ctx, const char *ref)
{
	return registry_find(&((struct hostd *)ctx)->reg, ref);
}

static void on_signal(evutil_socket_t sig, short what, void *arg)
{
	log_info("got %s; exiting (running VMs keep running)", strsignal((int)sig));
	sd_notify(0, "STOPPING=1");
	event_base_loopbreak(arg);
}

static int run(struct hostd *h, int fd)
{
	struct server *srv = server_new(h->base, fd, false);

	struct event *sigs[] = {evsignal_new(h->base, SIGTERM, on_signal, h->base),
				evsignal_new(h->base, SIGINT, on_signal, h->base)};

	for (size_t i = 0; i < ELEMENTSOF(sigs); i++) {
		event_add(sigs[i], NULL);
	}
	h->server = srv;
	rpc_setup(methods, find_vm, h);
	for (size_t i = 0; i < h->reg.n; i++) {
		qemu_adopt(h, h->reg.vms[i]);
	}
	hostd_autostart(h);
	log_info("ready: %zu VMs defined, socket %s, KVM %s (%s)", h->reg.n, h->cfg.socket_path,
		 h->kvm.kvm_usable ? "usable" : "not used", h->kvm.reason);
	sd_notify(0, "READY=1");
	event_base_dispatch(h->base);
	h->server = NULL;
	server_free(srv);
	for (size_t i = 0; i < ELEMENTSOF(sigs); i++) {
		event_free(sigs[i]);
	}
	while (h->reg.n > 0) {
		struct vm *vm = h->reg.vms[0];

		hostd_fail_waiters(vm, WAIT_STARTED, RPC_INTERNAL_ERROR, "hostd is exiting");
		hostd_fail_waiters(vm, WAIT_OFF, RPC_INTERNAL_ERROR, "hostd is exiting");
		hostd_vm_forget(vm, "hostd is exiting");
		qemu_release(vm);
		registry_remove(&h->reg, vm);
	}
	free(h->reg.vms);
	return 0;
}

int main(int argc, char **argv)
{
	_cleanup_free_ char *state_dir = NULL, *runtime_dir = NULL;
	struct options o = {0};
	struct hostd h = {0};
	bool bound;
	int fd, r;

	if (parse_args(argc, argv, &o) < 0) {
		return 2;
	}
	if (absolute_dir(o.cfg.state_dir, &state_dir) < 0 || absolute_dir(o.cfg.runtime_dir, &runtime_dir) < 0) {
		return 2;
	}
	h.cfg = o.cfg;
	h.cfg.state_dir = state_dir;
	h.cfg.runtime_dir = runtime_dir;
	accel_detect("/", &h.kvm);
	if (check_dirs(&h.cfg) < 0) {
		return 2;
	}
	if (o.check_config) {
		printf("configuration ok; KVM %s: %s\n", h.kvm.kvm_usable ? "usable" : "not usable", h.kvm.reason);
		return 0;
	}
	signal(SIGPIPE, SIG_IGN);
	r = store_load_all(h.cfg.state_dir, &h.reg);
	if (r < 0) {
		log_error("cannot load VM definitions from %s/vms: %s", h.cfg.state_dir, strerror(-r));
		return 1;
	}
	fd = listen_fd(&h.cfg, &bound);
	if (fd < 0) {
		return 1;
	}
	h.base = event_base_new();
	if (!h.base) {
		return 1;
	}
	r = run(&h, fd);
	event_base_free(h.base);
	if (bound) {
		unlink(h.cfg.socket_path);
	}
	return r < 0 ? 1 : 0;
}
