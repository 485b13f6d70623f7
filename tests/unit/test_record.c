/*
 * test_record.c - the migration stream's record layer and key exchange
 * over a socketpair: sealed records round-trip, every tampered, replayed,
 * reordered or truncated record is refused, the key schedule rekeys on
 * both sides alike, and the handshake lets only a peer with the same key
 * (and the same mode) through. Also the URI parser shared by the VMM and
 * the CLI.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lib/uri.h"
#include "migration/handshake.h"
#include "migration/seal.h"
#include "migration/stream.h"

static const uint8_t key_a[SEAL_KEY_SIZE] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 };
static const uint8_t key_b[SEAL_KEY_SIZE] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 11 };
static const uint8_t salt[96] = { 42 };

struct pair {
	struct mig_chan src, dst;
};

static void open_pair(struct pair *p, const uint8_t *ks, const uint8_t *kd)
{
	int sv[2];

	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	assert_int_equal(mig_chan_init(&p->src, sv[0], NULL, 2000), 0);
	assert_int_equal(mig_chan_init(&p->dst, sv[1], NULL, 2000), 0);
	if (ks)
		assert_int_equal(mig_chan_seal(&p->src, ks, salt, sizeof(salt), true), 0);
	if (kd)
		assert_int_equal(mig_chan_seal(&p->dst, kd, salt, sizeof(salt), false), 0);
}

static void close_pair(struct pair *p)
{
	mig_chan_close(&p->src);
	mig_chan_close(&p->dst);
}

/* Receive one record of at most max bytes into buf: 0 or -1. */
static int recv_one(struct mig_chan *ch, uint16_t *type, uint8_t *buf, uint32_t max, uint32_t *len)
{
	struct mig_hdr h;

	if (mig_recv_hdr(ch, &h, max))
		return -1;
	*type = h.type;
	*len = h.length;
	if (mig_recv_part(ch, buf, h.length))
		return -1;
	return mig_recv_done(ch, &h);
}

static void test_roundtrip(void **state)
{
	struct pair p;
	uint8_t big[100000], got[100000];
	uint16_t type;
	uint32_t len;

	(void)state;
	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (uint8_t)(i * 7);
	open_pair(&p, key_a, key_a);
	assert_int_equal(mig_send_buf(&p.src, MIG_SEC_HELLO, 1, "hi", 2), 0);
	assert_int_equal(mig_send_buf(&p.src, MIG_SEC_END, 1, NULL, 0), 0);
	assert_int_equal(recv_one(&p.dst, &type, got, sizeof(got), &len), 0);
	assert_int_equal(type, MIG_SEC_HELLO);
	assert_memory_equal(got, "hi", 2);
	assert_int_equal(recv_one(&p.dst, &type, got, sizeof(got), &len), 0);
	assert_int_equal(len, 0);
	/* the other direction, and a big record in pieces */
	{
		struct iovec v[3] = { { big, 10 }, { big + 10, 50000 }, { big + 50010, 49990 } };
		assert_int_equal(mig_send(&p.dst, MIG_SEC_ACK, 1, v, 3), 0);
	}
	assert_int_equal(recv_one(&p.src, &type, got, sizeof(got), &len), 0);
	assert_int_equal(len, sizeof(big));
	assert_memory_equal(got, big, sizeof(big));
	close_pair(&p);
}

/* The bytes on the wire are not the plaintext. */
static void test_ciphertext(void **state)
{
	struct pair p;
	uint8_t wire[64 + MIG_HDR_SIZE];
	const char msg[] = "guest secret guest secret guest secret";

	(void)state;
	open_pair(&p, key_a, NULL);
	assert_int_equal(mig_send_buf(&p.src, MIG_SEC_HELLO, 1, msg, sizeof(msg)), 0);
	assert_int_equal(read(p.dst.fd, wire, MIG_HDR_SIZE + sizeof(msg)),
			 (ssize_t)(MIG_HDR_SIZE + sizeof(msg)));
	assert_null(memmem(wire, sizeof(wire), "secret", 6));
	close_pair(&p);
}

