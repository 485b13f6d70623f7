/*
 * stream.h - the migration stream's records: sections with a type, a
 * version, a length and a sequence number, each sealed with AES-256-GCM
 * (or, in explicit plain mode, checksummed), over one TCP connection (a
 * "channel"), in both directions.
 *
 * Wire format of a record (all integers little-endian):
 *   u32 magic  "GWM2" (0x324d5747)
 *   u16 type   MIG_SEC_*
 *   u16 version of that section type's payload
 *   u32 length of the payload in bytes (<= the receiver's limit for the type)
 *   u32 seq    low 32 bits of the record number n = 0, 1, 2, ... per
 *              direction; only the next n is accepted
 *   u8  tag[16] sealed: the GCM tag over the payload with the first 16
 *              header bytes as additional data (seal.h: nonce from the
 *              direction and n); plain: XXH3-64 of the payload seeded with
 *              XXH3-64 of the first 16 header bytes, then 8 zero bytes
 *   payload    ciphertext (sealed) or plaintext (plain)
 * Before the first record each side sends a 48-byte clear preamble
 * (handshake.h), whose bytes seed the keys of the connection.
 * The payload of each type is described where it is produced (ram.c,
 * disk.h, source.c, dest.c) and in docs/migration.md.
 *
 * Invariants: every read and write waits in poll() in steps of at most
 * 100 ms and gives up when the channel's cancel flag is set, its deadline
 * (if any) passes or its idle timeout expires, so no call blocks forever;
 * an error leaves a one-line reason in ch->err. Nothing received is trusted
 * before mig_recv_hdr() and mig_recv_done() (tag or checksum) have passed:
 * a receiver may decrypt into its final place, but must throw the whole
 * result away when mig_recv_done() fails (the destination then never runs
 * the VM).
 */
#ifndef GODWIT_MIGRATION_STREAM_H
#define GODWIT_MIGRATION_STREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>
#include <xxhash.h>

#include "migration/seal.h"

#define MIG_MAGIC 0x324d5747u /* "GWM2" */
#define MIG_HDR_SIZE 32
#define MIG_AAD_SIZE 16

enum mig_section {
	/* source -> destination */
	MIG_SEC_HELLO = 1,   /* JSON: protocol version, machine configuration */
	MIG_SEC_ROM = 2,     /* the boot ROM's bytes */
	MIG_SEC_RAM = 3,     /* a batch of page runs (ram.c) */
	MIG_SEC_ROUND = 4,   /* end of a pre-copy round: u32 round, u64 pages */
	MIG_SEC_DEVICES = 5, /* CPU and device state (devstate.c) */
	MIG_SEC_END = 6,     /* everything sent: u64 pages sent in all */
	MIG_SEC_COMMIT = 7,  /* the source has released the VM: run it */
	MIG_SEC_ABORT = 8,   /* JSON {"error": reason}: the source gives up */
	MIG_SEC_AUTH = 9,    /* the first record each way: proves the key */
	MIG_SEC_DISK = 10,   /* a disk range, data or zeros (disk.h; blk only) */
	/* destination -> source */
	MIG_SEC_WELCOME = 0x81, /* JSON {"ok": true} or {"error": reason} */
	MIG_SEC_ACK = 0x82,     /* JSON {"ok": true} or {"error": reason} */
	MIG_SEC_ROUND_ACK = 0x83, /* u32 round: everything up to that ROUND is in RAM */
	MIG_SEC_RUNNING = 0x84,   /* JSON {"ok": true}: the destination owns the VM now */
	MIG_SEC_DAUTH = 0x89,     /* the destination's first record: proves the key */
};

struct mig_hdr {
	uint16_t type, version;
	uint32_t length, seq;
	uint8_t tag[SEAL_TAG_SIZE];
};

struct mig_chan {
	int fd;                 /* non-blocking TCP socket, owned */
	uint64_t send_seq, recv_seq; /* next record number each way */
	bool sealed;            /* records are AES-GCM (else plain checksums) */
	struct seal tx, rx;     /* when sealed */
	uint8_t *sbuf;          /* sealed send: ciphertext of one record */
	uint8_t *rbuf;          /* sealed receive: ciphertext staging */
	size_t sbuf_cap;
	uint64_t bytes_sent, bytes_recv;
	volatile int *cancel;   /* give up when *cancel != 0 (may be NULL) */
	uint64_t deadline_ns;   /* give up after this CLOCK_MONOTONIC time, 0: none */
	int idle_ms;            /* give up after this long without progress */
	char err[256];
	XXH3_state_t *xs;       /* receive-side running checksum */
};

/* Wrap a connected socket (made non-blocking here). Returns 0 or -1. The
 * channel starts in plain mode; mig_chan_seal() switches it to records
 * sealed under keys derived from the migration key. */
int mig_chan_init(struct mig_chan *ch, int fd, volatile int *cancel, int idle_ms);
int mig_chan_seal(struct mig_chan *ch, const uint8_t mkey[SEAL_KEY_SIZE],
		  const uint8_t *salt, size_t saltlen, bool source);
void mig_chan_close(struct mig_chan *ch);

/* Raw bytes outside any record (the handshake's preambles). */
int mig_chan_write_raw(struct mig_chan *ch, const void *buf, size_t len);
int mig_chan_read_raw(struct mig_chan *ch, void *buf, size_t len);

/* Send one section whose payload is the concatenation of iov[0..n). */
int mig_send(struct mig_chan *ch, uint16_t type, uint16_t version,
	     const struct iovec *iov, int n);
int mig_send_buf(struct mig_chan *ch, uint16_t type, uint16_t version,
		 const void *buf, size_t len);

/* Read and check a header: magic, sequence, and length <= max_len. Then
 * start the payload checksum. */
int mig_recv_hdr(struct mig_chan *ch, struct mig_hdr *h, uint32_t max_len);
/* Read len payload bytes into buf, adding them to the checksum. */
int mig_recv_part(struct mig_chan *ch, void *buf, size_t len);
/* Read payload bytes straight into several buffers (e.g. guest pages). */
int mig_recv_iov(struct mig_chan *ch, const struct iovec *iov, int n);
/* The first consumed payload bytes of h make no sense (why): on a sealed
 * channel read the rest and check the tag first, so that a forged record
 * is reported as one; then fail with why. Always -1. */
int mig_recv_reject(struct mig_chan *ch, const struct mig_hdr *h, uint64_t consumed,
		    const char *why);
/* All of the payload has been read: compare the checksum. */
int mig_recv_done(struct mig_chan *ch, const struct mig_hdr *h);
/* Header and whole payload (<= max_len) into a malloc'd, NUL-terminated
 * buffer, checksum checked. */
int mig_recv_section(struct mig_chan *ch, struct mig_hdr *h, uint32_t max_len,
		     uint8_t **payload);

/* Wait up to ms for the channel to become readable: 1 readable, 0 not. */
int mig_chan_readable(struct mig_chan *ch, int ms);

const char *mig_section_name(uint16_t type);

#endif
