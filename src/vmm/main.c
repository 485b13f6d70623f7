/*
 * main.c - godwit-vmm: one process per VM. Parses the command line, builds
 * the machine, puts the terminal in raw mode when stdin is one, runs the
 * guest until it powers off, and exits with the guest's status.
 *
 * Console escape (terminal only): Ctrl-A x quits, as in QEMU.
 */
#include "machine/machine.h"
#include "migration/migration.h"
#include "vmm/commands.h"
#include "vmm/options.h"
#include "vmm/qmp.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

static struct machine vm;
static struct qmp qmp;
static struct migration mig;
static bool qmp_sent_shutdown;
static struct termios saved_tty;
static int tty_raw;
static volatile sig_atomic_t got_signal;

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
	return m->paused ? "paused" : "running";
}

static void vm_stop(void *opaque)
{
	if (!migration_set_autostart(&mig, false)) /* inmigrate: stay paused after */
		machine_set_paused(opaque, true);
}

static void vm_cont(void *opaque)
{
	if (!migration_set_autostart(&mig, true)) /* inmigrate: run once it arrives */
		machine_set_paused(opaque, false);
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

static void on_signal(int sig)
{
	got_signal = sig;
	vm.exited = true; /* wins over a pending guest reboot */
	vm.stop_requested = 1;
}

int main(int argc, char **argv)
{
	struct machine_config cfg;
	struct sigaction sa;
	int r;

	r = vmm_options_parse(argc, argv, &cfg);
	if (r) {
		vmm_options_free(&cfg);
		return r > 0 ? 0 : 1;
	}
	if (machine_init(&vm, &cfg)) {
		vmm_options_free(&cfg);
		return 1;
	}
	if (control_open(&cfg) || migration_open(&cfg)) {
		migration_destroy(&mig);
		qmp_close(&qmp);
		machine_destroy(&vm);
		vmm_options_free(&cfg);
		return 1;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	raw_tty();
	r = machine_run(&vm, &cfg);
	migration_destroy(&mig); /* joins a migration thread before the VM goes */
	control_close((int)got_signal);
	restore_tty();
	if (got_signal) {
		fprintf(stderr, "godwit-vmm: terminating on signal %d\n", (int)got_signal);
		r = 0;
	}
	machine_destroy(&vm);
	vmm_options_free(&cfg);
	return r;
}
