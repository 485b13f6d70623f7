/*
 * stream.c - records over a TCP channel: framing, sealing (AES-GCM via
 * seal.h) or plain checksums, bounded waits. See stream.h for the wire
 * format and the invariants.
 */
#include "migration/stream.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define STEP_MS 100
#define MIG_RBUF_SIZE (256u << 10) /* sealed receive: ciphertext staging */
#define MAX_IOV 300 /* a RAM section: prefix, runs and up to 256 page runs */

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int fail(struct mig_chan *ch, const char *fmt, ...)
{
	va_list ap;

	if (ch->err[0])
		return -1; /* keep the first reason */
	va_start(ap, fmt);
	vsnprintf(ch->err, sizeof(ch->err), fmt, ap);
	va_end(ap);
	return -1;
}

const char *mig_section_name(uint16_t type)
{
	switch (type) {
	case MIG_SEC_HELLO: return "hello";
	case MIG_SEC_ROM: return "rom";
	case MIG_SEC_RAM: return "ram";
	case MIG_SEC_ROUND: return "round";
	case MIG_SEC_DEVICES: return "devices";
	case MIG_SEC_END: return "end";
	case MIG_SEC_COMMIT: return "commit";
	case MIG_SEC_ABORT: return "abort";
	case MIG_SEC_DISK: return "disk";
	case MIG_SEC_WELCOME: return "welcome";
	case MIG_SEC_ACK: return "ack";
	case MIG_SEC_ROUND_ACK: return "round-ack";
	case MIG_SEC_AUTH: return "auth";
	case MIG_SEC_DAUTH: return "dest-auth";
	case MIG_SEC_RUNNING: return "running";
	default: return "unknown";
	}
}

int mig_chan_init(struct mig_chan *ch, int fd, volatile int *cancel, int idle_ms)
{
	int one = 1, fl;

	memset(ch, 0, sizeof(*ch));
	ch->fd = fd;
	ch->cancel = cancel;
	ch->idle_ms = idle_ms;
	fl = fcntl(fd, F_GETFL);
	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
		return fail(ch, "socket: %s", strerror(errno));
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	ch->xs = XXH3_createState();
	if (!ch->xs)
		return fail(ch, "out of memory");
	return 0;
}

int mig_chan_seal(struct mig_chan *ch, const uint8_t mkey[SEAL_KEY_SIZE],
		  const uint8_t *salt, size_t saltlen, bool source)
{
	if (seal_init(&ch->tx, mkey, salt, saltlen, source ? SEAL_S2D : SEAL_D2S, 1) ||
	    seal_init(&ch->rx, mkey, salt, saltlen, source ? SEAL_D2S : SEAL_S2D, 0)) {
		seal_destroy(&ch->tx);
		seal_destroy(&ch->rx);
		return fail(ch, "cannot set up the stream's encryption");
	}
	ch->rbuf = malloc(MIG_RBUF_SIZE);
	if (!ch->rbuf)
		return fail(ch, "out of memory");
	ch->sealed = true;
	return 0;
}

void mig_chan_close(struct mig_chan *ch)
{
	if (ch->fd >= 0)
		close(ch->fd);
	ch->fd = -1;
	if (ch->xs)
		XXH3_freeState(ch->xs);
	ch->xs = NULL;
	if (ch->sealed) {
		seal_destroy(&ch->tx);
		seal_destroy(&ch->rx);
		ch->sealed = false;
	}
	free(ch->sbuf);
	ch->sbuf = NULL;
	free(ch->rbuf);
	ch->rbuf = NULL;
	ch->sbuf_cap = 0;
}