/* A byte flipped anywhere (header or payload) and the record is refused. */
static void test_tamper(void **state)
{
	(void)state;
	for (int pos = 0; pos < MIG_HDR_SIZE + 8; pos++) {
		struct pair p;
		int sv[2];
		uint8_t wire[MIG_HDR_SIZE + 8], got[64];
		uint16_t type;
		uint32_t len;

		open_pair(&p, key_a, key_a);
		/* capture the record from a second sealed sender */
		assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
		{
			struct mig_chan tx;
			assert_int_equal(mig_chan_init(&tx, sv[0], NULL, 2000), 0);
			assert_int_equal(mig_chan_seal(&tx, key_a, salt, sizeof(salt), true), 0);
			assert_int_equal(mig_send_buf(&tx, MIG_SEC_HELLO, 1, "12345678", 8), 0);
			mig_chan_close(&tx);
		}
		assert_int_equal(read(sv[1], wire, sizeof(wire)), (ssize_t)sizeof(wire));
		close(sv[1]);
		wire[pos] ^= 0x20;
		assert_int_equal(write(p.src.fd, wire, sizeof(wire)), (ssize_t)sizeof(wire));
		assert_int_equal(recv_one(&p.dst, &type, got, sizeof(got), &len), -1);
		assert_true(p.dst.err[0] != 0);
		close_pair(&p);
	}
}

/* The same record twice (replay), or one skipped (reorder, drop): refused. */
static void test_replay_reorder(void **state)
{
	struct pair p;
	uint8_t rec[2][MIG_HDR_SIZE + 4], got[16];
	uint16_t type;
	uint32_t len;
	int sv[2];
	struct mig_chan tx;

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	assert_int_equal(mig_chan_init(&tx, sv[0], NULL, 2000), 0);
	assert_int_equal(mig_chan_seal(&tx, key_a, salt, sizeof(salt), true), 0);
	assert_int_equal(mig_send_buf(&tx, MIG_SEC_ROUND, 1, "aaaa", 4), 0);
	assert_int_equal(mig_send_buf(&tx, MIG_SEC_ROUND, 1, "bbbb", 4), 0);
	mig_chan_close(&tx);
	assert_int_equal(read(sv[1], rec, sizeof(rec)), (ssize_t)sizeof(rec));
	close(sv[1]);

	open_pair(&p, NULL, key_a); /* replay: 0, 0 */
	assert_int_equal(write(p.src.fd, rec[0], sizeof(rec[0])), (ssize_t)sizeof(rec[0]));
	assert_int_equal(write(p.src.fd, rec[0], sizeof(rec[0])), (ssize_t)sizeof(rec[0]));
	assert_int_equal(recv_one(&p.dst, &type, got, sizeof(got), &len), 0);
	assert_int_equal(recv_one(&p.dst, &type, got, sizeof(got), &len), -1);
	close_pair(&p);

	open_pair(&p, NULL, key_a); /* reorder: 1 first */
	assert_int_equal(write(p.src.fd, rec[1], sizeof(rec[1])), (ssize_t)sizeof(rec[1]));
	assert_int_equal(recv_one(&p.dst, &type, got, sizeof(got), &len), -1);
	close_pair(&p);

	/* a record re-numbered to pass the sequence check still fails its tag */
	open_pair(&p, NULL, key_a);
	rec[1][12] = 0;
	assert_int_equal(write(p.src.fd, rec[1], sizeof(rec[1])), (ssize_t)sizeof(rec[1]));
	assert_int_equal(recv_one(&p.dst, &type, got, sizeof(got), &len), -1);
	assert_non_null(strstr(p.dst.err, "authentication"));
	close_pair(&p);

	open_pair(&p, NULL, key_a); /* truncated: half a record, then EOF */
	assert_int_equal(write(p.src.fd, rec[0], sizeof(rec[0]) - 3), (ssize_t)sizeof(rec[0]) - 3);
	shutdown(p.src.fd, SHUT_WR);
	assert_int_equal(recv_one(&p.dst, &type, got, sizeof(got), &len), -1);
	close_pair(&p);
}

