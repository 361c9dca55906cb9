/* cmd-events.c: vmctl events: prints VMs' state changes as they happen (events.subscribe). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "vmctl.h"

/* "2026-11-24T13:50:01.123Z demo started (running, booted): detail" */
static void print_event(json_object *p)
{
	json_object *detail;

	printf("%s %s %s (%s, %s)", vmctl_json_str(p, "time"), vmctl_json_str(p, "name"),
	       vmctl_json_str(p, "event"), vmctl_json_str(p, "state"), vmctl_json_str(p, "reason"));
	if (json_object_object_get_ex(p, "detail", &detail)) {
		printf(": %s", json_object_get_string(detail));
	}
	putchar('\n');
}

static int events_loop(const struct vmctl_ctx *ctx, struct vmctl_conn *c)
{
	for (;;) {
		_cleanup_json_ json_object *msg = NULL;
		json_object *params;
		const char *method;
		int r;

		r = vmctl_conn_notification(c, &msg);
		if (r < 0) {
			return r;
		}
		method = vmctl_json_str(msg, "method");
		json_object_object_get_ex(msg, "params", &params);
		if (strcmp(method, "events.overflow") == 0) {
			fprintf(stderr, "vmctl: hostd stopped sending events: %s\n", vmctl_json_str(params, "reason"));
			return -EPIPE;
		}
		if (strcmp(method, "vm.event") != 0) {
			continue; /* a notification this vmctl does not know */
		}
		if (ctx->json) {
			puts(json_object_to_json_string_ext(params, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
		} else {
			print_event(params);
		}
		r = vmctl_flush_stdout();
		if (r < 0) {
			return r;
		}
	}
}

static int events_run(struct vmctl_ctx *ctx, const struct vmctl_args *args)
{
	_cleanup_(vmctl_conn_closep) struct vmctl_conn *c = NULL;
	_cleanup_json_ json_object *result = NULL;
	int r;

	r = vmctl_conn_open(ctx->socket, &c);
	if (r < 0) {
		return r;
	}
	r = vmctl_conn_call(c, "events.subscribe", vmctl_params_new(), &result);
	if (r < 0) {
		return r;
	}
	return events_loop(ctx, c);
}

const struct vmctl_cmd vmctl_cmd_events = {
	.name = "events",
	.run = events_run,
	.summary = "print VMs' state changes as they happen, one per line",
};
