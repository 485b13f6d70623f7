/*
 * main.c - PID 1 of godwit's Linux test guest. Mounts /proc, /sys, /dev
 * (devtmpfs) and /tmp, reads godwit.* parameters from /proc/cmdline, sets up
 * the network, starts the optional memory workload, and then loops forever:
 * a heartbeat line every 100 ms on the console
 *
 *   heartbeat N guest-time REALTIME_S.US mono MONOTONIC_S.US
 *
 * (N counts from 1; a VM move must show neither a gap in N beyond the
 * downtime nor a jump in either clock), the echo and HTTP services in
 * between, and power-off once godwit.poweroff_after= seconds have passed
 * since init started.
 *
 * Run as an ordinary process (not PID 1) it is a host test mode: the
 * command line comes from argv[1], nothing is mounted or configured, the
 * ports are 10007 and 10080, and "power off" is exit(0).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "init.h"

#define TEST_PORT_OFFSET 10000

static void console_ensure(void)
{
	int fd;

	if (fcntl(STDOUT_FILENO, F_GETFD) >= 0)
		return;
	fd = open("/dev/console", O_RDWR | O_NOCTTY);
	if (fd < 0)
		return;
	dup2(fd, STDIN_FILENO);
	dup2(fd, STDOUT_FILENO);
	dup2(fd, STDERR_FILENO);
	if (fd > STDERR_FILENO)
		close(fd);
}

static void mount_one(const char *type, const char *target, unsigned long flags, const char *data)
{
	if (mkdir(target, 0755) != 0 && errno != EEXIST)
		gw_say("init: mkdir %s: %s", target, strerror(errno));
	if (mount(type, target, type, flags, data) != 0 && errno != EBUSY)
		gw_say("init: mount %s on %s: %s", type, target, strerror(errno));
}

static void mount_all(void)
{
	mount_one("proc", "/proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
	mount_one("sysfs", "/sys", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
	mount_one("devtmpfs", "/dev", MS_NOSUID, "mode=0755");
	mount_one("tmpfs", "/tmp", MS_NOSUID | MS_NODEV, "mode=1777,size=16m");
}

/* The counters live in a shared page so the dirty worker can update them. */
static struct gw_stats *stats_map(void)
{
	static struct gw_stats fallback;
	void *p = mmap(NULL, sizeof(struct gw_stats), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED) {
		gw_say("init: shared stats page: %s; dirty counters will read 0", strerror(errno));
		return &fallback;
	}
	return p;
}

static void say_time(const char *what, int64_t ns)
{
	gw_say("init: %s %lld.%06lld s", what, (long long)(ns / GW_NS_PER_S),
	       (long long)(ns % GW_NS_PER_S / 1000));
}

static void heartbeat(struct gw_stats *st)
{
	int64_t rt = gw_clock_ns(CLOCK_REALTIME), mono = gw_clock_ns(CLOCK_MONOTONIC);
	uint64_t n = gw_stat_get(&st->heartbeat) + 1;

	gw_stat_set(&st->heartbeat, n);
	gw_say("heartbeat %llu guest-time %lld.%06lld mono %lld.%06lld", (unsigned long long)n,
	       (long long)(rt / GW_NS_PER_S), (long long)(rt % GW_NS_PER_S / 1000),
	       (long long)(mono / GW_NS_PER_S), (long long)(mono % GW_NS_PER_S / 1000));
}

/* Collects exited children (PID 1 inherits every orphan). */
static void reap(pid_t *dirty_pid, pid_t *disk_pid)
{
	int status;
	pid_t pid;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		if (pid == *disk_pid) {
			*disk_pid = -1;
			continue; /* it said how it ended */
		}
		if (pid != *dirty_pid)
			continue;
		/* the worker: godwit.dirty's, or godwit.smp's */
		if (WIFSIGNALED(status))
			gw_say("dirty: worker killed by signal %d", WTERMSIG(status));
		else
			gw_say("dirty: worker exited with status %d", WEXITSTATUS(status));
		*dirty_pid = -1;
	}
}

