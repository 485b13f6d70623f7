/*
 * seal.c - AES-256-GCM records and their key schedule (see seal.h), on
 * OpenSSL 3's EVP and EVP_KDF interfaces.
 */
#include "migration/seal.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <openssl/rand.h>
#include <string.h>

static const char info_s2d[] = "godwit migration v2 s2d";
static const char info_d2s[] = "godwit migration v2 d2s";
static const char info_rekey[] = "godwit migration v2 rekey";

/* HKDF-SHA256; salt NULL: expand only (ikm is then the PRK). */
static int hkdf(const uint8_t *ikm, size_t ikmlen, const uint8_t *salt, size_t saltlen,
		const char *info, uint8_t *out, size_t outlen)
{
	EVP_KDF *kdf = EVP_KDF_fetch(NULL, "HKDF", NULL);
	EVP_KDF_CTX *kc = kdf ? EVP_KDF_CTX_new(kdf) : NULL;
	int mode = salt ? EVP_KDF_HKDF_MODE_EXTRACT_AND_EXPAND : EVP_KDF_HKDF_MODE_EXPAND_ONLY;
	OSSL_PARAM p[6], *q = p;
	int rc = -1;

	if (!kc)
		goto out;
	*q++ = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)"SHA256", 0);
	*q++ = OSSL_PARAM_construct_int(OSSL_KDF_PARAM_MODE, &mode);
	*q++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, (void *)ikm, ikmlen);
	if (salt)
		*q++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, (void *)salt, saltlen);
	*q++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, (void *)info, strlen(info));
	*q = OSSL_PARAM_construct_end();
	if (EVP_KDF_derive(kc, out, outlen, p) == 1)
		rc = 0;
out:
	EVP_KDF_CTX_free(kc);
	EVP_KDF_free(kdf);
	return rc;
}

static int load_key(struct seal *s)
{
	EVP_CIPHER_CTX *c = s->ctx;

	if (s->encrypt)
		return EVP_EncryptInit_ex(c, EVP_aes_256_gcm(), NULL, s->key, NULL) == 1 ? 0 : -1;
	return EVP_DecryptInit_ex(c, EVP_aes_256_gcm(), NULL, s->key, NULL) == 1 ? 0 : -1;
}

int seal_init(struct seal *s, const uint8_t mkey[SEAL_KEY_SIZE], const uint8_t *salt,
	      size_t saltlen, enum seal_dir dir, int encrypt)
{
	memset(s, 0, sizeof(*s));
	s->dir = dir;
	s->encrypt = encrypt;
	s->rekey_every = SEAL_REKEY_RECORDS;
	s->ctx = EVP_CIPHER_CTX_new();
	if (!s->ctx)
		return -1;
	if (hkdf(mkey, SEAL_KEY_SIZE, salt, saltlen, dir == SEAL_S2D ? info_s2d : info_d2s,
		 s->key, sizeof(s->key)) || load_key(s)) {
		seal_destroy(s);
		return -1;
	}
	return 0;
}

void seal_destroy(struct seal *s)
{
	EVP_CIPHER_CTX_free(s->ctx);
	s->ctx = NULL;
	OPENSSL_cleanse(s->key, sizeof(s->key));
}

static int rekey(struct seal *s)
{
	uint8_t next[SEAL_KEY_SIZE];
	int rc;

	rc = hkdf(s->key, sizeof(s->key), NULL, 0, info_rekey, next, sizeof(next));
	if (rc == 0) {
		memcpy(s->key, next, sizeof(next));
		rc = load_key(s);
		s->since_rekey = 0;
		s->rekeys++;
	}
	OPENSSL_cleanse(next, sizeof(next));
	return rc;
}

int seal_begin(struct seal *s, uint64_t n, const uint8_t *aad, size_t aadlen)
{
	uint8_t iv[12];
	int outl;

	if (!s->ctx)
		return -1;
	if (s->since_rekey >= s->rekey_every && rekey(s))
		return -1;
	for (int i = 0; i < 4; i++)
		iv[i] = (uint8_t)(s->dir >> (24 - 8 * i));
	for (int i = 0; i < 8; i++)
		iv[4 + i] = (uint8_t)(n >> (56 - 8 * i));
	if (s->encrypt) {
		if (EVP_EncryptInit_ex(s->ctx, NULL, NULL, NULL, iv) != 1 ||
		    EVP_EncryptUpdate(s->ctx, NULL, &outl, aad, (int)aadlen) != 1)
			return -1;
	} else {
		if (EVP_DecryptInit_ex(s->ctx, NULL, NULL, NULL, iv) != 1 ||
		    EVP_DecryptUpdate(s->ctx, NULL, &outl, aad, (int)aadlen) != 1)
			return -1;
	}
	return 0;
}

int seal_update(struct seal *s, const uint8_t *in, uint8_t *out, size_t len)
{
	while (len > 0) {
		int step = len > (1u << 30) ? 1 << 30 : (int)len, outl = 0;

		if (s->encrypt ? EVP_EncryptUpdate(s->ctx, out, &outl, in, step) != 1
			       : EVP_DecryptUpdate(s->ctx, out, &outl, in, step) != 1)
			return -1;
		if (outl != step) /* GCM is a stream mode: all in, all out */
			return -1;
		in += step;
		out += step;
		len -= (size_t)step;
	}
	return 0;
}

int seal_final(struct seal *s, uint8_t tag[SEAL_TAG_SIZE])
{
	uint8_t end[16];
	int outl = 0, rc;

	s->since_rekey++;
	if (s->encrypt)
		rc = EVP_EncryptFinal_ex(s->ctx, end, &outl) == 1 &&
		     EVP_CIPHER_CTX_ctrl(s->ctx, EVP_CTRL_GCM_GET_TAG, SEAL_TAG_SIZE, tag) == 1
			     ? 0 : -1;
	else
		rc = EVP_CIPHER_CTX_ctrl(s->ctx, EVP_CTRL_GCM_SET_TAG, SEAL_TAG_SIZE, tag) == 1 &&
		     EVP_DecryptFinal_ex(s->ctx, end, &outl) == 1
			     ? 0 : -1;
	return rc;
}

int seal_random(uint8_t *buf, size_t len)
{
	return RAND_bytes(buf, (int)len) == 1 ? 0 : -1;
}

void seal_wipe(void *p, size_t len)
{
	OPENSSL_cleanse(p, len);
}
