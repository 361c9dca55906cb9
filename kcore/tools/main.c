/* kcore-sign: makes kcore image keys and signs protected VM boot images; command table and main. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "kcore-sign.h"

/* --help lists these rows; tests/kcore/test-sign.py holds the man page to them. */
static const struct ksign_cmd *const ksign_commands[] = {
	&ksign_cmd_keygen,
	&ksign_cmd_sign,
	&ksign_cmd_verify,
	&ksign_cmd_pubkey_c,
};

#define KSIGN_N_COMMANDS (sizeof(ksign_commands) / sizeof(ksign_commands[0]))

static void main_help(void)
{
	size_t i;

	printf("usage: kcore-sign COMMAND [OPTIONS] [ARGS]\n"
	       "Make Ed25519 keys for kcore's boot image check and sign images with them.\n\n"
	       "Commands:\n");
	for (i = 0; i < KSIGN_N_COMMANDS; i++) {
		printf("  %-9s %s\n", ksign_commands[i]->name, ksign_commands[i]->summary);
	}
	printf("\nRun 'kcore-sign COMMAND --help' for the options of a command.\n"
	       "Exit status: 0 done, 1 failed (the message names the file and the cause), "
	       "2 usage error.\n");
}

static int main_usage_error(const char *what, const char *arg)
{
	if (arg != NULL) {
		fprintf(stderr, "kcore-sign: %s '%s'\n", what, arg);
	} else {
		fprintf(stderr, "kcore-sign: %s\n", what);
	}
	fprintf(stderr, "usage: kcore-sign COMMAND [OPTIONS] [ARGS]\n"
			"Run 'kcore-sign --help' for the list of commands.\n");
	return KSIGN_EXIT_USAGE;
}

static const struct ksign_cmd *find_command(const char *name)
{
	size_t i;

	for (i = 0; i < KSIGN_N_COMMANDS; i++) {
		if (strcmp(ksign_commands[i]->name, name) == 0) {
			return ksign_commands[i];
		}
	}
	return NULL;
}

static int main_run(int argc, char **argv)
{
	const struct ksign_cmd *cmd;
	struct ksign_args args;
	int r;

	if (argc < 2) {
		return main_usage_error("missing COMMAND", NULL);
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		main_help();
		return KSIGN_EXIT_OK;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("kcore-sign %s\n", KSIGN_VERSION);
		return KSIGN_EXIT_OK;
	}
	cmd = find_command(argv[1]);
	if (cmd == NULL) {
		return main_usage_error(argv[1][0] == '-' ? "invalid option" : "unknown command",
					argv[1]);
	}
	r = ksign_args_parse(cmd, argc - 1, argv + 1, &args);
	if (r <= 0) {
		return r < 0 ? KSIGN_EXIT_USAGE : KSIGN_EXIT_OK;
	}
	if (sodium_init() < 0) {
		ksign_error("libsodium failed to initialise");
		return KSIGN_EXIT_FAIL;
	}
	r = cmd->run(&args);
	if (r < 0) {
		return r == KSIGN_RUN_USAGE ? KSIGN_EXIT_USAGE : KSIGN_EXIT_FAIL;
	}
	return KSIGN_EXIT_OK;
}

int main(int argc, char **argv)
{
	int r = main_run(argc, argv);

	if (fflush(stdout) != 0 || ferror(stdout)) {
		ksign_error("standard output: %s", strerror(errno));
		r = KSIGN_EXIT_FAIL;
	}
	return r;
}
