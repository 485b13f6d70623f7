/*
 * boot.c - firmware/kernel/initrd placement and the reset vector, following
 * QEMU's virt board:
 *   - -bios none: the kernel (an ELF) is started directly in M-mode;
 *   - -bios FILE: firmware at the start of DRAM, the kernel at the next
 *     2 MiB boundary after it, booted through fw_dynamic info in the ROM;
 *   - the device tree goes below min(end of DRAM, 3 GiB), 2 MiB aligned;
 *     the initrd below it.
 * Every placement is checked against RAM; nothing is written out of bounds.
 */
#include "machine/boot.h"
#include "machine/machine.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MiB (1ull << 20)
#define FDT_MAX (64 * 1024)
#define FW_DYNAMIC_MAGIC 0x4942534full
#define FW_DYNAMIC_VERSION 2
#define FW_NEXT_MODE_S 1

static uint64_t align_up(uint64_t v, uint64_t a)
{
	return (v + a - 1) & ~(a - 1);
}

/* Load a raw image at pa; returns its size or -1. */
static int64_t load_raw(struct machine *m, const char *path, uint64_t pa)
{
	struct stat st;
	uint8_t *dst;
	int64_t ret = -1;
	int fd = open(path, O_RDONLY);

	if (fd < 0) {
		fprintf(stderr, "godwit-vmm: %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_size == 0) {
		fprintf(stderr, "godwit-vmm: %s: not a regular, non-empty file\n", path);
		goto out;
	}
	dst = machine_ram_ptr(m, pa, (uint64_t)st.st_size);
	if (!dst) {
		fprintf(stderr, "godwit-vmm: %s: %lld bytes at 0x%llx do not fit in guest RAM\n",
			path, (long long)st.st_size, (unsigned long long)pa);
		goto out;
	}
	for (off_t done = 0; done < st.st_size;) {
		ssize_t n = read(fd, dst + done, (size_t)(st.st_size - done));
		if (n <= 0) {
			fprintf(stderr, "godwit-vmm: %s: read failed\n", path);
			goto out;
		}
		done += n;
	}
	ret = st.st_size;
out:
	close(fd);
	return ret;
}

/* Load an ELF or raw image; entry and end describe what was loaded. */
static int load_image(struct machine *m, const char *path, uint64_t raw_at,
		      uint64_t *entry, uint64_t *end, struct elf_info *info)
{
	int is_elf = elf_probe(path);

	if (is_elf < 0) {
		fprintf(stderr, "godwit-vmm: %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (is_elf) {
		if (elf_load(m, path, info))
			return -1;
		*entry = info->entry;
		*end = info->highest;
		return 0;
	}
	{
		int64_t n = load_raw(m, path, raw_at);
		if (n < 0)
			return -1;
		*entry = raw_at;
		*end = raw_at + (uint64_t)n;
	}
	return 0;
}

static int setup_htif(struct machine *m, const struct elf_info *info)
{
	struct mmio_region r;

	if (!info->tohost)
		return 0;
	if (!machine_ram_ptr(m, info->tohost, 8)) {
		fprintf(stderr, "godwit-vmm: tohost at 0x%llx is outside guest RAM\n",
			(unsigned long long)info->tohost);
		return -1;
	}
	htif_init(&m->htif, m, info->tohost,
		  info->fromhost ? info->fromhost : info->tohost + 8, STDOUT_FILENO);
	if (m->overlay_ppn)
		return 0; /* a reset: the region is registered already */
	memset(&r, 0, sizeof(r));
	r.base = info->tohost & ~(HART_PAGE_SIZE - 1);
	r.size = HART_PAGE_SIZE;
	r.read = htif_read;
	r.write = htif_write;
	r.opaque = &m->htif;
	r.name = "htif";
	m->overlay_ppn = r.base >> HART_PAGE_SHIFT;
	return machine_add_mmio(m, &r);
}

static void write_rom(struct machine *m, uint64_t start, uint64_t fdt,
		      uint64_t next)
{
	static const uint32_t code[] = {
		0x00000297, /* auipc t0, 0 */
		0x02828613, /* addi a2, t0, 40   (fw_dynamic info) */
		0xf1402573, /* csrr a0, mhartid */
		0x0202b583, /* ld a1, 32(t0)     (device tree) */
		0x0182b283, /* ld t0, 24(t0)     (start address) */
		0x00028067, /* jr t0 */
	};
	uint64_t data[8] = {
		start, fdt, FW_DYNAMIC_MAGIC, FW_DYNAMIC_VERSION,
		next, FW_NEXT_MODE_S, 0 /* options */, 0 /* boot hart */,
	};

	memcpy(m->rom.host, code, sizeof(code));
	memcpy(m->rom.host + sizeof(code), data, sizeof(data));
}

int boot_load(struct machine *m, const struct machine_config *cfg)
{
	struct elf_info fw_info, k_info;
	uint64_t start = 0, end = m->ram.base, kentry = 0, kend = 0;
	uint64_t initrd_start = 0, initrd_end = 0, fdt_top, fdt_addr;
	bool have_bios = cfg->bios && strcmp(cfg->bios, "none") != 0;
	uint8_t *fdt;
	int fdt_size;

	memset(&k_info, 0, sizeof(k_info));
	if (!have_bios && !cfg->kernel) {
		fprintf(stderr, "godwit-vmm: nothing to run: give -kernel (and -bios none for bare metal)\n");
		return -1;
	}
	if (have_bios) {
		memset(&fw_info, 0, sizeof(fw_info));
		if (load_image(m, cfg->bios, m->ram.base, &start, &end, &fw_info))
			return -1;
	}
	if (cfg->kernel) {
		uint64_t at = have_bios ? align_up(end, 2 * MiB) : m->ram.base;
		if (load_image(m, cfg->kernel, at, &kentry, &kend, &k_info))
			return -1;
		if (!have_bios)
			start = kentry;
		end = kend;
	}
	if (setup_htif(m, &k_info))
		return -1;

	fdt_top = m->ram.base + m->ram.size;
	if (fdt_top > 3072 * MiB)
		fdt_top = 3072 * MiB;
	if (cfg->initrd) {
		struct stat st;
		if (stat(cfg->initrd, &st)) {
			fprintf(stderr, "godwit-vmm: %s: %s\n", cfg->initrd, strerror(errno));
			return -1;
		}
		initrd_start = (fdt_top - FDT_MAX - (uint64_t)st.st_size - 2 * MiB) & ~(2 * MiB - 1);
		if (initrd_start < end || initrd_start > fdt_top ||
		    load_raw(m, cfg->initrd, initrd_start) < 0) {
			fprintf(stderr, "godwit-vmm: %s: initrd does not fit in guest RAM\n",
				cfg->initrd);
			return -1;
		}
		initrd_end = initrd_start + (uint64_t)st.st_size;
	}
	fdt = calloc(1, FDT_MAX);
	if (!fdt)
		return -1;
	fdt_size = fdt_build(m, cfg, initrd_start, initrd_end, fdt, FDT_MAX);
	if (fdt_size < 0) {
		free(fdt);
		return -1;
	}
	fdt_addr = (fdt_top - (uint64_t)fdt_size) & ~(2 * MiB - 1);
	if (fdt_addr < end && (initrd_end == 0 || fdt_addr < initrd_end)) {
		/* small RAM: put it right after the last image instead */
		fdt_addr = align_up(initrd_end > end ? initrd_end : end, 8);
	}
	if (!machine_ram_ptr(m, fdt_addr, (uint64_t)fdt_size)) {
		fprintf(stderr, "godwit-vmm: no room in guest RAM for the device tree\n");
		free(fdt);
		return -1;
	}
	memcpy(machine_ram_ptr(m, fdt_addr, (uint64_t)fdt_size), fdt, (size_t)fdt_size);
	free(fdt);
	m->fdt_addr = fdt_addr;
	m->entry = start;
	write_rom(m, start, fdt_addr, kentry);
	return 0;
}
