/*
 * Fuzz target for hostd's request path: arbitrary bytes go through the real line framing
 * (framing_next_line over an evbuffer, whole and in several chunkings) into rpc_handle_line with
 * the real method table, on a real struct hostd whose state directory is a temporary one and
 * whose QEMU is /bin/false (vm.start forks it and fails cleanly once the event loop has seen it
 * exit). vm.create and vm.delete write and remove real definition files.
 *
 * A connection is a fake rpc_client that mirrors what server.c does with one (the console
 * stream, subscriptions, the close after a too-long line); this file stands in for server.c.
 *
 * The target aborts, so that libFuzzer keeps the input, when
 *   - a reply is not one JSON text on one line, or breaks JSON-RPC 2.0 or the contract
 *     (protocols/hostd-api.json, checked by tests/unit/contract.h), or is -32603 (a bug);
 *   - a call is never answered or the RPC layer keeps a client reference (every call settled);
 *   - the replies depend on how the bytes were split into reads;
 *   - hostd itself asserts, or a sanitizer or LeakSanitizer reports.
 *
 * Built with clang and -fsanitize=fuzzer by tests/fuzz/fuzz-rpc-run.py; built with the project's
 * compiler and tests/fuzz/replay.c it replays the seed corpus as a regression test.
 */
#include "console.h"
#include "framing.h"
#include "hostd.h"
#include "log.h"
#include "methods.h"
#include "rpc.h"
#include "server.h"
#include "store.h"

#include "contract.h"
#include "hostd-fixture.h"

#include <errno.h>
#include <event2/buffer.h>
#include <event2/event.h>
#include <ftw.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#define SETTLE_TIMEOUT_S 20 /* /bin/false exits at once: a VM still busy by then is a hang */
#define SMALL_MAX_LINE 97   /* a line cap fuzz-sized inputs can reach */

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* ---- The connection: a fake rpc_client doing what server.c's struct conn does. ---- */

struct fake_conn {
	struct rpc_client rpc; /* first: the RPC layer hands back &rpc */
	struct console_sink sink;
	int refs;              /* held by the RPC layer: 0 once every call is answered */
	bool dropped;          /* never reads, so past the output cap server.c would drop it */
	bool closing;          /* no more input is read */
	bool subscribed;
	struct vm *console_vm; /* console mode: input goes to the console */
	size_t json_end;       /* output past this offset is console bytes, not JSON lines */
	bool raw;
	char *out;
	size_t len, cap;
};

static struct fake_conn *conn; /* the one of the current pass */

static void out_add(struct fake_conn *c, const void *data, size_t len)
{
	if (c->dropped) {
		return;
	}
	if (c->len + len > SERVER_MAX_OUTPUT) {
		c->dropped = c->closing = true; /* server.c closes such a client */
		return;
	}
	if (c->len + len + 1 > c->cap) {
		c->cap = (c->len + len + 1) * 2;
		c->out = realloc(c->out, c->cap);
		if (!c->out) {
			abort();
		}
	}
	memcpy(c->out + c->len, data, len);
	c->len += len;
	c->out[c->len] = '\0';
}

static void conn_send(struct rpc_client *rc, const char *line, size_t len)
{
	out_add((struct fake_conn *)rc, line, len);
}

static void conn_ref(struct rpc_client *rc)
{
	((struct fake_conn *)rc)->refs++;
}

static void conn_unref(struct rpc_client *rc)
{
	if (--((struct fake_conn *)rc)->refs < 0) {
		fprintf(stderr, "fuzz-rpc: the RPC layer released a client reference it did not take\n");
		abort();
	}
}

static struct fake_conn *of_sink(struct console_sink *s)
{
	return (struct fake_conn *)((char *)s - offsetof(struct fake_conn, sink));
}

static void sink_write(struct console_sink *s, const void *data, size_t len)
{
	out_add(of_sink(s), data, len);
}

static void sink_hangup(struct console_sink *s)
{
	struct fake_conn *c = of_sink(s);

	c->console_vm = NULL;
	c->closing = true;
}

/* server.c's functions, on the fake connection. */
void server_subscribe(struct rpc_client *rc)
{
	((struct fake_conn *)rc)->subscribed = true;
}

