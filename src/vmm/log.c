/*
 * log.c - the VMM's log (see log.h): stderr redirected to a file with
 * timestamps, reopened on SIGHUP; or stderr left in place, non-blocking.
 *
 * Invariant: while a log is open, fd 2 is the file and `stderr` is a
 * line-buffered stream whose every line starts with
 * "YYYY-MM-DDTHH:MM:SS.uuuuuuZ [NAME] ".
 */
#include "vmm/log.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static char log_path[PATH_MAX];
static const char *log_name;
static FILE *plain_stderr;  /* the stream stderr was before the log */
static FILE *log_stream;
static bool line_start = true;

static void write_all(const char *p, size_t n)
{
	while (n) {
		ssize_t r = write(STDERR_FILENO, p, n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return; /* the log is gone or full: lose it, never wait */
		p += r;
		n -= (size_t)r;
	}
}

static void write_prefix(void)
{
	char buf[128];
	struct timespec ts;
	struct tm tm;
	size_t n;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	n = strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + n, sizeof(buf) - n, ".%06ldZ %s%s", ts.tv_nsec / 1000,
		 log_name ? log_name : "", log_name ? " " : "");
	write_all(buf, strlen(buf));
}

static ssize_t stamp_write(void *cookie, const char *buf, size_t n)
{
	size_t done = 0;

	(void)cookie;
	while (done < n) {
		const char *nl = memchr(buf + done, '\n', n - done);
		size_t seg = nl ? (size_t)(nl - (buf + done)) + 1 : n - done;

		if (line_start)
			write_prefix();
		write_all(buf + done, seg);
		line_start = nl != NULL;
		done += seg;
	}
	return (ssize_t)n;
}

/* Open path for appending, as fd 2. */
static int attach_file(const char *path)
{
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0644);

	if (fd < 0)
		return -1;
	if (dup2(fd, STDERR_FILENO) < 0) {
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

/* A pipe or terminal on fd 2: a description of our own, non-blocking. */
static void stderr_nonblocking(void)
{
	struct stat st;
	int fd;

	if (fstat(STDERR_FILENO, &st) || !(S_ISFIFO(st.st_mode) || S_ISCHR(st.st_mode)))
		return;
	fd = open("/proc/self/fd/2", O_WRONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return;
	dup2(fd, STDERR_FILENO);
	close(fd);
}

int vmm_log_open(const char *path, const char *name)
{
	cookie_io_functions_t io = { NULL, stamp_write, NULL, NULL };

	log_name = name;
	if (!path) {
		stderr_nonblocking();
		return 0;
	}
	if (path[0] == '/') {
		snprintf(log_path, sizeof(log_path), "%s", path);
	} else {
		char cwd[PATH_MAX];

		if (!getcwd(cwd, sizeof(cwd)) ||
		    snprintf(log_path, sizeof(log_path), "%s/%s", cwd, path) >= (int)sizeof(log_path)) {
			fprintf(stderr, "godwit-vmm: -D: %s: path too long\n", path);
			return -1;
		}
	}
	if (attach_file(log_path)) {
		fprintf(stderr, "godwit-vmm: -D: %s: %s\n", path, strerror(errno));
		log_path[0] = '\0';
		return -1;
	}
	log_stream = fopencookie(NULL, "w", io);
	if (log_stream) {
		setvbuf(log_stream, NULL, _IOLBF, 0);
		plain_stderr = stderr;
		stderr = log_stream;
	}
	return 0;
}

int vmm_log_active(void)
{
	return log_path[0] != '\0';
}

int vmm_log_reopen(void)
{
	if (!log_path[0])
		return 0;
	fflush(stderr);
	if (attach_file(log_path)) {
		fprintf(stderr, "godwit-vmm: cannot reopen the log %s: %s (keeping the old file)\n",
			log_path, strerror(errno));
		return -1;
	}
	fprintf(stderr, "godwit-vmm: log reopened\n");
	return 0;
}

void vmm_log_detach(void)
{
	int fd;

	if (log_path[0])
		return;
	fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (fd >= 0) {
		dup2(fd, STDERR_FILENO);
		close(fd);
	}
}

void vmm_log_close(void)
{
	if (!log_stream)
		return;
	fflush(log_stream);
	stderr = plain_stderr;
	fclose(log_stream);
	log_stream = NULL;
}