/* Another key opens nothing. */
static void test_wrong_key(void **state)
{
	struct pair p;
	uint8_t got[16];
	uint16_t type;
	uint32_t len;

	(void)state;
	open_pair(&p, key_a, key_b);
	assert_int_equal(mig_send_buf(&p.src, MIG_SEC_HELLO, 1, "hi", 2), 0);
	assert_int_equal(recv_one(&p.dst, &type, got, sizeof(got), &len), -1);
	close_pair(&p);
}

/* Both sides rekey after the same number of records; a side that does
 * not rekey cannot read past that point, so the rekey really happened. */
static void test_rekey(void **state)
{
	struct pair p;
	uint8_t got[16];
	uint16_t type;
	uint32_t len;

	(void)state;
	open_pair(&p, key_a, key_a);
	p.src.tx.rekey_every = 3;
	p.dst.rx.rekey_every = 3;
	for (int i = 0; i < 20; i++) {
		assert_int_equal(mig_send_buf(&p.src, MIG_SEC_ROUND, 1, &i, sizeof(i)), 0);
		assert_int_equal(recv_one(&p.dst, &type, got, sizeof(got), &len), 0);
		assert_memory_equal(got, &i, sizeof(i));
	}
	assert_int_equal(p.src.tx.rekeys, 6);
	assert_int_equal(p.dst.rx.rekeys, 6);
	close_pair(&p);

	open_pair(&p, key_a, key_a);
	p.src.tx.rekey_every = 3; /* the receiver keeps its key */
	for (int i = 0; i < 3; i++) {
		assert_int_equal(mig_send_buf(&p.src, MIG_SEC_ROUND, 1, &i, sizeof(i)), 0);
		assert_int_equal(recv_one(&p.dst, &type, got, sizeof(got), &len), 0);
	}
	assert_int_equal(mig_send_buf(&p.src, MIG_SEC_ROUND, 1, "x", 1), 0);
	assert_int_equal(recv_one(&p.dst, &type, got, sizeof(got), &len), -1);
	close_pair(&p);
}

/* The key exchange, both sides on threads. */
struct hs {
	struct mig_chan ch;
	struct mig_secret *sec;
	int rc;
	bool source;
};

static void *hs_run(void *arg)
{
	struct hs *h = arg;

	h->rc = h->source ? mig_handshake_source(&h->ch, h->sec) : mig_handshake_dest(&h->ch, h->sec);
	if (h->rc)
		shutdown(h->ch.fd, SHUT_RDWR); /* as the VMM does: drop the connection */
	return NULL;
}

static void handshake(const char *ks, bool ps, const char *kd, bool pd, int *rs, int *rd,
		      char *serr, char *derr)
{
	struct hs s = { .source = true }, d = { .source = false };
	pthread_t t;
	int sv[2];

	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	assert_int_equal(mig_chan_init(&s.ch, sv[0], NULL, 2000), 0);
	assert_int_equal(mig_chan_init(&d.ch, sv[1], NULL, 2000), 0);
	s.sec = mig_secret_new();
	d.sec = mig_secret_new();
	assert_non_null(s.sec);
	assert_non_null(d.sec);
	s.sec->plain = ps;
	d.sec->plain = pd;
	if (ks)
		assert_int_equal(mig_secret_set_hex(s.sec, ks), 0);
	if (kd)
		assert_int_equal(mig_secret_set_hex(d.sec, kd), 0);
	assert_int_equal(pthread_create(&t, NULL, hs_run, &d), 0);
	hs_run(&s);
	pthread_join(t, NULL);
	*rs = s.rc;
	*rd = d.rc;
	strcpy(serr, s.ch.err);
	strcpy(derr, d.ch.err);
	if (!s.rc && !d.rc) { /* the channel works both ways afterwards */
		uint8_t got[8];
		uint16_t type;
		uint32_t len;
		assert_int_equal(mig_send_buf(&s.ch, MIG_SEC_HELLO, 1, "ok", 2), 0);
		assert_int_equal(recv_one(&d.ch, &type, got, sizeof(got), &len), 0);
		assert_memory_equal(got, "ok", 2);
	}
	mig_secret_free(s.sec);
	mig_secret_free(d.sec);
	mig_chan_close(&s.ch);
	mig_chan_close(&d.ch);
}