/* Wait for events on the socket, in bounded steps. 0 ready, -1 give up. */
static int wait_fd(struct mig_chan *ch, short events, int limit_ms)
{
	uint64_t start = now_ns(), idle = ch->idle_ms > 0 ? (uint64_t)ch->idle_ms : 0;

	if (limit_ms >= 0 && (idle == 0 || (uint64_t)limit_ms < idle))
		idle = (uint64_t)limit_ms;
	for (;;) {
		struct pollfd p = { ch->fd, events, 0 };
		uint64_t t;
		int r;

		if (ch->cancel && *ch->cancel)
			return fail(ch, "cancelled");
		t = now_ns();
		if (ch->deadline_ns && t >= ch->deadline_ns)
			return fail(ch, "deadline reached");
		if (idle && t - start >= idle * 1000000ull)
			return limit_ms >= 0 ? 1 : fail(ch, "peer silent for %d ms", ch->idle_ms);
		r = poll(&p, 1, STEP_MS);
		if (r < 0 && errno != EINTR)
			return fail(ch, "poll: %s", strerror(errno));
		if (r > 0)
			return 0;
	}
}

int mig_chan_readable(struct mig_chan *ch, int ms)
{
	struct pollfd p = { ch->fd, POLLIN, 0 };

	return poll(&p, 1, ms) > 0 ? 1 : 0;
}

static int write_iov(struct mig_chan *ch, struct iovec *iov, int n)
{
	while (n > 0) {
		ssize_t w;
		struct msghdr msg = { 0 };

		msg.msg_iov = iov;
		msg.msg_iovlen = (size_t)n;
		w = sendmsg(ch->fd, &msg, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK) {
				if (wait_fd(ch, POLLOUT, -1))
					return -1;
				continue;
			}
			return fail(ch, "connection lost: %s", strerror(errno));
		}
		ch->bytes_sent += (uint64_t)w;
		while (n > 0 && (size_t)w >= iov->iov_len) {
			w -= (ssize_t)iov->iov_len;
			iov++;
			n--;
		}
		if (n > 0) {
			iov->iov_base = (uint8_t *)iov->iov_base + w;
			iov->iov_len -= (size_t)w;
		}
	}
	return 0;
}

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static uint64_t header_seed(const uint8_t *hdr)
{
	return XXH3_64bits(hdr, 16);
}

static void put_header(struct mig_chan *ch, uint8_t *hdr, uint16_t type, uint16_t version,
		       uint32_t len)
{
	put32(hdr, MIG_MAGIC);
	hdr[4] = (uint8_t)type;
	hdr[5] = (uint8_t)(type >> 8);
	hdr[6] = (uint8_t)version;
	hdr[7] = (uint8_t)(version >> 8);
	put32(hdr + 8, len);
	put32(hdr + 12, (uint32_t)ch->send_seq);
}

/* Sealed: encrypt the payload into sbuf and write header + ciphertext. */
static int send_sealed(struct mig_chan *ch, uint8_t *hdr, const struct iovec *iov, int n,
		       size_t len)
{
	struct iovec v[2];
	size_t off = 0;

	if (len > ch->sbuf_cap) {
		uint8_t *b = realloc(ch->sbuf, len);
		if (!b)
			return fail(ch, "out of memory");
		ch->sbuf = b;
		ch->sbuf_cap = len;
	}
	if (seal_begin(&ch->tx, ch->send_seq, hdr, MIG_AAD_SIZE))
		return fail(ch, "encryption failed");
	for (int i = 0; i < n; i++) {
		if (seal_update(&ch->tx, iov[i].iov_base, ch->sbuf + off, iov[i].iov_len))
			return fail(ch, "encryption failed");
		off += iov[i].iov_len;
	}
	if (seal_final(&ch->tx, hdr + MIG_AAD_SIZE))
		return fail(ch, "encryption failed");
	v[0].iov_base = hdr;
	v[0].iov_len = MIG_HDR_SIZE;
	v[1].iov_base = ch->sbuf;
	v[1].iov_len = len;
	return write_iov(ch, v, len ? 2 : 1);
}

