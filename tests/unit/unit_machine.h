/*
 * unit_machine.h - shared helpers for the CPU unit tests: a small machine
 * booted from a raw image, guest memory accessors, page-table builders and
 * a hex-printing assertion.
 *
 * Every test that needs a machine uses um_setup/um_teardown as its cmocka
 * setup and teardown, so each test starts from a freshly reset hart
 * (M-mode, pc = DRAM base, satp = 0, mstatus = UXL|SXL, no decoded code).
 */
#ifndef GODWIT_TESTS_UNIT_MACHINE_H
#define GODWIT_TESTS_UNIT_MACHINE_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cpu/decode.h"
#include "cpu/hart.h"
#include "machine/machine.h"

#define UM_RAM_SIZE (16ull << 20)
#define UM_DRAM VIRT_DRAM_BASE

/* Fail with both values in hex (cmocka prints integers in decimal). */
#define assert_hex_equal(a, b)                                             \
	do {                                                               \
		uint64_t a_ = (uint64_t)(a), b_ = (uint64_t)(b);           \
		if (a_ != b_) {                                            \
			print_error("%s = 0x%" PRIx64 ", expected %s = 0x%" PRIx64 "\n", \
				    #a, a_, #b, b_);                       \
			fail();                                            \
		}                                                          \
	} while (0)

/*
 * A machine whose kernel is `len` bytes of `image`, loaded raw at DRAM base
 * (a raw image needs no ELF headers). The image file lives in /tmp only for
 * the duration of machine_init.
 */
static inline struct machine *um_create(const void *image, size_t len)
{
	char path[] = "/tmp/godwit-unit-XXXXXX";
	struct machine_config cfg;
	struct machine *m;
	int fd, rc;

	fd = mkstemp(path);
	if (fd < 0)
		return NULL;
	if (write(fd, image, len) != (ssize_t)len) {
		close(fd);
		unlink(path);
		return NULL;
	}
	close(fd);
	m = calloc(1, sizeof(*m));
	if (!m) {
		unlink(path);
		return NULL;
	}
	memset(&cfg, 0, sizeof(cfg));
	cfg.ram_size = UM_RAM_SIZE;
	cfg.kernel = path;
	cfg.bios = "none";
	rc = machine_init(m, &cfg);
	unlink(path);
	if (rc) {
		free(m);
		return NULL;
	}
	/*
	 * Decoded pages can only be created once hart_run has run in this
	 * process (exec_dpage_init needs the interpreter's handler table, see
	 * cpu/dpage.h), and tests call hart_fetch_page/machine_code_page
	 * directly. So run one instruction (the image's "j ."), then drop the
	 * decoded code and reset the hart to leave no trace of it.
	 */
	m->harts[0].s.pc = UM_DRAM;
	hart_run(&m->harts[0], 1);
	machine_code_flush_all(m);
	hart_reset(&m->harts[0], m, UM_DRAM);
	return m;
}

static inline int um_setup(void **state)
{
	static const uint32_t spin = 0x0000006f; /* jal x0, 0  (j .) */
	struct machine *m = um_create(&spin, sizeof(spin));

	*state = m;
	return m ? 0 : -1;
}

static inline int um_teardown(void **state)
{
	struct machine *m = *state;

	if (m) {
		machine_destroy(m);
		free(m);
	}
	return 0;
}

/* Guest physical RAM accessors; fail the test when pa is not RAM. */
static inline uint8_t *um_ptr(struct machine *m, uint64_t pa, uint64_t len)
{
	uint8_t *p = machine_ram_ptr(m, pa, len);

	assert_non_null(p);
	return p;
}

static inline void um_w8(struct machine *m, uint64_t pa, uint8_t v)
{
	*um_ptr(m, pa, 1) = v;
}

static inline void um_w32(struct machine *m, uint64_t pa, uint32_t v)
{
	memcpy(um_ptr(m, pa, 4), &v, 4);
}

static inline void um_w64(struct machine *m, uint64_t pa, uint64_t v)
{
	memcpy(um_ptr(m, pa, 8), &v, 8);
}

static inline uint8_t um_r8(struct machine *m, uint64_t pa)
{
	return *um_ptr(m, pa, 1);
}

static inline uint32_t um_r32(struct machine *m, uint64_t pa)
{
	uint32_t v;

	memcpy(&v, um_ptr(m, pa, 4), 4);
	return v;
}

static inline uint64_t um_r64(struct machine *m, uint64_t pa)
{
	uint64_t v;

	memcpy(&v, um_ptr(m, pa, 8), 8);
	return v;
}

/* Write a sequence of 32-bit instruction words at pa. */
static inline void um_code(struct machine *m, uint64_t pa, const uint32_t *w,
			   size_t n)
{
	memcpy(um_ptr(m, pa, 4 * n), w, 4 * n);
}

/* Page-table entries */
#define UM_PTE_V (1ull << 0)
#define UM_PTE_R (1ull << 1)
#define UM_PTE_W (1ull << 2)
#define UM_PTE_X (1ull << 3)
#define UM_PTE_U (1ull << 4)
#define UM_PTE_G (1ull << 5)
#define UM_PTE_A (1ull << 6)
#define UM_PTE_D (1ull << 7)
#define UM_PTE_RWX (UM_PTE_R | UM_PTE_W | UM_PTE_X)
#define UM_PTE_AD (UM_PTE_A | UM_PTE_D)

#define UM_SATP_SV39 (8ull << 60)
#define UM_SATP_SV48 (9ull << 60)

static inline uint64_t um_pte(uint64_t pa, uint64_t flags)
{
	return ((pa >> 12) << 10) | flags;
}

/* Address of the PTE for va at `level` (0 = 4K) in the table at table_pa. */
static inline uint64_t um_pte_addr(uint64_t table_pa, uint64_t va, int level)
{
	return table_pa + ((va >> (12 + 9 * level)) & 511) * 8;
}

static inline void um_set_pte(struct machine *m, uint64_t table_pa,
			      uint64_t va, int level, uint64_t pte)
{
	um_w64(m, um_pte_addr(table_pa, va, level), pte);
}

static inline uint64_t um_satp(uint64_t mode, uint64_t root_pa)
{
	return mode | (root_pa >> 12);
}

/* The read/write TLB slot for va. */
/* Does the TLB hold a valid entry for va's page (tag carries the salt)? */
static inline bool um_tlb_r_has(struct hart *h, uint64_t va)
{
	return h->tlb_r[(va >> HART_PAGE_SHIFT) & (HART_TLB_SIZE - 1)].tag ==
	       ((va & ~(HART_PAGE_SIZE - 1)) | h->salt_r);
}

static inline bool um_tlb_w_has(struct hart *h, uint64_t va)
{
	return h->tlb_w[(va >> HART_PAGE_SHIFT) & (HART_TLB_SIZE - 1)].tag ==
	       ((va & ~(HART_PAGE_SIZE - 1)) | h->salt_w);
}

static inline bool um_tlb_x_has(struct hart *h, uint64_t va)
{
	return h->tlb_x[(va >> HART_PAGE_SHIFT) & (HART_TLB_SIZE - 1)].tag ==
	       ((va & ~(HART_PAGE_SIZE - 1)) | h->salt_r);
}

static inline struct hart_tlb_entry *um_tlb_r(struct hart *h, uint64_t va)
{
	return &h->tlb_r[(va >> HART_PAGE_SHIFT) & (HART_TLB_SIZE - 1)];
}

static inline struct hart_tlb_entry *um_tlb_w(struct hart *h, uint64_t va)
{
	return &h->tlb_w[(va >> HART_PAGE_SHIFT) & (HART_TLB_SIZE - 1)];
}

#endif
