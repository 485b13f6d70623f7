/*
 * testc.h - support for ISA tests written in C. The test defines
 * `int test_main(void)` returning 0 (pass) or the failing case number
 * (1..254); env/crt.S calls it in M-mode with FP enabled (FS = Initial).
 */
#ifndef ISA_TESTC_H
#define ISA_TESTC_H
#include <stddef.h>
#include <stdint.h>

/* trap bookkeeping of env/crt.S (see there) */
extern volatile uint64_t trap_expect, trap_count, trap_cause, trap_tval,
	trap_epc, trap_resume, cur_test;

void htif_putc(int c);
void htif_puts(const char *s);
void htif_puthex(uint64_t v);
void htif_putdec(uint64_t v);

void *memset(void *d, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);
void *memmove(void *d, const void *s, size_t n);
int memcmp(const void *a, const void *b, size_t n);

/* record case n as current (named by an unexpected trap); fail it unless cond */
#define CHECK(n, cond)                                                        \
	do {                                                                  \
		_Static_assert((n) >= 1 && (n) <= 254, "case out of range"); \
		cur_test = (n);                                               \
		if (!(cond))                                                  \
			return (n);                                           \
	} while (0)

#endif
