/*
 * tcp.c - connecting and listening for migration streams (see tcp.h).
 * Invariant: every socket made here is close-on-exec; connect never waits
 * longer than its timeout.
 */
#include "migration/tcp.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int mig_tcp_connect(const struct uri *u, int timeout_ms, char *err, size_t errlen)
{
	struct addrinfo hints = { 0 }, *res = NULL, *ai;
	int fd = -1, r;

	hints.ai_socktype = SOCK_STREAM;
	r = getaddrinfo(u->host[0] ? u->host : "127.0.0.1", u->port, &hints, &res);
	if (r) {
		snprintf(err, errlen, "cannot resolve '%s': %s", u->host, gai_strerror(r));
		return -1;
	}
	snprintf(err, errlen, "cannot connect to %s:%s", u->host, u->port);
	for (ai = res; ai; ai = ai->ai_next) {
		struct pollfd p;
		int soerr = 0;
		socklen_t sl = sizeof(soerr);

		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (fd < 0)
			continue;
		r = connect(fd, ai->ai_addr, ai->ai_addrlen);
		if (r < 0 && errno == EINPROGRESS) {
			p.fd = fd;
			p.events = POLLOUT;
			r = poll(&p, 1, timeout_ms) == 1 &&
			    !getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) && !soerr ? 0 : -1;
			if (r < 0)
				errno = soerr ? soerr : ETIMEDOUT;
		}
		if (r == 0)
			break;
		snprintf(err, errlen, "cannot connect to %s:%s: %s", u->host, u->port,
			 strerror(errno));
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	return fd;
}

int mig_tcp_listen(const struct uri *u, char *err, size_t errlen)
{
	struct addrinfo hints = { 0 }, *res = NULL;
	int fd, one = 1, r;

	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE;
	r = getaddrinfo(u->host[0] ? u->host : NULL, u->port, &hints, &res);
	if (r) {
		snprintf(err, errlen, "cannot resolve '%s': %s", u->host, gai_strerror(r));
		return -1;
	}
	fd = socket(res->ai_family, res->ai_socktype | SOCK_CLOEXEC, 0);
	if (fd < 0)
		goto fail;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, res->ai_addr, res->ai_addrlen) || listen(fd, 4))
		goto fail;
	freeaddrinfo(res);
	return fd;
fail:
	snprintf(err, errlen, "cannot listen on %s:%s: %s", u->host, u->port, strerror(errno));
	if (fd >= 0)
		close(fd);
	freeaddrinfo(res);
	return -1;
}

void mig_tcp_peer(int fd, char *buf, size_t len)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	char host[INET6_ADDRSTRLEN] = "?";
	unsigned port = 0;

	if (getpeername(fd, (struct sockaddr *)&ss, &sl) == 0) {
		if (ss.ss_family == AF_INET) {
			struct sockaddr_in *a = (struct sockaddr_in *)&ss;
			inet_ntop(AF_INET, &a->sin_addr, host, sizeof(host));
			port = ntohs(a->sin_port);
		} else if (ss.ss_family == AF_INET6) {
			struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
			inet_ntop(AF_INET6, &a->sin6_addr, host, sizeof(host));
			port = ntohs(a->sin6_port);
		}
	}
	snprintf(buf, len, "%s:%u", host, port);
}
