/*
 * main.c - the `godwit` command line: git-style subcommands, each with its
 * own usage text, reached through one table.
 *
 *     godwit SUBCOMMAND [ARGS...]
 *     godwit help [SUBCOMMAND]
 *
 * Invariants: usage errors exit with 2 after one line on stderr that names
 * a way to get help; a subcommand's exit status is passed through as is;
 * help goes to stdout and exits 0.
 */
#include <stdio.h>
#include <string.h>

#include "cli/migrate.h"

#define CLI_USAGE_ERROR 2

struct cli_command {
	const char *name;
	const char *summary;
	int (*run)(int argc, char **argv);  /* argv[0] is the subcommand's name */
	void (*usage)(FILE *out);
};

static const struct cli_command commands[] = {
	{ "migrate", "live-migrate a VM between two VMMs through their QMP sockets",
	  cli_migrate_main, cli_migrate_usage },
};

#define N_COMMANDS (sizeof(commands) / sizeof(commands[0]))

static void usage(FILE *out)
{
	fputs("usage: godwit SUBCOMMAND [ARGS...]\n"
	      "       godwit help [SUBCOMMAND]\n"
	      "\n"
	      "The godwit command line. Subcommands:\n",
	      out);
	for (size_t i = 0; i < N_COMMANDS; i++)
		fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fputs("\n'godwit help SUBCOMMAND' shows a subcommand's options.\n", out);
}

static const struct cli_command *find(const char *name)
{
	for (size_t i = 0; i < N_COMMANDS; i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

static int help(int argc, char **argv)
{
	const struct cli_command *cmd;

	if (argc < 2) {
		usage(stdout);
		return 0;
	}
	if (argc > 2) {
		fprintf(stderr, "godwit help: one subcommand at most (try 'godwit help')\n");
		return CLI_USAGE_ERROR;
	}
	cmd = find(argv[1]);
	if (!cmd) {
		fprintf(stderr, "godwit help: no subcommand '%s' (try 'godwit help')\n", argv[1]);
		return CLI_USAGE_ERROR;
	}
	cmd->usage(stdout);
	return 0;
}

int main(int argc, char **argv)
{
	const struct cli_command *cmd;

	if (argc < 2) {
		usage(stderr);
		return CLI_USAGE_ERROR;
	}
	if (!strcmp(argv[1], "help") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))
		return help(argc - 1, argv + 1);
	cmd = find(argv[1]);
	if (!cmd) {
		fprintf(stderr, "godwit: no subcommand '%s' (try 'godwit help')\n", argv[1]);
		return CLI_USAGE_ERROR;
	}
	return cmd->run(argc - 1, argv + 1);
}
