/*
 * main.c - godwit-vmm: one process per VM. Parses the command line, builds
 * the machine, puts the terminal in raw mode when stdin is one, runs the
 * guest until it powers off, and exits with the guest's status.
 *
 * Console escape (terminal only): Ctrl-A x quits, as in QEMU.
 */
#include "machine/machine.h"
#include "vmm/options.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

static struct machine vm;
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

static void on_signal(int sig)
{
	got_signal = sig;
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
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	raw_tty();
	r = machine_run(&vm, &cfg);
	restore_tty();
	if (got_signal) {
		fprintf(stderr, "godwit-vmm: terminating on signal %d\n", (int)got_signal);
		r = 0;
	}
	machine_destroy(&vm);
	vmm_options_free(&cfg);
	return r;
}
