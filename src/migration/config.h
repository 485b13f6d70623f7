/*
 * config.h - the machine configuration both sides of a migration compare
 * in the handshake, before a byte of RAM moves: protocol version, board,
 * RAM and ROM size, the CPU features the guest was given (misa), the HTIF
 * page, every virtio slot's device, features, queues and disk size, and
 * whether the disks travel in the stream (blk).
 *
 * Invariant: two machines whose descriptions are equal can carry each
 * other's RAM and device state; anything that differs is refused with a
 * reason naming the item and both values.
 */
#ifndef GODWIT_MIGRATION_CONFIG_H
#define GODWIT_MIGRATION_CONFIG_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "machine/machine.h"

#define MIG_PROTOCOL_VERSION 1

/* The description of m as a new JSON object (NULL: out of memory). blk:
 * the disks travel in the stream (shared-nothing): "blk": true and the
 * drives ("disks": id, size, readonly), which the destination must have,
 * of the same size and writable. */
json_t *mig_config_describe(struct machine *m, bool blk);
/* 0 if the source's description src matches this machine, else -1 and a
 * reason ("RAM size differs: source 256 MiB, destination 128 MiB"). */
int mig_config_check(struct machine *m, json_t *src, char *err, size_t errlen);

#endif
