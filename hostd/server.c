/* hostd's listening socket and client connections: JSON-RPC lines, or a console byte stream. */
#include "server.h"

#include "console.h"
#include "framing.h"
#include "log.h"
#include "rpc.h"
#include "util.h"
#include "vm.h"

#include <errno.h>
#include <fcntl.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <stddef.h>
#include <string.h>

#define container_of(ptr, type, member) ((type *)((char *)(ptr) - offsetof(type, member)))

struct conn {
	struct rpc_client rpc;
	struct console_sink sink;
	struct server *srv;
	struct listener *li;     /* the socket it came in on */
	struct bufferevent *bev; /* NULL once closed */
	int refs;
	bool closing;            /* close once the output is flushed */
	bool subscribed;         /* gets event notifications */
	struct vm *console_vm;   /* in console mode */
	struct conn *prev, *next;
};

#define SERVER_MAX_LISTENERS 2

/* Each socket has its own client budget: read-only clients cannot lock out read-write ones. */
struct listener {
	struct server *srv;
	struct evconnlistener *l;
	bool read_only;
	size_t n_clients;
};

struct server {
	struct event_base *base;
	struct listener listeners[SERVER_MAX_LISTENERS];
	size_t n_listeners;
	size_t n_clients;
	struct conn *clients;
	bool paused;		/* accept() failed: until a client goes or the retry timer fires */
	struct event *retry;
	int spare_fd;		/* held so a client can be told "out of descriptors", then closed */
	unsigned long refused;	/* clients refused for want of descriptors */
};

static void listeners_enable(struct server *srv, bool on)
{
	for (size_t i = 0; i < srv->n_listeners; i++) {
		if (on) {
			evconnlistener_enable(srv->listeners[i].l);
		} else {
			evconnlistener_disable(srv->listeners[i].l);
		}
	}
	srv->paused = !on;
}

static void on_retry(evutil_socket_t fd, short what, void *arg)
{
	struct server *srv = arg;

	if (srv->paused) {
		listeners_enable(srv, true);
	}
}

/*
 * Out of descriptors, with a client waiting: give up the spare descriptor, take the client,
 * tell it why and close it, then hold the spare again. True if that worked (the listener
 * stays on: each waiting client is answered, so there is no busy loop).
 */
static bool refuse_with_spare(struct server *srv, struct evconnlistener *l)
{
	static const char msg[] = "{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":5,"
				  "\"message\":\"hostd is out of file descriptors; try again later\"}}\n";
	int fd;

	if (srv->spare_fd < 0) {
		return false;
	}
	close(srv->spare_fd);
	fd = accept4(evconnlistener_get_fd(l), NULL, NULL, SOCK_CLOEXEC);
	if (fd >= 0) {
		(void)!write(fd, msg, sizeof(msg) - 1);
		close(fd);
	}
	srv->spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (fd >= 0 && srv->refused++ % 1000 == 0) {
		log_warning("out of file descriptors: refusing clients (%lu so far)", srv->refused);
	}
	return fd >= 0 && srv->spare_fd >= 0;
}

/* Without this, libevent retries a failing accept() at once, forever. */
static void on_accept_error(struct evconnlistener *l, void *arg)
{
	static const struct timeval one_second = {1, 0};
	struct listener *li = arg;
	int err = EVUTIL_SOCKET_ERROR();

	if ((err == EMFILE || err == ENFILE) && refuse_with_spare(li->srv, l)) {
		return;
	}
	log_warning("cannot accept a client: %s; accepting again in 1 s or when a client disconnects",
		    evutil_socket_error_to_string(err));
	listeners_enable(li->srv, false);
	evtimer_add(li->srv->retry, &one_second);
}

static void conn_close(struct conn *c);

static void conn_ref(struct rpc_client *rc)
{
	container_of(rc, struct conn, rpc)->refs++;
}

static void conn_unref(struct rpc_client *rc)
{
	struct conn *c = container_of(rc, struct conn, rpc);

	if (--c->refs == 0) {
		free(c);
	}
}

