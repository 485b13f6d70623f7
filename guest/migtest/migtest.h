/*
 * migtest.h - what the migtest guest's files share: the configuration from
 * the boot arguments, the test region, and each file's few entry points.
 *
 * The guest runs in M-mode without paging, alone on hart 0, with no
 * interrupt traps (start.S), so no state here needs locking.
 */
#ifndef MIGTEST_H
#define MIGTEST_H

#include <stddef.h>
#include <stdint.h>

#define MT_PAGE 4096ull
#define MT_WORDS (MT_PAGE / 8)
#define MT_MIB (1024ull * 1024ull)
#define MT_MAGIC 0x6d69677465737421ull /* "migtest!" */

/* Settings from /chosen/bootargs (args.c). Values are range-checked. */
struct mt_config {
	uint64_t mem_mib;   /* test region size; 0 = all free RAM */
	uint64_t rate;      /* MB/s dirtied (1 MB = 10^6 bytes); 0 = idle */
	uint64_t period_ms; /* work period, 1..1000 */
	uint64_t vrate;     /* MB/s verified while verify is on */
	int fill_random;    /* 1 = pattern fill, 0 = leave RAM as it is */
	int verify;
};

/*
 * The test region: `pages` 4 KiB pages at `base`, and `tab`, one counter per
 * page in the program's own memory below the region.
 * Invariants: tab[p] == 0 until page p is first touched; after that,
 * tab[p] == the second word of page p == the value of `touches` when p was
 * last touched, and its first word is p ^ MT_MAGIC. With fill_random, words
 * 2..511 of page p (and words 0..1 until its first touch) hold
 * region_pattern(p). `touches` counts every touch since start and never
 * wraps in practice (2^64).
 */
struct region {
	uint64_t *base;
	uint64_t *tab;
	uint64_t pages;
	int random;
	uint64_t touches;
	uint64_t touch_next;  /* round-robin cursor of the next touch */
	uint64_t verify_next; /* next page the background check looks at */
	uint64_t passes;      /* completed verify sweeps */
	uint64_t pass_bad;    /* bad pages found in the current sweep */
};

/* out.c: UART output, decimal numbers only */
void out_str(const char *s);
void out_u64(uint64_t v);
void out_kv(const char *key, uint64_t v); /* key then v, e.g. " rate=5" */

/* harts.c: the other harts (SMP). Each one, once per work period (hart 0
 * kicks it), rewrites a page of its own with a counter it keeps in a
 * register, checking before every rewrite that the page still holds the
 * last value: a write lost across a migration, or a register not restored,
 * is caught. */
#define MT_MAX_HARTS 8
void harts_start(uint64_t n);          /* hart 0: start harts 1..n-1 */
void harts_kick(void);                 /* hart 0, each period: one more round each */
void harts_report(void);               /* hart 0: "harts n=N min=M bad=B" */
void harts_main(uint64_t hartid);      /* a secondary hart, from start.S */

/* fdt.c: 0 if the blob is a valid device tree, -1 if not */
struct fdt_info {
	uint64_t mem_base, mem_size; /* first /memory reg entry */
	int has_mem;
	int has_bootargs;
	uint64_t cpus; /* cpu@ nodes under /cpus */
};
int fdt_scan(uintptr_t addr, struct fdt_info *fi, char *bootargs, size_t cap);

/* args.c */
void args_parse(char *s, struct mt_config *c);

/* clock.c: goldfish RTC (wall clock, ns), CLINT mtime, sleeping */
void clock_init(void);
uint64_t clock_rtc_ns(void);
uint64_t clock_mtime(void);
void clock_sleep_until(uint64_t rtc_ns);

/* region.c */
int region_layout(struct region *r, uint64_t lo, uint64_t hi, uint64_t pages);
void region_fill(struct region *r);
void region_touch(struct region *r, uint64_t n);
void region_verify(struct region *r, uint64_t n);
void region_check_last(struct region *r);

#endif
