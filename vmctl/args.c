/* args.c: parses a command's options with getopt_long from its table row, and prints its usage. */
#include <assert.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "vmctl.h"

#define USAGE_WIDTH 80
#define HELP_COLUMN 24

/* getopt_long values: table rows are ARGS_OPT + their index. */
enum { ARGS_JSON = 0x100, ARGS_OPT = 0x200 };

/* Accepted by every command, after the command's own rows. */
static const struct vmctl_opt common_opts[] = {
	{ .name = "json", .type = VMCTL_ARG_FLAG, .help = "print the result as JSON" },
	{ .name = "help", .type = VMCTL_ARG_FLAG, .help = "show this help" },
	{ NULL },
};

static size_t opts_count(const struct vmctl_opt *opts)
{
	size_t n = 0;

	while (opts && opts[n].name) {
		n++;
	}
	return n;
}

static void opt_synopsis(const struct vmctl_opt *o, char *buf, size_t size)
{
	snprintf(buf, size, "--%s%s%s", o->name, o->arg ? " " : "", o->arg ? o->arg : "");
}

/* Prints one synopsis word, going on in an indented new line when this one is full. */
static void usage_word(FILE *f, size_t *col, size_t indent, const char *word)
{
	size_t n = strlen(word);

	if (*col + 1 + n > USAGE_WIDTH && *col > indent) {
		fprintf(f, "\n%*s", (int)indent, "");
		*col = indent;
	}
	fprintf(f, " %s", word);
	*col += 1 + n;
}

static void usage_print(FILE *f, const struct vmctl_cmd *cmd)
{
	const struct vmctl_opt *o;
	char opt[128], word[140];
	size_t indent, col;

	indent = col = strlen("usage: vmctl ") + strlen(cmd->name);
	fprintf(f, "usage: vmctl %s", cmd->name);
	if (cmd->flags & VMCTL_CMD_VM) {
		usage_word(f, &col, indent, "NAME");
	}
	for (o = cmd->opts; o && o->name; o++) {
		opt_synopsis(o, opt, sizeof(opt));
		snprintf(word, sizeof(word), "[%s]%s", opt,
			 o->flags & VMCTL_OPT_MULTI ? "..." : "");
		usage_word(f, &col, indent, word);
	}
	fputc('\n', f);
}

void vmctl_opts_print(const struct vmctl_opt *opts)
{
	char opt[128];

	for (; opts && opts->name; opts++) {
		opt_synopsis(opts, opt, sizeof(opt));
		printf("  %-*s %s\n", HELP_COLUMN - 3, opt, opts->help);
	}
}

static void cmd_help(const struct vmctl_cmd *cmd)
{
	usage_print(stdout, cmd);
	printf("%s\n\nOptions:\n", cmd->summary);
	vmctl_opts_print(cmd->opts);
	vmctl_opts_print(common_opts);
}

_printf_(2, 3) static int usage_error(const struct vmctl_cmd *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "vmctl %s: ", cmd->name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	usage_print(stderr, cmd);
	return -EINVAL;
}

static int parse_uint(const char *s, int *ret)
{
	char *end;
	long v;

	if (*s < '0' || *s > '9') {
		return -EINVAL;
	}
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v > INT_MAX) {
		return -EINVAL;
	}
	*ret = (int)v;
	return 0;
}

static bool enum_has(const char *choices, const char *word)
{
	size_t n = strlen(word);
	const char *p = choices;

	for (;;) {
		const char *bar = strchr(p, '|');
		size_t len = bar ? (size_t)(bar - p) : strlen(p);

		if (len == n && strncmp(p, word, n) == 0) {
			return true;
		}
		if (!bar) {
			return false;
		}
		p = bar + 1;
	}
}

static void val_append(struct vmctl_val *v, const char *s)
{
	const char **list = realloc(v->list, (v->n + 1) * sizeof(*list));

	if (!list) {
		vmctl_oom();
	}
	list[v->n++] = s;
	v->list = list;
}

