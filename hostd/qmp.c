/* A QMP client on libevent: greeting and capabilities, commands with callbacks, events. */
#include "qmp.h"

#include "framing.h"
#include "log.h"
#include "util.h"

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <string.h>

#define QMP_MAX_LINE (16 * 1024 * 1024)

struct qmp_pending {
	unsigned long id;
	qmp_reply_fn cb;
	void *ud;
	struct qmp_pending *next;
};

struct qmp {
	struct bufferevent *bev;
	bool ready; /* capabilities negotiated */
	unsigned long next_id;
	struct qmp_pending *pending, **pending_tail;
	struct evbuffer *queued; /* commands written before the greeting */
	qmp_event_fn on_event;
	qmp_closed_fn on_closed;
	void *ud;
};

/* Write a command and note its callback; replies come in the order commands reach QEMU. */
static void qmp_send(struct qmp *q, struct evbuffer *to, const char *command, json_object *args,
		     qmp_reply_fn cb, void *ud)
{
	struct qmp_pending *p = util_xcalloc(1, sizeof(*p));
	json_object *o = json_object_new_object();

	p->id = q->next_id++;
	p->cb = cb;
	p->ud = ud;
	if (q->ready || to == q->queued) {
		*q->pending_tail = p;
		q->pending_tail = &p->next;
	} else {
		/* The handshake overtakes commands still queued behind the greeting. */
		p->next = q->pending;
		q->pending = p;
	}
	json_object_object_add(o, "execute", json_object_new_string(command));
	if (args) {
		json_object_object_add(o, "arguments", args);
	}
	json_object_object_add(o, "id", json_object_new_int64((int64_t)p->id));
	evbuffer_add_printf(to, "%s\r\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	json_object_put(o);
}

void qmp_command(struct qmp *q, const char *command, json_object *args, qmp_reply_fn cb, void *ud)
{
	qmp_send(q, q->ready ? bufferevent_get_output(q->bev) : q->queued, command, args, cb, ud);
}

static void fail_pending(struct qmp *q, const char *why)
{
	while (q->pending) {
		struct qmp_pending *p = q->pending;

		q->pending = p->next;
		if (p->cb) {
			p->cb(p->ud, NULL, why);
		}
		free(p);
	}
	q->pending_tail = &q->pending;
}

static void on_capabilities(void *ud, json_object *ret, const char *err)
{
	struct qmp *q = ud;

	if (err) {
		log_warning("QMP capabilities negotiation failed: %s", err);
		return;
	}
	q->ready = true;
	bufferevent_write_buffer(q->bev, q->queued);
}

static void handle_reply(struct qmp *q, json_object *msg, json_object *id)
{
	struct qmp_pending *p = q->pending;
	json_object *ret, *err, *desc;

	/* QMP answers in order; the id check catches a confused peer. */
	if (!p || (unsigned long)json_object_get_int64(id) != p->id) {
		log_warning("QMP reply with unexpected id %s", json_object_get_string(id));
		return;
	}
	q->pending = p->next;
	if (!q->pending) {
		q->pending_tail = &q->pending;
	}
	if (p->cb) {
		if (json_object_object_get_ex(msg, "return", &ret)) {
			p->cb(p->ud, ret, NULL);
		} else {
			json_object_object_get_ex(msg, "error", &err);
			json_object_object_get_ex(err, "desc", &desc);
			p->cb(p->ud, NULL, desc ? json_object_get_string(desc) : "unknown QMP error");
		}
	}
	free(p);
}

static void handle_message(struct qmp *q, json_object *msg)
{
	json_object *v, *data = NULL;

	if (json_object_object_get_ex(msg, "QMP", NULL)) {
		/* The greeting: negotiate first, ahead of anything queued. */
		qmp_send(q, bufferevent_get_output(q->bev), "qmp_capabilities", NULL, on_capabilities, q);
	} else if (json_object_object_get_ex(msg, "event", &v)) {
		json_object_object_get_ex(msg, "data", &data);
		q->on_event(q->ud, json_object_get_string(v), data);
	} else if (json_object_object_get_ex(msg, "id", &v)) {
		handle_reply(q, msg, v);
	}
}

static void read_lines(struct qmp *q)
{
	struct evbuffer *in = bufferevent_get_input(q->bev);
	char *line;
	size_t len;

	while (framing_next_line(in, QMP_MAX_LINE, &line, &len) > 0) {
		json_object *msg = json_tokener_parse(line);

		if (msg) {
			handle_message(q, msg);
			json_object_put(msg);
		}
		free(line);
	}
}

static void on_read(struct bufferevent *bev, void *arg)
{
	read_lines(arg);
}

static void on_event(struct bufferevent *bev, short what, void *arg)
{
	struct qmp *q = arg;

	if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR)) {
		read_lines(q);
		bufferevent_disable(bev, EV_READ | EV_WRITE);
		fail_pending(q, "QEMU closed the QMP connection");
		q->on_closed(q->ud);
	}
}

struct qmp *qmp_new(struct event_base *base, int fd, qmp_event_fn on_event_cb, qmp_closed_fn on_closed,
		    void *ud)
{
	struct qmp *q = util_xcalloc(1, sizeof(*q));

	q->bev = bufferevent_socket_new(base, fd, BEV_OPT_CLOSE_ON_FREE);
	q->queued = evbuffer_new();
	if (!q->bev || !q->queued) {
		abort();
	}
	q->pending_tail = &q->pending;
	q->on_event = on_event_cb;
	q->on_closed = on_closed;
	q->ud = ud;
	bufferevent_setcb(q->bev, on_read, NULL, on_event, q);
	bufferevent_enable(q->bev, EV_READ | EV_WRITE);
	return q;
}

void qmp_drain(struct qmp *q)
{
	struct evbuffer *in = bufferevent_get_input(q->bev);
	int fd = bufferevent_getfd(q->bev);

	while (evbuffer_read(in, fd, 65536) > 0) {
	}
	read_lines(q);
}

void qmp_free(struct qmp *q)
{
	if (!q) {
		return;
	}
	fail_pending(q, "the QMP connection was closed");
	bufferevent_free(q->bev);
	evbuffer_free(q->queued);
	free(q);
}