static void conn_write(struct conn *c, const void *data, size_t len)
{
	struct evbuffer *out;

	if (!c->bev) {
		return; /* a late reply to a client that went away */
	}
	out = bufferevent_get_output(c->bev);
	if (evbuffer_get_length(out) + len > SERVER_MAX_OUTPUT) {
		log_debug("client pid %d does not read its replies; dropping it", (int)c->rpc.cred.pid);
		conn_close(c);
		return;
	}
	evbuffer_add(out, data, len);
}

static void conn_send(struct rpc_client *rc, const char *line, size_t len)
{
	conn_write(container_of(rc, struct conn, rpc), line, len);
}

static void sink_write(struct console_sink *s, const void *data, size_t len)
{
	conn_write(container_of(s, struct conn, sink), data, len);
}

static void conn_close_when_flushed(struct conn *c)
{
	if (!c->bev) {
		return;
	}
	c->closing = true;
	bufferevent_disable(c->bev, EV_READ);
	if (evbuffer_get_length(bufferevent_get_output(c->bev)) == 0) {
		conn_close(c);
	}
}

static void sink_hangup(struct console_sink *s)
{
	struct conn *c = container_of(s, struct conn, sink);

	c->console_vm = NULL;
	conn_close_when_flushed(c);
}

static void listeners_enable(struct server *srv, bool on);

static void conn_close(struct conn *c)
{
	struct server *srv = c->srv;

	if (!c->bev) {
		return;
	}
	if (c->console_vm) {
		console_detach(c->console_vm->console, &c->sink);
		c->console_vm = NULL;
	}
	bufferevent_free(c->bev);
	c->bev = NULL;
	if (c->prev) {
		c->prev->next = c->next;
	} else {
		srv->clients = c->next;
	}
	if (c->next) {
		c->next->prev = c->prev;
	}
	srv->n_clients--;
	c->li->n_clients--;
	conn_unref(&c->rpc);
	if (srv->paused) {
		listeners_enable(srv, true); /* a descriptor was freed: accept again */
	}
}

static void console_read(struct conn *c, struct evbuffer *in)
{
	size_t len = evbuffer_get_length(in);

	console_input(c->console_vm->console, &c->sink, evbuffer_pullup(in, (ssize_t)len), len);
	evbuffer_drain(in, len);
}

static void too_long(struct conn *c)
{
	static const char msg[] = "{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-32600,"
				  "\"message\":\"invalid request: the line exceeds 1 MiB\"}}\n";

	conn_write(c, msg, sizeof(msg) - 1);
	conn_close_when_flushed(c);
}

static void on_read(struct bufferevent *bev, void *arg)
{
	struct conn *c = arg;
	struct evbuffer *in = bufferevent_get_input(bev);

	conn_ref(&c->rpc); /* a handler may close the connection under us */
	while (c->bev && !c->closing) {
		char *line;
		size_t len;
		int r;

		if (c->console_vm) {
			console_read(c, in);
			break;
		}
		r = framing_next_line(in, FRAMING_MAX_LINE, &line, &len);
		if (r < 0) {
			too_long(c);
			break;
		}
		if (r == 0) {
			break;
		}
		rpc_handle_line(&c->rpc, line, len);
		free(line);
	}
	conn_unref(&c->rpc);
}

static void on_write(struct bufferevent *bev, void *arg)
{
	struct conn *c = arg;

	if (c->closing) {
		conn_close(c);
	}
}

static void on_event(struct bufferevent *bev, short what, void *arg)
{
	if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR)) {
		conn_close(arg);
	}
}

