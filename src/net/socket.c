/*
 * socket.c - the socket backends (see netdev.h), plus the generic part of
 * the netdev API: netdev_parse() for the -netdev argument and
 * netdev_open(), which hands each type to its backend.
 *
 * Stream framing is QEMU's: a 4-byte big-endian length, then the frame.
 * Input is reassembled in a buffer that holds one maximal frame and its
 * length; output the socket does not take at once is kept in a bounded
 * buffer and flushed on POLLOUT. A frame is only ever written whole or
 * dropped whole, so the byte stream never loses its framing.
 *
 * Invariants (stream): in[in_start, in_end) is unparsed input, at most
 * STREAM_IN_CAP bytes; out[out_start, out_end) is output not yet taken by
 * the socket and is a sequence of whole frames minus a prefix of the
 * first; fd < 0 implies both are empty and link_up is false.
 */
#include "net/netdev.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define STREAM_IN_CAP (4 + NETDEV_RX_MAX)
#define ACCEPTS_PER_EVENT 8

struct sock {
	struct netdev nd;      /* first: the netdev handed out */
	int lfd;               /* listen socket, or -1 */
	bool connecting;       /* connect= in progress (nd.fd set) */
	struct sockaddr_storage dst; /* udp= destination */
	socklen_t dst_len;
	uint8_t *in;
	size_t in_start, in_end;
	uint8_t *out;
	size_t out_start, out_end;
};

static struct sock *to_sock(struct netdev *nd)
{
	return (struct sock *)nd;
}

static void say(const struct netdev *nd, const char *what)
{
	fprintf(stderr, "godwit-vmm: netdev %s: %s: %s\n", nd->id, nd->name, what);
}

/* ---- parsing ---------------------------------------------------------- */

static int copy_value(char *dst, size_t cap, const char *key, const char *v,
		      char *err, size_t errlen)
{
	if (strlen(v) >= cap) {
		snprintf(err, errlen, "%s=: value too long (at most %zu characters)",
			 key, cap - 1);
		return -1;
	}
	snprintf(dst, cap, "%s", v);
	return 0;
}

/*
 * "[HOST]:PORT": HOST may be empty, a name, an IPv4 address or a
 * bracketed IPv6 address; PORT decimal, 1..65535 (0 too if allow0).
 */
static int parse_hostport(const char *key, const char *v, char *host,
			  size_t hostcap, uint16_t *port, bool allow0,
			  char *err, size_t errlen)
{
	const char *colon, *h = v, *p;
	size_t hlen;
	unsigned long n = 0;

	if (v[0] == '[') {
		const char *close = strchr(v, ']');

		if (!close || close[1] != ':') {
			snprintf(err, errlen, "%s=: expected [IPV6]:PORT, got '%s'", key, v);
			return -1;
		}
		h = v + 1;
		hlen = (size_t)(close - h);
		colon = close + 1;
	} else {
		colon = strrchr(v, ':');
		if (!colon) {
			snprintf(err, errlen, "%s=: expected HOST:PORT, got '%s'", key, v);
			return -1;
		}
		hlen = (size_t)(colon - v);
		if (memchr(v, ':', hlen)) {
			snprintf(err, errlen, "%s=: an IPv6 address needs brackets: [ADDR]:PORT",
				 key);
			return -1;
		}
	}
	if (hlen >= hostcap) {
		snprintf(err, errlen, "%s=: host name too long", key);
		return -1;
	}
	p = colon + 1;
	if (!*p || strlen(p) > 5 || strspn(p, "0123456789") != strlen(p)) {
		snprintf(err, errlen, "%s=: bad port '%s'", key, p);
		return -1;
	}
	for (; *p; p++)
		n = n * 10 + (unsigned long)(*p - '0');
	if (n > 65535 || (n == 0 && !allow0)) {
		snprintf(err, errlen, "%s=: bad port '%s' (1..65535)", key, colon + 1);
		return -1;
	}
	memcpy(host, h, hlen);
	host[hlen] = '\0';
	*port = (uint16_t)n;
	return 0;
}

static bool no_script(const char *v)
{
	return !*v || !strcmp(v, "no");
}

