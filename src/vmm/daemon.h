/*
 * daemon.h - godwit-vmm as a managed process: -daemonize and -pidfile.
 *
 * -daemonize works as on QEMU: the command forks; the daemon (a new
 * session, its own process group) sets the VM up; the command exits 0 once
 * the daemon reports it ready, or 1 if it failed (its error message went to
 * the command's stderr). Then the daemon leaves the working directory ("/")
 * and its stdin/stdout/stderr (to /dev/null, or stderr to the -D log).
 *
 * -pidfile PATH: the pid of the process that runs the VM, written to a
 * temporary file and renamed into place (a reader sees the whole line or
 * no file); removed at exit if it still names this process.
 */
#ifndef GODWIT_VMM_DAEMON_H
#define GODWIT_VMM_DAEMON_H

/* Returns 0 in the daemon; the original process never returns. */
int vmm_daemon_start(void);
/* The VM is set up: detach and let the original process exit 0. */
void vmm_daemon_ready(void);
/* 0, or -1 with a message printed. */
int vmm_pidfile_write(const char *path);
void vmm_pidfile_remove(void);

#endif
