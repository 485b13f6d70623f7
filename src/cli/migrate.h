/*
 * migrate.h - `godwit migrate`: drive a live migration between two VMMs
 * (QEMU 7.2 or godwit-vmm) through their QMP unix sockets, show its
 * progress and report how it went.
 *
 * Exit status: CLI_MIGRATE_OK (completed), CLI_MIGRATE_FAILED (failed,
 * cancelled, or a peer could not be reached or refused a command),
 * CLI_MIGRATE_USAGE (bad command line), CLI_MIGRATE_RESOLVED (the outcome
 * after the commit was unknown and the tool resolved it), CLI_MIGRATE_UNRESOLVED
 * (it could not: the source stays paused), 128 + signal number when SIGINT or
 * SIGTERM interrupted it (after cancelling a migration it had started).
 */
#ifndef GODWIT_CLI_MIGRATE_H
#define GODWIT_CLI_MIGRATE_H

#include <stdio.h>

enum {
	CLI_MIGRATE_OK = 0,
	CLI_MIGRATE_FAILED = 1,
	CLI_MIGRATE_USAGE = 2,
	CLI_MIGRATE_RESOLVED = 3,
	CLI_MIGRATE_UNRESOLVED = 4,
};

/* Run the subcommand; argv[0] is "migrate". Returns the exit status. */
int cli_migrate_main(int argc, char **argv);

/* Print the subcommand's usage text (for `godwit help migrate`). */
void cli_migrate_usage(FILE *out);

#endif
