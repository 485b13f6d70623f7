/*
 * resident.c - residency of guest RAM from /proc/self/pagemap (the rule and
 * why mincore() is not used are in resident.h).
 *
 * pagemap holds one u64 per host page: bit 63 present in RAM, bit 62 in
 * swap (zswap included). Entries are read in bounded batches with pread;
 * a host page larger than a guest page covers several guest pages, which
 * then share its entry.
 */
#include "migration/resident.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#define PM_PRESENT (1ull << 63)
#define PM_SWAPPED (1ull << 62)
#define BATCH 512 /* pagemap entries per pread */

/* Read the pagemap entries of host pages [first, first + n) into e. */
static int read_entries(int fd, uint64_t first, uint64_t n, uint64_t *e)
{
	size_t want = (size_t)n * sizeof(*e), got = 0;

	while (got < want) {
		ssize_t r = pread(fd, (uint8_t *)e + got, want - got,
				  (off_t)(first * sizeof(*e) + got));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		got += (size_t)r;
	}
	return 0;
}

int ram_resident_scan(const void *addr, uint64_t pages, uint8_t *vec)
{
	long hps = sysconf(_SC_PAGESIZE);
	uint64_t start = (uint64_t)(uintptr_t)addr, hpage, last, bfirst = 0, bn = 0;
	uint64_t e[BATCH];
	int fd, rc = -1;

	if (!pages)
		return 0;
	/* a host page smaller than a guest page would need several entries
	 * per guest page: no such host here, so read every page */
	if (hps < (long)RAM_RESIDENT_PAGE || (hps & (hps - 1)))
		goto out;
	hpage = (uint64_t)hps;
	fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		goto out;
	last = (start + (pages - 1) * RAM_RESIDENT_PAGE) / hpage;
	for (uint64_t g = 0; g < pages; g++) {
		uint64_t hp = (start + g * RAM_RESIDENT_PAGE) / hpage;

		if (hp < bfirst || hp >= bfirst + bn) {
			bfirst = hp;
			bn = last - hp + 1 < BATCH ? last - hp + 1 : BATCH;
			if (read_entries(fd, bfirst, bn, e))
				goto out_close;
		}
		vec[g] = (e[hp - bfirst] & (PM_PRESENT | PM_SWAPPED)) ? 1 : 0;
	}
	rc = 0;
out_close:
	close(fd);
out:
	if (rc)
		memset(vec, 1, (size_t)pages);
	return rc;
}
