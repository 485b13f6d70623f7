/*
 * fuzz_migration.c - libFuzzer target for the destination's migration
 * loader: every input is one incoming migration stream (source -> dest
 * bytes), fed through a socketpair to mig_dest_receive() on a machine that
 * is not running.
 *
 * The machine is built once: 1 MiB of RAM, no firmware, a raw one-word
 * kernel ("j ."), a virtio-blk on a 1 MiB temporary image (slot 7) and a
 * virtio-rng (slot 6) - the configuration tests/fuzz/make_corpus.py gives
 * the VMM that produces the seed streams, so seeds get past the handshake.
 * A writer thread sends the input and then EOF, and drains the WELCOME the
 * loader answers with, so neither side can block the other.
 *
 * Input format: byte 0 selects the record layer, then the source's 48-byte
 * preamble and its records (AUTH, HELLO, ROM, RAM, ..., END):
 *   0, 2 (mod 4)  plain (the destination in x-godwit-plain): the target
 *                 repairs the XXH3 tag of every complete record, so that
 *                 mutations reach the loader;
 *   1             sealed with the fixed test key FUZZ_KEY: the records are
 *                 given in plaintext and the writer seals them with the
 *                 connection's keys (it reads the destination's preamble
 *                 first), so mutations reach the loader behind AES-GCM;
 *   3             sealed, sent as they are: they almost never authenticate,
 *                 which is the point - the preamble, header and tag paths
 *                 must refuse them cleanly.
 * (FUZZ_MIG_RAW=1 feeds plain inputs without repairing their tags.) A
 * custom mutator mutates one record's payload at a time (not the 60 KiB
 * boot ROM, most of the time), keeping the framing and fixing the length
 * field; one mutation in four is libFuzzer's own on the whole input
 * (selector, preamble, header fields, framing, truncation).
 *
 * Besides the sanitizers, the target checks the loader's contract: a
 * refused stream leaves exactly one non-empty line in err, and an
 * accepted one leaves a machine that runs - the hart for a few
 * instructions, a notify on every queue, the UART, RTC, CLINT and PLIC
 * (what tests/unit/test_devstate.c does after a load). Set
 * FUZZ_MIG_VERBOSE=1 to print each input's outcome.
 */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cpu/hart.h"
#include "devices/plic.h"
#include "devices/uart.h"
#include "devices/virtio_mmio.h"
#include "machine/machine.h"
#include "migration/handshake.h"
#include "migration/migration.h"
#include "migration/seal.h"
#include "migration/stream.h"
#include "../unit/unit_exercise.h"

size_t LLVMFuzzerMutate(uint8_t *data, size_t size, size_t max_size);

#define FUZZ_RAM (1ull << 20)
#define FUZZ_DISK (1ull << 20)

static struct machine fm;
static struct machine_config fcfg;
static char kernel_path[64], disk_path[64];
static char drive_id[] = "d0";
static bool verbose, raw;
static struct mig_secret *sec_plain, *sec_key;
/* the fixed test key of sealed inputs (tests/fuzz/make_corpus.py uses it too) */
static const char FUZZ_KEY[] = "676f647769742066757a7a206b6579202d206e6f7420612073656372657421ff";
#define IN_HDR (1 + MIG_PREAMBLE_SIZE) /* selector + preamble */

static void die(const char *what)
{
	fprintf(stderr, "fuzz_migration: %s: %s\n", what, strerror(errno));
	abort();
}

static void make_file(char *path, const void *data, size_t len, size_t size)
{
	int fd = mkstemp(path);

	if (fd < 0)
		die("mkstemp");
	if ((len && write(fd, data, len) != (ssize_t)len) || (size && ftruncate(fd, (off_t)size)))
		die("write");
	close(fd);
}

