/*
 * stream.h - the migration stream's framing: sections with a type, a
 * version, a length, a sequence number and a checksum, over one TCP
 * connection (a "channel"), in both directions.
 *
 * Wire format of a section (all integers little-endian):
 *   u32 magic  "GWM1" (0x314d5747)
 *   u16 type   MIG_SEC_*
 *   u16 version of that section type's payload
 *   u32 length of the payload in bytes (<= the receiver's limit for the type)
 *   u32 seq    0, 1, 2, ... per direction: a lost or repeated section shows
 *   u64 csum   XXH3-64 of the payload, seeded with XXH3-64 of the first 16
 *              header bytes, so the header is covered too
 *   payload
 * The payload of each type is described where it is produced (ram.c,
 * source.c, dest.c) and in docs/migration.md.
 *
 * Invariants: every read and write waits in poll() in steps of at most
 * 100 ms and gives up when the channel's cancel flag is set, its deadline
 * (if any) passes or its idle timeout expires, so no call blocks forever;
 * an error leaves a one-line reason in ch->err. Nothing received is trusted
 * before mig_recv_hdr() and the checksum have been checked.
 */
#ifndef GODWIT_MIGRATION_STREAM_H
#define GODWIT_MIGRATION_STREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>
#include <xxhash.h>

#define MIG_MAGIC 0x314d5747u /* "GWM1" */
#define MIG_HDR_SIZE 24

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
	/* destination -> source */
	MIG_SEC_WELCOME = 0x81, /* JSON {"ok": true} or {"error": reason} */
	MIG_SEC_ACK = 0x82,     /* JSON {"ok": true} or {"error": reason} */
	MIG_SEC_ROUND_ACK = 0x83, /* u32 round: everything up to that ROUND is in RAM */
};

struct mig_hdr {
	uint16_t type, version;
	uint32_t length, seq;
	uint64_t csum;
};

struct mig_chan {
	int fd;                 /* non-blocking TCP socket, owned */
	uint32_t send_seq, recv_seq;
	uint64_t bytes_sent, bytes_recv;
	volatile int *cancel;   /* give up when *cancel != 0 (may be NULL) */
	uint64_t deadline_ns;   /* give up after this CLOCK_MONOTONIC time, 0: none */
	int idle_ms;            /* give up after this long without progress */
	char err[256];
	XXH3_state_t *xs;       /* receive-side running checksum */
};

/* Wrap a connected socket (made non-blocking here). Returns 0 or -1. */
int mig_chan_init(struct mig_chan *ch, int fd, volatile int *cancel, int idle_ms);
void mig_chan_close(struct mig_chan *ch);

/* Connect to "tcp:HOST:PORT" within timeout_ms. Returns the socket or -1
 * with a reason in err. */
int mig_tcp_connect(const char *uri, int timeout_ms, char *err, size_t errlen);
/* Listen on "tcp:[HOST]:PORT" (HOST empty: all addresses). */
int mig_tcp_listen(const char *uri, char *err, size_t errlen);
/* Parse "tcp:HOST:PORT" into host (may be empty) and port. */
int mig_parse_uri(const char *uri, char *host, size_t hostlen, char *port, size_t portlen);

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
