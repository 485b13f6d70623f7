/*
 * netdev.h - network backends for virtio-net: where the guest's Ethernet
 * frames go and come from. The -netdev meanings are QEMU's:
 *
 *   tap,id=ID[,ifname=NAME][,script=no][,downscript=no]
 *       /dev/net/tun, IFF_TAP | IFF_NO_PI, no vnet header: one frame per
 *       read/write. NAME may exist already (ip tuntap add) or is created
 *       (non-persistent); without ifname the kernel picks tapN. Scripts are
 *       never run: script/downscript must be absent, empty or "no".
 *   socket,id=ID,listen=[HOST]:PORT
 *   socket,id=ID,connect=HOST:PORT
 *       TCP stream; every frame is a 4-byte big-endian length followed by
 *       the frame, as QEMU's -netdev socket sends it. listen accepts one
 *       peer at a time (later peers are closed at once while one is
 *       connected) and goes back to listening when it leaves; connect
 *       connects once, without blocking, and stays down when the peer goes.
 *   socket,id=ID,udp=HOST:PORT,localaddr=HOST:PORT
 *       UDP: one frame per datagram, sent to udp=, received on localaddr=
 *       from anyone (as QEMU does).
 *
 * HOST is an IPv4 address, [IPv6] or a name (IPv4 preferred, as QEMU's
 * socket backend is IPv4-only); empty means any address for listen= and
 * localaddr=, the local host for connect= and udp=. PORT is decimal
 * 1..65535 (0 only for listen= and localaddr=: any free port, see
 * netdev_local_port()). A listen= backend reports the link down until a
 * peer connects.
 *
 * Everything is non-blocking and driven by the VMM's run loop through
 * netdev_poll_fill()/netdev_poll_events(); one thread, no locks. Memory is
 * bounded: a stream buffers at most one frame in and NETDEV_STREAM_OUT_MAX
 * bytes out; a full output buffer is reported by netdev_can_send() so that
 * the device stops taking frames from the guest until it drains.
 *
 * Invariants:
 *  - link_up is true iff frames can flow now: tap open and not failed; a
 *    stream with a connected peer; UDP always. It only changes inside
 *    netdev_open/netdev_poll_events/netdev_send/netdev_recv; the device
 *    compares it with what the guest was told after each of those.
 *  - A stream never sends part of a frame: a frame is written whole, or
 *    buffered whole, or dropped whole.
 */
#ifndef GODWIT_NET_NETDEV_H
#define GODWIT_NET_NETDEV_H

#include <net/if.h>
#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/uio.h>

#define NETDEV_ID_MAX 64     /* id= length limit, with the NUL */
#define NETDEV_HOST_MAX 256  /* HOST length limit, with the NUL */
/* Largest frame sent to a backend (the device drops bigger ones). */
#define NETDEV_MAX_FRAME 65535
/* Largest frame taken from a backend: QEMU's NET_BUFSIZE. A stream peer
 * announcing more breaks the protocol and is disconnected. */
#define NETDEV_RX_MAX (4096 + 65536)
/* Stream output buffer; netdev_can_send() is false with less than one
 * maximal frame of room. */
#define NETDEV_STREAM_OUT_MAX (4 * (4 + NETDEV_MAX_FRAME))
/* Longest iovec netdev_send() takes. */
#define NETDEV_MAX_IOV 64
/* Most pollfds a backend fills. */
#define NETDEV_MAX_POLLFDS 2

enum netdev_type {
	NETDEV_TAP = 1,
	NETDEV_SOCKET_LISTEN,
	NETDEV_SOCKET_CONNECT,
	NETDEV_SOCKET_UDP,
};

/* A parsed -netdev: plain data, nothing to free. */
struct netdev_config {
	enum netdev_type type;
	char id[NETDEV_ID_MAX];
	char ifname[IFNAMSIZ];      /* tap; "" = let the kernel choose */
	char host[NETDEV_HOST_MAX]; /* listen=/connect=/udp= */
	uint16_t port;
	char local_host[NETDEV_HOST_MAX]; /* localaddr= (udp) */
	uint16_t local_port;
};

/* netdev_poll_events() result bits */
#define NETDEV_EV_READABLE 1u /* a frame may be waiting: call netdev_recv */

struct netdev {
	enum netdev_type type;
	char id[NETDEV_ID_MAX];
	char name[NETDEV_HOST_MAX + 16]; /* for messages: "tap0", "127.0.0.1:5555" */
	int fd;        /* the data fd (tap, stream peer, UDP socket); -1: none */
	bool link_up;  /* see the invariants above */