static bool is_off(const char *v)
{
	return !strcmp(v, "off") || !strcmp(v, "false") || !strcmp(v, "no");
}

/* One key=value of a tap or socket netdev. */
static int netdev_kv(struct netdev_config *c, const char *k, const char *v,
		     char *err, size_t errlen)
{
	if (!strcmp(k, "id"))
		return copy_value(c->id, sizeof(c->id), k, v, err, errlen);
	if (c->type == NETDEV_TAP) {
		if (!strcmp(k, "ifname"))
			return copy_value(c->ifname, sizeof(c->ifname), k, v, err, errlen);
		if (!strcmp(k, "script") || !strcmp(k, "downscript")) {
			if (no_script(v))
				return 0;
			snprintf(err, errlen, "%s=: godwit runs no scripts; use %s=no and "
				 "set the interface up beforehand", k, k);
			return -1;
		}
		if (!strcmp(k, "vhost") || !strcmp(k, "vnet_hdr")) {
			if (is_off(v))
				return 0;
			snprintf(err, errlen, "%s=: only %s=off is supported", k, k);
			return -1;
		}
		if (!strcmp(k, "queues")) {
			if (!strcmp(v, "1"))
				return 0;
			snprintf(err, errlen, "queues=: only one queue is supported");
			return -1;
		}
		if (!strcmp(k, "fd") || !strcmp(k, "fds") || !strcmp(k, "helper") ||
		    !strcmp(k, "br") || !strcmp(k, "vhostfd") || !strcmp(k, "vhostfds")) {
			snprintf(err, errlen, "tap: %s= is not supported (use ifname=)", k);
			return -1;
		}
		snprintf(err, errlen, "tap: unknown option '%s'", k);
		return -1;
	}
	/* socket: the type is refined by the address key */
	if (!strcmp(k, "listen") || !strcmp(k, "connect") || !strcmp(k, "udp")) {
		enum netdev_type t = !strcmp(k, "listen") ? NETDEV_SOCKET_LISTEN :
				     !strcmp(k, "connect") ? NETDEV_SOCKET_CONNECT :
							     NETDEV_SOCKET_UDP;

		if (c->type != 0 && c->type != t) {
			snprintf(err, errlen,
				 "socket: give exactly one of listen=, connect=, udp=");
			return -1;
		}
		c->type = t;
		return parse_hostport(k, v, c->host, sizeof(c->host), &c->port,
				      t == NETDEV_SOCKET_LISTEN, err, errlen);
	}
	if (!strcmp(k, "localaddr"))
		return parse_hostport(k, v, c->local_host, sizeof(c->local_host),
				      &c->local_port, true, err, errlen);
	if (!strcmp(k, "mcast") || !strcmp(k, "fd")) {
		snprintf(err, errlen, "socket: %s= is not supported (listen=, connect=, udp=)", k);
		return -1;
	}
	snprintf(err, errlen, "socket: unknown option '%s'", k);
	return -1;
}

int netdev_parse(const char *arg, struct netdev_config *out, char *err,
		 size_t errlen)
{
	struct netdev_config c;
	char tok[NETDEV_HOST_MAX + 32];
	const char *p = arg;
	bool first = true, socket_type = false, have_local = false;

	memset(&c, 0, sizeof(c));
	if (!arg || !*arg) {
		snprintf(err, errlen, "expected TYPE,id=ID,... (tap, socket)");
		return -1;
	}
	while (*p) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		char *eq;

		if (len == 0) {
			snprintf(err, errlen, "empty option (',,' is not supported)");
			return -1;
		}
		if (len >= sizeof(tok)) {
			snprintf(err, errlen, "option too long: '%.20s...'", p);
			return -1;
		}
		memcpy(tok, p, len);
		tok[len] = '\0';
		p += len;
		if (*p == ',' && !*++p) {
			snprintf(err, errlen, "trailing ','");
			return -1;
		}
		eq = strchr(tok, '=');
		if (first) {
			const char *type = tok;

			first = false;
			if (eq) {
				if (strncmp(tok, "type=", 5)) {
					snprintf(err, errlen, "the netdev type comes first: "
						 "TYPE,id=ID,... (tap, socket)");
					return -1;
				}
				type = tok + 5;
			}
			if (!strcmp(type, "tap")) {
				c.type = NETDEV_TAP;
			} else if (!strcmp(type, "socket")) {
				socket_type = true;
			} else {
				snprintf(err, errlen, "unknown netdev type '%s' (tap, socket)", type);
				return -1;
			}
			continue;
		}
		if (!eq) {
			snprintf(err, errlen, "expected key=value, got '%s'", tok);
			return -1;
		}
		*eq = '\0';
		if (!strcmp(tok, "localaddr"))
			have_local = true;
		if (netdev_kv(&c, tok, eq + 1, err, errlen))
			return -1;
	}
	if (!c.id[0]) {
		snprintf(err, errlen, "id= is required");
		return -1;
	}
	if (socket_type && c.type == 0) {
		snprintf(err, errlen, "socket: one of listen=, connect=, udp= is required");
		return -1;
	}
	if (c.type == NETDEV_SOCKET_UDP && !have_local) {
		snprintf(err, errlen, "socket: localaddr= is required with udp=");
		return -1;
	}
	if (c.type != NETDEV_SOCKET_UDP && have_local) {
		snprintf(err, errlen, "socket: localaddr= goes only with udp=");
		return -1;
	}
	*out = c;
	return 0;
}

