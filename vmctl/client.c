/* client.c: JSON-RPC 2.0 with hostd over its UNIX socket, one request and its reply at a time. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "vmctl.h"

struct vmctl_conn {
	int fd;
	char *buf;  /* VMCTL_LINE_MAX bytes, allocated at the first read */
	size_t len; /* bytes in buf not consumed yet; after vm.console, the raw stream's start */
	int64_t next_id;
};

static int connect_failed(const char *path, int err)
{
	fprintf(stderr, "vmctl: cannot connect to hostd at %s: %s\n", path, strerror(err));
	fprintf(stderr,
		"vmctl: is hostd running? Use --socket PATH or $%s to name another socket.\n",
		VMCTL_SOCKET_ENV);
	return -err;
}

int vmctl_conn_open(const char *path, struct vmctl_conn **ret_conn)
{
	_cleanup_(vmctl_conn_closep) struct vmctl_conn *c = NULL;
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	if (strlen(path) >= sizeof(sa.sun_path)) {
		return connect_failed(path, ENAMETOOLONG);
	}
	memcpy(sa.sun_path, path, strlen(path));
	c = calloc(1, sizeof(*c));
	if (!c) {
		vmctl_oom();
	}
	c->next_id = 1;
	c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c->fd < 0) {
		return connect_failed(path, errno);
	}
	if (connect(c->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		return connect_failed(path, errno);
	}
	*ret_conn = TAKE_PTR(c);
	return 0;
}

void vmctl_conn_close(struct vmctl_conn *c)
{
	if (!c) {
		return;
	}
	if (c->fd >= 0) {
		close(c->fd);
	}
	free(c->buf);
	free(c);
}

int vmctl_conn_fd(const struct vmctl_conn *c)
{
	return c->fd;
}

size_t vmctl_conn_pending(const struct vmctl_conn *c, const char **ret_data)
{
	*ret_data = c->buf;
	return c->len;
}

static int write_loop(int fd, const void *buf, size_t n, const char *what, bool sock)
{
	const char *p = buf;

	while (n > 0) {
		ssize_t k = sock ? send(fd, p, n, MSG_NOSIGNAL) : write(fd, p, n);

		if (k < 0 && errno == EINTR) {
			continue;
		}
		if (k < 0) {
			int err = errno;

			fprintf(stderr, "vmctl: cannot write to %s: %s\n", what, strerror(err));
			return -err;
		}
		p += k;
		n -= (size_t)k;
	}
	return 0;
}

/* A reader of stdout that went away ends vmctl with SIGPIPE, as it ends other filters. */
int vmctl_write_stdout(const void *buf, size_t n)
{
	return write_loop(STDOUT_FILENO, buf, n, "standard output", false);
}

/* To hostd: a closed connection is an error with a message, not a signal. */
int vmctl_send_all(int fd, const void *buf, size_t n)
{
	return write_loop(fd, buf, n, "hostd", true);
}

static int malformed(const char *why)
{
	fprintf(stderr, "vmctl: malformed reply from hostd: %s\n", why);
	return -EPROTO;
}

static json_object *request_new(int64_t id, const char *method, json_object *params)
{
	json_object *req = vmctl_params_new();

	vmctl_params_str(req, "jsonrpc", "2.0");
	vmctl_params_str(req, "method", method);
	if (json_object_object_add(req, "params", params ? params : vmctl_params_new()) < 0) {
		vmctl_oom();
	}
	vmctl_params_int(req, "id", id);
	return req;
}

static int conn_send(struct vmctl_conn *c, json_object *req)
{
	const char *s;
	size_t n;
	int r;

	s = json_object_to_json_string_length(
		req, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &n);
	if (!s) {
		vmctl_oom();
	}
	if (n + 1 > VMCTL_LINE_MAX) {
		fprintf(stderr, "vmctl: the request is larger than hostd's limit of 1 MiB\n");
		return -EMSGSIZE;
	}
	r = vmctl_send_all(c->fd, s, n);
	if (r < 0) {
		return r;
	}
	return vmctl_send_all(c->fd, "\n", 1);
}

/* Reads until buf holds a whole line; returns its length without the '\n'. */
static int conn_read_line(struct vmctl_conn *c, size_t *ret_len)
{
	char *nl;
	ssize_t n;

	if (!c->buf) {
		c->buf = malloc(VMCTL_LINE_MAX);
		if (!c->buf) {
			vmctl_oom();
		}
	}
	while (!(nl = memchr(c->buf, '\n', c->len))) {
		if (c->len == VMCTL_LINE_MAX) {
			return malformed("a line longer than 1 MiB");
		}
		n = read(c->fd, c->buf + c->len, VMCTL_LINE_MAX - c->len);
		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n < 0) {
			int err = errno;

			fprintf(stderr, "vmctl: cannot read from hostd: %s\n", strerror(err));
			return -err;
		}
		if (n == 0) {
			fprintf(stderr, "vmctl: hostd closed the connection without replying\n");
			return -ECONNRESET;
		}
		c->len += (size_t)n;
	}
	*ret_len = (size_t)(nl - c->buf);
	return 0;
}