int mig_send(struct mig_chan *ch, uint16_t type, uint16_t version,
	     const struct iovec *iov, int n)
{
	uint8_t hdr[MIG_HDR_SIZE];
	struct iovec v[MAX_IOV + 1];
	XXH3_state_t *st;
	uint64_t len = 0, csum;

	if (n < 0 || n > MAX_IOV)
		return fail(ch, "internal: too many buffers");
	for (int i = 0; i < n; i++)
		len += iov[i].iov_len;
	if (len > UINT32_MAX)
		return fail(ch, "internal: section too large");
	memset(hdr, 0, sizeof(hdr));
	put_header(ch, hdr, type, version, (uint32_t)len);
	if (ch->sealed) {
		if (send_sealed(ch, hdr, iov, n, (size_t)len))
			return -1;
		ch->send_seq++;
		return 0;
	}
	st = XXH3_createState();
	if (!st)
		return fail(ch, "out of memory");
	XXH3_64bits_reset_withSeed(st, header_seed(hdr));
	for (int i = 0; i < n; i++)
		XXH3_64bits_update(st, iov[i].iov_base, iov[i].iov_len);
	csum = XXH3_64bits_digest(st);
	XXH3_freeState(st);
	put32(hdr + 16, (uint32_t)csum);
	put32(hdr + 20, (uint32_t)(csum >> 32));
	v[0].iov_base = hdr;
	v[0].iov_len = sizeof(hdr);
	memcpy(v + 1, iov, (size_t)n * sizeof(*iov));
	if (write_iov(ch, v, n + 1))
		return -1;
	ch->send_seq++;
	return 0;
}

int mig_send_buf(struct mig_chan *ch, uint16_t type, uint16_t version,
		 const void *buf, size_t len)
{
	struct iovec v = { (void *)buf, len };

	return mig_send(ch, type, version, &v, len ? 1 : 0);
}

static int read_iov(struct mig_chan *ch, struct iovec *iov, int n)
{
	while (n > 0) {
		ssize_t r = readv(ch->fd, iov, n);

		if (r < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK) {
				if (wait_fd(ch, POLLIN, -1))
					return -1;
				continue;
			}
			return fail(ch, "connection lost: %s", strerror(errno));
		}
		if (r == 0)
			return fail(ch, "connection closed by the peer");
		ch->bytes_recv += (uint64_t)r;
		while (n > 0 && (size_t)r >= iov->iov_len) {
			r -= (ssize_t)iov->iov_len;
			iov++;
			n--;
		}
		if (n > 0) {
			iov->iov_base = (uint8_t *)iov->iov_base + r;
			iov->iov_len -= (size_t)r;
		}
	}
	return 0;
}

int mig_recv_hdr(struct mig_chan *ch, struct mig_hdr *h, uint32_t max_len)
{
	uint8_t hdr[MIG_HDR_SIZE];
	struct iovec v = { hdr, sizeof(hdr) };
	uint32_t magic;

	if (read_iov(ch, &v, 1))
		return -1;
	magic = get32(hdr);
	h->type = (uint16_t)(hdr[4] | hdr[5] << 8);
	h->version = (uint16_t)(hdr[6] | hdr[7] << 8);
	h->length = get32(hdr + 8);
	h->seq = get32(hdr + 12);
	memcpy(h->tag, hdr + MIG_AAD_SIZE, sizeof(h->tag));
	if (magic != MIG_MAGIC)
		return fail(ch, "stream corrupt: bad section magic 0x%08x", magic);
	if (h->seq != (uint32_t)ch->recv_seq)
		return fail(ch, "stream corrupt: record %u arrived where %u was due",
			    h->seq, (uint32_t)ch->recv_seq);
	if (h->length > max_len)
		return fail(ch, "stream corrupt: %s section of %u bytes (limit %u)",
			    mig_section_name(h->type), h->length, max_len);
	if (ch->sealed) {
		if (seal_begin(&ch->rx, ch->recv_seq, hdr, MIG_AAD_SIZE))
			return fail(ch, "decryption failed");
	} else {
		XXH3_64bits_reset_withSeed(ch->xs, header_seed(hdr));
	}
	ch->recv_seq++;
	return 0;
}

/* Sealed: len bytes of ciphertext through rbuf, a small buffer that stays
 * in cache, decrypted from there into dst (one write of the destination
 * memory, not a write by the kernel and a read and write by the
 * decryption); dst NULL: decrypted in rbuf and dropped. */