int netdev_open(const struct netdev_config *c, struct netdev **out, char *err,
		size_t errlen)
{
	switch (c->type) {
	case NETDEV_TAP:
		return netdev_tap_open(c, out, err, errlen);
	case NETDEV_SOCKET_LISTEN:
	case NETDEV_SOCKET_CONNECT:
	case NETDEV_SOCKET_UDP:
		return netdev_socket_open(c, out, err, errlen);
	default:
		snprintf(err, errlen, "netdev '%s': no type", c->id);
		return -1;
	}
}

int netdev_local_port(const struct netdev *nd)
{
	const struct sock *s = (const struct sock *)nd;
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	int fd;

	if (nd->type == NETDEV_SOCKET_LISTEN)
		fd = s->lfd;
	else if (nd->type == NETDEV_SOCKET_UDP)
		fd = nd->fd;
	else
		return -1;
	if (fd < 0 || getsockname(fd, (struct sockaddr *)&ss, &len) < 0)
		return -1;
	if (ss.ss_family == AF_INET)
		return ntohs(((struct sockaddr_in *)&ss)->sin_port);
	if (ss.ss_family == AF_INET6)
		return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	return -1;
}

/* ---- streams ----------------------------------------------------------- */

/* The peer is gone (or broke the protocol): close, link down. */
static void stream_drop_peer(struct sock *s, const char *why)
{
	if (s->nd.fd >= 0) {
		char msg[128];

		snprintf(msg, sizeof(msg), "%s; link down%s", why,
			 s->lfd >= 0 ? ", waiting for a new peer" : "");
		say(&s->nd, msg);
		close(s->nd.fd);
	}
	s->nd.fd = -1;
	s->nd.link_up = false;
	s->connecting = false;
	s->in_start = s->in_end = 0;
	s->out_start = s->out_end = 0;
}

static void stream_io_error(struct sock *s, const char *op, int err)
{
	char msg[96];

	if (err == ECONNRESET || err == EPIPE)
		snprintf(msg, sizeof(msg), "peer gone (%s)", strerror(err));
	else
		snprintf(msg, sizeof(msg), "%s: %s", op, strerror(err));
	stream_drop_peer(s, msg);
}

static void stream_new_peer(struct sock *s, int fd)
{
	int one = 1;

	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	s->nd.fd = fd;
	s->nd.link_up = true;
	s->connecting = false;
	s->in_start = s->in_end = 0;
	s->out_start = s->out_end = 0;
}

/* Write buffered output; false if the peer was dropped. */
static bool stream_flush(struct sock *s)
{
	while (s->out_start < s->out_end) {
		ssize_t w = send(s->nd.fd, s->out + s->out_start,
				 s->out_end - s->out_start, MSG_NOSIGNAL | MSG_DONTWAIT);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return true;
		if (w <= 0) {
			stream_io_error(s, "send", w < 0 ? errno : EPIPE);
			return false;
		}
		s->out_start += (size_t)w;
	}
	s->out_start = s->out_end = 0;
	return true;
}

