/*
 * main.c - godwit-vmm: one process per VM. Parses the command line, sets
 * up the log, daemonizes and writes the pidfile if asked, builds the
 * machine and its console backend, puts the terminal in raw mode when the
 * console is on a terminal, runs the guest until it powers off, and exits
 * with the guest's status (see docs/vmm.md, "Running under a supervisor").
 *
 * Signals are read from a signalfd in the run loop, never in a handler:
 * SIGTERM and SIGINT shut the VM down (QMP SHUTDOWN, reason host-signal,
 * exit 0, as QEMU), SIGHUP reopens the -D log, SIGPIPE is ignored.
 * Console escape (terminal only): Ctrl-A x quits, as in QEMU.
 */
#include "machine/machine.h"
#include "migration/migration.h"
#include "vmm/block.h"
#include "vmm/commands.h"
#include "vmm/daemon.h"
#include "vmm/log.h"
#include "vmm/options.h"
#include "vmm/qmp.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <termios.h>
#include <unistd.h>

#define CONSOLE_CLOSE_FLUSH_MS 500

static struct machine vm;
static struct qmp qmp;
static struct migration mig;
static struct chardev console;
static bool qmp_sent_shutdown;
static struct termios saved_tty;
static int tty_raw;
static int got_signal;
static int signal_fd = -1;

static void restore_tty(void)
{
	if (tty_raw)
		tcsetattr(STDIN_FILENO, TCSANOW, &saved_tty);
	tty_raw = 0;
}

static void raw_tty(void)
{
	struct termios t;

	if (!isatty(STDIN_FILENO) || tcgetattr(STDIN_FILENO, &saved_tty))
		return;
	t = saved_tty;
	t.c_iflag &= (tcflag_t) ~(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL | IXON);
	t.c_lflag &= (tcflag_t) ~(ECHO | ECHONL | ICANON | ISIG | IEXTEN);
	t.c_cflag |= CS8;
	t.c_cc[VMIN] = 1;
	t.c_cc[VTIME] = 0;
	if (tcsetattr(STDIN_FILENO, TCSANOW, &t) == 0) {
		tty_raw = 1;
		vm.console_escape = true;
		atexit(restore_tty);
	}
}

/* QMP glue: the server calls these on the run-loop thread. */
static const char *vm_status(void *opaque, bool *running)
{
	struct machine *m = opaque;

	const char *ms = migration_runstate(&mig);

	*running = !m->paused && !m->stop_requested;
	if (m->stop_requested)
		return "shutdown";
	if (ms) {
		*running = false;
		return ms;
	}
	if (m->paused && vmm_block_io_error())
		return "io-error";
	return m->paused ? "paused" : "running";
}

static void vm_stop(void *opaque)
{
	if (!migration_set_autostart(&mig, false)) /* inmigrate: stay paused after */
		machine_set_paused(opaque, true);
}

static void vm_cont(void *opaque)
{
	if (!migration_set_autostart(&mig, true)) { /* inmigrate: run once it arrives */
		machine_set_paused(opaque, false);
		vmm_block_resume(opaque); /* requests a disk error held: again */
	}
}

static const char *vm_cont_refusal(void *opaque)
{
	(void)opaque;
	return migration_cont_refusal(&mig);
}

static int vm_command(void *opaque, const char *name, json_t *args, json_t **ret,
		      char *err, size_t errlen)
{
	return vmm_command(opaque, &mig, name, args, ret, err, errlen);
}

/* Migration hooks, on the run-loop thread. */
static void mig_event(void *opaque, const char *status)
{
	qmp_event(opaque, "MIGRATION", json_pack("{s:s}", "status", status));
}

static void mig_stopped(void *opaque)
{
	qmp_event(opaque, "STOP", NULL);
}

static void mig_resumed(void *opaque)
{
	qmp_event(opaque, "RESUME", NULL);
}

/* -incoming / -S: the VM starts paused; an incoming migration may listen now. */
static int migration_open(const struct machine_config *cfg)
{
	const struct mig_hooks hooks = { &qmp, mig_event, mig_stopped, mig_resumed };
	char err[256];

	if (migration_init(&mig, &vm, &hooks)) {
		fprintf(stderr, "godwit-vmm: cannot set up migration\n");
		return -1;
	}
	if (cfg->start_paused || cfg->incoming)
		machine_set_paused(&vm, true);
	if (!cfg->incoming)
		return 0;
	migration_expect_incoming(&mig, !cfg->start_paused);
	if (strcmp(cfg->incoming, "defer") && migration_incoming(&mig, cfg->incoming, err, sizeof(err))) {
		fprintf(stderr, "godwit-vmm: -incoming: %s\n", err);
		return -1;
	}
	return 0;
}

static void vm_quit(void *opaque)
{
	qmp_event(&qmp, "SHUTDOWN",
		  json_pack("{s:b, s:s}", "guest", 0, "reason", "host-qmp-quit"));
	qmp_sent_shutdown = true;
	machine_request_exit(opaque, 0);
}

static int qmp_fill(void *opaque, struct pollfd *fds, int max)
{
	return qmp_pollfds(opaque, fds, max);
}

static void qmp_serve(void *opaque, const struct pollfd *fds, int n)
{
	qmp_dispatch(opaque, fds, n);
}

