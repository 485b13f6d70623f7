/*
 * socket.c - the unix socket server backend (see chardev.h): a listening
 * socket, at most one client at a time, clients coming and going while the
 * guest runs.
 *
 * Invariants: in_fd == out_fd == the client, or both -1; while a client is
 * attached the listener is not polled, so the next one waits in the
 * backlog; the client's leaving discards its unsent output and clears
 * busy, so the guest never waits on a reader that is gone.
 */
#include "chardev/chardev.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

/* A socket file someone still listens on is not ours to take over. */
static bool socket_in_use(const struct sockaddr_un *sa)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	bool live;

	if (fd < 0)
		return false;
	live = connect(fd, (const struct sockaddr *)sa, sizeof(*sa)) == 0;
	close(fd);
	return live;
}

static void attach(struct chardev *c, int fd)
{
	c->in_fd = c->out_fd = fd;
	c->out_socket = true;
	c->len = c->head = 0;
	c->clients++;
}

int chardev_socket_listen(struct chardev *c, char *err, size_t errlen)
{
	struct sockaddr_un sa;
	int fd;

	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	if (strlen(c->cfg.path) >= sizeof(sa.sun_path)) {
		snprintf(err, errlen, "%s: socket path too long", c->cfg.path);
		return -1;
	}
	strcpy(sa.sun_path, c->cfg.path);
	if (socket_in_use(&sa)) {
		snprintf(err, errlen, "%s: socket is in use by another process", c->cfg.path);
		return -1;
	}
	unlink(c->cfg.path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		goto out_err;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) || listen(fd, 4))
		goto out_close;
	c->listen_fd = fd;
	if (!c->cfg.wait)
		return 0;
	/* wait=on: the guest starts once the first client is there, as on QEMU */
	fprintf(stderr, "godwit-vmm: waiting for connection on: unix:%s,server=on\n", c->cfg.path);
	for (;;) {
		struct pollfd p = { fd, POLLIN, 0 };

		if (poll(&p, 1, -1) < 0 && errno != EINTR)
			goto out_listener;
		chardev_socket_accept(c);
		if (c->in_fd >= 0)
			return 0;
	}
out_listener:
	c->listen_fd = -1;
	unlink(c->cfg.path);
out_close:
	close(fd);
out_err:
	snprintf(err, errlen, "%s: %s", c->cfg.path, strerror(errno));
	return -1;
}

void chardev_socket_accept(struct chardev *c)
{
	int fd;

	if (c->in_fd >= 0)
		return;
	fd = accept4(c->listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (fd < 0)
		return; /* EAGAIN, or the client left already: poll again */
	attach(c, fd);
	fprintf(stderr, "godwit-vmm: console client connected on %s\n", c->cfg.path);
}

void chardev_socket_hangup(struct chardev *c)
{
	if (c->in_fd < 0)
		return;
	close(c->in_fd);
	fprintf(stderr, "godwit-vmm: console client left %s (%zu bytes unsent)\n",
		c->cfg.path, c->len);
	c->in_fd = c->out_fd = -1;
	c->len = c->head = 0;
	if (c->busy) {
		c->busy = false;
		c->dropping = false;
		if (c->fe.writable)
			c->fe.writable(c->fe.opaque);
	}
}
