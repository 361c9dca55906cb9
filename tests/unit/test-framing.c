/* Unit tests of framing_next_line: line splitting and the size cap on libevent buffers. */
#include "framing.h"
#include "tap.h"

#include <errno.h>
#include <event2/buffer.h>

/* The buffer's remaining bytes, as a NUL-terminated copy. */
static char *rest_of(struct evbuffer *buf)
{
	size_t n = evbuffer_get_length(buf);
	char *s = malloc(n + 1);

	evbuffer_copyout(buf, s, n);
	s[n] = '\0';
	return s;
}

static void add(struct evbuffer *buf, const char *s)
{
	evbuffer_add(buf, s, strlen(s));
}

/* Take one line and check it is want; true when it was. */
static bool expect_line(struct evbuffer *buf, size_t max, const char *want, const char *what)
{
	char *line = NULL;
	size_t len = 0;
	int r = framing_next_line(buf, max, &line, &len);
	bool ok = CHECK_EQ_INT(r, 1, "%s: a line is complete", what);

	if (ok) {
		ok = CHECK_STREQ(line, want, "%s: its text", what) &&
		     CHECK_EQ_INT(len, strlen(want), "%s: its length", what);
	}
	free(line);
	return ok;
}

static void test_partial_then_rest(void)
{
	struct evbuffer *buf = evbuffer_new();
	char *line = (char *)"untouched";
	size_t len = 12345;
	char *rest;

	add(buf, "{\"jsonrpc\":");
	CHECK_EQ_INT(framing_next_line(buf, FRAMING_MAX_LINE, &line, &len), 0,
		     "partial line: more input needed");
	CHECK_STREQ(line, "untouched", "partial line: ret_line not written");
	CHECK_EQ_INT(len, 12345, "partial line: ret_len not written");
	CHECK_EQ_INT(evbuffer_get_length(buf), 11, "partial line: nothing consumed");
	add(buf, "\"2.0\"}\nnext");
	expect_line(buf, FRAMING_MAX_LINE, "{\"jsonrpc\":\"2.0\"}", "partial line then its rest");
	rest = rest_of(buf);
	CHECK_STREQ(rest, "next", "bytes after the line stay in the buffer");
	free(rest);
	evbuffer_free(buf);
}

static void test_several_lines(void)
{
	struct evbuffer *buf = evbuffer_new();
	char *line = NULL;
	size_t len;

	add(buf, "one\ntwo\n\nthree\n");
	expect_line(buf, FRAMING_MAX_LINE, "one", "several lines: first");
	expect_line(buf, FRAMING_MAX_LINE, "two", "several lines: second");
	expect_line(buf, FRAMING_MAX_LINE, "", "several lines: an empty line");
	expect_line(buf, FRAMING_MAX_LINE, "three", "several lines: last");
	CHECK_EQ_INT(framing_next_line(buf, FRAMING_MAX_LINE, &line, &len), 0,
		     "several lines: then more input is needed");
	CHECK_EQ_INT(evbuffer_get_length(buf), 0, "several lines: buffer drained");
	evbuffer_free(buf);
}

static void test_crlf(void)
{
	struct evbuffer *buf = evbuffer_new();
	char *rest, *line = NULL;
	size_t len;

	add(buf, "crlf\r\n\r\nmid\rdle\r\nx\r\r\n");
	expect_line(buf, FRAMING_MAX_LINE, "crlf", "CRLF: the \\r is stripped");
	expect_line(buf, FRAMING_MAX_LINE, "", "CRLF alone: an empty line");
	expect_line(buf, FRAMING_MAX_LINE, "mid\rdle", "a \\r inside the line is kept");
	expect_line(buf, FRAMING_MAX_LINE, "x\r", "only one trailing \\r is stripped");
	add(buf, "lone\r");
	CHECK_EQ_INT(framing_next_line(buf, FRAMING_MAX_LINE, &line, &len), 0,
		     "a \\r without \\n does not end a line");
	rest = rest_of(buf);
	CHECK_STREQ(rest, "lone\r", "the \\r stays in the buffer");
	free(rest);
	evbuffer_free(buf);
}