void server_notify(struct server *srv, json_object *notification)
{
	size_t len;
	const char *text = json_object_to_json_string_length(
		notification, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &len);

	if (conn && conn->subscribed && !conn->closing) {
		out_add(conn, text, len);
		out_add(conn, "\n", 1);
	}
}

int server_console_attach(struct rpc_client *rc, struct vm *vm, bool follow, bool write, bool force)
{
	struct fake_conn *c = (struct fake_conn *)rc;
	int r;

	if (c->dropped) {
		return -ECONNRESET;
	}
	if (!follow) {
		return 0;
	}
	r = console_attach(vm->console, &c->sink, write, force);
	if (r < 0) {
		return r;
	}
	c->console_vm = vm;
	return 0;
}

void server_console_begin(struct rpc_client *rc, struct vm *vm, bool replay, bool follow)
{
	struct fake_conn *c = (struct fake_conn *)rc;

	c->json_end = c->len; /* the reply line was the last JSON */
	c->raw = true;
	if (replay) {
		console_replay(vm->console, &c->sink);
	}
	if (!follow) {
		c->closing = true;
	}
}

/* server.c's on_read: every complete line, until the connection stops reading. */
static void conn_read(struct fake_conn *c, struct evbuffer *in, size_t max_line)
{
	static const char too_long[] = "{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-32600,"
				       "\"message\":\"invalid request: the line exceeds 1 MiB\"}}\n";

	while (!c->closing) {
		size_t len;
		char *line;
		int r;

		if (c->console_vm) {
			len = evbuffer_get_length(in);
			console_input(c->console_vm->console, &c->sink, evbuffer_pullup(in, (ssize_t)len), len);
			evbuffer_drain(in, len);
			break;
		}
		r = framing_next_line(in, max_line, &line, &len);
		if (r < 0) {
			out_add(c, too_long, sizeof(too_long) - 1);
			c->closing = true;
			break;
		}
		if (r == 0) {
			break;
		}
		rpc_handle_line(&c->rpc, line, len);
		free(line);
	}
}

/* ---- hostd: a real one on a temporary directory. ---- */

static struct hostd h;
static char *tmp_root;
static bool verbose; /* FUZZ_RPC_VERBOSE=1: print each pass's output */

/* VMs every input starts with, so that requests naming them reach the handlers. */
#define BASE_A_UUID "11111111-2222-4333-8444-555555555555"
#define BASE_B_UUID "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee"

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

