/* hostd's log: one line per event to stderr, with a syslog priority prefix that journald reads. */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

static enum log_level max_level = LOG_INFO_;

void log_set_max_level(enum log_level level)
{
	max_level = level;
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	/* Under systemd, stderr is a journal stream: "<N>" sets the priority of the line. */
	static int journal = -1;
	va_list ap;

	if (level > max_level) {
		return;
	}
	if (journal < 0) {
		journal = getenv("JOURNAL_STREAM") != NULL;
	}
	if (journal) {
		fprintf(stderr, "<%d>", (int)level);
	} else {
		fputs("hostd: ", stderr);
	}
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}