static void test_nul_byte(void)
{
	struct evbuffer *buf = evbuffer_new();
	char *line = NULL;
	size_t len = 0;

	evbuffer_add(buf, "a\0b\n", 4);
	CHECK_EQ_INT(framing_next_line(buf, FRAMING_MAX_LINE, &line, &len), 1,
		     "a line with a NUL byte is framed");
	CHECK_EQ_INT(len, 3, "its length counts the NUL, so the RPC layer can refuse it");
	CHECK(line && memcmp(line, "a\0b", 4) == 0, "its bytes are kept, NUL-terminated");
	free(line);
	evbuffer_free(buf);
}

/* A line of n bytes before its '\n' (n + 1 in all), then "tail". */
static struct evbuffer *long_line(size_t n, bool newline)
{
	struct evbuffer *buf = evbuffer_new();
	char *s = malloc(n);

	memset(s, 'x', n);
	evbuffer_add(buf, s, n);
	free(s);
	if (newline) {
		add(buf, "\ntail");
	}
	return buf;
}

static void test_cap(void)
{
	const size_t cap = FRAMING_MAX_LINE;
	struct evbuffer *buf;
	char *line = NULL, *rest;
	size_t len = 0;
	int r;

	CHECK_EQ_INT(FRAMING_MAX_LINE, 1048576, "the cap is 1 MiB, as the contract says");

	buf = long_line(cap - 1, true);
	r = framing_next_line(buf, cap, &line, &len);
	CHECK_EQ_INT(r, 1, "a line of exactly the cap (incl. '\\n') is accepted");
	CHECK_EQ_INT(len, cap - 1, "its length is the cap minus the '\\n'");
	CHECK(line && line[0] == 'x' && line[cap - 2] == 'x' && line[cap - 1] == '\0',
	      "its text is whole and NUL-terminated");
	free(line);
	line = NULL;
	rest = rest_of(buf);
	CHECK_STREQ(rest, "tail", "after a cap-sized line the next bytes stay");
	free(rest);
	evbuffer_free(buf);

	buf = long_line(cap, true);
	line = (char *)"untouched";
	r = framing_next_line(buf, cap, &line, &len);
	CHECK_EQ_INT(r, -EMSGSIZE, "one byte more than the cap is refused");
	CHECK_STREQ(line, "untouched", "a refused line writes no ret_line");
	evbuffer_free(buf);

	buf = long_line(cap - 1, false);
	CHECK_EQ_INT(framing_next_line(buf, cap, &line, &len), 0,
		     "no newline, cap - 1 bytes: the line could still fit, more input needed");
	evbuffer_free(buf);

	buf = long_line(cap, false);
	CHECK_EQ_INT(framing_next_line(buf, cap, &line, &len), -EMSGSIZE,
		     "no newline and cap bytes buffered: refused at once");
	evbuffer_free(buf);

	buf = long_line(cap + 4096, false);
	CHECK_EQ_INT(framing_next_line(buf, cap, &line, &len), -EMSGSIZE,
		     "no newline and more than the cap buffered: refused");
	evbuffer_free(buf);
}

static void test_small_max(void)
{
	struct evbuffer *buf = evbuffer_new();
	char *line = NULL;
	size_t len;

	add(buf, "abc\nabcd\n");
	expect_line(buf, 4, "abc", "max 4: a 3-byte line plus '\\n' fits");
	CHECK_EQ_INT(framing_next_line(buf, 4, &line, &len), -EMSGSIZE,
		     "max 4: a 4-byte line plus '\\n' does not");
	evbuffer_free(buf);
}

int main(void)
{
	test_partial_then_rest();
	test_several_lines();
	test_crlf();
	test_nul_byte();
	test_cap();
	test_small_max();
	return tap_done();
}