/* Parses the next line as one JSON text and consumes it, leaving what follows in buf. */
static int conn_next(struct vmctl_conn *c, json_object **ret_obj)
{
	json_tokener *tok;
	json_object *obj;
	size_t n = 0;
	bool ok;
	int r;

	r = conn_read_line(c, &n);
	if (r < 0) {
		return r;
	}
	tok = json_tokener_new();
	if (!tok) {
		vmctl_oom();
	}
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	obj = json_tokener_parse_ex(tok, c->buf, (int)n);
	ok = obj && json_tokener_get_error(tok) == json_tokener_success &&
	     json_tokener_get_parse_end(tok) == n;
	json_tokener_free(tok);
	c->len -= n + 1;
	memmove(c->buf, c->buf + n + 1, c->len);
	if (!ok) {
		json_object_put(obj);
		return malformed("not one JSON text");
	}
	*ret_obj = obj;
	return 0;
}

static bool is_string(json_object *obj, const char *key, const char *want)
{
	json_object *v;

	return json_object_object_get_ex(obj, key, &v) &&
	       json_object_is_type(v, json_type_string) &&
	       (!want || strcmp(json_object_get_string(v), want) == 0);
}

/* Returns 1 for the reply to request id, 0 for a notification to skip, or a negative errno. */
static int reply_match(json_object *reply, int64_t id)
{
	json_object *v;

	if (!json_object_is_type(reply, json_type_object) || !is_string(reply, "jsonrpc", "2.0")) {
		return malformed("not a JSON-RPC 2.0 object");
	}
	if (!json_object_object_get_ex(reply, "id", &v)) {
		return is_string(reply, "method", NULL) ? 0 : malformed("a response without id");
	}
	/* id null: hostd could not read our request's id, so the error is ours. */
	if (!v || (json_object_is_type(v, json_type_int) && json_object_get_int64(v) == id)) {
		return 1;
	}
	return malformed("a response to another request");
}

static int reply_error(json_object *error)
{
	json_object *code;

	if (!json_object_object_get_ex(error, "code", &code) ||
	    !json_object_is_type(code, json_type_int) || !is_string(error, "message", NULL)) {
		return malformed("an error without code or message");
	}
	/* hostd's message names the VM and the cause; it is the whole story for the user. */
	fprintf(stderr, "vmctl: %s\n", vmctl_json_str(error, "message"));
	return -EREMOTEIO;
}

static int reply_result(json_object *reply, json_object **ret_result)
{
	json_object *result = NULL, *error = NULL;
	bool has_result = json_object_object_get_ex(reply, "result", &result);
	bool has_error = json_object_object_get_ex(reply, "error", &error);

	if (has_result == has_error) {
		return malformed("not exactly one of result and error");
	}
	if (has_error) {
		return reply_error(error);
	}
	if (!json_object_is_type(result, json_type_object)) {
		return malformed("a result that is not an object");
	}
	*ret_result = json_object_get(result);
	return 0;
}

/* Sends one request (params is taken over; NULL for none) and waits for its reply. */
int vmctl_conn_call(struct vmctl_conn *c, const char *method, json_object *params,
		    json_object **ret_result)
{
	_cleanup_json_ json_object *req = request_new(c->next_id, method, params);
	int64_t id = c->next_id++;
	int r;

	r = conn_send(c, req);
	if (r < 0) {
		return r;
	}
	for (;;) {
		_cleanup_json_ json_object *reply = NULL;

		r = conn_next(c, &reply);
		if (r < 0) {
			return r;
		}
		r = reply_match(reply, id);
		if (r < 0) {
			return r;
		}
		if (r > 0) {
			return reply_result(reply, ret_result);
		}
	}
}

/* Waits for the next notification (a message with a method and no id) and hands it over. */
int vmctl_conn_notification(struct vmctl_conn *c, json_object **ret_msg)
{
	_cleanup_json_ json_object *msg = NULL;
	int r;

	r = conn_next(c, &msg);
	if (r < 0) {
		return r;
	}
	if (!json_object_is_type(msg, json_type_object) || !is_string(msg, "jsonrpc", "2.0") ||
	    !is_string(msg, "method", NULL) || json_object_object_get_ex(msg, "id", NULL)) {
		return malformed("not a JSON-RPC 2.0 notification");
	}
	*ret_msg = TAKE_PTR(msg);
	return 0;
}

/* One call on a connection of its own. */
int vmctl_call(const struct vmctl_ctx *ctx, const char *method, json_object *params,
	       json_object **ret_result)
{
	_cleanup_(vmctl_conn_closep) struct vmctl_conn *c = NULL;
	_cleanup_json_ json_object *p = params;
	int r;

	r = vmctl_conn_open(ctx->socket, &c);
	if (r < 0) {
		return r;
	}
	return vmctl_conn_call(c, method, TAKE_PTR(p), ret_result);
}
