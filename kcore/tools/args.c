/* kcore-sign's command line: one option set for all commands; each row says which it takes. */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "kcore-sign.h"

enum { OPT_SECRET = 0x100, OPT_PUBLIC, OPT_FORCE, OPT_NAME };

static const struct option longopts[] = {
	{ "secret", required_argument, NULL, OPT_SECRET },
	{ "public", required_argument, NULL, OPT_PUBLIC },
	{ "output", required_argument, NULL, 'o' },
	{ "force", no_argument, NULL, OPT_FORCE },
	{ "name", required_argument, NULL, OPT_NAME },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

void ksign_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "kcore-sign: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
}

void ksign_args_help(const struct ksign_cmd *cmd)
{
	printf("usage: kcore-sign %s %s\n%s\n", cmd->name, cmd->synopsis, cmd->help);
}

int ksign_usage_error(const struct ksign_cmd *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "kcore-sign %s: ", cmd->name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nusage: kcore-sign %s %s\n", cmd->name, cmd->synopsis);
	return KSIGN_RUN_USAGE;
}

bool ksign_same_file(const char *a, const char *b)
{
	struct stat sa, sb;

	return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
	       sa.st_ino == sb.st_ino;
}

static const char *opt_spelling(unsigned int opt)
{
	switch (opt) {
	case KSIGN_OPT_SECRET: return "--secret";
	case KSIGN_OPT_PUBLIC: return "--public";
	case KSIGN_OPT_OUTPUT: return "--output";
	case KSIGN_OPT_FORCE: return "--force";
	default: return "--name";
	}
}

/* Store one option's value; < 0 if the command does not take it or it was given twice. */
static int args_set(const struct ksign_cmd *cmd, unsigned int opt, unsigned int *seen,
		    const char **field, const char *value)
{
	if (!(cmd->opts & opt)) {
		return ksign_usage_error(cmd, "'%s' does not take %s", cmd->name,
					 opt_spelling(opt));
	}
	if (*seen & opt) {
		return ksign_usage_error(cmd, "%s given twice", opt_spelling(opt));
	}
	if (value != NULL && *value == '\0') {
		return ksign_usage_error(cmd, "%s needs a non-empty value", opt_spelling(opt));
	}
	*seen |= opt;
	*field = value;
	return 0;
}

static int args_check(const struct ksign_cmd *cmd, unsigned int seen, int npos, int want,
		      char **pos)
{
	unsigned int missing = cmd->required & ~seen;

	if (missing != 0) {
		return ksign_usage_error(cmd, "missing %s", opt_spelling(missing & -missing));
	}
	if (npos < want) {
		return ksign_usage_error(cmd, "missing %s", cmd->pos_names[npos]);
	}
	if (npos > want) {
		return ksign_usage_error(cmd, "unexpected argument '%s'", pos[want]);
	}
	return 0;
}

int ksign_args_parse(const struct ksign_cmd *cmd, int argc, char **argv,
		     struct ksign_args *ret_args)
{
	struct ksign_args a = { 0 };
	unsigned int seen = 0;
	const char *force = NULL;
	int c, r = 0, want = 0, i;

	while (want < KSIGN_POS_MAX && cmd->pos_names[want] != NULL) {
		want++;
	}
	opterr = 0;
	optind = 1;
	while (r == 0 && (c = getopt_long(argc, argv, ":o:h", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_SECRET:
			r = args_set(cmd, KSIGN_OPT_SECRET, &seen, &a.secret, optarg);
			break;
		case OPT_PUBLIC:
			r = args_set(cmd, KSIGN_OPT_PUBLIC, &seen, &a.public, optarg);
			break;
		case 'o':
			r = args_set(cmd, KSIGN_OPT_OUTPUT, &seen, &a.output, optarg);
			break;
		case OPT_FORCE:
			r = args_set(cmd, KSIGN_OPT_FORCE, &seen, &force, NULL);
			break;
		case OPT_NAME:
			r = args_set(cmd, KSIGN_OPT_NAME, &seen, &a.name, optarg);
			break;
		case 'h':
			ksign_args_help(cmd);
			return 0;
		case ':':
			return ksign_usage_error(cmd, "option '%s' needs an argument",
						 argv[optind - 1]);
		default:
			if (optopt != 0) {
				return ksign_usage_error(cmd, "invalid option '-%c'", optopt);
			}
			return ksign_usage_error(cmd, "invalid option '%s'", argv[optind - 1]);
		}
	}
	if (r < 0 || args_check(cmd, seen, argc - optind, want, argv + optind) < 0) {
		return -1;
	}
	a.force = (seen & KSIGN_OPT_FORCE) != 0;
	for (i = 0; i < want; i++) {
		a.pos[i] = argv[optind + i];
	}
	*ret_args = a;
	return 1;
}
