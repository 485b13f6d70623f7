/*
 * options.c - command-line parsing for godwit-vmm. Every bad flag or value
 * is a one-line error naming it; nothing is started.
 */
#include "vmm/options.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
	"usage: godwit-vmm [options]\n"
	"  -m SIZE              guest RAM (default 128M; suffixes K, M, G)\n"
	"  -bios none|FILE      firmware (none: start -kernel directly in M-mode)\n"
	"  -kernel FILE         ELF or raw kernel image\n"
	"  -initrd FILE         initial ramdisk\n"
	"  -append STRING       kernel command line\n"
	"  -nographic           serial console on stdio (the only display mode)\n"
	"  -M, -machine virt    the board (only virt)\n"
	"  -smp 1               number of harts (only 1)\n"
	"  -dirty-tracking on|off  keep a dirty-page log synced every 50 ms\n"
	"                       (measures the cost migration's tracking adds)\n"
	"  -h, --help           this text\n"
	"  -version             print the version\n";

int vmm_parse_size(const char *s, uint64_t *out)
{
	unsigned long long v;
	char *end;
	uint64_t mul = 1ull << 20;

	if (strncmp(s, "size=", 5) == 0)
		s += 5;
	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno)
		return -1;
	switch (*end) {
	case '\0': break;
	case 'k': case 'K': mul = 1ull << 10; end++; break;
	case 'm': case 'M': mul = 1ull << 20; end++; break;
	case 'g': case 'G': mul = 1ull << 30; end++; break;
	case 'b': case 'B': mul = 1; end++; break;
	default: return -1;
	}
	if (*end != '\0' || v == 0 || v > (1ull << 46) / mul)
		return -1;
	*out = v * mul;
	return 0;
}

static int bad(const char *opt, const char *msg)
{
	fprintf(stderr, "godwit-vmm: %s: %s (try -h)\n", opt, msg);
	return -1;
}

int vmm_options_parse(int argc, char **argv, struct machine_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->ram_size = 128ull << 20;
	for (int i = 1; i < argc; i++) {
		const char *o = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (o[0] == '-' && o[1] == '-' && o[2])
			o++; /* accept --opt as QEMU does */
		if (!strcmp(o, "-h") || !strcmp(o, "-help")) {
			fputs(usage, stdout);
			return 1;
		}
		if (!strcmp(o, "-version")) {
			puts("godwit-vmm 0.1 (riscv64 virt)");
			return 1;
		}
		if (!strcmp(o, "-nographic"))
			continue;
		if (!v && (!strcmp(o, "-m") || !strcmp(o, "-bios") || !strcmp(o, "-kernel") ||
			   !strcmp(o, "-initrd") || !strcmp(o, "-append") || !strcmp(o, "-M") ||
			   !strcmp(o, "-machine") || !strcmp(o, "-smp") ||
			   !strcmp(o, "-dirty-tracking")))
			return bad(o, "missing value");
		if (!strcmp(o, "-m")) {
			if (vmm_parse_size(v, &cfg->ram_size))
				return bad(o, "invalid size");
		} else if (!strcmp(o, "-bios")) {
			cfg->bios = v;
		} else if (!strcmp(o, "-kernel")) {
			cfg->kernel = v;
		} else if (!strcmp(o, "-initrd")) {
			cfg->initrd = v;
		} else if (!strcmp(o, "-append")) {
			cfg->append = v;
		} else if (!strcmp(o, "-M") || !strcmp(o, "-machine")) {
			if (strcmp(v, "virt") && strncmp(v, "virt,", 5))
				return bad(o, "only the 'virt' machine is supported");
		} else if (!strcmp(o, "-smp")) {
			if (strcmp(v, "1") && strcmp(v, "cpus=1"))
				return bad(o, "only one hart is supported");
		} else if (!strcmp(o, "-dirty-tracking")) {
			if (!strcmp(v, "on"))
				cfg->dirty_tracking = true;
			else if (strcmp(v, "off"))
				return bad(o, "expected on or off");
		} else {
			return bad(o, "unknown option");
		}
		i++;
	}
	if (!cfg->kernel && !cfg->bios)
		return bad("-kernel", "no kernel or firmware given");
	return 0;
}
