/*
 * handshake.c - the start of a migration connection: preambles, the
 * connection's keys, and the proof of the migration key in each direction
 * (see handshake.h for the exchange and its invariants).
 */
#include "migration/handshake.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#define PREAMBLE_MAGIC 0x504d5747u /* "GWMP" */
#define MODE_PLAIN 0
#define MODE_GCM 1
#define AUTH_MAX 64

static const char auth_src[] = "godwit migration: source";
static const char auth_dst[] = "godwit migration: destination";

struct mig_secret *mig_secret_new(void)
{
	void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	madvise(p, 4096, MADV_DONTDUMP);
	mlock(p, 4096); /* best effort: without the privilege it may still swap */
	memset(p, 0, sizeof(struct mig_secret));
	return p;
}

void mig_secret_wipe(struct mig_secret *s)
{
	if (!s)
		return;
	seal_wipe(s->key, sizeof(s->key));
	s->have_key = false;
}

void mig_secret_free(struct mig_secret *s)
{
	if (!s)
		return;
	seal_wipe(s, sizeof(*s));
	munlock(s, 4096);
	munmap(s, 4096);
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)tolower((unsigned char)c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

int mig_secret_set_hex(struct mig_secret *s, const char *hex)
{
	uint8_t k[SEAL_KEY_SIZE];
	int nonzero = 0;

	if (strlen(hex) != 2 * SEAL_KEY_SIZE)
		return -1;
	for (int i = 0; i < SEAL_KEY_SIZE; i++) {
		int hi = hexval(hex[2 * i]), lo = hexval(hex[2 * i + 1]);
		if (hi < 0 || lo < 0) {
			seal_wipe(k, sizeof(k));
			return -1;
		}
		k[i] = (uint8_t)(hi << 4 | lo);
		nonzero |= k[i];
	}
	if (!nonzero) /* all zero: surely not a random key */
		return -1;
	memcpy(s->key, k, sizeof(k));
	seal_wipe(k, sizeof(k));
	s->have_key = true;
	return 0;
}

static int make_preamble(uint8_t *p, bool plain)
{
	memset(p, 0, MIG_PREAMBLE_SIZE);
	p[0] = (uint8_t)PREAMBLE_MAGIC;
	p[1] = (uint8_t)(PREAMBLE_MAGIC >> 8);
	p[2] = (uint8_t)(PREAMBLE_MAGIC >> 16);
	p[3] = (uint8_t)(PREAMBLE_MAGIC >> 24);
	p[4] = MIG_WIRE_VERSION;
	p[6] = plain ? MODE_PLAIN : MODE_GCM;
	return seal_random(p + 8, 32);
}

/* 0: a preamble of this protocol; its mode in *mode. */
static int parse_preamble(const uint8_t *p, int *mode)
{
	uint32_t magic = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
			 (uint32_t)p[3] << 24;

	if (magic != PREAMBLE_MAGIC)
		return -1;
	if ((p[4] | p[5] << 8) != MIG_WIRE_VERSION)
		return -2;
	*mode = p[6] | p[7] << 8;
	for (int i = 40; i < MIG_PREAMBLE_SIZE; i++)
		if (p[i])
			return -1;
	return *mode == MODE_PLAIN || *mode == MODE_GCM ? 0 : -1;
}

static int say(struct mig_chan *ch, const char *msg)
{
	if (!ch->err[0] || !strncmp(ch->err, "connection", 10))
		snprintf(ch->err, sizeof(ch->err), "%s", msg);
	return -1;
}

/* Read the peer's proof record of the given type and check its words. */
static int recv_proof(struct mig_chan *ch, uint16_t type, const char *words)
{
	struct mig_hdr h;
	uint8_t buf[AUTH_MAX];

	if (mig_recv_hdr(ch, &h, UINT32_MAX)) /* the type is checked first, then the length */
		return -1;
	if (h.type != type || h.length != strlen(words) || h.length > AUTH_MAX) {
		snprintf(ch->err, sizeof(ch->err), "the peer's first record is not a key proof");
		return -1;
	}
	if (mig_recv_part(ch, buf, h.length) || mig_recv_done(ch, &h))
		return -1;
	if (memcmp(buf, words, h.length)) {
		snprintf(ch->err, sizeof(ch->err), "the peer's key proof is wrong");
		return -1;
	}
	return 0;
}

static int derive(struct mig_chan *ch, const struct mig_secret *sec, const uint8_t *pre_s,
		  const uint8_t *pre_d, bool source)
{
	uint8_t salt[2 * MIG_PREAMBLE_SIZE];

	memcpy(salt, pre_s, MIG_PREAMBLE_SIZE);
	memcpy(salt + MIG_PREAMBLE_SIZE, pre_d, MIG_PREAMBLE_SIZE);
	return mig_chan_seal(ch, sec->key, salt, sizeof(salt), source);
}

int mig_handshake_source(struct mig_chan *ch, const struct mig_secret *sec)
{
	uint8_t pre_s[MIG_PREAMBLE_SIZE], pre_d[MIG_PREAMBLE_SIZE];
	int mode = -1, r;

	if (!sec->plain && !sec->have_key)
		return say(ch, "no migration key: set x-godwit-key (the same 64 hex digits on "
			       "both sides), or x-godwit-plain on both sides");
	if (make_preamble(pre_s, sec->plain))
		return say(ch, "no random numbers for the key exchange");
	if (mig_chan_write_raw(ch, pre_s, sizeof(pre_s)) ||
	    mig_chan_read_raw(ch, pre_d, sizeof(pre_d)))
		return say(ch, "the destination closed the connection before the key exchange "
			       "(is it waiting for this migration?)");
	r = parse_preamble(pre_d, &mode);
	if (r == -2)
		return say(ch, "the destination speaks another migration protocol version");
	if (r)
		return say(ch, "the peer is not a godwit-vmm waiting for a migration");
	if (mode == MODE_PLAIN && !sec->plain)
		return say(ch, "the destination is in plain mode (x-godwit-plain): refusing to "
			       "send the VM unencrypted");
	if (mode == MODE_GCM && sec->plain)
		return say(ch, "the destination requires an encrypted stream: set the same "
			       "x-godwit-key on both sides instead of x-godwit-plain");
	if (!sec->plain && derive(ch, sec, pre_s, pre_d, true))
		return -1;
	if (mig_send_buf(ch, MIG_SEC_AUTH, 1, auth_src, strlen(auth_src)))
		return -1;
	if (recv_proof(ch, MIG_SEC_DAUTH, auth_dst)) {
		if (!strncmp(ch->err, "connection", 10))
			return say(ch, "the destination dropped the connection: it could not "
				       "verify this side's key (the two keys differ)");
		snprintf(ch->err, sizeof(ch->err), "the destination could not prove the "
			 "migration key: the stream goes nowhere");
		return -1;
	}
	return 0;
}

int mig_handshake_dest(struct mig_chan *ch, const struct mig_secret *sec)
{
	uint8_t pre_s[MIG_PREAMBLE_SIZE], pre_d[MIG_PREAMBLE_SIZE];
	int mode = -1, r;

	if (mig_chan_read_raw(ch, pre_s, sizeof(pre_s)))
		return -1;
	r = parse_preamble(pre_s, &mode);
	if (r) {
		snprintf(ch->err, sizeof(ch->err), r == -2 ? "another protocol version"
							   : "not a migration stream");
		return -1;
	}
	if (!sec->plain && !sec->have_key) {
		snprintf(ch->err, sizeof(ch->err), "no migration key is set here yet");
		return -1;
	}
	if (make_preamble(pre_d, sec->plain) || mig_chan_write_raw(ch, pre_d, sizeof(pre_d)))
		return -1;
	if (mode != (sec->plain ? MODE_PLAIN : MODE_GCM)) {
		snprintf(ch->err, sizeof(ch->err), "the peer wants %s stream, this side %s",
			 mode == MODE_PLAIN ? "a plain" : "an encrypted",
			 sec->plain ? "is in plain mode" : "requires encryption");
		return -1;
	}
	if (!sec->plain && derive(ch, sec, pre_s, pre_d, false))
		return -1;
	if (recv_proof(ch, MIG_SEC_AUTH, auth_src)) {
		if (!sec->plain && strstr(ch->err, "authentication"))
			snprintf(ch->err, sizeof(ch->err), "it could not prove the migration key");
		return -1;
	}
	return mig_send_buf(ch, MIG_SEC_DAUTH, 1, auth_dst, strlen(auth_dst));
}
