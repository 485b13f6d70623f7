/*
 * events.h - QMP events of the block layer (BLOCK_JOB_*), posted from any
 * thread (a job's own thread, mostly) and sent by the run loop, since the
 * QMP server is not thread-safe.
 *
 * Invariants: events are delivered in the order they were posted; posting
 * never blocks on the run loop (a list under a mutex and an eventfd).
 */
#ifndef GODWIT_BLOCK_EVENTS_H
#define GODWIT_BLOCK_EVENTS_H

#include <jansson.h>

/* The eventfd the run loop polls (created on first use; -1 if it could
 * not be). */
int blk_events_fd(void);
/* Queue event name with data (the reference is taken; NULL: no data). */
void blk_event_post(const char *name, json_t *data);
/* Run loop: hand every queued event to emit (which takes the data). */
void blk_events_drain(void (*emit)(void *opaque, const char *name, json_t *data),
		      void *opaque);

#endif