static int args_set(const struct vmctl_cmd *cmd, struct vmctl_args *args, size_t i, const char *s)
{
	const struct vmctl_opt *o = &cmd->opts[i];
	struct vmctl_val *v = &args->val[i];

	if (v->set && !(o->flags & VMCTL_OPT_MULTI)) {
		return usage_error(cmd, "option '--%s' given more than once", o->name);
	}
	if (o->type == VMCTL_ARG_UINT && parse_uint(s, &v->num) < 0) {
		return usage_error(cmd, "option '--%s' needs a whole number, not '%s'", o->name, s);
	}
	if (o->type == VMCTL_ARG_ENUM && !enum_has(o->arg, s)) {
		return usage_error(cmd, "option '--%s' must be one of %s, not '%s'", o->name,
				   o->arg, s);
	}
	if (o->flags & VMCTL_OPT_MULTI) {
		val_append(v, s);
	}
	v->set = true;
	v->str = s;
	return 0;
}

static int args_positional(const struct vmctl_cmd *cmd, struct vmctl_args *args, int n, char **rest)
{
	int want = cmd->flags & VMCTL_CMD_VM ? 1 : 0;

	if (n < want) {
		return usage_error(cmd, "missing NAME");
	}
	if (n > want) {
		return usage_error(cmd, "unexpected argument '%s'", rest[want]);
	}
	if (want) {
		args->vm = rest[0];
	}
	return 0;
}

static void longopts_fill(struct option *longopts, const struct vmctl_opt *opts, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		longopts[i] = (struct option){ opts[i].name,
					       opts[i].type == VMCTL_ARG_FLAG ? no_argument
									      : required_argument,
					       NULL, ARGS_OPT + (int)i };
	}
	longopts[n] = (struct option){ "json", no_argument, NULL, ARGS_JSON };
	longopts[n + 1] = (struct option){ "help", no_argument, NULL, 'h' };
	longopts[n + 2] = (struct option){ NULL, 0, NULL, 0 };
}

static int args_bad_option(const struct vmctl_cmd *cmd, int c, char **argv)
{
	if (c == ':') {
		return usage_error(cmd, "option '%s' needs an argument", argv[optind - 1]);
	}
	if (optopt > 0 && optopt < 0x100) {
		return usage_error(cmd, "invalid option '-%c'", optopt);
	}
	return usage_error(cmd, "invalid option '%s'", argv[optind - 1]);
}

/*
 * Fills *ret_args from argv (argv[0] is the command's name). Returns 1 to run the command, 0 when
 * --help was printed, or -EINVAL after a usage message. --json anywhere sets ctx->json.
 */
int vmctl_args_parse(const struct vmctl_cmd *cmd, int argc, char **argv, struct vmctl_ctx *ctx,
		     struct vmctl_args *ret_args)
{
	_cleanup_(vmctl_args_done) struct vmctl_args args = { .cmd = cmd };
	struct option longopts[VMCTL_OPTS_MAX + 3];
	size_t n = opts_count(cmd->opts);
	int c, r;

	assert(n <= VMCTL_OPTS_MAX);
	longopts_fill(longopts, cmd->opts, n);
	opterr = 0;
	optind = 0;
	while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		if (c == 'h') {
			cmd_help(cmd);
			return 0;
		}
		if (c == ARGS_JSON) {
			ctx->json = true;
			continue;
		}
		r = c >= ARGS_OPT ? args_set(cmd, &args, (size_t)(c - ARGS_OPT), optarg)
				  : args_bad_option(cmd, c, argv);
		if (r < 0) {
			return r;
		}
	}
	r = args_positional(cmd, &args, argc - optind, argv + optind);
	if (r < 0) {
		return r;
	}
	*ret_args = args;
	memset(&args, 0, sizeof(args));
	return 1;
}

void vmctl_args_done(struct vmctl_args *args)
{
	size_t i;

	for (i = 0; i < VMCTL_OPTS_MAX; i++) {
		free(args->val[i].list);
		args->val[i].list = NULL;
	}
}
