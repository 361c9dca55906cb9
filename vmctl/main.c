/* main.c: vmctl's command table, global options and the mapping from results to exit status. */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "vmctl.h"

/*
 * The command table: --help lists these rows, and check-docs.py holds the man page and the bash
 * completion to them.
 */
static const struct vmctl_cmd *const vmctl_commands[] = {
	/* clang-format off */
	&vmctl_cmd_host,
	&vmctl_cmd_create,
	&vmctl_cmd_list,
	&vmctl_cmd_info,
	&vmctl_cmd_start,
	&vmctl_cmd_shutdown,
	&vmctl_cmd_stop,
	&vmctl_cmd_reboot,
	&vmctl_cmd_pause,
	&vmctl_cmd_resume,
	&vmctl_cmd_delete,
	&vmctl_cmd_console,
	&vmctl_cmd_autostart,
	&vmctl_cmd_events,
	/* clang-format on */
};

enum { GLOBAL_SOCKET = 0x100, GLOBAL_JSON, GLOBAL_VERSION };

/* Only for the help text; parse_global() below reads them. */
static const struct vmctl_opt global_opts[] = {
	{ .name = "socket",
	  .type = VMCTL_ARG_PATH,
	  .arg = "PATH",
	  .help = "hostd's socket (default $" VMCTL_SOCKET_ENV " or " VMCTL_DEFAULT_SOCKET ")" },
	{ .name = "json",
	  .type = VMCTL_ARG_FLAG,
	  .help = "print results as JSON (also accepted after the command)" },
	{ .name = "version", .type = VMCTL_ARG_FLAG, .help = "print vmctl's version" },
	{ .name = "help", .type = VMCTL_ARG_FLAG, .help = "show this help" },
	{ NULL },
};

static void main_usage_line(FILE *f)
{
	fprintf(f, "usage: vmctl [--socket PATH] [--json] COMMAND [ARGS]...\n");
}

static void main_help(void)
{
	size_t i;

	main_usage_line(stdout);
	printf("Control the VMs of hostd, the sekvm host daemon.\n\nCommands:\n");
	for (i = 0; i < sizeof(vmctl_commands) / sizeof(vmctl_commands[0]); i++) {
		printf("  %-10s %s\n", vmctl_commands[i]->name, vmctl_commands[i]->summary);
	}
	printf("\nOptions:\n");
	vmctl_opts_print(global_opts);
	printf("\nRun 'vmctl COMMAND --help' for the options of a command.\n");
}

_printf_(1, 2) static int main_usage_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "vmctl: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	main_usage_line(stderr);
	fprintf(stderr, "Run 'vmctl --help' for the list of commands.\n");
	return -EINVAL;
}

/* Returns 1 to go on with the command, 0 when done (help, version), or -EINVAL. */
static int parse_global(struct vmctl_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "socket", required_argument, NULL, GLOBAL_SOCKET },
		{ "json", no_argument, NULL, GLOBAL_JSON },
		{ "version", no_argument, NULL, GLOBAL_VERSION },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	opterr = 0;
	optind = 0;
	while ((c = getopt_long(argc, argv, "+:h", longopts, NULL)) != -1) {
		switch (c) {
		case GLOBAL_SOCKET:
			ctx->socket = optarg;
			break;
		case GLOBAL_JSON:
			ctx->json = true;
			break;
		case GLOBAL_VERSION:
			printf("vmctl %s\n", VMCTL_VERSION);
			return 0;
		case 'h':
			main_help();
			return 0;
		case ':':
			return main_usage_error("option '%s' needs an argument", argv[optind - 1]);
		default:
			return main_usage_error("invalid option '%s'", argv[optind - 1]);
		}
	}
	if (optind >= argc) {
		return main_usage_error("missing COMMAND");
	}
	return 1;
}

static const struct vmctl_cmd *find_command(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(vmctl_commands) / sizeof(vmctl_commands[0]); i++) {
		if (strcmp(vmctl_commands[i]->name, name) == 0) {
			return vmctl_commands[i];
		}
	}
	return NULL;
}

static const char *default_socket(void)
{
	const char *env = getenv(VMCTL_SOCKET_ENV);

	return env && *env ? env : VMCTL_DEFAULT_SOCKET;
}

static int run_command(struct vmctl_ctx *ctx, int argc, char **argv)
{
	const struct vmctl_cmd *cmd;
	struct vmctl_args args;
	int r;

	cmd = find_command(argv[0]);
	if (!cmd) {
		main_usage_error("unknown command '%s'", argv[0]);
		return VMCTL_EXIT_USAGE;
	}
	r = vmctl_args_parse(cmd, argc, argv, ctx, &args);
	if (r <= 0) {
		return r < 0 ? VMCTL_EXIT_USAGE : VMCTL_EXIT_OK;
	}
	r = cmd->run(ctx, &args);
	vmctl_args_done(&args);
	return r < 0 ? VMCTL_EXIT_FAIL : VMCTL_EXIT_OK;
}

int main(int argc, char **argv)
{
	struct vmctl_ctx ctx = { .socket = default_socket() };
	int r;

	r = parse_global(&ctx, argc, argv);
	if (r <= 0) {
		r = r < 0 ? VMCTL_EXIT_USAGE : VMCTL_EXIT_OK;
	} else {
		r = run_command(&ctx, argc - optind, argv + optind);
	}
	if (vmctl_flush_stdout() < 0 && r == VMCTL_EXIT_OK) {
		r = VMCTL_EXIT_FAIL;
	}
	return r;
}
