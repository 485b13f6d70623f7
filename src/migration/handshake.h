/*
 * handshake.h - how a migration connection starts: each side proves that it
 * holds the migration key before anything about the VM is said.
 *
 *   source                                   destination
 *     |-- preamble (48 bytes, clear) ----------->|
 *     |<----------- preamble (48 bytes, clear) --|
 *     |   both derive the connection's keys from K and both preambles
 *     |-- AUTH record (sealed) ----------------->|  tag checks, or the
 *     |                                          |  destination drops the
 *     |                                          |  connection, says nothing
 *     |<-------------- DAUTH record (sealed) ----|  and keeps waiting
 *     |-- HELLO (machine configuration) ... ---->|  (source.c, dest.c)
 *
 * Preamble: u32 magic "GWMP", u16 protocol version (2), u16 mode (0 plain,
 * 1 AES-256-GCM), 32 random bytes, 8 zero bytes. A preamble reveals only
 * that a godwit migration endpoint listens and in which mode. The random
 * bytes of both sides go into the keys (seal.h), so records recorded from
 * any other connection never authenticate on this one.
 * Plain mode (x-godwit-plain on both sides, explicitly) exchanges the same
 * AUTH/DAUTH records with checksums only: it proves nothing.
 *
 * Invariants: the migration key lives only in a struct mig_secret, which
 * sits in memory that is locked (never swapped) and left out of core
 * dumps, and is wiped by mig_secret_wipe(); no function here prints it.
 */
#ifndef GODWIT_MIGRATION_HANDSHAKE_H
#define GODWIT_MIGRATION_HANDSHAKE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "migration/seal.h"
#include "migration/stream.h"

#define MIG_WIRE_VERSION 2
#define MIG_PREAMBLE_SIZE 48

struct mig_secret {
	bool plain;             /* x-godwit-plain: records are not encrypted */
	bool have_key;          /* x-godwit-key was set and not used up */
	uint8_t key[SEAL_KEY_SIZE];
};

/* A secret in its own locked, non-dumpable page; NULL if out of memory. */
struct mig_secret *mig_secret_new(void);
void mig_secret_free(struct mig_secret *s);
/* Forget the key (plain stays as set). */
void mig_secret_wipe(struct mig_secret *s);
/* 64 hex digits -> key. 0, or -1 (the text is not a 256-bit hex key). */
int mig_secret_set_hex(struct mig_secret *s, const char *hex);

/* Source side of the exchange above. 0, or -1 with the reason in ch->err. */
int mig_handshake_source(struct mig_chan *ch, const struct mig_secret *sec);
/* Destination side. 0: the peer proved the key (or both are plain); -1: drop
 * this connection (ch->err says why, for the log; the peer is told nothing). */
int mig_handshake_dest(struct mig_chan *ch, const struct mig_secret *sec);

#endif
