/*
 * args.c - parses the boot arguments: space-separated key=value words
 * (mem, fill, rate, period, verify, vrate; see README.md). A word with an
 * unknown key, or a known key with a bad or out-of-range value, prints one
 * warning line and changes nothing, so the defaults below always leave a
 * valid configuration.
 */
#include "migtest.h"

#define RATE_MAX 100000ull   /* MB/s */
#define PERIOD_MAX 1000ull   /* ms */
#define MEM_MAX (1ull << 24) /* MiB */

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static int streq(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return *a == *b;
}

/* Decimal in [lo, hi] into *v; -1 if s is not one. */
static int parse_u64(const char *s, uint64_t lo, uint64_t hi, uint64_t *v)
{
	uint64_t n = 0;

	if (!*s)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || n > (UINT64_MAX - 9) / 10)
			return -1;
		n = n * 10 + (uint64_t)(*s - '0');
	}
	if (n < lo || n > hi)
		return -1;
	*v = n;
	return 0;
}

/* Apply one key=value; 0 if it was understood. */
static int apply(const char *key, const char *val, struct mt_config *c)
{
	uint64_t v;

	if (streq(key, "fill")) {
		if (streq(val, "random"))
			c->fill_random = 1;
		else if (streq(val, "zero"))
			c->fill_random = 0;
		else
			return -1;
		return 0;
	}
	if (streq(key, "mem") && !parse_u64(val, 1, MEM_MAX, &v))
		c->mem_mib = v;
	else if (streq(key, "rate") && !parse_u64(val, 0, RATE_MAX, &v))
		c->rate = v;
	else if (streq(key, "period") && !parse_u64(val, 1, PERIOD_MAX, &v))
		c->period_ms = v;
	else if (streq(key, "verify") && !parse_u64(val, 0, 1, &v))
		c->verify = (int)v;
	else if (streq(key, "vrate") && !parse_u64(val, 1, RATE_MAX, &v))
		c->vrate = v;
	else
		return -1;
	return 0;
}

void args_parse(char *s, struct mt_config *c)
{
	c->mem_mib = 0;
	c->fill_random = 1;
	c->rate = 0;
	c->period_ms = 5;
	c->verify = 0;
	c->vrate = 32;
	while (*s) {
		char *word, *eq = NULL;

		while (is_space(*s))
			s++;
		if (!*s)
			break;
		word = s;
		for (; *s && !is_space(*s); s++)
			if (*s == '=' && !eq)
				eq = s;
		if (*s)
			*s++ = 0;
		if (eq) {
			*eq = 0;
			if (!apply(word, eq + 1, c))
				continue;
			*eq = '=';
		}
		out_str("migtest: warning: ignoring argument '");
		out_str(word);
		out_str("'\n");
	}
}
