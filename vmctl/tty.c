/* tty.c: puts the terminal in raw mode for the console and restores it on every way out. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "vmctl.h"

static struct termios tty_saved;
static int tty_fd = -1;
static volatile sig_atomic_t tty_active;

/*
 * Signals that end vmctl by default: in raw mode the keyboard sends none, but kill(1) and a
 * closed output pipe (SIGPIPE) still can.
 */
static const int tty_signals[] = { SIGHUP, SIGINT, SIGPIPE, SIGQUIT, SIGTERM };

/* Async-signal-safe: tcsetattr is, and nothing else is called. */
void vmctl_tty_restore(void)
{
	if (tty_active) {
		tty_active = 0;
		tcsetattr(tty_fd, TCSANOW, &tty_saved);
	}
}

/* SA_RESETHAND put the default action back, so the signal ends vmctl once this returns. */
static void tty_on_signal(int sig)
{
	vmctl_tty_restore();
	raise(sig);
}

static void tty_catch_signals(void)
{
	struct sigaction sa = { .sa_handler = tty_on_signal, .sa_flags = SA_RESETHAND };
	size_t i;

	sigemptyset(&sa.sa_mask);
	for (i = 0; i < sizeof(tty_signals) / sizeof(tty_signals[0]); i++) {
		sigaction(tty_signals[i], &sa, NULL);
	}
}

int vmctl_tty_raw(int fd)
{
	struct termios raw;

	if (tcgetattr(fd, &tty_saved) < 0) {
		int err = errno;

		fprintf(stderr, "vmctl: cannot read the terminal's settings: %s\n", strerror(err));
		return -err;
	}
	raw = tty_saved;
	cfmakeraw(&raw);
	tty_fd = fd;
	tty_catch_signals();
	atexit(vmctl_tty_restore);
	tty_active = 1;
	/* TCSADRAIN, not TCSAFLUSH: keys typed while vmctl connected still reach the guest. */
	if (tcsetattr(fd, TCSADRAIN, &raw) < 0) {
		int err = errno;

		tty_active = 0;
		fprintf(stderr, "vmctl: cannot put the terminal in raw mode: %s\n", strerror(err));
		return -err;
	}
	return 0;
}