static size_t stream_out_room(const struct sock *s)
{
	return NETDEV_STREAM_OUT_MAX - (s->out_end - s->out_start);
}

static void stream_out_compact(struct sock *s)
{
	if (s->out_start == 0)
		return;
	memmove(s->out, s->out + s->out_start, s->out_end - s->out_start);
	s->out_end -= s->out_start;
	s->out_start = 0;
}

static bool stream_can_send(struct netdev *nd)
{
	struct sock *s = to_sock(nd);

	return stream_out_room(s) >= 4 + NETDEV_MAX_FRAME;
}

static int stream_send(struct netdev *nd, const struct iovec *iov, int iovcnt,
		       size_t len)
{
	struct sock *s = to_sock(nd);
	struct iovec v[NETDEV_MAX_IOV + 1];
	uint32_t be = htonl((uint32_t)len);
	size_t done = 0, total = 4 + len;
	struct msghdr mh;

	if (nd->fd < 0 || s->connecting || iovcnt < 1 || iovcnt > NETDEV_MAX_IOV ||
	    len == 0 || len > NETDEV_MAX_FRAME)
		return -1;
	if (stream_out_room(s) < total)
		return -1; /* no room to keep it whole: drop it whole */
	v[0].iov_base = &be;
	v[0].iov_len = 4;
	memcpy(v + 1, iov, sizeof(*iov) * (size_t)iovcnt);
	if (s->out_start == s->out_end) {
		/* nothing queued: write directly, keep what the socket refuses */
		ssize_t w;

		memset(&mh, 0, sizeof(mh));
		mh.msg_iov = v;
		mh.msg_iovlen = (size_t)iovcnt + 1;
		do
			w = sendmsg(nd->fd, &mh, MSG_NOSIGNAL | MSG_DONTWAIT);
		while (w < 0 && errno == EINTR);
		if (w < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
			stream_io_error(s, "send", errno);
			return -1;
		}
		done = w > 0 ? (size_t)w : 0;
		if (done == total)
			return 0;
	}
	/* queue [done, total) of the frame */
	stream_out_compact(s);
	for (int i = 0; i <= iovcnt; i++) {
		size_t l = v[i].iov_len, skip = done < l ? done : l;

		done -= skip;
		memcpy(s->out + s->out_end, (uint8_t *)v[i].iov_base + skip, l - skip);
		s->out_end += l - skip;
	}
	if (s->out_end - s->out_start > total)
		stream_flush(s); /* older output first, then this frame */
	return 0;
}

