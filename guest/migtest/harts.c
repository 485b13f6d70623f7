/*
 * harts.c - the other harts of an SMP migtest run (see migtest.h). Hart 0
 * sends each of them a CLINT software interrupt every work period (and
 * the first once .bss is clear); on each one, hart i does a round over a
 * page of its own in .bss (pages[i]): check that every word holds v, write
 * v + 1 into every word, publish v + 1 in count[i], then sleep in WFI for
 * the next. v lives in a register, so after a migration the check compares
 * the moved register with the moved page. A mismatch sets bad[i] (sticky) and the
 * hart starts over from what it finds. Hart 0 prints, with each heartbeat,
 * the smallest count and the number of bad checks; the tests check that
 * it grows (every hart runs) and stays at bad=0.
 */
#include "migtest.h"

#define CLINT_MSIP 0x2000000ul

static volatile uint64_t pages[MT_MAX_HARTS][MT_WORDS] __attribute__((aligned(4096)));
static volatile uint64_t count[MT_MAX_HARTS];
static volatile uint64_t bad[MT_MAX_HARTS];
static uint64_t n_harts = 1;

void harts_kick(void)
{
	volatile uint32_t *msip = (volatile uint32_t *)CLINT_MSIP;

	__asm__ volatile("fence rw, rw" ::: "memory");
	for (uint64_t i = 1; i < n_harts; i++)
		msip[i] = 1;
}

void harts_start(uint64_t n)
{
	n_harts = n > MT_MAX_HARTS ? MT_MAX_HARTS : (n ? n : 1);
	harts_kick();
}

void harts_main(uint64_t hartid)
{
	volatile uint64_t *p = pages[hartid];
	volatile uint32_t *msip = (volatile uint32_t *)CLINT_MSIP;
	uint64_t v = 0;

	for (;;) {
		uint64_t mip;

		msip[hartid] = 0;
		for (uint64_t k = 0; k < MT_WORDS; k++) {
			if (p[k] != v) {
				bad[hartid]++;
				v = p[k]; /* go on from what memory says */
				break;
			}
		}
		v++;
		for (uint64_t k = 0; k < MT_WORDS; k++)
			p[k] = v;
		count[hartid] = v;
		do { /* mie = MSIE (start.S): WFI wakes on the next kick */
			__asm__ volatile("wfi\n csrr %0, mip" : "=r"(mip));
		} while (!(mip & 8));
	}
}

void harts_report(void)
{
	uint64_t min = ~0ull, b = 0;

	if (n_harts < 2)
		return;
	for (uint64_t i = 1; i < n_harts; i++) {
		if (count[i] < min)
			min = count[i];
		b += bad[i];
	}
	out_kv("harts n=", n_harts);
	out_kv(" min=", min);
	out_kv(" bad=", b);
	out_str("\n");
}
