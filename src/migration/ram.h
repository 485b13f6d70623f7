/*
 * ram.h - guest RAM over the migration stream: the source sends the pages
 * of a bitmap as RAM sections, the destination writes them into its RAM.
 *
 * RAM section payload (version 1):
 *   u32 nruns, u32 flags (0)
 *   nruns x u64 run: bits 0..39 first page, 40..55 pages - 1, 56..63 kind
 *                    (0: zero pages, 1: data pages)
 *   the 4 KiB of every page of every data run, in run order
 * Runs are in increasing page order and do not overlap; a section carries at
 * most RAM_BATCH_PAGES data pages and RAM_MAX_RUNS runs. A zero page costs
 * a bit of a run, never 4 KiB.
 *
 * Invariants: on a plain channel the source copies each page into its own
 * buffer before it is checksummed and sent, so a vCPU writing the page
 * meanwhile cannot make the section inconsistent; on a sealed channel the
 * page is encrypted straight from guest RAM into the record (one copy
 * fewer), and the record is consistent by construction: the tag covers
 * the ciphertext made. Either way a page written meanwhile is dirty again
 * and goes in a later round. The destination checks every run before it
 * writes a byte of RAM; pages it never wrote and that the host never gave
 * a frame (in RAM or in swap: resident.h) are known to be zero and cost
 * nothing.
 */
#ifndef GODWIT_MIGRATION_RAM_H
#define GODWIT_MIGRATION_RAM_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/uio.h>

#include "machine/machine.h"
#include "migration/stream.h"

#define RAM_BATCH_PAGES 256
#define RAM_MAX_RUNS 1024
#define RAM_RUN_MAX_PAGES 65536
#define RAM_SECTION_MAX (8 + 8 * RAM_MAX_RUNS + RAM_BATCH_PAGES * 4096)

struct ram_sender {
	struct machine *m;
	struct mig_chan *ch;
	uint64_t max_bw;          /* bytes/s, 0: unlimited */
	uint8_t *bounce;          /* RAM_BATCH_PAGES pages (plain channels) */
	bool direct;              /* sealed channel: pages go from guest RAM */
	struct iovec piov[RAM_BATCH_PAGES]; /* direct: the batch's pages */
	int npiov;
	uint64_t runs[RAM_MAX_RUNS];
	int nruns, ndata;
	uint64_t run_start, run_len;
	int run_kind;             /* -1: no open run */
	uint8_t *resident;        /* ram_resident_scan() of the current chunk */
	uint64_t resident_chunk;  /* chunk index held in resident, or ~0 */
	uint64_t bw_start_ns, bw_start_bytes;
	/* counters; progress(opaque) is called after every section sent */
	uint64_t zero_pages, data_pages, remaining;
	void (*progress)(void *opaque);
	void *progress_opaque;
};

int ram_sender_init(struct ram_sender *s, struct machine *m, struct mig_chan *ch);
void ram_sender_destroy(struct ram_sender *s);
/* Send every page whose bit is set in bitmap (m->ram_pages bits). first:
 * pages the host never gave a frame, in RAM or swap, are known zero (no
 * read needed; resident.h). remaining is
 * counted down as pages go. Returns 0 or -1 (reason in ch->err). */
int ram_send_bitmap(struct ram_sender *s, const uint64_t *bitmap, bool first);

struct ram_receiver {
	struct machine *m;
	uint64_t *touched; /* pages that may be non-zero on this side */
	uint64_t runs[RAM_MAX_RUNS];
	uint64_t pages;    /* pages received (zero or data) */
};

int ram_receiver_init(struct ram_receiver *r, struct machine *m);
void ram_receiver_destroy(struct ram_receiver *r);
/* Read the payload of RAM section h. Returns 0 or -1 (reason in ch->err). */
int ram_recv_section(struct ram_receiver *r, struct mig_chan *ch,
		     const struct mig_hdr *h);

#endif
