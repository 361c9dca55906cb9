/* Unit tests of the console: the output ring, sinks, the one writer, input and hangup. */
#include "console.h"
#include "tap.h"
#include "util.h"

#include <errno.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>

struct sink {
	struct console_sink s; /* first: the callbacks get &sink.s */
	char *data;
	size_t len;
	unsigned writes, hangups;
	struct console *detach_in_write; /* set: the sink detaches itself on its first write */
};

static void sink_write(struct console_sink *cs, const void *data, size_t len)
{
	struct sink *k = (struct sink *)cs;

	k->data = realloc(k->data, k->len + len + 1);
	memcpy(k->data + k->len, data, len);
	k->len += len;
	k->data[k->len] = '\0';
	k->writes++;
	if (k->detach_in_write) {
		console_detach(k->detach_in_write, cs);
		k->detach_in_write = NULL;
	}
}

static void sink_hangup(struct console_sink *cs)
{
	((struct sink *)cs)->hangups++;
}

static void sink_init(struct sink *k)
{
	memset(k, 0, sizeof(*k));
	k->s.write = sink_write;
	k->s.hangup = sink_hangup;
}

static void sink_reset(struct sink *k)
{
	free(k->data);
	k->data = NULL;
	k->len = 0;
	k->writes = 0;
}

/* Byte i of a stream that does not repeat with the ring's period. */
static char pat(size_t i)
{
	return (char)((i * 2654435761u) >> 13);
}

static void emit(struct console *c, size_t from, size_t n)
{
	char *b = malloc(n);

	for (size_t i = 0; i < n; i++) {
		b[i] = pat(from + i);
	}
	console_output(c, b, n);
	free(b);
}

/* Is data the stream's bytes [from, from + n)? */
static bool is_stream(const char *data, size_t from, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (data[i] != pat(from + i)) {
			return false;
		}
	}
	return true;
}

static void test_ring_short(void)
{
	struct console *c = console_new();
	struct sink k;

	sink_init(&k);
	CHECK_EQ_INT(console_replay(c, &k.s), 0, "an empty ring replays nothing");
	CHECK_EQ_INT(k.writes, 0, "and calls no write");
	console_output(c, "hello ", 6);
	console_output(c, "world", 5);
	CHECK_EQ_INT(console_kept(c), 11, "short output: all of it is kept");
	CHECK_EQ_INT(console_replay(c, &k.s), 11, "short output: replay reports 11 bytes");
	CHECK_STREQ(k.data, "hello world", "short output replays exactly");
	sink_reset(&k);
	console_free(c);
}

static void test_ring_wrap(void)
{
	const size_t ring = CONSOLE_RING_SIZE;
	const size_t chunks[] = {1000, ring / 2, 12345, ring / 2, 777};
	struct console *c = console_new();
	size_t total = 0;
	struct sink k;

	sink_init(&k);
	for (size_t i = 0; i < ELEMENTSOF(chunks); i++) {
		emit(c, total, chunks[i]);
		total += chunks[i];
	}
	CHECK_EQ_INT(console_kept(c), ring, "wrapped output: the ring is full");
	CHECK_EQ_INT(console_replay(c, &k.s), ring, "wrapped output: replay reports the ring size");
	CHECK(k.len == ring && is_stream(k.data, total - ring, ring),
	      "wrapped output replays the last CONSOLE_RING_SIZE bytes in order");
	sink_reset(&k);

	/* Exactly full, then one byte more. */
	console_free(c);
	c = console_new();
	emit(c, 0, ring);
	console_replay(c, &k.s);
	CHECK(k.len == ring && is_stream(k.data, 0, ring), "exactly the ring size is kept whole");
	sink_reset(&k);
	emit(c, ring, 1);
	console_replay(c, &k.s);
	CHECK(k.len == ring && is_stream(k.data, 1, ring), "one byte more drops the oldest byte");
	sink_reset(&k);
	console_free(c);
}

static void test_ring_big_write(void)
{
	const size_t ring = CONSOLE_RING_SIZE, big = 2 * CONSOLE_RING_SIZE + 123;
	struct console *c = console_new();
	struct sink k, live;

	sink_init(&k);
	sink_init(&live);
	emit(c, 0, 100); /* so the ring's start is not at 0 when the big write lands */
	console_attach(c, &live.s, false, false);
	emit(c, 100, big);
	CHECK(live.len == big && is_stream(live.data, 100, big),
	      "a write larger than the ring reaches a live sink whole");
	CHECK_EQ_INT(console_replay(c, &k.s), ring,
		     "after a write larger than the ring: ring full");
	CHECK(k.len == ring && is_stream(k.data, 100 + big - ring, ring),
	      "a write larger than the ring keeps its last CONSOLE_RING_SIZE bytes");
	console_detach(c, &live.s);
	sink_reset(&k);
	sink_reset(&live);
	console_free(c);
}

static void test_sinks(void)
{
	struct console *c = console_new();
	struct sink a, b, self;

	sink_init(&a);
	sink_init(&b);
	sink_init(&self);
	console_output(c, "before", 6);
	CHECK_EQ_INT(console_attach(c, &a.s, false, false), 0, "attach a reader");
	CHECK_EQ_INT(console_attach(c, &b.s, false, false), 0, "attach a second reader");
	console_output(c, "live", 4);
	CHECK_STREQ(a.data, "live", "the first sink gets live output (and no replay)");
	CHECK_STREQ(b.data, "live", "the second sink gets live output too");

	/* A sink that drops itself while output is passed on, as a slow client does. */
	self.detach_in_write = c;
	console_attach(c, &self.s, false, false);
	console_output(c, "1", 1);
	console_output(c, "2", 1);
	CHECK_STREQ(self.data, "1", "a sink that detached itself gets no more output");
	CHECK_STREQ(a.data, "live12", "the others still get all of it");
	CHECK_STREQ(b.data, "live12", "all of the others");

	console_detach(c, &a.s);
	console_output(c, "3", 1);
	CHECK_STREQ(a.data, "live12", "a detached sink gets nothing more");
	CHECK_STREQ(b.data, "live123", "the remaining sink does");
	console_detach(c, &b.s);
	sink_reset(&a);
	sink_reset(&b);
	sink_reset(&self);
	console_free(c);
}

