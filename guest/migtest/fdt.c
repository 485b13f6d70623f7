/*
 * fdt.c - a minimal flattened device tree reader: finds /chosen/bootargs,
 * the first reg entry of the top-level memory node, using the root's
 * #address-cells and #size-cells (1 or 2 each), and counts the cpu@ nodes
 * under /cpus.
 *
 * Every offset and length taken from the blob is checked against the bounds
 * of the block it points into before it is used, so a corrupt tree gives -1
 * (and no results), never a read outside the blob.
 */
#include "migtest.h"

#define FDT_MAGIC 0xd00dfeedu
#define FDT_HEADER_SIZE 40u
#define FDT_MAX_SIZE (16u * 1024u * 1024u)
#define FDT_BEGIN_NODE 1u
#define FDT_END_NODE 2u
#define FDT_PROP 3u
#define FDT_NOP 4u
#define FDT_END 9u

enum node_kind { NODE_OTHER, NODE_CHOSEN, NODE_MEMORY, NODE_CPUS };

struct walk {
	const uint8_t *blob;
	uint32_t off, end;          /* cursor and end of the structure block */
	uint32_t strings, strings_size;
	uint32_t addr_cells, size_cells;
	int depth;                  /* root node = 1, its children = 2 */
	enum node_kind kind;        /* of the current depth-2 node */
};

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint32_t align4(uint32_t v)
{
	return (v + 3u) & ~3u;
}

static int streq(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return *a == *b;
}

static int has_prefix(const char *s, const char *prefix)
{
	while (*prefix)
		if (*s++ != *prefix++)
			return 0;
	return 1;
}

/* Length of the NUL-terminated string at blob[off], which must end before
 * blob[end]; -1 if it does not. */
static int64_t str_len(const uint8_t *blob, uint32_t off, uint32_t end)
{
	for (uint32_t i = off; i < end; i++)
		if (!blob[i])
			return i - off;
	return -1;
}

static uint64_t read_cells(const uint8_t *p, uint32_t n)
{
	return n == 2 ? (uint64_t)be32(p) << 32 | be32(p + 4) : be32(p);
}

static int begin_node(struct walk *w, struct fdt_info *fi)
{
	const char *name = (const char *)w->blob + w->off;
	int64_t len = str_len(w->blob, w->off, w->end);

	if (len < 0)
		return -1;
	w->off += align4((uint32_t)len + 1);
	if (++w->depth == 2) {
		if (streq(name, "chosen"))
			w->kind = NODE_CHOSEN;
		else if (streq(name, "memory") || has_prefix(name, "memory@"))
			w->kind = NODE_MEMORY;
		else if (streq(name, "cpus"))
			w->kind = NODE_CPUS;
		else
			w->kind = NODE_OTHER;
	} else if (w->depth == 3 && w->kind == NODE_CPUS && has_prefix(name, "cpu@")) {
		fi->cpus++;
	}
	return 0;
}

static int prop(struct walk *w, struct fdt_info *fi, char *bootargs, size_t cap)
{
	uint32_t len, nameoff, cells;
	const uint8_t *val;
	const char *name;

	if (w->end - w->off < 8)
		return -1;
	len = be32(w->blob + w->off);
	nameoff = be32(w->blob + w->off + 4);
	w->off += 8;
	if (len > w->end - w->off || nameoff >= w->strings_size ||
	    str_len(w->blob, w->strings + nameoff, w->strings + w->strings_size) < 0)
		return -1;
	val = w->blob + w->off;
	name = (const char *)w->blob + w->strings + nameoff;
	w->off += align4(len);
	if (w->off > w->end)
		return -1;
	if (w->depth == 1 && len == 4 && streq(name, "#address-cells"))
		w->addr_cells = be32(val);
	else if (w->depth == 1 && len == 4 && streq(name, "#size-cells"))
		w->size_cells = be32(val);
	else if (w->depth == 2 && w->kind == NODE_CHOSEN && streq(name, "bootargs")) {
		size_t i;

		if (str_len(val, 0, len) < 0)
			return -1;
		for (i = 0; i + 1 < cap && val[i]; i++)
			bootargs[i] = (char)val[i];
		bootargs[i] = 0;
		fi->has_bootargs = 1;
	} else if (w->depth == 2 && w->kind == NODE_MEMORY && !fi->has_mem &&
		   streq(name, "reg")) {
		if (w->addr_cells < 1 || w->addr_cells > 2 || w->size_cells < 1 ||
		    w->size_cells > 2)
			return -1;
		cells = w->addr_cells + w->size_cells;
		if (len < cells * 4)
			return -1;
		fi->mem_base = read_cells(val, w->addr_cells);
		fi->mem_size = read_cells(val + w->addr_cells * 4, w->size_cells);
		fi->has_mem = 1;
	}
	return 0;
}

static int walk_struct(struct walk *w, struct fdt_info *fi, char *bootargs, size_t cap)
{
	while (w->end - w->off >= 4) {
		uint32_t tok = be32(w->blob + w->off);

		w->off += 4;
		switch (tok) {
		case FDT_BEGIN_NODE:
			if (begin_node(w, fi))
				return -1;
			break;
		case FDT_END_NODE:
			if (w->depth-- <= 0)
				return -1;
			break;
		case FDT_PROP:
			if (w->depth <= 0 || prop(w, fi, bootargs, cap))
				return -1;
			break;
		case FDT_NOP:
			break;
		case FDT_END:
			return w->depth == 0 ? 0 : -1;
		default:
			return -1;
		}
	}
	return -1;
}

int fdt_scan(uintptr_t addr, struct fdt_info *fi, char *bootargs, size_t cap)
{
	const uint8_t *b = (const uint8_t *)addr;
	uint32_t total, off_struct, size_struct, off_strings, size_strings, version;
	struct walk w;

	fi->has_mem = fi->has_bootargs = 0;
	fi->mem_base = fi->mem_size = 0;
	fi->cpus = 0;
	if (cap)
		bootargs[0] = 0;
	if (!addr || (addr & 7) || be32(b) != FDT_MAGIC)
		return -1;
	total = be32(b + 4);
	off_struct = be32(b + 8);
	off_strings = be32(b + 12);
	version = be32(b + 20);
	size_strings = be32(b + 32);
	if (total < FDT_HEADER_SIZE || total > FDT_MAX_SIZE || version < 16)
		return -1;
	size_struct = version >= 17 ? be32(b + 36) : total - off_struct;
	if ((off_struct & 3) || off_struct < FDT_HEADER_SIZE || off_struct > total ||
	    size_struct > total - off_struct || off_strings > total ||
	    size_strings > total - off_strings)
		return -1;
	w.blob = b;
	w.off = off_struct;
	w.end = off_struct + size_struct;
	w.strings = off_strings;
	w.strings_size = size_strings;
	w.addr_cells = 2;
	w.size_cells = 1;
	w.depth = 0;
	w.kind = NODE_OTHER;
	if (walk_struct(&w, fi, bootargs, cap)) {
		fi->has_mem = fi->has_bootargs = 0;
		if (cap)
			bootargs[0] = 0;
		return -1;
	}
	return 0;
}