static uint32_t be32_at(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static ssize_t stream_recv(struct netdev *nd, void *buf, size_t len, bool may_read)
{
	struct sock *s = to_sock(nd);

	for (;;) {
		size_t have = s->in_end - s->in_start;
		ssize_t r;

		if (have >= 4) {
			uint32_t flen = be32_at(s->in + s->in_start);

			if (flen > NETDEV_RX_MAX) {
				stream_drop_peer(s, "peer sent a frame longer than 69632 bytes");
				return -1;
			}
			if (have >= 4 + (size_t)flen) {
				const uint8_t *f = s->in + s->in_start + 4;

				s->in_start += 4 + (size_t)flen;
				if (flen == 0 || flen > len)
					r = -1; /* empty or too big: dropped */
				else {
					memcpy(buf, f, flen);
					r = (ssize_t)flen;
				}
				if (s->in_start == s->in_end)
					s->in_start = s->in_end = 0;
				return r;
			}
		}
		if (!may_read || nd->fd < 0 || s->connecting)
			return 0;
		if (s->in_start) {
			memmove(s->in, s->in + s->in_start, have);
			s->in_start = 0;
			s->in_end = have;
		}
		/* a partial frame is at most 4 + NETDEV_RX_MAX - 1 bytes: room here */
		r = recv(nd->fd, s->in + s->in_end, STREAM_IN_CAP - s->in_end,
			 MSG_DONTWAIT);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 0;
		if (r == 0) {
			stream_drop_peer(s, "peer closed the connection");
			return 0;
		}
		if (r < 0) {
			stream_io_error(s, "recv", errno);
			return 0;
		}
		s->in_end += (size_t)r;
	}
}

static int stream_poll_fill(struct netdev *nd, struct pollfd *fds, int max,
			    bool want_rx)
{
	struct sock *s = to_sock(nd);
	int n = 0;

	/* the peer first: see stream_poll_events */
	if (nd->fd >= 0 && n < max) {
		fds[n].fd = nd->fd;
		if (s->connecting)
			fds[n].events = POLLOUT;
		else
			fds[n].events = (short)((want_rx ? POLLIN : 0) | POLLRDHUP |
						(s->out_start < s->out_end ? POLLOUT : 0));
		fds[n].revents = 0;
		n++;
	}
	if (s->lfd >= 0 && n < max) {
		fds[n].fd = s->lfd;
		fds[n].events = POLLIN;
		fds[n].revents = 0;
		n++;
	}
	return n;
}

static void stream_connected(struct sock *s)
{
	int e = 0;
	socklen_t l = sizeof(e);

	if (getsockopt(s->nd.fd, SOL_SOCKET, SO_ERROR, &e, &l) < 0)
		e = errno;
	if (e) {
		char msg[96];

		snprintf(msg, sizeof(msg), "connect: %s", strerror(e));
		stream_drop_peer(s, msg);
		return;
	}
	stream_new_peer(s, s->nd.fd);
	say(&s->nd, "connected; link up");
}

static void stream_accept(struct sock *s)
{
	for (int i = 0; i < ACCEPTS_PER_EVENT; i++) {
		struct sockaddr_storage ss;
		socklen_t sl = sizeof(ss);
		char host[NI_MAXHOST], serv[NI_MAXSERV], msg[NI_MAXHOST + NI_MAXSERV + 64];
		int fd = accept4(s->lfd, (struct sockaddr *)&ss, &sl,
				 SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (fd < 0)
			return; /* EAGAIN, or a peer that left already */
		if (getnameinfo((struct sockaddr *)&ss, sl, host, sizeof(host), serv,
				sizeof(serv), NI_NUMERICHOST | NI_NUMERICSERV))
			snprintf(host, sizeof(host), "?"), snprintf(serv, sizeof(serv), "?");
		if (s->nd.fd >= 0) {
			snprintf(msg, sizeof(msg), "refused %s:%s (a peer is connected)",
				 host, serv);
			say(&s->nd, msg);
			close(fd);
			continue;
		}
		stream_new_peer(s, fd);
		snprintf(msg, sizeof(msg), "peer %s:%s connected; link up", host, serv);
		say(&s->nd, msg);
	}
}

static unsigned stream_poll_events(struct netdev *nd, const struct pollfd *fds,
				   int n)
{
	struct sock *s = to_sock(nd);
	short re = 0;
	bool peer = false, acc = false;
	unsigned ev = 0;

	for (int i = 0; i < n; i++) {
		if (nd->fd >= 0 && fds[i].fd == nd->fd) {
			peer = true;
			re = fds[i].revents;
		} else if (s->lfd >= 0 && fds[i].fd == s->lfd) {
			acc = (fds[i].revents & POLLIN) != 0;
		}
	}
	/* the peer first, before accept can reuse its fd */
	if (peer) {
		if (s->connecting) {
			if (re)
				stream_connected(s);
		} else if (re & POLLNVAL) {
			stream_drop_peer(s, "socket invalid");
		} else {
			if ((re & POLLOUT) && !stream_flush(s))
				re = 0;
			if (re & POLLIN)
				ev |= NETDEV_EV_READABLE; /* data, or the EOF recv sees */
			else if (re & (POLLERR | POLLHUP | POLLRDHUP))
				stream_drop_peer(s, "peer gone");
		}
	}
	if (acc)
		stream_accept(s);
	return ev;
}

/* ---- UDP ---------------------------------------------------------------- */

static int udp_poll_fill(struct netdev *nd, struct pollfd *fds, int max,
			 bool want_rx)
{
	return netdev_fill_one(nd, fds, max, want_rx);
}

static unsigned udp_poll_events(struct netdev *nd, const struct pollfd *fds,
				int n)
{
	if (n < 1 || nd->fd < 0 || fds[0].fd != nd->fd)
		return 0;
	if (fds[0].revents & POLLERR) {
		int e;
		socklen_t l = sizeof(e);

		getsockopt(nd->fd, SOL_SOCKET, SO_ERROR, &e, &l); /* clear it */
	}
	return (fds[0].revents & POLLIN) ? NETDEV_EV_READABLE : 0;
}

static bool udp_can_send(struct netdev *nd)
{
	(void)nd;
	return true;
}

static int udp_send(struct netdev *nd, const struct iovec *iov, int iovcnt,
		    size_t len)
{
	struct sock *s = to_sock(nd);
	struct msghdr mh;
	ssize_t w;

	if (nd->fd < 0 || iovcnt < 1 || iovcnt > NETDEV_MAX_IOV || len == 0)
		return -1;
	memset(&mh, 0, sizeof(mh));
	mh.msg_name = &s->dst;
	mh.msg_namelen = s->dst_len;
	mh.msg_iov = (struct iovec *)iov;
	mh.msg_iovlen = (size_t)iovcnt;
	do
		w = sendmsg(nd->fd, &mh, MSG_DONTWAIT | MSG_NOSIGNAL);
	while (w < 0 && errno == EINTR);
	return w == (ssize_t)len ? 0 : -1; /* EMSGSIZE, ENOBUFS, ...: dropped */
}

static ssize_t udp_recv(struct netdev *nd, void *buf, size_t len, bool may_read)
{
	ssize_t r;

	if (nd->fd < 0 || !may_read)
		return 0;
	do
		r = recv(nd->fd, buf, len, MSG_DONTWAIT | MSG_TRUNC);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return 0; /* EAGAIN, or an ICMP error now cleared */
	if (r == 0 || (size_t)r > len)
		return -1; /* empty or truncated datagram */
	return r;
}

/* ---- opening -------------------------------------------------------------- */

static void sock_close(struct netdev *nd)
{
	struct sock *s = to_sock(nd);

	if (nd->fd >= 0)
		close(nd->fd);
	if (s->lfd >= 0)
		close(s->lfd);
	free(s->in);
	free(s->out);
	free(s);
}

/*
 * Resolve host:port (empty host: any address for a local one, loopback
 * otherwise), preferring IPv4 like QEMU's IPv4-only socket backend.
 * family: AF_UNSPEC or the family the address must have.
 */
static int resolve(const char *key, const char *host, uint16_t port, bool local,
		   int socktype, int family, struct sockaddr_storage *ss,
		   socklen_t *len, char *err, size_t errlen)
{
	struct addrinfo hints, *res = NULL, *pick = NULL;
	char serv[8];
	int rc;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = family;
	hints.ai_socktype = socktype;
	hints.ai_flags = AI_NUMERICSERV | (local ? AI_PASSIVE : 0);
	snprintf(serv, sizeof(serv), "%u", port);
	rc = getaddrinfo(host[0] ? host : NULL, serv, &hints, &res);
	if (rc) {
		snprintf(err, errlen, "%s=%s:%u: %s", key, host, port, gai_strerror(rc));
		return -1;
	}
	for (struct addrinfo *a = res; a && !pick; a = a->ai_next)
		if (a->ai_family == AF_INET)
			pick = a;
	for (struct addrinfo *a = res; a && !pick; a = a->ai_next)
		if (a->ai_family == AF_INET6)
			pick = a;
	if (!pick || pick->ai_addrlen > sizeof(*ss)) {
		snprintf(err, errlen, "%s=%s:%u: no usable address", key, host, port);
		freeaddrinfo(res);
		return -1;
	}
	memcpy(ss, pick->ai_addr, pick->ai_addrlen);
	*len = pick->ai_addrlen;
	freeaddrinfo(res);
	return 0;
}

static void hostport_name(char *dst, size_t cap, const char *host, uint16_t port)
{
	if (strchr(host, ':'))
		snprintf(dst, cap, "[%s]:%u", host, port);
	else
		snprintf(dst, cap, "%s:%u", host, port);
}

static int open_listen(struct sock *s, const struct netdev_config *c, char *err,
		       size_t errlen)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	int one = 1;

	if (resolve("listen", c->host, c->port, true, SOCK_STREAM, AF_UNSPEC, &ss, &sl,
		    err, errlen))
		return -1;
	s->lfd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s->lfd < 0 ||
	    setsockopt(s->lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(s->lfd, (struct sockaddr *)&ss, sl) < 0 || listen(s->lfd, 1) < 0) {
		snprintf(err, errlen, "listen=%s: %s", s->nd.name, strerror(errno));
		return -1;
	}
	if (c->port == 0) /* an ephemeral port: name the one we got */
		hostport_name(s->nd.name, sizeof(s->nd.name), c->host,
			      (uint16_t)netdev_local_port(&s->nd));
	s->nd.link_up = false; /* until a peer connects */
	return 0;
}

static int open_connect(struct sock *s, const struct netdev_config *c, char *err,
			size_t errlen)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	int fd, r;

	if (resolve("connect", c->host, c->port, false, SOCK_STREAM, AF_UNSPEC, &ss, &sl,
		    err, errlen))
		return -1;
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(err, errlen, "connect=%s: %s", s->nd.name, strerror(errno));
		return -1;
	}
	do
		r = connect(fd, (struct sockaddr *)&ss, sl);
	while (r < 0 && errno == EINTR);
	if (r < 0 && errno != EINPROGRESS) {
		snprintf(err, errlen, "connect=%s: %s", s->nd.name, strerror(errno));
		close(fd);
		return -1;
	}
	stream_new_peer(s, fd);
	if (r < 0) {
		s->connecting = true; /* completes in stream_poll_events */
		s->nd.link_up = false;
	}
	return 0;
}

