/* Line framing of hostd's sockets: one message per '\n'-terminated line, with a size cap. */
#include "framing.h"

#include <errno.h>
#include <event2/buffer.h>
#include <stdlib.h>

int framing_next_line(struct evbuffer *buf, size_t max, char **ret_line, size_t *ret_len)
{
	struct evbuffer_ptr eol = evbuffer_search_eol(buf, NULL, NULL, EVBUFFER_EOL_LF);
	size_t len;
	char *line;

	if (eol.pos < 0) {
		/* No newline yet: a line that can no longer fit is refused now, not after 1 MiB more. */
		return evbuffer_get_length(buf) >= max ? -EMSGSIZE : 0;
	}
	len = (size_t)eol.pos;
	if (len + 1 > max) {
		return -EMSGSIZE;
	}
	line = malloc(len + 1);
	if (!line) {
		return -ENOMEM;
	}
	evbuffer_remove(buf, line, len);
	evbuffer_drain(buf, 1);
	if (len > 0 && line[len - 1] == '\r') {
		len--;
	}
	line[len] = '\0';
	*ret_line = line;
	*ret_len = len;
	return 1;
}
