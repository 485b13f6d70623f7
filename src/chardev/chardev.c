/*
 * chardev.c - the common part of the character backends (see chardev.h):
 * the bounded output ring, non-blocking output, input to the frontend,
 * and the stdio, file and null backends. The socket backend's listener
 * and client are in socket.c.
 *
 * Invariants: len <= CHARDEV_OUT_SIZE; busy is true exactly between a
 * write that left less than CHARDEV_SLACK free and the drain (or client
 * change) that restored it, and each such drain calls writable() once.
 */
#include "chardev/chardev.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static size_t ring_free(const struct chardev *c)
{
	return CHARDEV_OUT_SIZE - c->len;
}

/* Room is back (drained, or the sink changed): tell the frontend. */
static void update_busy(struct chardev *c)
{
	if (c->busy && ring_free(c) >= CHARDEV_SLACK) {
		c->busy = false;
		c->dropping = false;
		if (c->fe.writable)
			c->fe.writable(c->fe.opaque);
	}
}

static ssize_t sink_write(struct chardev *c, const uint8_t *p, size_t n)
{
	if (c->out_socket)
		return send(c->out_fd, p, n, MSG_DONTWAIT | MSG_NOSIGNAL);
	return write(c->out_fd, p, n);
}

/* The sink failed for good: stdio/file output stops, a client is gone. */
static void sink_failed(struct chardev *c, int err)
{
	if (c->cfg.kind == CHARDEV_SOCKET) {
		chardev_socket_hangup(c);
		return;
	}
	fprintf(stderr, "godwit-vmm: console output failed (%s); discarding it from now on\n",
		strerror(err));
	if (c->restore_fl >= 0)
		fcntl(c->out_fd, F_SETFL, c->restore_fl);
	close(c->out_fd);
	c->out_fd = -1;
	c->restore_fl = -1;
	c->len = c->head = 0;
	update_busy(c);
}

/* Send what the sink takes now, never waiting. */
static void flush_ring(struct chardev *c)
{
	while (c->len && c->out_fd >= 0) {
		size_t first = CHARDEV_OUT_SIZE - c->head;
		ssize_t r;

		if (first > c->len)
			first = c->len;
		r = sink_write(c, c->ring + c->head, first);
		if (r > 0) {
			c->head = (c->head + (size_t)r) % CHARDEV_OUT_SIZE;
			c->len -= (size_t)r;
		} else if (r < 0 && errno == EINTR) {
			continue;
		} else if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			break;
		} else {
			sink_failed(c, r < 0 ? errno : EPIPE);
			return;
		}
	}
	if (!c->len)
		c->head = 0;
	update_busy(c);
}

size_t chardev_write(struct chardev *c, const uint8_t *buf, size_t n)
{
	size_t take = n, tail;

	if (c->out_fd < 0)
		return n; /* null, or a socket without a client: discarded */
	if (take > ring_free(c))
		take = ring_free(c);
	if (take < n) {
		c->dropped += n - take;
		if (!c->dropping)
			fprintf(stderr, "godwit-vmm: console backend full, guest output dropped "
				"(the guest wrote while the UART reported busy)\n");
		c->dropping = true;
	}
	for (size_t i = 0; i < take; i++) {
		tail = (c->head + c->len) % CHARDEV_OUT_SIZE;
		c->ring[tail] = buf[i];
		c->len++;
	}
	if (ring_free(c) < CHARDEV_SLACK)
		c->busy = true;
	flush_ring(c);
	return take;
}

bool chardev_busy(const struct chardev *c)
{
	return c->busy;
}

void chardev_set_frontend(struct chardev *c, const struct chardev_frontend *fe)
{
	c->fe = *fe;
}

/*
 * stdout (or any inherited descriptor) without blocking: a pipe, FIFO or
 * terminal is opened again through /proc so O_NONBLOCK is ours alone (the
 * shell sharing the terminal is not affected); a socket uses MSG_DONTWAIT;
 * a regular file never blocks. Otherwise the flag is set and put back at
 * close, as QEMU does.
 */
static int open_inherited(struct chardev *c, int fd, char *err, size_t errlen)
{
	struct stat st;
	char path[64];

	if (fstat(fd, &st)) {
		snprintf(err, errlen, "stdout: %s", strerror(errno));
		return -1;
	}
	if (S_ISSOCK(st.st_mode)) {
		c->out_fd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
		c->out_socket = true;
	} else if (S_ISREG(st.st_mode)) {
		c->out_fd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
	} else {
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		c->out_fd = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
		if (c->out_fd < 0) {
			c->out_fd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
			c->restore_fl = c->out_fd >= 0 ? fcntl(c->out_fd, F_GETFL) : -1;
			if (c->restore_fl >= 0)
				fcntl(c->out_fd, F_SETFL, c->restore_fl | O_NONBLOCK);
		}
	}
	if (c->out_fd < 0) {
		snprintf(err, errlen, "stdout: %s", strerror(errno));
		return -1;
	}
	return 0;
}

