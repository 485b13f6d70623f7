/*
 * util.c - small helpers for the guest init: console output as one write()
 * per line (so lines from init and its child never interleave mid-line),
 * clocks, bounded file reads, sleeping.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

#include <sys/syscall.h>

#include "init.h"

void gw_say(const char *fmt, ...)
{
	char line[512];
	va_list ap;
	int n;
	size_t len, off = 0;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	len = (size_t)n < sizeof(line) - 2 ? (size_t)n : sizeof(line) - 2;
	line[len++] = '\n';
	while (off < len) {
		ssize_t w = write(STDOUT_FILENO, line + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		off += (size_t)w;
	}
}

/*
 * The clock through the system call, not the vDSO: this kernel's riscv
 * vDSO (6.1, GENERIC_VDSO_TIME_NS) follows an unrelocated pointer (0) when
 * it reads the time while another CPU is updating it (an odd seq), and the
 * process dies of SIGSEGV at vDSO+0x8ca. One CPU never sees that; several,
 * whose vCPU threads a busy host may preempt mid-update, do.
 */
int64_t gw_clock_ns(clockid_t clk)
{
	struct timespec ts;

	if (syscall(SYS_clock_gettime, clk, &ts) != 0)
		return 0;
	return (int64_t)ts.tv_sec * GW_NS_PER_S + ts.tv_nsec;
}

/* Reads at most size-1 bytes of path into buf, NUL-terminated. */
ssize_t gw_read_file(const char *path, char *buf, size_t size)
{
	ssize_t n, total = 0;
	int fd;

	if (size == 0)
		return -1;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	while ((size_t)total < size - 1) {
		n = read(fd, buf + total, size - 1 - (size_t)total);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			total = -1;
			goto out_close;
		}
		if (n == 0)
			break;
		total += n;
	}
	buf[total] = '\0';
out_close:
	close(fd);
	return total;
}

void gw_sleep_ns(int64_t ns)
{
	struct timespec ts;

	if (ns <= 0)
		return;
	ts.tv_sec = (time_t)(ns / GW_NS_PER_S);
	ts.tv_nsec = (long)(ns % GW_NS_PER_S);
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}