static void on_accept(struct evconnlistener *l, evutil_socket_t fd, struct sockaddr *sa, int len, void *arg)
{
	struct listener *li = arg;
	struct server *srv = li->srv;
	socklen_t cl = sizeof(struct ucred);
	struct conn *c;

	if (li->n_clients >= SERVER_MAX_CLIENTS) {
		static const char msg[] = "{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":5,"
					  "\"message\":\"too many clients connected to hostd\"}}\n";

		(void)!write(fd, msg, sizeof(msg) - 1);
		close(fd);
		return;
	}
	c = util_xcalloc(1, sizeof(*c));
	c->rpc.send = conn_send;
	c->rpc.ref = conn_ref;
	c->rpc.unref = conn_unref;
	c->rpc.read_only = li->read_only;
	c->sink.write = sink_write;
	c->sink.hangup = sink_hangup;
	c->srv = srv;
	c->li = li;
	c->refs = 1;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &c->rpc.cred, &cl) < 0) {
		c->rpc.cred.pid = 0, c->rpc.cred.uid = (uid_t)-1, c->rpc.cred.gid = (gid_t)-1;
	}
	c->bev = bufferevent_socket_new(evconnlistener_get_base(l), fd, BEV_OPT_CLOSE_ON_FREE);
	if (!c->bev) {
		abort();
	}
	bufferevent_setcb(c->bev, on_read, on_write, on_event, c);
	bufferevent_enable(c->bev, EV_READ | EV_WRITE);
	c->next = srv->clients;
	if (c->next) {
		c->next->prev = c;
	}
	srv->clients = c;
	srv->n_clients++;
	li->n_clients++;
}

struct server *server_new(struct event_base *base)
{
	struct server *srv = util_xcalloc(1, sizeof(*srv));

	srv->base = base;
	srv->retry = evtimer_new(base, on_retry, srv);
	srv->spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (!srv->retry) {
		abort();
	}
	return srv;
}

void server_listen(struct server *srv, int listen_fd, bool read_only)
{
	struct listener *li = &srv->listeners[srv->n_listeners++];

	if (srv->n_listeners > SERVER_MAX_LISTENERS) {
		abort();
	}
	evutil_make_socket_nonblocking(listen_fd);
	li->srv = srv;
	li->read_only = read_only;
	li->l = evconnlistener_new(srv->base, on_accept, li, LEV_OPT_CLOSE_ON_FREE, -1, listen_fd);
	if (!li->l) {
		abort();
	}
	evconnlistener_set_error_cb(li->l, on_accept_error);
}

void server_free(struct server *srv)
{
	if (!srv) {
		return;
	}
	while (srv->clients) {
		conn_close(srv->clients);
	}
	for (size_t i = 0; i < srv->n_listeners; i++) {
		evconnlistener_free(srv->listeners[i].l);
	}
	event_free(srv->retry);
	if (srv->spare_fd >= 0) {
		close(srv->spare_fd);
	}
	free(srv);
}

int server_console_attach(struct rpc_client *rc, struct vm *vm, bool follow, bool write, bool force)
{
	struct conn *c = container_of(rc, struct conn, rpc);
	int r;

	if (!c->bev) {
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
	struct conn *c = container_of(rc, struct conn, rpc);

	c->subscribed = false; /* from here on the connection carries the guest's bytes only */
	if (replay) {
		console_replay(vm->console, &c->sink);
	}
	if (!follow) {
		conn_close_when_flushed(c);
	}
}

void server_subscribe(struct rpc_client *rc)
{
	container_of(rc, struct conn, rpc)->subscribed = true;
}

/* A subscriber that does not read is told why, then let go: it must not grow hostd's memory. */
static void cut_off(struct conn *c)
{
	static const char msg[] = "{\"jsonrpc\":\"2.0\",\"method\":\"events.overflow\",\"params\":{\"reason\":"
				  "\"more than 1 MiB of events were not read; reconnect and subscribe again\"}}\n";

	log_debug("subscriber pid %d fell behind; cutting it off", (int)c->rpc.cred.pid);
	c->subscribed = false;
	evbuffer_add(bufferevent_get_output(c->bev), msg, sizeof(msg) - 1);
	conn_close_when_flushed(c);
}

void server_notify(struct server *srv, json_object *notification)
{
	size_t len;
	const char *text = json_object_to_json_string_length(
		notification, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &len);
	struct conn *c, *next;

	for (c = srv->clients; c; c = next) {
		next = c->next;
		if (!c->subscribed || c->closing || !c->bev) {
			continue;
		}
		if (evbuffer_get_length(bufferevent_get_output(c->bev)) + len + 1 > SERVER_MAX_EVENT_BACKLOG) {
			cut_off(c);
			continue;
		}
		conn_write(c, text, len);
		conn_write(c, "\n", 1);
	}
}