static int open_through_rbuf(struct mig_chan *ch, uint8_t *dst, size_t len)
{
	while (len) {
		size_t step = len < MIG_RBUF_SIZE ? len : MIG_RBUF_SIZE;
		struct iovec v = { ch->rbuf, step };

		if (read_iov(ch, &v, 1))
			return -1;
		if (seal_update(&ch->rx, ch->rbuf, dst ? dst : ch->rbuf, step))
			return fail(ch, "decryption failed");
		if (dst)
			dst += step;
		len -= step;
	}
	return 0;
}

static int auth_failed(struct mig_chan *ch, const struct mig_hdr *h)
{
	return fail(ch, "stream corrupt: %s record %u failed authentication "
		    "(tampered with, or not sealed with this migration's key)",
		    mig_section_name(h->type), h->seq);
}

int mig_recv_iov(struct mig_chan *ch, const struct iovec *iov, int n)
{
	struct iovec v[MAX_IOV];

	if (n < 0 || n > MAX_IOV)
		return fail(ch, "internal: too many buffers");
	if (ch->sealed) {
		for (int i = 0; i < n; i++)
			if (open_through_rbuf(ch, iov[i].iov_base, iov[i].iov_len))
				return -1;
		return 0;
	}
	memcpy(v, iov, (size_t)n * sizeof(*iov));
	if (read_iov(ch, v, n))
		return -1;
	for (int i = 0; i < n; i++)
		XXH3_64bits_update(ch->xs, iov[i].iov_base, iov[i].iov_len);
	return 0;
}

int mig_recv_part(struct mig_chan *ch, void *buf, size_t len)
{
	struct iovec v = { buf, len };

	return len ? mig_recv_iov(ch, &v, 1) : 0;
}

int mig_recv_reject(struct mig_chan *ch, const struct mig_hdr *h, uint64_t consumed,
		    const char *why)
{
	uint8_t tag[SEAL_TAG_SIZE];
	uint64_t left = h->length > consumed ? h->length - consumed : 0;

	if (ch->sealed) {
		/* a sealed record's contents mean nothing before its tag: a
		 * forged or misplaced record is reported as such */
		memcpy(tag, h->tag, sizeof(tag));
		if (open_through_rbuf(ch, NULL, left) || seal_final(&ch->rx, tag)) {
			ch->err[0] = 0;
			return auth_failed(ch, h);
		}
	}
	ch->err[0] = 0;
	return fail(ch, "%s", why);
}

int mig_recv_done(struct mig_chan *ch, const struct mig_hdr *h)
{
	uint8_t tag[SEAL_TAG_SIZE];

	if (ch->sealed) {
		memcpy(tag, h->tag, sizeof(tag));
		return seal_final(&ch->rx, tag) ? auth_failed(ch, h) : 0;
	}
	if (XXH3_64bits_digest(ch->xs) != ((uint64_t)get32(h->tag) | (uint64_t)get32(h->tag + 4) << 32) ||
	    get32(h->tag + 8) || get32(h->tag + 12))
		return fail(ch, "stream corrupt: checksum mismatch in %s section %u",
			    mig_section_name(h->type), h->seq);
	return 0;
}

int mig_recv_section(struct mig_chan *ch, struct mig_hdr *h, uint32_t max_len,
		     uint8_t **payload)
{
	uint8_t *p;

	*payload = NULL;
	if (mig_recv_hdr(ch, h, max_len))
		return -1;
	p = malloc((size_t)h->length + 1);
	if (!p)
		return fail(ch, "out of memory");
	if (mig_recv_part(ch, p, h->length) || mig_recv_done(ch, h)) {
		free(p);
		return -1;
	}
	p[h->length] = 0;
	*payload = p;
	return 0;
}

int mig_chan_write_raw(struct mig_chan *ch, const void *buf, size_t len)
{
	struct iovec v = { (void *)buf, len };

	return write_iov(ch, &v, 1);
}

int mig_chan_read_raw(struct mig_chan *ch, void *buf, size_t len)
{
	struct iovec v = { buf, len };

	return read_iov(ch, &v, 1);
}
