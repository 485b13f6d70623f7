/*
 * seal.h - the migration stream's record protection: AES-256-GCM (OpenSSL
 * EVP) in one direction of one connection, and the key schedule behind it.
 *
 * Keys: the migration key K (256 bits, made for one migration by whoever
 * drives it, handed to both VMMs over QMP) never protects a record itself.
 * Each connection derives its own keys with HKDF-SHA256:
 *   salt = the source's preamble || the destination's preamble (both carry
 *          32 random bytes, the protocol version and the mode)
 *   k(source->destination) = HKDF(K, salt, "godwit migration v2 s2d")
 *   k(destination->source) = HKDF(K, salt, "godwit migration v2 d2s")
 * so a stream recorded from another connection, even with the same K,
 * never authenticates here.
 * Nonce of record n: u32 direction (big-endian) || u64 n (big-endian); the
 * record's 16-byte header is the additional authenticated data. Every
 * `rekey_every` records both sides replace the direction's key with
 * HKDF-Expand(key, "godwit migration v2 rekey"), well before AES-GCM's
 * usage limits (records are at most a few MiB: 2^16 of them stay under
 * 2^38 bytes per key).
 *
 * Invariants: a seal holds no copy of K; key bytes on the stack are wiped
 * before return; seal_destroy() frees the OpenSSL context, which wipes its
 * key schedule.
 */
#ifndef GODWIT_MIGRATION_SEAL_H
#define GODWIT_MIGRATION_SEAL_H

#include <stddef.h>
#include <stdint.h>

#define SEAL_KEY_SIZE 32
#define SEAL_TAG_SIZE 16
#define SEAL_REKEY_RECORDS 65536u

enum seal_dir { SEAL_S2D = 1, SEAL_D2S = 2 };

struct seal {
	void *ctx;              /* EVP_CIPHER_CTX */
	uint8_t key[SEAL_KEY_SIZE];
	uint32_t dir;
	uint64_t since_rekey;   /* records under the current key */
	uint64_t rekey_every;   /* SEAL_REKEY_RECORDS; tests make it small */
	uint64_t rekeys;
	int encrypt;            /* 1: this side seals, 0: it opens */
};

/* Derive the key of direction dir from the migration key and the salt
 * (both preambles). encrypt: this side writes that direction. 0 or -1. */
int seal_init(struct seal *s, const uint8_t mkey[SEAL_KEY_SIZE], const uint8_t *salt,
	      size_t saltlen, enum seal_dir dir, int encrypt);
void seal_destroy(struct seal *s);

/* Start record n: nonce from dir and n, aad authenticated. 0 or -1. */
int seal_begin(struct seal *s, uint64_t n, const uint8_t *aad, size_t aadlen);
/* Encrypt (or decrypt) len bytes from in to out; in == out is allowed. */
int seal_update(struct seal *s, const uint8_t *in, uint8_t *out, size_t len);
/* Sealing: write the tag. Opening: check it; -1 if the record is not
 * authentic. Either way the record is over (and a rekey may follow). */
int seal_final(struct seal *s, uint8_t tag[SEAL_TAG_SIZE]);

/* 256 random bits (a fresh migration key or a preamble nonce): 0 or -1. */
int seal_random(uint8_t *buf, size_t len);
/* Wipe memory the compiler may not elide (OPENSSL_cleanse). */
void seal_wipe(void *p, size_t len);

#endif
