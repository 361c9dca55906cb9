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
#include <sys/resource.h>
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
	"  --ro-socket PATH   read-only socket for monitoring, mode 0666 (default: beside the\n"
	"                     socket, hostd-ro.sock; '' for none)\n"
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
		{"ro-socket", required_argument, NULL, 'R'},
		{"qemu", required_argument, NULL, 'q'},      {"accel", required_argument, NULL, 'a'},
		{"check-config", no_argument, NULL, 'c'},    {"verbose", no_argument, NULL, 'v'},
		{"help", no_argument, NULL, 'h'},            {"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0},
	};
	const char *accel = getenv("SEKVM_ACCEL");
	int c;

	o->cfg = (struct hostd_config){.state_dir = "/var/lib/sekvm", .runtime_dir = "/run/sekvm",
				       .socket_path = "/run/sekvm/hostd.sock", .guest_dir = SEKVM_GUEST_DIR,
				       .qemu = DEFAULT_QEMU, .accel = VM_ACCEL_AUTO};
	while ((c = getopt_long(argc, argv, "vh", longopts, NULL)) != -1) {
		switch (c) {
		case 's': o->cfg.state_dir = optarg; break;
		case 'r': o->cfg.runtime_dir = optarg; break;
		case 'S': o->cfg.socket_path = optarg; break;
		case 'R': o->cfg.ro_socket_path = optarg; break;
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
static int listen_socket(int fd, const char *path)
{
	int r = listen(fd, 128) < 0 ? -errno : 0;

	if (r < 0) {
		log_error("cannot listen on %s: %s", path, strerror(-r));
	}
	return r;
}

/* A socket bound at path with the mode (and group sekvm when it exists), not yet listening. */
static int bind_socket(const char *path, mode_t mode)
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
	old = umask(0777 & ~mode);
	r = bind(fd, (struct sockaddr *)&sa, sizeof(sa));
	umask(old);
	if (r < 0) {
		r = -errno;
		log_error("cannot bind %s: %s", path, strerror(-r));
		return r;
	}
	g = getgrnam("sekvm");
	if (g && chown(path, (uid_t)-1, g->gr_gid) < 0) {
		log_warning("cannot give %s to group sekvm: %s", path, strerror(errno));
	}
	return TAKE_FD(fd);
}

/* hostd.sock -> hostd-ro.sock, beside it. */
static char *ro_socket_for(const char *path)
{
	size_t n = strlen(path);

	if (n > 5 && strcmp(path + n - 5, ".sock") == 0) {
		return util_strdup_printf("%.*s-ro.sock", (int)(n - 5), path);
	}
	return util_strdup_printf("%s-ro", path);
}

struct listeners {
	int rw, ro;     /* -1: none */
	bool bound;     /* ours to unlink at exit (not socket-activated) */
};

/* systemd passes hostd.socket and, when enabled, hostd-ro.socket, named after their units. */
static int listen_activated(int n, char **names, struct listeners *ret)
{
	int r = 0;

	for (int i = 0; i < n; i++) {
		bool ro = strstr(names[i], "-ro") != NULL;

		if ((ro ? ret->ro : ret->rw) >= 0) {
			r = -EINVAL;
		}
		*(ro ? &ret->ro : &ret->rw) = SD_LISTEN_FDS_START + i;
	}
	return r < 0 || ret->rw < 0 ? -EINVAL : 0;
}

static int open_listeners(const struct hostd_config *cfg, struct listeners *ret)
{
	char **names = NULL;
	int n = sd_listen_fds_with_names(1, &names), r = 0;

	*ret = (struct listeners){-1, -1, n <= 0};
	if (n > 2 || (n > 0 && listen_activated(n, names, ret) < 0)) {
		log_error("systemd passed %d sockets; hostd takes hostd.socket and hostd-ro.socket", n);
		r = -EINVAL;
	}
	for (int i = 0; names && i < n; i++) {
		free(names[i]);
	}
	free(names);
	if (n > 0 || r < 0) {
		return r;
	}
	/*
	 * Both are bound before either listens, and the main socket listens last: whoever can
	 * connect to hostd.sock finds every socket in place.
	 */
	ret->rw = bind_socket(cfg->socket_path, 0660);
	if (ret->rw < 0) {
		return ret->rw;
	}
	if (*cfg->ro_socket_path) {
		ret->ro = bind_socket(cfg->ro_socket_path, 0666);
		r = ret->ro < 0 ? ret->ro : listen_socket(ret->ro, cfg->ro_socket_path);
		if (r < 0) {
			close(ret->rw);
			return r;
		}
	}
	r = listen_socket(ret->rw, cfg->socket_path);
	if (r < 0) {
		close(ret->rw);
		if (ret->ro >= 0) {
			close(ret->ro);
		}
	}
	return r;
}

/* Each client and each running VM holds descriptors: the soft limit (often 1024) is too low. */
static void raise_fd_limit(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) < 0) {
			log_warning("cannot raise the open files limit: %s", strerror(errno));
		}
	}
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

static int run(struct hostd *h, const struct listeners *fds)
{
	struct server *srv = server_new(h->base);

	struct event *sigs[] = {evsignal_new(h->base, SIGTERM, on_signal, h->base),
				evsignal_new(h->base, SIGINT, on_signal, h->base)};

	for (size_t i = 0; i < ELEMENTSOF(sigs); i++) {
		event_add(sigs[i], NULL);
	}
	server_listen(srv, fds->rw, false);
	if (fds->ro >= 0) {
		server_listen(srv, fds->ro, true);
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
	_cleanup_free_ char *ro_default = NULL;
	struct listeners fds;
	int r;

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
	raise_fd_limit();
	r = store_load_all(h.cfg.state_dir, &h.reg);
	if (r < 0) {
		log_error("cannot load VM definitions from %s/vms: %s", h.cfg.state_dir, strerror(-r));
		return 1;
	}
	if (!h.cfg.ro_socket_path) {
		h.cfg.ro_socket_path = ro_default = ro_socket_for(h.cfg.socket_path);
	}
	if (open_listeners(&h.cfg, &fds) < 0) {
		return 1;
	}
	h.base = event_base_new();
	if (!h.base) {
		return 1;
	}
	r = run(&h, &fds);
	event_base_free(h.base);
	if (fds.bound) {
		unlink(h.cfg.socket_path);
		if (fds.ro >= 0) {
			unlink(h.cfg.ro_socket_path);
		}
	}
	return r < 0 ? 1 : 0;
}
