/*
 * cmdline.c - parse the godwit.* parameters of the kernel command line:
 *
 *   godwit.ip=ADDR/PREFIX         static IPv4 address for eth0 (prefix 0-32)
 *   godwit.gw=ADDR                default gateway (needs godwit.ip)
 *   godwit.dirty=RATE_MB_S,SIZE_MB  memory workload (rate 0-100000, size 1-65536)
 *   godwit.poweroff_after=SECONDS power off after this long (decimal, > 0)
 *   godwit.diskload=KB_S,MB,SECS  write and check a pattern on raw /dev/vda
 *   godwit.smp=THREADS            all-CPU workload with THREADS threads (1-64);
 *                                 with godwit.dirty, its threads do the dirtying
 *   godwit.disktest=BOOTS         write/verify a file on /dev/vda (ext2) and
 *                                 reboot until BOOTS boots ran (1-100)
 *
 * Anything malformed or out of range is reported on the console and ignored;
 * other parameters are not ours and are skipped silently.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "init.h"

#define TOKEN_MAX 128

/* Parses a decimal unsigned integer in [lo, hi] spanning all of s. */
static int parse_uint(const char *s, unsigned long lo, unsigned long hi, unsigned long *out)
{
	char *end;
	unsigned long v;

	if (!isdigit((unsigned char)s[0]))
		return -1;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

static int parse_ip_prefix(const char *val, struct gw_config *cfg)
{
	char buf[TOKEN_MAX];
	char *slash;
	unsigned long prefix;
	struct in_addr addr;

	if (strlen(val) >= sizeof(buf))
		return -1;
	strcpy(buf, val);
	slash = strchr(buf, '/');
	if (!slash)
		return -1;
	*slash = '\0';
	if (inet_pton(AF_INET, buf, &addr) != 1)
		return -1;
	if (parse_uint(slash + 1, 0, 32, &prefix) != 0)
		return -1;
	cfg->ip = addr.s_addr;
	cfg->prefix = (unsigned)prefix;
	cfg->mask = prefix == 0 ? 0 : htonl(0xffffffffu << (32 - prefix));
	cfg->have_ip = 1;
	return 0;
}

static int parse_gw(const char *val, struct gw_config *cfg)
{
	struct in_addr addr;

	if (inet_pton(AF_INET, val, &addr) != 1)
		return -1;
	cfg->gw = addr.s_addr;
	cfg->have_gw = 1;
	return 0;
}

static int parse_dirty(const char *val, struct gw_config *cfg)
{
	char buf[TOKEN_MAX];
	char *comma;
	unsigned long rate, size;

	if (strlen(val) >= sizeof(buf))
		return -1;
	strcpy(buf, val);
	comma = strchr(buf, ',');
	if (!comma)
		return -1;
	*comma = '\0';
	if (parse_uint(buf, 0, 100000, &rate) != 0 || parse_uint(comma + 1, 1, 65536, &size) != 0)
		return -1;
	cfg->dirty_rate_mb = (unsigned)rate;
	cfg->dirty_size_mb = (unsigned)size;
	cfg->have_dirty = 1;
	return 0;
}

/* RATE_KB_S,SIZE_MB,SECONDS */
static int parse_diskload(const char *val, struct gw_config *cfg)
{
	unsigned long rate, size, secs;
	char buf[TOKEN_MAX], *c1, *c2;

	if (strlen(val) >= sizeof(buf))
		return -1;
	strcpy(buf, val);
	c1 = strchr(buf, ',');
	c2 = c1 ? strchr(c1 + 1, ',') : NULL;
	if (!c2)
		return -1;
	*c1 = *c2 = '\0';
	if (parse_uint(buf, 0, 1000000, &rate) || parse_uint(c1 + 1, 1, 4096, &size) ||
	    parse_uint(c2 + 1, 1, 86400, &secs))
		return -1;
	cfg->diskload_rate_kb = (unsigned)rate;
	cfg->diskload_size_mb = (unsigned)size;
	cfg->diskload_seconds = (unsigned)secs;
	cfg->have_diskload = 1;
	return 0;
}

/* SECONDS with up to 9 decimals, e.g. "5" or "2.5"; at most 10 days. */
static int parse_poweroff(const char *val, struct gw_config *cfg)
{
	char buf[TOKEN_MAX];
	char *dot;
	unsigned long secs, frac = 0;
	int64_t ns;
	size_t digits, i;

	if (strlen(val) >= sizeof(buf))
		return -1;
	strcpy(buf, val);
	dot = strchr(buf, '.');
	if (dot) {
		*dot = '\0';
		digits = strlen(dot + 1);
		if (digits == 0 || digits > 9 || parse_uint(dot + 1, 0, 999999999, &frac) != 0)
			return -1;
		for (i = digits; i < 9; i++)
			frac *= 10;
	}
	if (parse_uint(buf, 0, 864000, &secs) != 0)
		return -1;
	ns = (int64_t)secs * GW_NS_PER_S + (int64_t)frac;
	if (ns <= 0)
		return -1;
	cfg->poweroff_after_ns = ns;
	cfg->have_poweroff = 1;
	return 0;
}

static int parse_disktest(const char *v, struct gw_config *cfg)
{
	char *end;
	unsigned long n;

	errno = 0;
	n = strtoul(v, &end, 10);
	if (errno || end == v || *end || n < 1 || n > 100)
		return -1;
	cfg->disktest_boots = (unsigned)n;
	cfg->have_disktest = 1;
	return 0;
}

static int parse_smp(const char *val, struct gw_config *cfg)
{
	unsigned long n;

	if (parse_uint(val, 1, 64, &n) != 0)
		return -1;
	cfg->smp_threads = (unsigned)n;
	cfg->have_smp = 1;
	return 0;
}

/* Handles one whitespace-separated token of the command line. */
static void parse_param(const char *tok, struct gw_config *cfg)
{
	const char *eq;
	size_t keylen;
	int rc;

	if (strncmp(tok, "godwit.", 7) != 0)
		return;
	eq = strchr(tok, '=');
	if (!eq) {
		gw_say("cmdline: ignoring '%s': expected godwit.NAME=VALUE", tok);
		return;
	}
	keylen = (size_t)(eq - tok);
	if (keylen == 9 && strncmp(tok, "godwit.ip", keylen) == 0)
		rc = parse_ip_prefix(eq + 1, cfg);
	else if (keylen == 9 && strncmp(tok, "godwit.gw", keylen) == 0)
		rc = parse_gw(eq + 1, cfg);
	else if (keylen == 12 && strncmp(tok, "godwit.dirty", keylen) == 0)
		rc = parse_dirty(eq + 1, cfg);
	else if (keylen == 21 && strncmp(tok, "godwit.poweroff_after", keylen) == 0)
		rc = parse_poweroff(eq + 1, cfg);
	else if (keylen == 15 && strncmp(tok, "godwit.disktest", keylen) == 0)
		rc = parse_disktest(eq + 1, cfg);
	else if (keylen == 15 && strncmp(tok, "godwit.diskload", keylen) == 0)
		rc = parse_diskload(eq + 1, cfg);
	else if (keylen == 10 && strncmp(tok, "godwit.smp", keylen) == 0)
		rc = parse_smp(eq + 1, cfg);
	else {
		gw_say("cmdline: ignoring unknown parameter '%s'", tok);
		return;
	}
	if (rc != 0)
		gw_say("cmdline: ignoring malformed or out-of-range '%s'", tok);
}

void gw_cmdline_parse(const char *text, struct gw_config *cfg)
{
	char tok[TOKEN_MAX];
	size_t n;

	memset(cfg, 0, sizeof(*cfg));
	while (*text) {
		while (*text && isspace((unsigned char)*text))
			text++;
		n = 0;
		while (text[n] && !isspace((unsigned char)text[n]))
			n++;
		if (n == 0)
			break;
		if (n < sizeof(tok)) {
			memcpy(tok, text, n);
			tok[n] = '\0';
			parse_param(tok, cfg);
		} else if (strncmp(text, "godwit.", 7) == 0) {
			gw_say("cmdline: ignoring a godwit.* parameter longer than %zu bytes", sizeof(tok) - 1);
		}
		text += n;
	}
	if (cfg->have_gw && !cfg->have_ip) {
		gw_say("cmdline: godwit.gw needs godwit.ip; ignoring it");
		cfg->have_gw = 0;
	}
}
