/* cmd-console.c: vmctl console: joins the terminal to a VM's serial console (vm.console). */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "vmctl.h"

#define CONSOLE_ESCAPE 0x1d /* ^] */
#define CONSOLE_CHUNK  16384

enum { O_NO_ATTACH, O_FORCE, O_READ_ONLY };

static const struct vmctl_opt console_opts[] = {
	[O_NO_ATTACH] = { .name = "no-attach",
			  .type = VMCTL_ARG_FLAG,
			  .help = "print the output kept so far and exit" },
	[O_FORCE] = { .name = "force",
		      .type = VMCTL_ARG_FLAG,
		      .help = "take over from the client that is typing" },
	[O_READ_ONLY] = { .name = "read-only",
			  .type = VMCTL_ARG_FLAG,
			  .help = "watch without typing" },
	{ NULL },
};

struct console {
	int sock;
	int in;	      /* standard input, or -1 when it is not read (any more) */
	bool forward; /* what is typed goes to the guest */
	bool escape;  /* ^] on input detaches */
};

enum { CONSOLE_CLOSED, CONSOLE_DETACHED, CONSOLE_NO_READER, CONSOLE_GO_ON };

static json_object *console_params(const struct vmctl_args *args)
{
	bool attach = !args->val[O_NO_ATTACH].set;
	bool write = attach && !args->val[O_READ_ONLY].set;
	json_object *params = vmctl_params_vm(args->vm);

	vmctl_params_bool(params, "replay", true);
	vmctl_params_bool(params, "follow", attach);
	vmctl_params_bool(params, "write", write);
	vmctl_params_bool(params, "force", write && args->val[O_FORCE].set);
	return params;
}

static int read_failed(const char *what)
{
	int err = errno;

	fprintf(stderr, "vmctl: cannot read from %s: %s\n", what, strerror(err));
	return -err;
}

static int console_from_vm(struct console *c)
{
	char buf[CONSOLE_CHUNK];
	ssize_t n = read(c->sock, buf, sizeof(buf));
	int r;

	if (n < 0) {
		return errno == EINTR ? CONSOLE_GO_ON : read_failed("hostd");
	}
	if (n == 0) {
		return CONSOLE_CLOSED;
	}
	r = vmctl_write_stdout(buf, (size_t)n);
	return r < 0 ? r : CONSOLE_GO_ON;
}

static int console_from_user(struct console *c)
{
	char buf[CONSOLE_CHUNK];
	ssize_t n = read(c->in, buf, sizeof(buf));
	const char *esc;
	int r;

	if (n < 0) {
		return errno == EINTR ? CONSOLE_GO_ON : read_failed("standard input");
	}
	if (n == 0) {
		c->in = -1; /* keep showing the guest until hostd closes */
		return CONSOLE_GO_ON;
	}
	esc = c->escape ? memchr(buf, CONSOLE_ESCAPE, (size_t)n) : NULL;
	if (esc) {
		n = esc - buf;
	}
	if (c->forward && n > 0) {
		r = vmctl_send_all(c->sock, buf, (size_t)n);
		if (r < 0) {
			return r;
		}
	}
	return esc ? CONSOLE_DETACHED : CONSOLE_GO_ON;
}

/*
 * Copies both ways until hostd closes, the user detaches or the reader of stdout goes away (so
 * that "vmctl console VM | sed /marker/q" ends at the marker even when the guest goes quiet).
 * Returns which, or a negative errno.
 */
static int console_pump(struct console *c)
{
	int r = CONSOLE_GO_ON;

	while (r == CONSOLE_GO_ON) {
		struct pollfd fds[3] = { { c->sock, POLLIN, 0 },
					 { STDOUT_FILENO, 0, 0 },
					 { c->in, POLLIN, 0 } };

		if (poll(fds, c->in >= 0 ? 3 : 2, -1) < 0) {
			if (errno == EINTR) {
				continue;
			}
			return read_failed("hostd or standard input (poll)");
		}
		if (fds[1].revents & (POLLERR | POLLHUP | POLLNVAL)) {
			return CONSOLE_NO_READER;
		}
		if (fds[0].revents) {
			r = console_from_vm(c);
		}
		if (r == CONSOLE_GO_ON && c->in >= 0 && fds[2].revents) {
			r = console_from_user(c);
		}
	}
	return r;
}

static int console_interactive(struct console *c, const char *name)
{
	int r;

	r = vmctl_tty_raw(STDIN_FILENO);
	if (r < 0) {
		return r;
	}
	c->escape = true;
	r = console_pump(c);
	vmctl_tty_restore();
	if (r == CONSOLE_CLOSED) {
		fprintf(stderr, "\nvmctl: hostd closed the console of domain '%s'\n", name);
	} else if (r == CONSOLE_DETACHED) {
		fputc('\n', stderr);
	}
	return r;
}

static int console_run(struct vmctl_ctx *ctx, const struct vmctl_args *args)
{
	_cleanup_(vmctl_conn_closep) struct vmctl_conn *conn = NULL;
	_cleanup_json_ json_object *result = NULL;
	bool attach = !args->val[O_NO_ATTACH].set;
	bool tty = attach && isatty(STDIN_FILENO);
	struct console c;
	const char *early;
	size_t n;
	int r;

	r = vmctl_conn_open(ctx->socket, &conn);
	if (r < 0) {
		return r;
	}
	r = vmctl_conn_call(conn, "vm.console", console_params(args), &result);
	if (r < 0) {
		return r;
	}
	if (tty) {
		fprintf(stderr, "Connected to domain '%s'\nEscape character is ^]\n",
			vmctl_json_str(result, "name"));
	}
	/* The stream's first bytes may have come in with the reply line. */
	n = vmctl_conn_pending(conn, &early);
	r = vmctl_write_stdout(early, n);
	if (r < 0) {
		return r;
	}
	c = (struct console){
		.sock = vmctl_conn_fd(conn),
		.in = tty || (attach && !args->val[O_READ_ONLY].set) ? STDIN_FILENO : -1,
		.forward = attach && !args->val[O_READ_ONLY].set,
	};
	r = tty ? console_interactive(&c, vmctl_json_str(result, "name")) : console_pump(&c);
	return r < 0 ? r : 0;
}

const struct vmctl_cmd vmctl_cmd_console = {
	.name = "console",
	.run = console_run,
	.summary = "connect to a VM's serial console (detach with ^])",
	.opts = console_opts,
	.flags = VMCTL_CMD_VM,
};
