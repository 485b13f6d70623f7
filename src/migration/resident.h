/*
 * resident.h - which host pages of guest RAM may hold data, without
 * reading them (reading a never-touched anonymous page would map it).
 *
 * The rule: a page is skipped as zero only when the host never gave it a
 * frame - /proc/self/pagemap has neither bit 63 (present) nor bit 62
 * (swapped: in a swap area or zswap) set. mincore() is not enough: it
 * calls a page in swap or zswap non-resident although it holds data.
 * Every other page "may hold data" and must be read (a page that is read
 * and found all zero still goes as a zero page).
 *
 * Invariant: when in doubt (pagemap cannot be opened or read) the answer
 * is "may hold data" for every page, never "zero": being wrong costs a
 * read, never the guest's memory.
 */
#ifndef GODWIT_MIGRATION_RESIDENT_H
#define GODWIT_MIGRATION_RESIDENT_H

#include <stdint.h>

#define RAM_RESIDENT_PAGE 4096u /* guest page size the vector counts in */

/*
 * Fill vec[0..pages) for the guest pages at addr (page aligned, mapped in
 * this process): 1 the page may hold data, 0 the host never gave it a
 * frame (known zero). Returns 0, or -1 when residency could not be read;
 * vec is then all 1 (read every page).
 */
int ram_resident_scan(const void *addr, uint64_t pages, uint8_t *vec);

#endif
