/*
 * vmstate.c - the one save/load routine for every device's field table
 * (see vmstate.h for the wire form and the invariants of a table).
 *
 * Elements are read and written through memcpy at their own width, so the
 * state structs need no particular alignment and the wire stays little
 * endian whatever the host.
 */
#include "migration/vmstate.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t get_native(const uint8_t *p, uint8_t size)
{
	uint8_t v8;
	uint16_t v16;
	uint32_t v32;
	uint64_t v64;

	switch (size) {
	case 1: memcpy(&v8, p, 1); return v8;
	case 2: memcpy(&v16, p, 2); return v16;
	case 4: memcpy(&v32, p, 4); return v32;
	default: memcpy(&v64, p, 8); return v64;
	}
}

static void put_native(uint8_t *p, uint8_t size, uint64_t v)
{
	uint8_t v8 = (uint8_t)v;
	uint16_t v16 = (uint16_t)v;
	uint32_t v32 = (uint32_t)v;

	switch (size) {
	case 1: memcpy(p, &v8, 1); break;
	case 2: memcpy(p, &v16, 2); break;
	case 4: memcpy(p, &v32, 4); break;
	default: memcpy(p, &v, 8); break;
	}
}

static void put_le(uint8_t *out, uint8_t size, uint64_t v)
{
	for (uint8_t b = 0; b < size; b++)
		out[b] = (uint8_t)(v >> (8 * b));
}

static uint64_t get_le(const uint8_t *in, uint8_t size)
{
	uint64_t v = 0;

	for (uint8_t b = size; b > 0; b--)
		v = (v << 8) | in[b - 1];
	return v;
}

size_t vmstate_size(const struct vmstate_desc *d)
{
	size_t n = 0;

	for (size_t i = 0; i < d->n_fields; i++)
		n += (size_t)d->fields[i].size * d->fields[i].count;
	return n;
}

void vmstate_save(const struct vmstate_desc *d, const void *state, uint8_t *out)
{
	const uint8_t *base = state;

	for (size_t i = 0; i < d->n_fields; i++) {
		const struct vmstate_field *f = &d->fields[i];

		for (uint32_t j = 0; j < f->count; j++) {
			put_le(out, f->size, get_native(base + f->offset + (size_t)j * f->size, f->size));
			out += f->size;
		}
	}
}

/* Small limits read best in decimal, masks and addresses in hex. */
static void too_big(const struct vmstate_field *f, uint32_t j, uint64_t v,
		    char *err, size_t errlen)
{
	char idx[16] = "";

	if (f->count > 1)
		snprintf(idx, sizeof(idx), "[%" PRIu32 "]", j);
	if (f->max <= 0xffff)
		snprintf(err, errlen, "%s%s %" PRIu64 " exceeds %" PRIu64, f->name, idx, v, f->max);
	else
		snprintf(err, errlen, "%s%s 0x%" PRIx64 " exceeds 0x%" PRIx64, f->name, idx, v, f->max);
}

int vmstate_load(const struct vmstate_desc *d, void *state, const uint8_t *in,
		 size_t len, const void *ctx, char *err, size_t errlen)
{
	uint8_t *base = state;
	size_t want = vmstate_size(d);

	if (len != want) {
		snprintf(err, errlen, "payload is %zu bytes, expected %zu", len, want);
		return -1;
	}
	memset(state, 0, d->state_size);
	for (size_t i = 0; i < d->n_fields; i++) {
		const struct vmstate_field *f = &d->fields[i];

		for (uint32_t j = 0; j < f->count; j++) {
			uint64_t v = get_le(in, f->size);

			if (v > f->max) {
				too_big(f, j, v, err, errlen);
				return -1;
			}
			put_native(base + f->offset + (size_t)j * f->size, f->size, v);
			in += f->size;
		}
	}
	if (d->check && d->check(state, ctx, err, errlen))
		return -1;
	return 0;
}

/* Mark the bytes of f (fields or padding) in map; 0, or -1 if misplaced. */
static int cover(const struct vmstate_desc *d, const struct vmstate_field *f,
		 uint8_t *map, char *err, size_t errlen)
{
	size_t bytes = (size_t)f->size * f->count;

	if (!f->name || (f->size != 1 && f->size != 2 && f->size != 4 && f->size != 8) ||
	    f->count == 0) {
		snprintf(err, errlen, "%s: field %s: bad size or count", d->name,
			 f->name ? f->name : "(null)");
		return -1;
	}
	if (f->offset > d->state_size || bytes > d->state_size - f->offset) {
		snprintf(err, errlen, "%s: field %s lies outside the %zu-byte struct",
			 d->name, f->name, d->state_size);
		return -1;
	}
	for (size_t b = f->offset; b < f->offset + bytes; b++) {
		if (map[b]) {
			snprintf(err, errlen, "%s: field %s overlaps another at byte %zu",
				 d->name, f->name, b);
			return -1;
		}
		map[b] = 1;
	}
	return 0;
}

/* Name of the field or padding that ends closest before byte b. */
static const char *field_before(const struct vmstate_desc *d, size_t b)
{
	const char *name = "the start";
	size_t best = 0;

	for (size_t k = 0; k < d->n_fields + d->n_pad; k++) {
		const struct vmstate_field *f = k < d->n_fields ? &d->fields[k]
							       : &d->pad[k - d->n_fields];
		size_t end = f->offset + (size_t)f->size * f->count;

		if (end <= b && end > best) {
			best = end;
			name = f->name;
		}
	}
	return name;
}

int vmstate_check_desc(const struct vmstate_desc *d, char *err, size_t errlen)
{
	uint8_t *map;
	int rc = -1;

	map = calloc(d->state_size ? d->state_size : 1, 1);
	if (!map) {
		snprintf(err, errlen, "%s: out of memory", d->name);
		return -1;
	}
	for (size_t i = 0; i < d->n_fields; i++)
		if (cover(d, &d->fields[i], map, err, errlen))
			goto out_free;
	for (size_t i = 0; i < d->n_pad; i++)
		if (cover(d, &d->pad[i], map, err, errlen))
			goto out_free;
	for (size_t b = 0; b < d->state_size; b++) {
		if (!map[b]) {
			snprintf(err, errlen,
				 "%s: byte %zu of the struct (after %s) is in no field and not declared padding",
				 d->name, b, field_before(d, b));
			goto out_free;
		}
	}
	rc = 0;
out_free:
	free(map);
	return rc;
}

int vmstate_fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

void vmstate_save_dev(const struct vmstate_desc *d, void *dev, void *state)
{
	if (d->save)
		d->save(dev, state);
	else
		memcpy(state, (const uint8_t *)dev + d->dev_offset, d->state_size);
}

void vmstate_load_dev(const struct vmstate_desc *d, void *dev, const void *state)
{
	if (d->load)
		d->load(dev, state);
	else
		memcpy((uint8_t *)dev + d->dev_offset, state, d->state_size);
}