static int open_udp(struct sock *s, const struct netdev_config *c, char *err,
		    size_t errlen)
{
	struct sockaddr_storage local;
	socklen_t ll;

	if (resolve("udp", c->host, c->port, false, SOCK_DGRAM, AF_UNSPEC, &s->dst,
		    &s->dst_len, err, errlen) ||
	    resolve("localaddr", c->local_host, c->local_port, true, SOCK_DGRAM,
		    s->dst.ss_family, &local, &ll, err, errlen))
		return -1;
	s->nd.fd = socket(local.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s->nd.fd < 0 || bind(s->nd.fd, (struct sockaddr *)&local, ll) < 0) {
		char name[NETDEV_HOST_MAX + 16];

		hostport_name(name, sizeof(name), c->local_host, c->local_port);
		snprintf(err, errlen, "localaddr=%s: %s", name, strerror(errno));
		return -1;
	}
	s->nd.link_up = true;
	return 0;
}

int netdev_socket_open(const struct netdev_config *c, struct netdev **out,
		       char *err, size_t errlen)
{
	struct sock *s = calloc(1, sizeof(*s));
	int rc;

	if (!s) {
		snprintf(err, errlen, "socket: out of memory");
		return -1;
	}
	s->nd.type = c->type;
	s->nd.fd = -1;
	s->lfd = -1;
	snprintf(s->nd.id, sizeof(s->nd.id), "%s", c->id);
	hostport_name(s->nd.name, sizeof(s->nd.name), c->host, c->port);
	s->nd.close = sock_close;
	if (c->type == NETDEV_SOCKET_UDP) {
		s->nd.poll_fill = udp_poll_fill;
		s->nd.poll_events = udp_poll_events;
		s->nd.can_send = udp_can_send;
		s->nd.send = udp_send;
		s->nd.recv = udp_recv;
		rc = open_udp(s, c, err, errlen);
	} else {
		s->nd.poll_fill = stream_poll_fill;
		s->nd.poll_events = stream_poll_events;
		s->nd.can_send = stream_can_send;
		s->nd.send = stream_send;
		s->nd.recv = stream_recv;
		s->in = malloc(STREAM_IN_CAP);
		s->out = malloc(NETDEV_STREAM_OUT_MAX);
		if (!s->in || !s->out) {
			snprintf(err, errlen, "socket: out of memory");
			rc = -1;
		} else if (c->type == NETDEV_SOCKET_LISTEN) {
			rc = open_listen(s, c, err, errlen);
		} else {
			rc = open_connect(s, c, err, errlen);
		}
	}
	if (rc) {
		sock_close(&s->nd);
		return -1;
	}
	*out = &s->nd;
	return 0;
}