	/* backend operations (use the netdev_* wrappers below) */
	int (*poll_fill)(struct netdev *nd, struct pollfd *fds, int max, bool want_rx);
	unsigned (*poll_events)(struct netdev *nd, const struct pollfd *fds, int n);
	bool (*can_send)(struct netdev *nd);
	int (*send)(struct netdev *nd, const struct iovec *iov, int iovcnt, size_t len);
	ssize_t (*recv)(struct netdev *nd, void *buf, size_t len, bool may_read);
	void (*close)(struct netdev *nd); /* also frees nd */
};

/*
 * Parse the argument of -netdev ("tap,id=n0,ifname=tap0", ...) into *out.
 * Returns 0, or -1 with a one-line message in err (e.g. "unknown netdev
 * type 'user' (tap, socket)", "id= is required", "listen=: bad port
 * '70000'"). Only the syntax is checked; names are resolved at open.
 */
int netdev_parse(const char *arg, struct netdev_config *out, char *err,
		 size_t errlen);

/*
 * Open the backend described by c (create/attach the tap, bind/listen,
 * start connecting). Returns 0 and *out (free with netdev_close), or -1
 * with a message in err ("tap0: TUNSETIFF: Operation not permitted",
 * "connect=127.0.0.1:5555: Connection refused", ...).
 */
int netdev_open(const struct netdev_config *c, struct netdev **out, char *err,
		size_t errlen);
/* The local port a listen= or UDP backend is bound to (-1: none). */
int netdev_local_port(const struct netdev *nd);

/* Close the backend and free nd (NULL: nothing). */
static inline void netdev_close(struct netdev *nd)
{
	if (nd)
		nd->close(nd);
}

/* Fill up to max (>= NETDEV_MAX_POLLFDS) pollfds; want_rx: the device has
 * room for frames (POLLIN is asked for only then; errors and hangups are
 * watched always). Returns how many were filled. */
static inline int netdev_poll_fill(struct netdev *nd, struct pollfd *fds,
				   int max, bool want_rx)
{
	return nd->poll_fill(nd, fds, max, want_rx);
}

/* The pollfds filled last, with revents: accept peers, flush output,
 * notice errors and hangups (link_up may change). Returns NETDEV_EV_*. */
static inline unsigned netdev_poll_events(struct netdev *nd,
					  const struct pollfd *fds, int n)
{
	return nd->poll_events(nd, fds, n);
}

/* May a frame of up to NETDEV_MAX_FRAME bytes be sent now without being
 * dropped for lack of buffer space? (Only a stream can say no.) */
static inline bool netdev_can_send(struct netdev *nd)
{
	return nd->can_send(nd);
}

/* Send one frame of len bytes (0 < len <= NETDEV_MAX_FRAME) gathered from
 * iov (iovcnt <= NETDEV_MAX_IOV, covering exactly len bytes). 0: sent or
 * queued; -1: dropped (no peer, link down, host buffer full, host error). */
static inline int netdev_send(struct netdev *nd, const struct iovec *iov,
			      int iovcnt, size_t len)
{
	return nd->send(nd, iov, iovcnt, len);
}

/* Take one frame into buf (len >= NETDEV_RX_MAX). Returns its length
 * (> 0); 0: no frame now; -1: a frame was taken and dropped (empty, too
 * big, host error). may_read false: only frames the backend already holds
 * (a stream's buffer), no read from the host. */
static inline ssize_t netdev_recv(struct netdev *nd, void *buf, size_t len,
				  bool may_read)
{
	return nd->recv(nd, buf, len, may_read);
}

/* Backend constructors (tap.c, socket.c), called by netdev_open(), which
 * lives in socket.c with netdev_parse(). */
int netdev_tap_open(const struct netdev_config *c, struct netdev **out,
		    char *err, size_t errlen);
int netdev_socket_open(const struct netdev_config *c, struct netdev **out,
		       char *err, size_t errlen);

/* The poll entry of a backend with one fd (tap, UDP): POLLIN only while
 * the device wants frames. Returns the number of pollfds used. */
static inline int netdev_fill_one(const struct netdev *nd, struct pollfd *fds,
				  int max, bool want_rx)
{
	if (nd->fd < 0 || max < 1)
		return 0;
	fds[0].fd = nd->fd;
	fds[0].events = want_rx ? POLLIN : 0;
	fds[0].revents = 0;
	return 1;
}

#endif
