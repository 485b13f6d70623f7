/*
 * daemon.c - -daemonize and -pidfile (see daemon.h).
 *
 * Invariants: ready_fd is the write end of the pipe to the waiting
 * command, -1 once ready was sent (or when not daemonized); pid_path is
 * absolute (the daemon leaves its working directory) and empty when there
 * is no pidfile of ours.
 */
#include "vmm/daemon.h"
#include "vmm/log.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static int ready_fd = -1;
static char pid_path[PATH_MAX];

/* The command: wait for the daemon's word (EOF: it failed). */
static void wait_for_daemon(pid_t child, int fd)
{
	char status = 1;
	ssize_t r;
	int ws;

	waitpid(child, &ws, 0); /* the intermediate process exits at once */
	do
		r = read(fd, &status, 1);
	while (r < 0 && errno == EINTR);
	_exit(r == 1 && status == 0 ? 0 : 1);
}

int vmm_daemon_start(void)
{
	int fds[2];
	pid_t pid;

	fflush(NULL);
	if (pipe2(fds, O_CLOEXEC)) {
		fprintf(stderr, "godwit-vmm: -daemonize: %s\n", strerror(errno));
		return -1;
	}
	pid = fork();
	if (pid < 0) {
		fprintf(stderr, "godwit-vmm: -daemonize: fork: %s\n", strerror(errno));
		close(fds[0]);
		close(fds[1]);
		return -1;
	}
	if (pid > 0) {
		close(fds[1]);
		wait_for_daemon(pid, fds[0]);
	}
	close(fds[0]);
	setsid();
	pid = fork(); /* not a session leader: never gets a controlling tty */
	if (pid < 0)
		_exit(1);
	if (pid > 0)
		_exit(0);
	umask(027);
	ready_fd = fds[1];
	return 0;
}

static void to_devnull(int target, int flags)
{
	int fd = open("/dev/null", flags | O_CLOEXEC);

	if (fd >= 0) {
		dup2(fd, target);
		close(fd);
	}
}

void vmm_daemon_ready(void)
{
	char ok = 0;

	if (ready_fd < 0)
		return;
	if (chdir("/")) {
		/* stays where it is; nothing depends on it */
	}
	to_devnull(STDIN_FILENO, O_RDONLY);
	to_devnull(STDOUT_FILENO, O_WRONLY);
	vmm_log_detach(); /* stderr too, unless it is the -D log */
	if (write(ready_fd, &ok, 1) != 1) {
		/* the command is gone: nobody to tell */
	}
	close(ready_fd);
	ready_fd = -1;
}

static int absolute(const char *path, char *out, size_t size)
{
	char cwd[PATH_MAX];

	if (path[0] == '/')
		return snprintf(out, size, "%s", path) >= (int)size ? -1 : 0;
	if (!getcwd(cwd, sizeof(cwd)))
		return -1;
	return snprintf(out, size, "%s/%s", cwd, path) >= (int)size ? -1 : 0;
}

int vmm_pidfile_write(const char *path)
{
	char tmp[PATH_MAX + 16], line[32];
	int fd, n;

	if (absolute(path, pid_path, sizeof(pid_path)) ||
	    snprintf(tmp, sizeof(tmp), "%s.XXXXXX", pid_path) >= (int)sizeof(tmp)) {
		fprintf(stderr, "godwit-vmm: -pidfile: %s: path too long\n", path);
		goto out_none;
	}
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		goto out_err;
	n = snprintf(line, sizeof(line), "%d\n", (int)getpid());
	if (write(fd, line, (size_t)n) != n || fchmod(fd, 0644) || close(fd)) {
		close(fd);
		unlink(tmp);
		goto out_err;
	}
	if (rename(tmp, pid_path)) {
		unlink(tmp);
		goto out_err;
	}
	return 0;
out_err:
	fprintf(stderr, "godwit-vmm: -pidfile: %s: %s\n", path, strerror(errno));
out_none:
	pid_path[0] = '\0';
	return -1;
}

void vmm_pidfile_remove(void)
{
	char line[32];
	ssize_t n;
	int fd;

	if (!pid_path[0])
		return;
	fd = open(pid_path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	n = read(fd, line, sizeof(line) - 1);
	close(fd);
	if (n > 0) {
		line[n] = '\0';
		if (atoi(line) == (int)getpid())
			unlink(pid_path); /* another VMM's file is not ours to remove */
	}
	pid_path[0] = '\0';
}
