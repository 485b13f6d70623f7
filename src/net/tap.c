/*
 * tap.c - the tap backend (see netdev.h): /dev/net/tun in IFF_TAP |
 * IFF_NO_PI mode without a vnet header, so one read or write is exactly
 * one Ethernet frame.
 *
 * The interface may be deleted under us (ip link del): the kernel then
 * detaches the fd, which polls POLLERR and fails reads and writes with
 * EBADFD. The backend closes it and reports the link down for good. A
 * write failing otherwise (interface down: EIO; queue full: EAGAIN,
 * ENOBUFS) only drops that frame.
 */
#include "net/netdev.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

static void tap_fail(struct netdev *nd, int err)
{
	if (nd->fd >= 0) {
		fprintf(stderr, "godwit-vmm: netdev %s: %s: %s; link down\n", nd->id,
			nd->name, err ? strerror(err) : "interface gone");
		close(nd->fd);
	}
	nd->fd = -1;
	nd->link_up = false;
}

/* Errors that mean the fd no longer reaches an interface. */
static bool fatal(int err)
{
	return err == EBADFD || err == EBADF || err == ENODEV || err == ENXIO;
}

static int tap_poll_fill(struct netdev *nd, struct pollfd *fds, int max,
			 bool want_rx)
{
	return netdev_fill_one(nd, fds, max, want_rx);
}

static unsigned tap_poll_events(struct netdev *nd, const struct pollfd *fds,
				int n)
{
	if (n < 1 || nd->fd < 0 || fds[0].fd != nd->fd)
		return 0;
	if (fds[0].revents & (POLLERR | POLLHUP | POLLNVAL)) {
		tap_fail(nd, 0);
		return 0;
	}
	return (fds[0].revents & POLLIN) ? NETDEV_EV_READABLE : 0;
}

static bool tap_can_send(struct netdev *nd)
{
	(void)nd;
	return true;
}

static int tap_send(struct netdev *nd, const struct iovec *iov, int iovcnt,
		    size_t len)
{
	ssize_t r;

	if (nd->fd < 0 || iovcnt < 1 || iovcnt > NETDEV_MAX_IOV || len == 0)
		return -1;
	do
		r = writev(nd->fd, iov, iovcnt);
	while (r < 0 && errno == EINTR);
	if (r < 0) {
		if (fatal(errno))
			tap_fail(nd, errno);
		return -1; /* EIO (interface down), EAGAIN, ENOBUFS: dropped */
	}
	return (size_t)r == len ? 0 : -1;
}

static ssize_t tap_recv(struct netdev *nd, void *buf, size_t len, bool may_read)
{
	ssize_t r;

	if (nd->fd < 0 || !may_read)
		return 0;
	do
		r = read(nd->fd, buf, len);
	while (r < 0 && errno == EINTR);
	if (r > 0)
		return r;
	if (r == 0 || errno == EAGAIN)
		return 0;
	if (fatal(errno))
		tap_fail(nd, errno);
	return 0;
}

static void tap_close(struct netdev *nd)
{
	if (nd->fd >= 0)
		close(nd->fd);
	free(nd);
}

int netdev_tap_open(const struct netdev_config *c, struct netdev **out,
		    char *err, size_t errlen)
{
	struct netdev *nd;
	struct ifreq ifr;
	int fd;

	fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "tap: /dev/net/tun: %s", strerror(errno));
		return -1;
	}
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s",
		 c->ifname[0] ? c->ifname : "tap%d");
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		snprintf(err, errlen, "tap %s: TUNSETIFF: %s",
			 c->ifname[0] ? c->ifname : "(new)", strerror(errno));
		close(fd);
		return -1;
	}
	nd = calloc(1, sizeof(*nd));
	if (!nd) {
		snprintf(err, errlen, "tap: out of memory");
		close(fd);
		return -1;
	}
	nd->type = NETDEV_TAP;
	snprintf(nd->id, sizeof(nd->id), "%s", c->id);
	snprintf(nd->name, sizeof(nd->name), "%.*s", IFNAMSIZ, ifr.ifr_name);
	nd->fd = fd;
	nd->link_up = true;
	nd->poll_fill = tap_poll_fill;
	nd->poll_events = tap_poll_events;
	nd->can_send = tap_can_send;
	nd->send = tap_send;
	nd->recv = tap_recv;
	nd->close = tap_close;
	*out = nd;
	return 0;
}
