/*
 * boot.h - putting firmware, kernel, initrd and device tree into a fresh
 * machine, and the boot ROM that starts them the way QEMU's virt board does
 * (a0 = hart id, a1 = device tree, a2 = fw_dynamic info).
 */
#ifndef GODWIT_MACHINE_BOOT_H
#define GODWIT_MACHINE_BOOT_H

#include <stdint.h>

struct machine;
struct machine_config;

struct elf_info {
	uint64_t entry;
	uint64_t lowest, highest; /* span of loaded segments */
	uint64_t tohost, fromhost; /* 0 when the symbol is absent */
};

/* elf.c: load an ELF64 RISC-V executable into guest RAM. */
int elf_load(struct machine *m, const char *path, struct elf_info *info);
/* elf.c: is the file an ELF (by magic)? -1 if unreadable. */
int elf_probe(const char *path);

/* fdt.c: build the device tree; returns its size or -1. */
int fdt_build(struct machine *m, const struct machine_config *cfg,
	      uint64_t initrd_start, uint64_t initrd_end, void *buf, int size);

/* boot.c */
int boot_load(struct machine *m, const struct machine_config *cfg);

#endif
