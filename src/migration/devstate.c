/*
 * devstate.c - the save/load of a whole machine's device state as one
 * blob (format in devstate.h): walks the machine's list of device
 * instances (machine/state.c), each described by the descriptor its own
 * file declares (vmstate.h), and frames their payloads.
 *
 * Loading goes through a staging copy of every state: each payload is
 * validated by vmstate_load (field limits, then the device's check with
 * the destination's side as ctx), and the machine is written only once
 * the whole blob has passed. Then every entry's load step, the machine's
 * interrupt lines, every entry's post_load step, in list order.
 */
#include "migration/devstate.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DS_HDR_FIXED 7 /* u8 name length, u16 version, u32 payload length */
#define DS_ALIGN 16    /* of each staged state */

const struct vmstate_desc *const *devstate_descs(size_t *n)
{
	return machine_state_descs(n);
}

/* The machine's entries and a staging copy of each state, at st[i]. */
struct ds_stage {
	struct machine_state ms;
	uint8_t *st[MACHINE_STATE_MAX];
	bool seen[MACHINE_STATE_MAX];
	uint8_t *buf;
};

static size_t aligned(size_t n)
{
	return (n + DS_ALIGN - 1) & ~(size_t)(DS_ALIGN - 1);
}

static int stage_init(struct machine *m, struct ds_stage *s)
{
	size_t total = 0, pos = 0;

	memset(s, 0, sizeof(*s));
	machine_state_list(m, &s->ms);
	for (size_t i = 0; i < s->ms.n; i++)
		total += aligned(s->ms.e[i].d->state_size);
	s->buf = calloc(1, total ? total : 1);
	if (!s->buf)
		return -1;
	for (size_t i = 0; i < s->ms.n; i++) {
		s->st[i] = s->buf + pos;
		pos += aligned(s->ms.e[i].d->state_size);
	}
	return 0;
}

static void put_le(uint8_t *p, uint64_t v, int bytes)
{
	for (int i = 0; i < bytes; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t get_le(const uint8_t *p, int bytes)
{
	uint64_t v = 0;

	for (int i = bytes - 1; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

/* ---- save ------------------------------------------------------------ */

int devstate_save(struct machine *m, uint8_t **buf, size_t *len)
{
	struct ds_stage s;
	size_t total = 0, pos = 0;
	uint8_t *out;
	int rc = -1;

	if (stage_init(m, &s))
		return -1;
	for (size_t i = 0; i < s.ms.n; i++) {
		const struct vmstate_entry *e = &s.ms.e[i];

		vmstate_save_dev(e->d, e->dev, s.st[i]);
		total += DS_HDR_FIXED + strlen(e->name) + vmstate_size(e->d);
	}
	out = malloc(total);
	if (!out)
		goto out_stage;
	for (size_t i = 0; i < s.ms.n; i++) {
		const struct vmstate_entry *e = &s.ms.e[i];
		size_t nl = strlen(e->name), pl = vmstate_size(e->d);

		out[pos++] = (uint8_t)nl;
		memcpy(out + pos, e->name, nl);
		pos += nl;
		put_le(out + pos, e->d->version, 2);
		put_le(out + pos + 2, pl, 4);
		pos += 6;
		vmstate_save(e->d, s.st[i], out + pos);
		pos += pl;
	}
	*buf = out;
	*len = total;
	rc = 0;
out_stage:
	free(s.buf);
	return rc;
}

/* ---- load ------------------------------------------------------------ */

/* A name from the blob, fit for a one-line message. */
static void printable(char *dst, size_t dlen, const uint8_t *src, size_t n)
{
	size_t k = 0;

	for (size_t i = 0; i < n && k + 1 < dlen; i++)
		dst[k++] = (src[i] >= 0x20 && src[i] < 0x7f && src[i] != '\'') ? (char)src[i] : '?';
	dst[k] = 0;
}

/* Index of the entry called name[nl], or -1. */
static int find(const struct machine_state *ms, const uint8_t *name, size_t nl)
{
	for (size_t i = 0; i < ms->n; i++)
		if (strlen(ms->e[i].name) == nl && !memcmp(ms->e[i].name, name, nl))
			return (int)i;
	return -1;
}

/* Parse and validate buf into the staged states; nothing else. */
static int parse(struct ds_stage *s, const uint8_t *buf, size_t len, char *err,
		 size_t errlen)
{
	char name[4 * VMS_NAME_MAX], msg[256];
	size_t pos = 0;

	while (pos < len) {
		size_t nl = buf[pos], left = len - pos - 1, plen;
		const uint8_t *nm = buf + pos + 1;
		const struct vmstate_entry *x;
		unsigned version;
		int i;

		if (nl == 0)
			return vmstate_fail(err, errlen, "entry at byte %zu has an empty name", pos);
		if (left < nl + 6)
			return vmstate_fail(err, errlen, "truncated entry header at byte %zu", pos);
		printable(name, sizeof(name), nm, nl);
		version = (unsigned)get_le(nm + nl, 2);
		plen = (size_t)get_le(nm + nl + 2, 4);
		pos += 1 + nl + 6;
		i = find(&s->ms, nm, nl);
		if (i < 0)
			return vmstate_fail(err, errlen, "unknown entry '%s' (no such device on this machine)", name);
		x = &s->ms.e[i];
		if (s->seen[i])
			return vmstate_fail(err, errlen, "duplicate entry '%s'", name);
		if (version != x->d->version)
			return vmstate_fail(err, errlen, "%s: version %u, this VMM loads version %u",
				    name, version, (unsigned)x->d->version);
		if (plen > len - pos)
			return vmstate_fail(err, errlen, "%s: truncated payload (%zu bytes, %zu left)",
				    name, plen, len - pos);
		if (vmstate_load(x->d, s->st[i], buf + pos, plen, x->ctx, msg, sizeof(msg)))
			return vmstate_fail(err, errlen, "%s: %s", name, msg);
		s->seen[i] = true;
		pos += plen;
	}
	for (size_t i = 0; i < s->ms.n; i++)
		if (!s->seen[i])
			return vmstate_fail(err, errlen, "missing entry '%s'", s->ms.e[i].name);
	return 0;
}

/* Write the staged states into m and derive what is not saved. */
static void apply(struct machine *m, const struct ds_stage *s)
{
	for (size_t i = 0; i < s->ms.n; i++)
		vmstate_load_dev(s->ms.e[i].d, s->ms.e[i].dev, s->st[i]);
	machine_state_lines(m);
	for (size_t i = 0; i < s->ms.n; i++)
		if (s->ms.e[i].d->post_load)
			s->ms.e[i].d->post_load(s->ms.e[i].dev);
}

int devstate_load(struct machine *m, const uint8_t *buf, size_t len, char *err,
		  size_t errlen)
{
	struct ds_stage s;
	int rc = -1;

	if (stage_init(m, &s))
		return vmstate_fail(err, errlen, "out of memory");
	if (parse(&s, buf, len, err, errlen))
		goto out_stage;
	apply(m, &s);
	rc = 0;
out_stage:
	free(s.buf);
	return rc;
}