/* What the serial bufferevent has been given to send. */
static char *serial_sent(struct bufferevent *bev)
{
	struct evbuffer *out = bufferevent_get_output(bev);
	size_t n = evbuffer_get_length(out);
	char *s = malloc(n + 1);

	evbuffer_remove(out, s, n);
	s[n] = '\0';
	return s;
}

static void test_writer_and_input(void)
{
	struct event_base *base = event_base_new();
	/* No fd and writing disabled: what console_input forwards stays in the output buffer. */
	struct bufferevent *serial = bufferevent_socket_new(base, -1, 0);
	struct console *c = console_new();
	struct sink w1, w2, r, w3;
	char *sent;

	bufferevent_disable(serial, EV_READ | EV_WRITE);
	/* libevent keeps the front of a bufferevent's output for itself; the test drains it. */
	evbuffer_unfreeze(bufferevent_get_output(serial), 1);
	sink_init(&w1);
	sink_init(&w2);
	sink_init(&r);
	sink_init(&w3);

	CHECK_EQ_INT(console_attach(c, &w1.s, true, false), 0, "the first writer attaches");
	CHECK_EQ_INT(console_attach(c, &r.s, false, false), 0, "a reader attaches beside it");
	console_input(c, &w1.s, "x", 1); /* QEMU not running: serial is NULL */

	console_set_serial(c, serial);
	sent = serial_sent(serial);
	CHECK_STREQ(sent, "", "input typed while there was no serial link went nowhere");
	free(sent);
	console_input(c, &w1.s, "ls\n", 3);
	sent = serial_sent(serial);
	CHECK_STREQ(sent, "ls\n", "the writer's input goes to the serial link, and only it");
	free(sent);
	console_input(c, &r.s, "no", 2);
	sent = serial_sent(serial);
	CHECK_STREQ(sent, "", "a reader's input is dropped");
	free(sent);

	CHECK_EQ_INT(console_attach(c, &w2.s, true, false), -EBUSY, "a second writer gets -EBUSY");
	console_output(c, "o", 1);
	CHECK_EQ_INT(w2.len, 0, "the refused writer is not attached");
	console_input(c, &w2.s, "no", 2);
	sent = serial_sent(serial);
	CHECK_STREQ(sent, "", "the refused writer's input is dropped");
	free(sent);

	CHECK_EQ_INT(console_attach(c, &w2.s, true, true), 0, "with force it takes over");
	console_input(c, &w2.s, "yes", 3);
	console_input(c, &w1.s, "old", 3);
	sent = serial_sent(serial);
	CHECK_STREQ(sent, "yes", "input now comes from the new writer only");
	free(sent);
	console_output(c, "p", 1);
	CHECK_STREQ(w1.data, "op", "the displaced writer still reads output");
	CHECK_STREQ(w2.data, "p", "the new writer reads output");

	console_detach(c, &w2.s);
	CHECK_EQ_INT(console_attach(c, &w3.s, true, false), 0,
		     "after the writer detaches, a new writer needs no force");
	console_input(c, &w3.s, "z", 1);
	sent = serial_sent(serial);
	CHECK_STREQ(sent, "z", "and its input is forwarded");
	free(sent);

	console_set_serial(c, NULL);
	console_input(c, &w3.s, "gone", 4);
	sent = serial_sent(serial);
	CHECK_STREQ(sent, "", "with the serial link gone input goes nowhere");
	free(sent);

	console_detach(c, &w1.s);
	console_detach(c, &r.s);
	console_detach(c, &w3.s);
	sink_reset(&w1);
	sink_reset(&w2);
	sink_reset(&r);
	sink_reset(&w3);
	console_free(c);
	bufferevent_free(serial);
	event_base_free(base);
}

static void test_hangup_all(void)
{
	struct console *c = console_new();
	struct sink a, b, w, later;

	sink_init(&a);
	sink_init(&b);
	sink_init(&w);
	sink_init(&later);
	console_attach(c, &a.s, false, false);
	console_attach(c, &w.s, true, false);
	console_attach(c, &b.s, false, false);
	console_hangup_all(c);
	CHECK(a.hangups == 1 && b.hangups == 1 && w.hangups == 1,
	      "console_hangup_all calls hangup once on each sink (%u %u %u)", a.hangups, b.hangups,
	      w.hangups);
	console_output(c, "after", 5);
	CHECK(a.len == 0 && b.len == 0 && w.len == 0, "hung-up sinks are detached: no more output");
	CHECK_EQ_INT(console_attach(c, &later.s, true, false), 0,
		     "after hangup the writer's place is free");
	console_hangup_all(c);
	CHECK_EQ_INT(later.hangups, 1, "a later sink is hung up by the next hangup");
	CHECK(a.hangups == 1, "earlier sinks are not hung up twice");
	console_hangup_all(c);
	CHECK_EQ_INT(later.hangups, 1, "hangup with no sinks does nothing");
	CHECK_EQ_INT(console_kept(c), 5, "output is still kept after hangup");
	console_free(c);
}

int main(void)
{
	test_ring_short();
	test_ring_wrap();
	test_ring_big_write();
	test_sinks();
	test_writer_and_input();
	test_hangup_all();
	return tap_done();
}