static void power_off(int pid1, pid_t dirty_pid, const struct gw_stats *st)
{
	gw_say("init: powering off (godwit.poweroff_after), heartbeat %llu",
	       (unsigned long long)gw_stat_get(&st->heartbeat));
	if (dirty_pid > 0) {
		kill(dirty_pid, SIGKILL);
		waitpid(dirty_pid, NULL, 0);
	}
	sync();
	if (!pid1)
		_exit(0);
	reboot(RB_POWER_OFF);
	gw_say("init: reboot(RB_POWER_OFF): %s; carrying on", strerror(errno));
}

static void read_cmdline(int pid1, int argc, char **argv, char *buf, size_t size)
{
	ssize_t n;

	buf[0] = '\0';
	if (!pid1) {
		if (argc > 1) {
			strncpy(buf, argv[1], size - 1);
			buf[size - 1] = '\0';
		}
		return;
	}
	n = gw_read_file("/proc/cmdline", buf, size);
	if (n < 0) {
		gw_say("init: /proc/cmdline: %s", strerror(errno));
		buf[0] = '\0';
		return;
	}
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		buf[--n] = '\0';
}

int main(int argc, char **argv)
{
	static char cmdline[4096];
	int pid1 = getpid() == 1;
	struct gw_config cfg;
	struct gw_stats *st;
	struct gw_server *srv;
	pid_t dirty_pid = -1, disk_pid;
	int64_t start, now, next_hb, wait, poweroff_at = 0;

	signal(SIGPIPE, SIG_IGN);
	if (pid1) {
		console_ensure();
		mount_all();
		console_ensure();
	}
	start = gw_clock_ns(CLOCK_MONOTONIC);
	say_time("godwit guest init started, uptime", start);
	read_cmdline(pid1, argc, argv, cmdline, sizeof(cmdline));
	gw_say("init: cmdline: %s", cmdline);
	gw_cmdline_parse(cmdline, &cfg);
	st = stats_map();
	if (pid1)
		gw_net_setup(&cfg);
	else
		gw_say("init: not PID 1: host test mode (no mounts, no network setup, ports +%d)",
		       TEST_PORT_OFFSET);
	if (pid1) {
		int d = gw_disk_test(&cfg);
		if (d == 1) {
			gw_say("init: rebooting (godwit.disktest)");
			sync();
			reboot(RB_AUTOBOOT);
			gw_say("init: reboot(RB_AUTOBOOT): %s; carrying on", strerror(errno));
		} else if (d == 2) {
			cfg.have_poweroff = 1;
			cfg.poweroff_after_ns = 0;
		}
	}
	if (cfg.have_smp)
		dirty_pid = gw_smp_start(&cfg); /* its threads dirty memory too */
	else
		dirty_pid = gw_dirty_start(&cfg, st);
	disk_pid = gw_diskload_start(&cfg);
	srv = gw_server_open(st, pid1 ? 0 : TEST_PORT_OFFSET);
	if (cfg.have_poweroff) {
		poweroff_at = start + cfg.poweroff_after_ns;
		say_time("will power off after", cfg.poweroff_after_ns);
	}
	next_hb = gw_clock_ns(CLOCK_MONOTONIC);
	for (;;) {
		now = gw_clock_ns(CLOCK_MONOTONIC);
		if (now >= next_hb) {
			heartbeat(st);
			next_hb += GW_HEARTBEAT_NS;
			if (next_hb <= now) /* we were stopped: resume the beat, don't burst */
				next_hb = now + GW_HEARTBEAT_NS;
		}
		if (cfg.have_poweroff && now >= poweroff_at) {
			power_off(pid1, dirty_pid, st);
			dirty_pid = -1;
			cfg.have_poweroff = 0;
		}
		reap(&dirty_pid, &disk_pid);
		wait = next_hb - gw_clock_ns(CLOCK_MONOTONIC);
		if (cfg.have_poweroff && poweroff_at - now < wait)
			wait = poweroff_at - now;
		gw_server_poll(srv, wait);
	}
	gw_server_close(srv);
	return 0;
}
