/* A VM's serial console: a ring buffer of recent output, the link to QEMU, and attached clients. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#define CONSOLE_RING_SIZE (256 * 1024)

struct bufferevent;

/* One attached client, implemented by the server's connection. */
struct console_sink {
	void (*write)(struct console_sink *s, const void *data, size_t len);
	void (*hangup)(struct console_sink *s); /* the VM stopped: the sink is detached already */
	struct console_sink *next;
};

struct console;

struct console *console_new(void);
void console_free(struct console *c);

/* Record output (from QEMU, or older output from the log file at re-adoption) and pass it on. */
void console_output(struct console *c, const void *data, size_t len);
/* Copy what the ring holds to one sink; returns the byte count. */
size_t console_replay(struct console *c, struct console_sink *s);
size_t console_kept(const struct console *c);
/* Forget the kept output: a new run of the VM starts with an empty ring. */
void console_clear(struct console *c);

/* Where typed input goes while the VM runs (QEMU's serial socket), or NULL. */
void console_set_serial(struct console *c, struct bufferevent *serial);

/* Attach a sink; with write, it becomes the one writer (-EBUSY if taken, unless force). */
int console_attach(struct console *c, struct console_sink *s, bool write, bool force);
void console_detach(struct console *c, struct console_sink *s);
/* Detach every sink and tell each one (the VM stopped). */
void console_hangup_all(struct console *c);
/* Input typed by sink s: forwarded only when s is the writer and QEMU runs. */
void console_input(struct console *c, struct console_sink *s, const void *data, size_t len);
