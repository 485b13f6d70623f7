/*
 * block.h - the VMM's disks on QMP: block jobs (drive-mirror and friends),
 * query-block, BLOCK_IO_ERROR and the io-error run state (see block.c).
 */
#ifndef GODWIT_VMM_BLOCK_H
#define GODWIT_VMM_BLOCK_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

struct machine;
struct qmp;

/* Error hooks on every drive, the job event source on the run loop;
 * events go to q. 0 or -1. */
int vmm_block_open(struct machine *m, struct qmp *q);
/* End every job (before the drives close); no more events. */
void vmm_block_close(void);
/* Run a block command: 0 with *ret, -1 with err, 1 if name is not one of
 * them. migrating: a migration is under way (drive-mirror is refused). */
int vmm_block_command(struct machine *m, const char *name, json_t *args, bool migrating,
		      json_t **ret, char *err, size_t errlen);
/* Is the VM paused by a disk error (run state io-error)? */
bool vmm_block_io_error(void);
/* The VM resumes: retry the requests a disk error held. */
void vmm_block_resume(struct machine *m);
/* May the VM not migrate now (a job runs, or io-error)? Then err says why. */
bool vmm_block_busy(struct machine *m, char *err, size_t errlen);

#endif