static int control_open(const struct machine_config *cfg)
{
	static const struct qmp_ops ops = { &vm, vm_status, vm_stop, vm_cont, vm_quit, NULL,
					    vm_cont_refusal, vmm_extra_commands, vm_command };
	const struct machine_poll_src src = { qmp_fill, qmp_serve, &qmp };

	if (!cfg->qmp)
		return 0;
	if (qmp_open(&qmp, cfg->qmp, &ops))
		return -1;
	return machine_poll_add(&vm, &src);
}

/* Tell QMP clients why the VM is going away, then close the socket. */
static void control_close(int sig)
{
	if (!qmp_sent_shutdown) {
		const char *reason = sig ? "host-signal"
				     : vm.console_exit ? "host-ui" : "guest-shutdown";
		qmp_event(&qmp, "SHUTDOWN",
			  json_pack("{s:b, s:s}", "guest", !sig && !vm.console_exit,
				    "reason", reason));
	}
	qmp_close(&qmp);
}

static int signal_fill(void *opaque, struct pollfd *fds, int max)
{
	(void)opaque;
	if (max < 1 || signal_fd < 0)
		return 0;
	fds[0].fd = signal_fd;
	fds[0].events = POLLIN;
	return 1;
}

static void signal_serve(void *opaque, const struct pollfd *fds, int n)
{
	struct signalfd_siginfo si;

	(void)opaque;
	if (n < 1 || !fds[0].revents)
		return;
	for (int i = 0; i < 16 && read(signal_fd, &si, sizeof(si)) == sizeof(si); i++) {
		if (si.ssi_signo == SIGHUP) {
			vmm_log_reopen();
			continue;
		}
		if (!got_signal)
			fprintf(stderr, "godwit-vmm: terminating on signal %u from pid %u\n",
				si.ssi_signo, si.ssi_pid);
		got_signal = (int)si.ssi_signo;
		vm.exited = true; /* wins over a pending guest reboot */
		machine_request_stop(&vm);
	}
}

/* SIGTERM, SIGINT and SIGHUP arrive on a descriptor the run loop polls
 * (blocked before any thread exists, so every thread inherits the mask). */
static int signals_open(void)
{
	sigset_t set;

	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	if (pthread_sigmask(SIG_BLOCK, &set, NULL))
		return -1;
	signal_fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (signal_fd < 0) {
		fprintf(stderr, "godwit-vmm: signalfd: %m\n");
		return -1;
	}
	return 0;
}

static int console_open(const struct machine_config *cfg)
{
	const struct machine_poll_src src = { signal_fill, signal_serve, NULL };
	char err[300];

	if (chardev_open(&console, &cfg->serial, err, sizeof(err))) {
		fprintf(stderr, "godwit-vmm: -serial: %s\n", err);
		return -1;
	}
	machine_set_console(&vm, &console);
	return machine_poll_add(&vm, &src);
}

/* Before anything that may print or fork: the log, the process name, the
 * daemon, the signals, the pidfile. 0, or -1 (message printed). */
static int process_setup(const struct machine_config *cfg)
{
	if (vmm_log_open(cfg->logfile, cfg->name))
		return -1;
	if (cfg->name)
		prctl(PR_SET_NAME, cfg->name, 0, 0, 0); /* the kernel keeps 15 bytes */
	if (cfg->daemonize && vmm_daemon_start())
		return -1;
	if (signals_open())
		return -1;
	if (cfg->pidfile && vmm_pidfile_write(cfg->pidfile))
		return -1;
	if (vmm_log_active())
		fprintf(stderr, "godwit-vmm: started, pid %d\n", (int)getpid());
	return 0;
}

static void process_end(int status)
{
	if (signal_fd >= 0)
		close(signal_fd);
	vmm_pidfile_remove();
	if (vmm_log_active())
		fprintf(stderr, "godwit-vmm: exiting with status %d\n", status);
	vmm_log_close();
}

int main(int argc, char **argv)
{
	struct machine_config cfg;
	int r;

	r = vmm_options_parse(argc, argv, &cfg);
	if (r) {
		vmm_options_free(&cfg);
		return r > 0 ? 0 : 1;
	}
	if (process_setup(&cfg))
		goto out_process;
	if (machine_init(&vm, &cfg))
		goto out_process;
	if (console_open(&cfg))
		goto out_machine;
	if (control_open(&cfg) || migration_open(&cfg) || vmm_block_open(&vm, &qmp)) {
		migration_destroy(&mig);
		qmp_close(&qmp);
		goto out_console;
	}
	vmm_daemon_ready();
	if (cfg.serial.kind == CHARDEV_STDIO)
		raw_tty();
	r = machine_run(&vm, &cfg);
	vmm_block_close(); /* block jobs end before their drives */
	migration_destroy(&mig); /* joins a migration thread before the VM goes */
	control_close(got_signal);
	restore_tty();
	if (got_signal)
		r = 0;
	chardev_close(&console, CONSOLE_CLOSE_FLUSH_MS);
	machine_destroy(&vm);
	process_end(r);
	vmm_options_free(&cfg);
	return r;
out_console:
	chardev_close(&console, 0);
out_machine:
	machine_destroy(&vm);
out_process:
	process_end(1);
	vmm_options_free(&cfg);
	return 1;
}