static void cleanup(void)
{
	if (disk_path[0])
		unlink(disk_path);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static const uint32_t spin = 0x0000006f; /* j . */
	int rc;

	(void)argc;
	(void)argv;
	verbose = getenv("FUZZ_MIG_VERBOSE") != NULL;
	raw = getenv("FUZZ_MIG_RAW") != NULL;
	strcpy(kernel_path, "/tmp/godwit-fuzz-kernel-XXXXXX");
	strcpy(disk_path, "/tmp/godwit-fuzz-disk-XXXXXX");
	make_file(kernel_path, &spin, sizeof(spin), 0);
	make_file(disk_path, NULL, 0, FUZZ_DISK);
	atexit(cleanup);
	fcfg.ram_size = FUZZ_RAM;
	fcfg.kernel = kernel_path;
	fcfg.bios = "none";
	fcfg.drives[0].id = drive_id;
	fcfg.drives[0].file = disk_path;
	fcfg.n_drives = 1;
	fcfg.devices[0].kind = DEVICE_VIRTIO_BLK;
	fcfg.devices[0].drive = drive_id;
	fcfg.devices[1].kind = DEVICE_VIRTIO_RNG;
	fcfg.n_devices = 2;
	sec_plain = mig_secret_new();
	sec_key = mig_secret_new();
	if (!sec_plain || !sec_key || mig_secret_set_hex(sec_key, FUZZ_KEY)) {
		fprintf(stderr, "fuzz_migration: cannot set up the test key\n");
		abort();
	}
	sec_plain->plain = true;
	rc = machine_init(&fm, &fcfg);
	unlink(kernel_path);
	if (rc) {
		fprintf(stderr, "fuzz_migration: cannot build the machine\n");
		abort();
	}
	return 0;
}

/* ---- sections in the input -------------------------------------------- */

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

#define MAX_SECS 4096

/* Offsets of the complete sections at the start of buf; returns how many. */
static size_t sections(const uint8_t *buf, size_t size, size_t *off)
{
	size_t n = 0, pos = IN_HDR;

	while (n < MAX_SECS && pos + MIG_HDR_SIZE <= size && get32(buf + pos) == MIG_MAGIC) {
		uint32_t len = get32(buf + pos + 8);
		if (len > size - pos - MIG_HDR_SIZE)
			break;
		off[n++] = pos;
		pos += MIG_HDR_SIZE + len;
	}
	return n;
}

/* Give every complete section the checksum the loader expects. */
static void fix_checksums(uint8_t *buf, size_t size)
{
	static size_t off[MAX_SECS];
	size_t n = sections(buf, size, off);

	for (size_t i = 0; i < n; i++) {
		uint8_t *h = buf + off[i];
		uint64_t c = XXH3_64bits_withSeed(h + MIG_HDR_SIZE, get32(h + 8), XXH3_64bits(h, 16));
		put32(h + 16, (uint32_t)c);
		put32(h + 20, (uint32_t)(c >> 32));
		memset(h + 24, 0, 8);
	}
}

/* One section's payload mutated in place (the rest of the stream moves
 * along), else a plain mutation of the whole input. */
size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size, unsigned int seed)
{
	static size_t off[MAX_SECS];
	static uint8_t tail[1 << 20];
	size_t n = sections(data, size, off), pick, pay, len, tlen, nlen, room;
	uint32_t r = seed * 2654435761u;

	if (n == 0 || (r & 3) == 0)
		return LLVMFuzzerMutate(data, size, max_size);
	pick = (r >> 2) % n;
	/* the ROM is 60 KiB of opaque bytes: usually pick another section */
	if (n > 1 && data[off[pick] + 4] == MIG_SEC_ROM && ((r >> 20) & 7))
		pick = (pick + 1 + (r >> 24) % (n - 1)) % n;
	pay = off[pick] + MIG_HDR_SIZE;
	len = get32(data + off[pick] + 8);
	tlen = size - pay - len;
	if (tlen > sizeof(tail) || max_size < size)
		return LLVMFuzzerMutate(data, size, max_size);
	memcpy(tail, data + pay + len, tlen);
	room = max_size - pay - tlen;
	nlen = len ? LLVMFuzzerMutate(data + pay, len, room) : 0;
	if (!len && room >= 4) { /* an empty payload: give it a few bytes */
		nlen = 1 + (r >> 8) % 4;
		memset(data + pay, (int)(r >> 16), nlen);
	}
	memcpy(data + pay + nlen, tail, tlen);
	put32(data + off[pick] + 8, (uint32_t)nlen);
	return pay + nlen + tlen;
}

/* ---- feeding the loader ------------------------------------------------ */

struct feed {
	int fd;
	const uint8_t *data;
	size_t size;
	int sel; /* byte 0 & 3 */
};

