/*
 * options.h - godwit-vmm's command line, QEMU-compatible where the meaning
 * is the same (-m, -bios, -kernel, -initrd, -append, -nographic, -M virt).
 */
#ifndef GODWIT_VMM_OPTIONS_H
#define GODWIT_VMM_OPTIONS_H

#include "machine/machine.h"

/* 0: run; 1: exit successfully (help/version printed); -1: error printed. */
int vmm_options_parse(int argc, char **argv, struct machine_config *cfg);
/* Free what parsing allocated (safe after a failed parse too). */
void vmm_options_free(struct machine_config *cfg);
/* Parse a QEMU-style size ("128", "128M", "1G", "size=2G"); default unit MiB. */
int vmm_parse_size(const char *s, uint64_t *out);

#endif