#define K1 "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"
#define K2 "00112233445566778899aabbccddeeff00112233445566778899aabbccddeef0"

static void test_handshake(void **state)
{
	char se[256], de[256];
	int rs, rd;

	(void)state;
	handshake(K1, false, K1, false, &rs, &rd, se, de);
	assert_int_equal(rs, 0);
	assert_int_equal(rd, 0);

	handshake(K1, false, K2, false, &rs, &rd, se, de); /* wrong key */
	assert_int_equal(rs, -1);
	assert_int_equal(rd, -1);
	assert_non_null(strstr(de, "could not prove"));
	assert_non_null(strstr(se, "keys differ"));

	handshake(NULL, true, K1, false, &rs, &rd, se, de); /* plain peer, encrypted dest */
	assert_int_equal(rs, -1);
	assert_int_equal(rd, -1);
	assert_non_null(strstr(se, "requires an encrypted stream"));

	handshake(K1, false, NULL, true, &rs, &rd, se, de); /* encrypted peer, plain dest */
	assert_int_equal(rs, -1);
	assert_non_null(strstr(se, "plain mode"));

	handshake(NULL, true, NULL, true, &rs, &rd, se, de); /* both plain: explicit */
	assert_int_equal(rs, 0);
	assert_int_equal(rd, 0);

	handshake(NULL, false, K1, false, &rs, &rd, se, de); /* no key at the source */
	assert_int_equal(rs, -1);
	assert_non_null(strstr(se, "no migration key"));
}

static void test_secret(void **state)
{
	struct mig_secret *s = mig_secret_new();

	(void)state;
	assert_non_null(s);
	assert_int_equal(mig_secret_set_hex(s, "xyz"), -1);
	assert_int_equal(mig_secret_set_hex(s, K1 "00"), -1);
	assert_int_equal(mig_secret_set_hex(s, "0000000000000000000000000000000000000000000000000000000000000000"), -1);
	assert_false(s->have_key);
	assert_int_equal(mig_secret_set_hex(s, K1), 0);
	assert_true(s->have_key);
	mig_secret_wipe(s);
	assert_false(s->have_key);
	for (int i = 0; i < SEAL_KEY_SIZE; i++)
		assert_int_equal(s->key[i], 0);
	mig_secret_free(s);
}

static void test_uri(void **state)
{
	struct uri u;
	char err[256];

	(void)state;
	assert_int_equal(uri_parse("tcp:127.0.0.1:4444", false, &u, err, sizeof(err)), 0);
	assert_string_equal(u.host, "127.0.0.1");
	assert_int_equal(u.port_num, 4444);
	assert_int_equal(uri_parse("tcp:[::1]:80", false, &u, err, sizeof(err)), 0);
	assert_string_equal(u.host, "::1");
	assert_int_equal(uri_parse("tcp::4444", true, &u, err, sizeof(err)), 0);
	assert_string_equal(u.host, "");
	assert_int_equal(uri_parse("tcp::4444", false, &u, err, sizeof(err)), -1);
	assert_int_equal(uri_parse("tcp:h:0", false, &u, err, sizeof(err)), -1);
	assert_int_equal(uri_parse("tcp:h:65536", false, &u, err, sizeof(err)), -1);
	assert_int_equal(uri_parse("tcp:h:12a", false, &u, err, sizeof(err)), -1);
	assert_int_equal(uri_parse("tcp:::1:80", false, &u, err, sizeof(err)), -1);
	assert_int_equal(uri_parse("unix:/x", false, &u, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "tcp:HOST:PORT"));
	assert_int_equal(uri_parse("tcp:h:", false, &u, err, sizeof(err)), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_ciphertext),
		cmocka_unit_test(test_tamper),
		cmocka_unit_test(test_replay_reorder),
		cmocka_unit_test(test_wrong_key),
		cmocka_unit_test(test_rekey),
		cmocka_unit_test(test_handshake),
		cmocka_unit_test(test_secret),
		cmocka_unit_test(test_uri),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