static int send_all(int fd, const void *buf, size_t len)
{
	size_t off = 0;

	while (off < len) {
		ssize_t w = send(fd, (const uint8_t *)buf + off, len - off, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1; /* the loader gave up and closed its end */
		off += (size_t)w;
	}
	return 0;
}

static int recv_all(int fd, void *buf, size_t len)
{
	size_t off = 0;

	while (off < len) {
		ssize_t r = recv(fd, (uint8_t *)buf + off, len - off, 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		off += (size_t)r;
	}
	return 0;
}

/* Selector 1: seal the plaintext records of the input with the keys of
 * this connection (the destination's preamble comes back first). */
static void send_resealed(struct feed *f)
{
	static size_t off[MAX_SECS];
	static uint8_t ct[1 << 20];
	uint8_t salt[2 * MIG_PREAMBLE_SIZE], hdr[MIG_HDR_SIZE];
	uint8_t key[SEAL_KEY_SIZE];
	struct seal tx;
	size_t n, end = IN_HDR;

	if (f->size < IN_HDR) {
		send_all(f->fd, f->data + 1, f->size > 1 ? f->size - 1 : 0);
		return;
	}
	memcpy(salt, f->data + 1, MIG_PREAMBLE_SIZE);
	if (send_all(f->fd, salt, MIG_PREAMBLE_SIZE) ||
	    recv_all(f->fd, salt + MIG_PREAMBLE_SIZE, MIG_PREAMBLE_SIZE))
		return;
	memcpy(key, sec_key->key, sizeof(key));
	if (seal_init(&tx, key, salt, sizeof(salt), SEAL_S2D, 1))
		abort();
	n = sections(f->data, f->size, off);
	for (size_t i = 0; i < n; i++) {
		const uint8_t *h = f->data + off[i];
		uint32_t len = get32(h + 8);

		if (len > sizeof(ct))
			break;
		memcpy(hdr, h, MIG_HDR_SIZE);
		if (seal_begin(&tx, i, hdr, MIG_AAD_SIZE) ||
		    seal_update(&tx, h + MIG_HDR_SIZE, ct, len) ||
		    seal_final(&tx, hdr + MIG_AAD_SIZE))
			abort();
		if (send_all(f->fd, hdr, sizeof(hdr)) || send_all(f->fd, ct, len))
			goto out;
		end = off[i] + MIG_HDR_SIZE + len;
	}
	send_all(f->fd, f->data + end, f->size - end); /* an incomplete tail as it is */
out:
	seal_destroy(&tx);
}

/* Send the input, then EOF; then read the loader's answers until it closes. */
static void *writer(void *arg)
{
	struct feed *f = arg;
	char sink[4096];

	if (f->sel == 1)
		send_resealed(f);
	else if (f->size > 1)
		send_all(f->fd, f->data + 1, f->size - 1);
	shutdown(f->fd, SHUT_WR);
	for (;;) {
		ssize_t r = recv(f->fd, sink, sizeof(sink), 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
	}
	return NULL;
}

/* After a successful load the machine must run (unit_exercise.h). */
static void exercise(struct machine *m)
{
	const char *why = ue_impossible(m);

	if (why) {
		fprintf(stderr, "fuzz_migration: the loader accepted an impossible state: %s\n", why);
		abort();
	}
	ue_exercise(m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct feed f;
	pthread_t t;
	int sv[2], rc;
	char err[256];
	uint8_t *copy = NULL;

	int sel = size ? data[0] & 3 : 0;
	const struct mig_secret *sec = (sel & 1) ? sec_key : sec_plain;

	if (!raw && size && !(sel & 1)) {
		copy = malloc(size);
		if (!copy)
			die("malloc");
		memcpy(copy, data, size);
		fix_checksums(copy, size);
		data = copy;
	}
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv))
		die("socketpair");
	f.fd = sv[0];
	f.data = data;
	f.size = size;
	f.sel = sel;
	if (pthread_create(&t, NULL, writer, &f))
		die("pthread_create");
	memset(err, 0x55, sizeof(err));
	err[sizeof(err) - 1] = 0;
	rc = mig_dest_receive(&fm, sv[1], sec, err, sizeof(err)); /* closes sv[1] */
	pthread_join(t, NULL);
	close(sv[0]);
	free(copy);
	if (verbose)
		fprintf(stderr, "fuzz_migration: %zu bytes, selector %d: %s\n", size, sel,
			rc ? err : "loaded");
	if (rc == 0) {
		exercise(&fm);
		return 0;
	}
	if (!err[0] || strchr(err, '\n') || strlen(err) >= sizeof(err)) {
		fprintf(stderr, "fuzz_migration: refused without a one-line reason: '%s'\n", err);
		abort();
	}
	return 0;
}
