/*
 * log.h - where godwit-vmm's own messages go (not the guest's console).
 *
 * Every module writes its messages to stderr as "godwit-vmm: ...". With
 * -D PATH, descriptor 2 is the log file (so sanitizer reports land there
 * too) and the stderr stream prefixes each line with a UTC timestamp and
 * the VM's -name. Without -D, stderr stays where the supervisor put it; a
 * pipe or terminal gets a private non-blocking file description, so a
 * reader that stops reading costs messages, never a stalled VMM.
 *
 * Invariant: nothing here blocks the run loop (a regular file never does;
 * other descriptors are non-blocking). Run-loop thread only, except that
 * other threads may write to stderr as before.
 */
#ifndef GODWIT_VMM_LOG_H
#define GODWIT_VMM_LOG_H

/* path NULL: keep stderr (made non-blocking). 0, or -1 with a message. */
int vmm_log_open(const char *path, const char *name);
/* SIGHUP: open the path again (after a rotation). 0, or -1 (old file kept). */
int vmm_log_reopen(void);
/* Daemonized without -D: messages go to /dev/null, as on QEMU. */
void vmm_log_detach(void);
/* Is fd 2 the log file? */
int vmm_log_active(void);
void vmm_log_close(void);

#endif
