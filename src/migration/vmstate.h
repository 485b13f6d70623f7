/*
 * vmstate.h - declarative device state for migration: each device describes
 * its plain-data state struct in one table of fields, and one shared routine
 * saves and loads every table (DESIGN.md, "The VMM").
 *
 * Wire form of a table (vmstate_save): the fields in table order, each
 * element little endian on exactly `size` bytes, nothing else - no names,
 * no padding, no alignment. The length is therefore fixed by the table
 * (vmstate_size); a table change that alters it needs a new version.
 *
 * Invariants of a table (vmstate_check_desc, run by the unit tests):
 *  - every field has size 1, 2, 4 or 8, count >= 1 and lies inside the
 *    struct (a max at or above the type's largest value means "any");
 *  - the fields and the declared padding (pad[]) together cover every byte
 *    of the struct exactly once. So a member added to the struct and
 *    forgotten in its table fails the tests instead of silently not
 *    migrating. Padding is never saved; a loaded copy has it zeroed.
 * Loading is validation: every element must be <= its field's max, then the
 * table's check() looks at the whole staged struct (cross-field rules and
 * what depends on the destination, passed in ctx). Nothing but the staging
 * copy is written, so a caller can refuse a whole blob without side effects.
 *
 * A device declares its migratable state in its own file as one
 * descriptor (e.g. `const struct vmstate_desc uart_vmstate` in uart.c):
 * name, version, table, check, and the steps between the live device and
 * the plain struct the table describes (save, load, post_load; by default
 * the struct sits at dev_offset in the device and is copied as is).
 * migration/devstate.c walks the machine's list of them (machine/state.c).
 */
#ifndef GODWIT_MIGRATION_VMSTATE_H
#define GODWIT_MIGRATION_VMSTATE_H

#include <stddef.h>
#include <stdint.h>

struct vmstate_field {
	const char *name;
	size_t offset;
	uint8_t size;   /* 1, 2, 4 or 8 */
	uint32_t count; /* array elements, 1 for scalar */
	uint64_t max;   /* every element must be <= max */
};

struct vmstate_desc {
	const char *name;
	uint16_t version;
	size_t state_size;
	const struct vmstate_field *fields;
	size_t n_fields;
	/* Cross-field checks on the staged state, may be NULL. Returns 0, or
	 * -1 with "<field> <problem>" in err (no device prefix). */
	int (*check)(const void *state, const void *ctx, char *err, size_t errlen);
	/* Bytes of the struct deliberately not saved (padding), described as
	 * fields of size 1 (offset, count = bytes); only for the coverage check. */
	const struct vmstate_field *pad;
	size_t n_pad;

	/* The live device (devstate.c passes the device object as dev). */
	size_t dev_offset; /* where the state struct sits in the device */
	/* Live device -> state, for a saved form that is not the live struct
	 * (NULL: copy state_size bytes from dev + dev_offset). */
	void (*save)(void *dev, void *state);
	/* Checked state -> live device; runs for every entry of a blob before
	 * any post_load (NULL: copy state_size bytes to dev + dev_offset). */
	void (*load)(void *dev, const void *state);
	/* Re-derive what is not saved (irq lines, caches) once every entry is
	 * loaded, in the machine's entry order. May be NULL. */
	void (*post_load)(void *dev);
};

/* One device instance of a machine, as the machine lists them
 * (machine/state.c) for the save/load of the whole (devstate.c). */
#define VMS_NAME_MAX 32
struct vmstate_entry {
	char name[VMS_NAME_MAX]; /* "uart", "virtio-mmio.7", ... */
	const struct vmstate_desc *d;
	void *dev;       /* the live device d's hooks take */
	const void *ctx; /* what d->check gets: the destination's side */
};

#define VMS_ANY UINT64_MAX
#define VMS_MEMBER_SIZE(type, member) sizeof(((type *)0)->member)
#define VMS_ELEM_SIZE(type, member) sizeof(((type *)0)->member[0])

/* A scalar member (member may be a designator such as vq[2].num). */
#define VMS_SCALAR(type, member, mx)                                   \
	{ #member, offsetof(type, member), VMS_MEMBER_SIZE(type, member), 1, mx }
/* An array member of scalars: every element <= mx. */
#define VMS_ARRAY(type, member, mx)                                    \
	{ #member, offsetof(type, member), VMS_ELEM_SIZE(type, member),    \
	  VMS_MEMBER_SIZE(type, member) / VMS_ELEM_SIZE(type, member), mx }
/* Padding: a named member, or an unnamed hole of len bytes at off. */
#define VMS_PAD(type, member)                                          \
	{ #member, offsetof(type, member), 1, VMS_MEMBER_SIZE(type, member), 0 }
#define VMS_HOLE(name, off, len) { name, off, 1, len, 0 }
#define VMS_COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* Bytes vmstate_save writes for d. */
size_t vmstate_size(const struct vmstate_desc *d);
/* Write *state (d->state_size bytes) to out (vmstate_size(d) bytes):
 * little-endian, fields in table order. */
void vmstate_save(const struct vmstate_desc *d, const void *state, uint8_t *out);
/*
 * Fill *state (a staging copy, d->state_size bytes) from in[len]. len must
 * equal vmstate_size(d); every element must be <= its max; then d->check
 * runs with ctx. Returns 0, or -1 with one line in err naming the field
 * ("rx_count 200 exceeds 16"); *state is then unspecified.
 */
int vmstate_load(const struct vmstate_desc *d, void *state, const uint8_t *in,
		 size_t len, const void *ctx, char *err, size_t errlen);
/* Format a check() error into err; returns -1 (for `return vmstate_fail(...)`). */
int vmstate_fail(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Copy dev's live state into state (d->save or the plain copy). */
void vmstate_save_dev(const struct vmstate_desc *d, void *dev, void *state);
/* Copy a checked state into the live dev (d->load or the plain copy). */
void vmstate_load_dev(const struct vmstate_desc *d, void *dev, const void *state);
/* Is d well formed and does it cover its struct (see the invariants)?
 * Returns 0, or -1 with the first problem in err. */
int vmstate_check_desc(const struct vmstate_desc *d, char *err, size_t errlen);

#endif