static int open_file(struct chardev *c, char *err, size_t errlen)
{
	int flags = O_WRONLY | O_CREAT | O_CLOEXEC | O_NONBLOCK | O_NOCTTY;

	flags |= c->cfg.append ? O_APPEND : O_TRUNC;
	c->out_fd = open(c->cfg.path, flags, 0666);
	if (c->out_fd < 0) {
		snprintf(err, errlen, "%s: %s", c->cfg.path, strerror(errno));
		return -1;
	}
	return 0;
}

int chardev_open(struct chardev *c, const struct chardev_config *cfg, char *err, size_t errlen)
{
	memset(c, 0, sizeof(*c));
	c->cfg = *cfg;
	c->in_fd = c->out_fd = c->listen_fd = -1;
	c->restore_fl = -1;
	c->ring = malloc(CHARDEV_OUT_SIZE);
	if (!c->ring) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	switch (cfg->kind) {
	case CHARDEV_STDIO:
		c->in_fd = STDIN_FILENO;
		if (open_inherited(c, STDOUT_FILENO, err, errlen))
			goto out_ring;
		return 0;
	case CHARDEV_FILE:
		if (open_file(c, err, errlen))
			goto out_ring;
		return 0;
	case CHARDEV_SOCKET:
		if (chardev_socket_listen(c, err, errlen))
			goto out_ring;
		return 0;
	case CHARDEV_NULL:
		return 0;
	case CHARDEV_NONE:
		break;
	}
	snprintf(err, errlen, "no backend");
out_ring:
	free(c->ring);
	c->ring = NULL;
	return -1;
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

void chardev_close(struct chardev *c, int timeout_ms)
{
	uint64_t end = now_ms() + (uint64_t)(timeout_ms > 0 ? timeout_ms : 0);

	if (!c->ring)
		return;
	flush_ring(c);
	while (c->len && c->out_fd >= 0 && now_ms() < end) {
		struct pollfd p = { c->out_fd, POLLOUT, 0 };

		if (poll(&p, 1, (int)(end - now_ms())) <= 0)
			break;
		flush_ring(c);
	}
	if (c->cfg.kind == CHARDEV_SOCKET)
		chardev_socket_hangup(c);
	if (c->restore_fl >= 0)
		fcntl(c->out_fd, F_SETFL, c->restore_fl);
	if (c->out_fd >= 0)
		close(c->out_fd);
	if (c->listen_fd >= 0) {
		close(c->listen_fd);
		unlink(c->cfg.path);
	}
	c->out_fd = c->listen_fd = c->in_fd = -1;
	free(c->ring);
	c->ring = NULL;
}

int chardev_pollfds(struct chardev *c, struct pollfd *fds, int max, bool want_input)
{
	int n = 0;

	if (c->listen_fd >= 0 && c->in_fd < 0 && n < max) {
		fds[n].fd = c->listen_fd; /* one client at a time: accept when free */
		fds[n++].events = POLLIN;
	}
	if (c->in_fd >= 0 && c->in_fd == c->out_fd && n < max) {
		/* socket client: always polled, so a hang-up is noticed */
		fds[n].fd = c->in_fd;
		fds[n++].events = (short)((want_input ? POLLIN : 0) | (c->len ? POLLOUT : 0));
		return n;
	}
	if (c->in_fd >= 0 && want_input && n < max) {
		fds[n].fd = c->in_fd;
		fds[n++].events = POLLIN;
	}
	if (c->out_fd >= 0 && c->len && n < max) {
		fds[n].fd = c->out_fd;
		fds[n++].events = POLLOUT;
	}
	return n;
}

static void read_input(struct chardev *c)
{
	uint8_t buf[256];
	size_t room = c->fe.can_receive ? c->fe.can_receive(c->fe.opaque) : 0;
	ssize_t got;

	if (room == 0)
		return;
	if (room > sizeof(buf))
		room = sizeof(buf);
	got = read(c->in_fd, buf, room);
	if (got < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (got <= 0) {
		if (c->cfg.kind == CHARDEV_SOCKET)
			chardev_socket_hangup(c);
		else
			c->in_fd = -1; /* end of input: stop polling it */
		return;
	}
	if (c->fe.receive)
		c->fe.receive(c->fe.opaque, buf, (size_t)got);
}

void chardev_dispatch(struct chardev *c, const struct pollfd *fds, int n)
{
	for (int i = 0; i < n; i++) {
		short rev = fds[i].revents;

		if (!rev)
			continue;
		if (fds[i].fd == c->listen_fd && c->listen_fd >= 0) {
			chardev_socket_accept(c);
			continue;
		}
		if (fds[i].fd != c->in_fd && fds[i].fd != c->out_fd)
			continue; /* closed meanwhile */
		if ((rev & POLLOUT) && fds[i].fd == c->out_fd)
			flush_ring(c);
		if ((rev & (POLLIN | POLLHUP | POLLERR | POLLNVAL)) && fds[i].fd == c->in_fd) {
			if ((rev & POLLNVAL) || ((rev & (POLLHUP | POLLERR)) && !(rev & POLLIN))) {
				if (c->cfg.kind == CHARDEV_SOCKET)
					chardev_socket_hangup(c);
				else
					c->in_fd = -1;
				continue;
			}
			read_input(c);
		} else if ((rev & (POLLHUP | POLLERR)) && fds[i].fd == c->out_fd) {
			flush_ring(c); /* reports the failure */
		}
	}
}
