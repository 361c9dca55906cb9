/* A VM's serial console: a ring buffer of recent output, the link to QEMU, and attached clients. */
#include "console.h"

#include "util.h"

#include <errno.h>
#include <event2/bufferevent.h>
#include <string.h>

struct console {
	char ring[CONSOLE_RING_SIZE];
	size_t start, len; /* oldest byte at ring[start], len bytes kept */
	struct bufferevent *serial;
	struct console_sink *sinks;
	struct console_sink *writer;
};

struct console *console_new(void)
{
	return util_xcalloc(1, sizeof(struct console));
}

void console_free(struct console *c)
{
	free(c);
}

static void ring_append(struct console *c, const char *p, size_t n)
{
	if (n >= CONSOLE_RING_SIZE) {
		p += n - CONSOLE_RING_SIZE;
		n = CONSOLE_RING_SIZE;
	}
	for (size_t done = 0; done < n;) {
		size_t end = (c->start + c->len) % CONSOLE_RING_SIZE;
		size_t chunk = CONSOLE_RING_SIZE - end;

		if (chunk > n - done) {
			chunk = n - done;
		}
		memcpy(c->ring + end, p + done, chunk);
		done += chunk;
		c->len += chunk;
		if (c->len > CONSOLE_RING_SIZE) {
			c->start = (c->start + c->len - CONSOLE_RING_SIZE) % CONSOLE_RING_SIZE;
			c->len = CONSOLE_RING_SIZE;
		}
	}
}

void console_output(struct console *c, const void *data, size_t len)
{
	struct console_sink *s, *next;

	ring_append(c, data, len);
	for (s = c->sinks; s; s = next) {
		next = s->next; /* a sink may detach itself when it falls behind */
		s->write(s, data, len);
	}
}

size_t console_replay(struct console *c, struct console_sink *s)
{
	size_t first = CONSOLE_RING_SIZE - c->start;

	if (first > c->len) {
		first = c->len;
	}
	if (first > 0) {
		s->write(s, c->ring + c->start, first);
	}
	if (c->len > first) {
		s->write(s, c->ring, c->len - first);
	}
	return c->len;
}

size_t console_kept(const struct console *c)
{
	return c->len;
}

void console_clear(struct console *c)
{
	c->start = c->len = 0;
}

void console_set_serial(struct console *c, struct bufferevent *serial)
{
	c->serial = serial;
}

int console_attach(struct console *c, struct console_sink *s, bool write, bool force)
{
	if (write && c->writer && !force) {
		return -EBUSY;
	}
	if (write) {
		c->writer = s;
	}
	s->next = c->sinks;
	c->sinks = s;
	return 0;
}

void console_detach(struct console *c, struct console_sink *s)
{
	for (struct console_sink **p = &c->sinks; *p; p = &(*p)->next) {
		if (*p == s) {
			*p = s->next;
			break;
		}
	}
	if (c->writer == s) {
		c->writer = NULL;
	}
}

void console_hangup_all(struct console *c)
{
	while (c->sinks) {
		struct console_sink *s = c->sinks;

		console_detach(c, s);
		s->hangup(s);
	}
}

void console_input(struct console *c, struct console_sink *s, const void *data, size_t len)
{
	if (c->writer == s && c->serial) {
		bufferevent_write(c->serial, data, len);
	}
}
