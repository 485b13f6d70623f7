/*
 * elf.c - a defensive ELF64 loader for RISC-V executables.
 *
 * The file is hostile input: every offset and size is checked against the
 * file before use, every segment against guest RAM, so a malformed file is
 * a one-line error and never a crash. Loads by physical address (p_paddr),
 * as QEMU does, and finds the HTIF symbols `tohost` and `fromhost`.
 */
#include "machine/boot.h"
#include "machine/machine.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef EM_RISCV
#define EM_RISCV 243
#endif

struct elf_file {
	const char *path;
	const uint8_t *data;
	size_t size;
};

static int fail(const struct elf_file *f, const char *msg)
{
	fprintf(stderr, "godwit-vmm: %s: %s\n", f->path, msg);
	return -1;
}

static int in_file(const struct elf_file *f, uint64_t off, uint64_t len)
{
	return off <= f->size && len <= f->size - off;
}

int elf_probe(const char *path)
{
	unsigned char magic[4];
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, magic, 4);
	close(fd);
	return n == 4 && memcmp(magic, ELFMAG, 4) == 0;
}

static int check_header(const struct elf_file *f, const Elf64_Ehdr *eh)
{
	if (f->size < sizeof(*eh) || memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0)
		return fail(f, "not an ELF file");
	if (eh->e_ident[EI_CLASS] != ELFCLASS64 || eh->e_ident[EI_DATA] != ELFDATA2LSB)
		return fail(f, "not a 64-bit little-endian ELF");
	if (eh->e_machine != EM_RISCV)
		return fail(f, "not a RISC-V ELF");
	if (eh->e_type != ET_EXEC)
		return fail(f, "not an executable ELF");
	if (eh->e_phentsize != sizeof(Elf64_Phdr) ||
	    !in_file(f, eh->e_phoff, (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr)))
		return fail(f, "program headers outside the file");
	return 0;
}

static int load_segments(struct machine *m, const struct elf_file *f,
			 const Elf64_Ehdr *eh, struct elf_info *info)
{
	int loaded = 0;

	info->lowest = UINT64_MAX;
	info->highest = 0;
	for (int i = 0; i < eh->e_phnum; i++) {
		Elf64_Phdr ph;
		uint8_t *dst;

		memcpy(&ph, f->data + eh->e_phoff + (uint64_t)i * sizeof(ph), sizeof(ph));
		if (ph.p_type != PT_LOAD || ph.p_memsz == 0)
			continue;
		if (ph.p_filesz > ph.p_memsz || !in_file(f, ph.p_offset, ph.p_filesz))
			return fail(f, "segment data outside the file");
		dst = machine_ram_ptr(m, ph.p_paddr, ph.p_memsz);
		if (!dst) {
			char msg[128];
			snprintf(msg, sizeof(msg),
				 "segment at 0x%llx (+0x%llx) is outside guest RAM",
				 (unsigned long long)ph.p_paddr,
				 (unsigned long long)ph.p_memsz);
			return fail(f, msg);
		}
		memcpy(dst, f->data + ph.p_offset, ph.p_filesz);
		memset(dst + ph.p_filesz, 0, ph.p_memsz - ph.p_filesz);
		if (ph.p_paddr < info->lowest)
			info->lowest = ph.p_paddr;
		if (ph.p_paddr + ph.p_memsz > info->highest)
			info->highest = ph.p_paddr + ph.p_memsz;
		loaded++;
	}
	if (!loaded)
		return fail(f, "no loadable segment");
	return 0;
}

/* Find tohost/fromhost in .symtab; absent or malformed tables are ignored
 * (symbols are optional), but never read out of bounds. */
static void find_symbols(const struct elf_file *f, const Elf64_Ehdr *eh,
			 struct elf_info *info)
{
	if (eh->e_shentsize != sizeof(Elf64_Shdr) ||
	    !in_file(f, eh->e_shoff, (uint64_t)eh->e_shnum * sizeof(Elf64_Shdr)))
		return;
	for (int i = 0; i < eh->e_shnum; i++) {
		Elf64_Shdr sh, str;

		memcpy(&sh, f->data + eh->e_shoff + (uint64_t)i * sizeof(sh), sizeof(sh));
		if (sh.sh_type != SHT_SYMTAB || sh.sh_link >= eh->e_shnum ||
		    sh.sh_entsize != sizeof(Elf64_Sym) || !in_file(f, sh.sh_offset, sh.sh_size))
			continue;
		memcpy(&str, f->data + eh->e_shoff + (uint64_t)sh.sh_link * sizeof(str),
		       sizeof(str));
		if (!in_file(f, str.sh_offset, str.sh_size))
			continue;
		for (uint64_t k = 0; k < sh.sh_size / sizeof(Elf64_Sym); k++) {
			Elf64_Sym sym;
			const char *name;

			memcpy(&sym, f->data + sh.sh_offset + k * sizeof(sym), sizeof(sym));
			if (sym.st_name >= str.sh_size)
				continue;
			name = (const char *)f->data + str.sh_offset + sym.st_name;
			if (!memchr(name, 0, str.sh_size - sym.st_name))
				continue;
			if (strcmp(name, "tohost") == 0)
				info->tohost = sym.st_value;
			else if (strcmp(name, "fromhost") == 0)
				info->fromhost = sym.st_value;
		}
	}
}

int elf_load(struct machine *m, const char *path, struct elf_info *info)
{
	struct elf_file f = { .path = path };
	struct stat st;
	Elf64_Ehdr eh;
	void *map;
	int fd, ret = -1;

	memset(info, 0, sizeof(*info));
	fd = open(path, O_RDONLY);
	if (fd < 0) {
		fprintf(stderr, "godwit-vmm: %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_size <= 0) {
		fprintf(stderr, "godwit-vmm: %s: not a regular, non-empty file\n", path);
		goto out_close;
	}
	map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (map == MAP_FAILED) {
		fprintf(stderr, "godwit-vmm: %s: %s\n", path, strerror(errno));
		goto out_close;
	}
	f.data = map;
	f.size = (size_t)st.st_size;
	if (f.size >= sizeof(eh))
		memcpy(&eh, f.data, sizeof(eh));
	else
		memset(&eh, 0, sizeof(eh));
	if (check_header(&f, &eh) || load_segments(m, &f, &eh, info))
		goto out_unmap;
	info->entry = eh.e_entry;
	find_symbols(&f, &eh, info);
	ret = 0;
out_unmap:
	munmap(map, f.size);
out_close:
	close(fd);
	return ret;
}
