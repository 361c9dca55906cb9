/* Line framing of hostd's sockets: one message per '\n'-terminated line, with a size cap. */
#pragma once

#include <stddef.h>

struct evbuffer;

#define FRAMING_MAX_LINE (1024 * 1024)

/*
 * Take the next complete line out of buf (without its '\n'; a trailing '\r' is dropped too).
 * Returns 1 and a malloc'd NUL-terminated line, 0 when more input is needed, or -EMSGSIZE when
 * the line (including its '\n') is longer than max bytes.
 */
int framing_next_line(struct evbuffer *buf, size_t max, char **ret_line, size_t *ret_len);
