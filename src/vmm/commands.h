/*
 * commands.h - QMP commands that belong to the VMM rather than to the QMP
 * server: live migration (QEMU's names and arguments) and pmemsave.
 */
#ifndef GODWIT_VMM_COMMANDS_H
#define GODWIT_VMM_COMMANDS_H

#include <jansson.h>
#include <stddef.h>

#include "machine/machine.h"
#include "migration/migration.h"

extern const char *const vmm_extra_commands[];

/* Every member of args is one of the NULL-terminated keys; else -1 with
 * QEMU's "Parameter 'x' is unexpected" in err. */
int vmm_args_only(json_t *args, const char *const *keys, char *err, size_t errlen);

/* Run command name; 0 with *ret (NULL: empty) or -1 with err. Runs on the
 * run-loop thread. */
int vmm_command(struct machine *m, struct migration *mig, const char *name,
		json_t *args, json_t **ret, char *err, size_t errlen);

#endif