static void die(const char *fmt, ...)
{
	va_list ap;

	fputs("fuzz-rpc: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

static struct vm_config base_config(int which)
{
	struct vm_config c = {.memory_mib = 256, .vcpus = 1, .accel = VM_ACCEL_AUTO};

	if (which == 0) {
		strcpy(c.uuid, BASE_A_UUID);
		strcpy(c.name, "a"); /* the default guest */
	} else {
		strcpy(c.uuid, BASE_B_UUID);
		strcpy(c.name, "b");
		c.kernel = util_strdup_printf("%s/guest/kernel", tmp_root);
		c.initrd = util_strdup_printf("%s/guest/initramfs.cpio.gz", tmp_root);
		c.cmdline = util_xstrdup("console=ttyS0 x=\"a,b\"");
		c.disks[c.n_disks++] = util_strdup_printf("%s/guest/kernel", tmp_root);
		c.accel = VM_ACCEL_KVM;
		c.memory_mib = 1048576;
		c.vcpus = 64;
		c.autostart = true;
	}
	return c;
}

static void remove_vm(struct vm *vm)
{
	static const char *const kinds[] = {"console", "qemu"};

	if (vm->qemu || vm->waiters) {
		die("bug in the harness: VM '%s' removed while busy", vm->cfg.name);
	}
	hostd_vm_forget(vm, "the fuzz harness resets hostd"); /* as vm.delete does */
	store_delete(h.cfg.state_dir, vm->cfg.uuid);
	for (size_t i = 0; i < ELEMENTSOF(kinds); i++) {
		_cleanup_free_ char *log = hostd_vm_logpath(&h, vm, kinds[i]);

		unlink(log);
	}
	registry_remove(&h.reg, vm);
}

static bool config_equal(const struct vm_config *a, const struct vm_config *b)
{
	json_object *ja = vm_config_to_json(a), *jb = vm_config_to_json(b);
	bool eq = json_object_equal(ja, jb);

	json_object_put(ja);
	json_object_put(jb);
	return eq;
}

/*
 * Back to the baseline: VMs the input defined go, a and b come back as they were. Files are
 * written only when something changed, so that most inputs cost no fsync.
 */
static void reset_state(void)
{
	bool sort = false;

	for (size_t i = h.reg.n; i-- > 0;) {
		struct vm *vm = h.reg.vms[i];
		bool base = strcmp(vm->cfg.uuid, BASE_A_UUID) == 0 || strcmp(vm->cfg.uuid, BASE_B_UUID) == 0;
		struct vm_config want = base_config(strcmp(vm->cfg.uuid, BASE_A_UUID) == 0 ? 0 : 1);

		if (!base || !config_equal(&vm->cfg, &want)) {
			remove_vm(vm); /* a changed base VM is written again below */
			sort = true;
		} else {
			vm->state = VM_SHUTOFF;
			vm->reason = VM_REASON_DEFINED;
			vm_set_error(vm, NULL);
			if (console_kept(vm->console) > 0) {
				console_free(vm->console);
				vm->console = console_new();
			}
		}
		vm_config_clear(&want);
	}
	for (int which = 0; which < 2; which++) {
		struct vm_config c = base_config(which);

		if (registry_find(&h.reg, c.uuid)) {
			vm_config_clear(&c);
			continue;
		}
		if (store_save(h.cfg.state_dir, &c) < 0) {
			die("cannot write the definition of base VM %s", c.name);
		}
		registry_add(&h.reg, &c);
		sort = true;
	}
	if (sort) {
		registry_sort(&h.reg);
	}
}

static bool any_busy(void)
{
	for (size_t i = 0; i < h.reg.n; i++) {
		if (h.reg.vms[i]->qemu) {
			return true;
		}
	}
	return false;
}

static void on_watchdog(evutil_socket_t fd, short what, void *arg)
{
}

/*
 * Run the event loop until every call of the input is answered and every QEMU it started has
 * exited and been dealt with (queued operations, waiters and all).
 */
static void settle(struct fake_conn *c)
{
	struct timespec start, now;
	struct timeval tick = {.tv_sec = 1};
	struct event *watchdog = evtimer_new(h.base, on_watchdog, NULL);

	clock_gettime(CLOCK_MONOTONIC, &start);
	while (any_busy() || c->refs > 0) {
		evtimer_add(watchdog, &tick);
		event_base_loop(h.base, EVLOOP_ONCE);
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec - start.tv_sec > SETTLE_TIMEOUT_S) {
			die("%d s after the input, %s", SETTLE_TIMEOUT_S,
			    any_busy() ? "a VM is still busy though its QEMU is /bin/false"
				       : "a call is still not answered (or a client reference leaked)");
		}
	}
	event_free(watchdog);
	for (size_t i = 0; i < h.reg.n; i++) {
		if (h.reg.vms[i]->waiters) {
			die("VM '%s' is shut off but a call still waits on it: it is never answered",
			    h.reg.vms[i]->cfg.name);
		}
	}
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

static void teardown(void)
{
	while (h.reg.n > 0) {
		hostd_vm_forget(h.reg.vms[0], "exiting");
		registry_remove(&h.reg, h.reg.vms[0]);
	}
	free(h.reg.vms);
	h.reg.vms = NULL;
	if (tmp_root) {
		nftw(tmp_root, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	}
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *tmpdir = getenv("TMPDIR");
	char *guest;

	tmp_root = util_strdup_printf("%s/fuzz-rpc.XXXXXX", tmpdir && *tmpdir ? tmpdir : "/tmp");
	if (!mkdtemp(tmp_root)) {
		perror(tmp_root);
		exit(99);
	}
	guest = fixture_make_dir(tmp_root, "guest");
	free(fixture_make_file(guest, "kernel"));
	free(fixture_make_file(guest, "initramfs.cpio.gz"));
	h.server = (struct server *)&h; /* non-NULL: notifications go to server_notify above */
	fixture_hostd(&h, tmp_root, guest, VM_ACCEL_AUTO, "fuzz: KVM not probed");
	log_set_max_level(LOG_ERR_); /* only hostd's "bug:" lines */
	signal(SIGPIPE, SIG_IGN);    /* as hostd's main: a QEMU that died is an EPIPE, not a kill */
	verbose = getenv("FUZZ_RPC_VERBOSE") && strcmp(getenv("FUZZ_RPC_VERBOSE"), "1") == 0;
	atexit(teardown);
	return 0;
}

/* ---- Checking what came back. ---- */

/* Request ids (as JSON text) and their methods, from a lenient parse of each input line. */
struct id_map {
	char **ids;
	const char **methods; /* NULL: the id was used more than once, the method is unknown */
	bool *nul;            /* the method or jsonrpc member holds a NUL byte: must not succeed */
	size_t n, cap;
};

static struct id_map ids;

static bool has_nul(json_object *s)
{
	return json_object_is_type(s, json_type_string) &&
	       strlen(json_object_get_string(s)) != (size_t)json_object_get_string_len(s);
}

static void id_note(json_object *req)
{
	json_object *id, *m, *v = NULL;
	const char *text, *method;

	if (!json_object_is_type(req, json_type_object) || !json_object_object_get_ex(req, "id", &id) ||
	    !json_object_object_get_ex(req, "method", &m) || !json_object_is_type(m, json_type_string)) {
		return;
	}
	text = json_object_to_json_string_ext(id, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	method = params_find_method(json_object_get_string(m)) ? params_find_method(json_object_get_string(m))->name : NULL;
	json_object_object_get_ex(req, "jsonrpc", &v);
	for (size_t i = 0; i < ids.n; i++) {
		if (strcmp(ids.ids[i], text) == 0) {
			ids.methods[i] = NULL;
			ids.nul[i] = false;
			return;
		}
	}
	if (ids.n == ids.cap) {
		ids.cap = ids.cap ? ids.cap * 2 : 16;
		ids.ids = realloc(ids.ids, ids.cap * sizeof(*ids.ids));
		ids.methods = realloc(ids.methods, ids.cap * sizeof(*ids.methods));
		ids.nul = realloc(ids.nul, ids.cap * sizeof(*ids.nul));
		if (!ids.ids || !ids.methods || !ids.nul) {
			abort();
		}
	}
	ids.ids[ids.n] = util_xstrdup(text);
	ids.nul[ids.n] = has_nul(m) || has_nul(v);
	ids.methods[ids.n++] = method;
}

/* Note the requests of every line of data (whatever hostd will make of them). */
static void note_requests(const uint8_t *data, size_t size)
{
	for (size_t start = 0; start < size;) {
		const uint8_t *nl = memchr(data + start, '\n', size - start);
		size_t end = nl ? (size_t)(nl - data) : size;
		char *line = strndup((const char *)data + start, end - start);
		json_object *o = line ? json_tokener_parse(line) : NULL;

		if (json_object_is_type(o, json_type_array)) {
			for (size_t i = 0; i < json_object_array_length(o); i++) {
				id_note(json_object_array_get_idx(o, i));
			}
		} else {
			id_note(o);
		}
		json_object_put(o);
		free(line);
		start = end + 1;
	}
}

static void ids_clear(void)
{
	for (size_t i = 0; i < ids.n; i++) {
		free(ids.ids[i]);
	}
	free(ids.ids);
	free(ids.methods);
	free(ids.nul);
	memset(&ids, 0, sizeof(ids));
}

/* The request a response answers, by its id: an index in ids, or -1 when unknown. */
static ssize_t request_of(json_object *resp)
{
	json_object *id;
	const char *text;

	if (!json_object_object_get_ex(resp, "id", &id) || !id) {
		return -1;
	}
	text = json_object_to_json_string_ext(id, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	for (size_t i = 0; i < ids.n; i++) {
		if (strcmp(ids.ids[i], text) == 0) {
			return (ssize_t)i;
		}
	}
	return -1;
}

/* The x-notifications entry of a notification's method, or NULL. */
static json_object *notification_spec(const char *method)
{
	json_object *notes = api_get(api, "x-notifications", NULL);

	for (size_t i = 0; notes && i < json_object_array_length(notes); i++) {
		json_object *n = json_object_array_get_idx(notes, i);

		if (strcmp(json_object_get_string(api_get(n, "name", NULL)), method) == 0) {
			return n;
		}
	}
	return NULL;
}

static void check_notification(json_object *msg, const char *line)
{
	json_object *m, *params = NULL, *spec;
	char *err;

	json_object_object_foreach (msg, key, val) {
		(void)val;
		if (strcmp(key, "jsonrpc") && strcmp(key, "method") && strcmp(key, "params")) {
			die("notification with the unknown member '%s': %s", key, line);
		}
	}
	json_object_object_get_ex(msg, "method", &m);
	spec = notification_spec(json_object_get_string(m));
	if (!spec || !json_object_object_get_ex(msg, "params", &params)) {
		die("notification not in the contract's x-notifications: %s", line);
	}
	err = schema_check(api_get(spec, "params", NULL), params, "params");
	if (err) {
		die("notification breaks the contract: %s: %s", err, line);
	}
}

/* One response: JSON-RPC 2.0 and the contract; -32603 means hostd hit a bug. */
static void check_one(json_object *resp, const char *line, char ***keys, size_t *n_keys)
{
	unsigned before = contract_violations;
	json_object *err, *code, *id = NULL;
	ssize_t req = request_of(resp);
	char *key;

	check_response(resp, req >= 0 ? ids.methods[req] : NULL);
	if (contract_violations != before) {
		die("a reply breaks JSON-RPC 2.0 or the contract (above): %s", line);
	}
	if (req >= 0 && ids.nul[req] && json_object_object_get_ex(resp, "result", NULL)) {
		die("a request whose 'method' or 'jsonrpc' holds a NUL byte (\\u0000) succeeded, as if the "
		    "string ended there: %.300s", line);
	}
	json_object_object_get_ex(resp, "id", &id);
	if (json_object_object_get_ex(resp, "error", &err) && json_object_object_get_ex(err, "code", &code)) {
		if (json_object_get_int(code) == RPC_INTERNAL_ERROR) {
			die("an internal error (-32603) is a bug in hostd: %s", line);
		}
		key = util_strdup_printf("%s error %d", json_object_to_json_string(id),
					 json_object_get_int(code));
	} else {
		key = util_strdup_printf("%s result", json_object_to_json_string(id));
	}
	*keys = realloc(*keys, (*n_keys + 1) * sizeof(**keys));
	(*keys)[(*n_keys)++] = key;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * Check every reply line of a pass; returns its replies in a form that does not depend on
 * UUIDs, times or the order of replies that come later (one string, sorted lines).
 */
static char *check_output(struct fake_conn *c)
{
	size_t end = c->raw ? c->json_end : c->len, n_keys = 0, total = 1;
	char **keys = NULL, *summary, *p;

	if (c->dropped) {
		end = c->len; /* what was sent before the drop */
	}
	for (size_t start = 0; start < end;) {
		char *nl = memchr(c->out + start, '\n', end - start);
		struct json_tokener *tok = json_tokener_new();
		_cleanup_free_ char *line = NULL;
		json_object *o, *m;
		size_t len;

		if (!nl) {
			if (c->dropped) {
				json_tokener_free(tok);
				break; /* cut off by the drop; the real server sends none of it */
			}
			die("output does not end in a newline: %.300s", c->out + start);
		}
		len = (size_t)(nl - (c->out + start));
		line = strndup(c->out + start, len);
		json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
		o = json_tokener_parse_ex(tok, line, (int)len + 1);
		if (!o || strlen(line) != len || json_tokener_get_parse_end(tok) < len) {
			die("a reply line is not one JSON text: %.300s", line);
		}
		json_tokener_free(tok);
		if (json_object_is_type(o, json_type_array)) {
			if (json_object_array_length(o) == 0) {
				die("an empty batch reply: %s", line);
			}
			for (size_t i = 0; i < json_object_array_length(o); i++) {
				check_one(json_object_array_get_idx(o, i), line, &keys, &n_keys);
			}
		} else if (json_object_is_type(o, json_type_object) && !json_object_object_get_ex(o, "id", NULL) &&
			   json_object_object_get_ex(o, "method", &m)) {
			json_object *params = NULL, *ev = NULL;

			check_notification(o, line);
			json_object_object_get_ex(o, "params", &params);
			json_object_object_get_ex(params, "event", &ev);
			keys = realloc(keys, (n_keys + 1) * sizeof(*keys));
			keys[n_keys++] = util_strdup_printf("notification %s %s", json_object_get_string(m),
							    ev ? json_object_get_string(ev) : "");
		} else {
			check_one(o, line, &keys, &n_keys);
		}
		json_object_put(o);
		start += len + 1;
	}
	if (n_keys > 1) {
		qsort(keys, n_keys, sizeof(*keys), cmp_str);
	}
	for (size_t i = 0; i < n_keys; i++) {
		total += strlen(keys[i]) + 1;
	}
	summary = p = util_xcalloc(total, 1);
	for (size_t i = 0; i < n_keys; i++) {
		p = stpcpy(stpcpy(p, keys[i]), "\n");
		free(keys[i]);
	}
	free(keys);
	return summary;
}

/* ---- One pass: the input, cut into reads, on a fresh connection. ---- */

enum split { SPLIT_WHOLE, SPLIT_BYTES, SPLIT_VARIED };

static uint32_t next_rand(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

static char *run_pass(const uint8_t *data, size_t size, enum split split, size_t max_line,
		      bool read_only)
{
	struct fake_conn c = {.rpc = {conn_send, conn_ref, conn_unref, .read_only = read_only},
			      .sink = {sink_write, sink_hangup, NULL}};
	struct evbuffer *in = evbuffer_new();
	uint32_t seed = 2166136261u ^ (uint32_t)size;

	char *summary;

	c.rpc.cred.pid = 4242, c.rpc.cred.uid = 1000, c.rpc.cred.gid = 1000;
	reset_state();
	conn = &c;
	for (size_t i = 0; i < size && i < 64; i++) {
		seed = (seed ^ data[i]) * 16777619u;
	}
	seed |= 1; /* xorshift stays at 0 */
	/* The event loop runs only at the end, so that every split sees the same hostd. */
	for (size_t off = 0; off < size && !c.closing;) {
		size_t n = size - off;

		if (split == SPLIT_BYTES) {
			n = 1;
		} else if (split == SPLIT_VARIED) {
			uint32_t r = next_rand(&seed) % 64;

			n = r < 48 ? 1 + r % 7 : r < 60 ? 8 + r * 3 : 4096;
			n = n > size - off ? size - off : n;
		}
		evbuffer_add(in, data + off, n);
		off += n;
		conn_read(&c, in, max_line);
	}
	settle(&c);
	if (verbose) {
		fprintf(stderr, "--- pass: split %d, max line %zu%s; output:\n%.*s\n", (int)split, max_line,
			read_only ? ", read-only" : "", (int)c.len, c.out ? c.out : "");
	}
	if (c.console_vm) {
		console_detach(c.console_vm->console, &c.sink); /* what conn_close does */
	}
	conn = NULL;
	summary = check_output(&c);
	evbuffer_free(in);
	free(c.out);
	return summary;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *whole, *other;

	note_requests(data, size);
	whole = run_pass(data, size, SPLIT_WHOLE, FRAMING_MAX_LINE, false);
	for (enum split s = SPLIT_BYTES; s <= SPLIT_VARIED; s++) {
		if (s == SPLIT_BYTES && size > 1024) {
			continue; /* one byte at a time costs too much on big inputs */
		}
		other = run_pass(data, size, s, FRAMING_MAX_LINE, false);
		if (strcmp(whole, other) != 0) {
			die("the replies depend on how the input was split into reads (%s):\n"
			    "--- whole ---\n%s--- split ---\n%s",
			    s == SPLIT_BYTES ? "one byte per read" : "varied reads", whole, other);
		}
		free(other);
	}
	/* Then, by turns (each costs as much as the others), a small line cap or the read-only flag. */
	if (size % 2) {
		free(run_pass(data, size, SPLIT_VARIED, SMALL_MAX_LINE, false));
	} else {
		free(run_pass(data, size, SPLIT_WHOLE, FRAMING_MAX_LINE, true));
	}
	free(whole);
	ids_clear();
	return 0;
}
