/*
 * server.c - the guest's two network services on one poll() loop:
 *
 *   port 7   TCP echo: every byte received is sent back (counted in
 *            echo_bytes). A connection may stay open for a long time (it
 *            is how tests watch a connection survive a migration); it is
 *            closed after ECHO_IDLE_NS without traffic.
 *   port 80  HTTP/1.0: GET / answers a small JSON status object; other
 *            paths 404, other methods 405, garbage 400. One request per
 *            connection, then close.
 *
 * Invariants: at most MAX_CONN connections (more are accepted and closed at
 * once); a connection owns one BUF_SIZE buffer that holds either received
 * bytes not yet echoed, the HTTP request being read, or the HTTP response
 * being written; a connection is never reading and writing at once.
 */
#define _GNU_SOURCE /* accept4, ppoll */
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "init.h"

#define MAX_CONN 32
#define BUF_SIZE 4096
#define HTTP_REQ_MAX 2048
#define HTTP_IDLE_NS (10 * GW_NS_PER_S)
#define ECHO_IDLE_NS (900 * GW_NS_PER_S)
#define ACCEPT_BURST 8
#define ECHO_PORT 7
#define HTTP_PORT 80

enum conn_kind { CONN_FREE, CONN_ECHO, CONN_HTTP };

struct conn {
	enum conn_kind kind;
	int fd;
	int writing;   /* 1: sending buf[off..len), 0: reading */
	size_t len;
	size_t off;
	int64_t last_ns; /* last activity, CLOCK_MONOTONIC */
	char buf[BUF_SIZE];
};

struct gw_server {
	int echo_fd;
	int http_fd;
	struct gw_stats *stats;
	struct conn conns[MAX_CONN];
	struct pollfd pfd[MAX_CONN + 2];
	int pfd_conn[MAX_CONN + 2]; /* index into conns, or -1 for a listener */
};

static int listen_on(int port)
{
	struct sockaddr_in sin;
	int one = 1;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd < 0)
		goto fail;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0)
		goto fail_close;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)port);
	sin.sin_addr.s_addr = htonl(INADDR_ANY);
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) != 0)
		goto fail_close;
	if (listen(fd, 16) != 0)
		goto fail_close;
	return fd;
fail_close:
	close(fd);
fail:
	gw_say("server: cannot listen on port %d: %s", port, strerror(errno));
	return -1;
}

static void conn_close(struct conn *c)
{
	close(c->fd);
	c->fd = -1;
	c->kind = CONN_FREE;
}

/* Sends what is pending; 0 when all is sent, 1 when it must wait, -1 on error. */
static int conn_flush(struct conn *c)
{
	while (c->off < c->len) {
		ssize_t w = send(c->fd, c->buf + c->off, c->len - c->off, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 1;
		if (w <= 0)
			return -1;
		c->off += (size_t)w;
	}
	c->writing = 0;
	c->len = c->off = 0;
	return 0;
}

/* ---- HTTP */

static void http_status_body(struct gw_server *srv, char *body, size_t size)
{
	const struct gw_stats *st = srv->stats;
	uint64_t pages = gw_stat_get(&st->dirty_pages_written);
	const char *verify = !gw_stat_get(&st->dirty_running) ? "off"
			     : gw_stat_get(&st->dirty_bad_pages) ? "fail" : "ok";

	snprintf(body, size,
		 "{\"uptime_ms\":%lld,\"heartbeat\":%llu,\"echo_bytes\":%llu,"
		 "\"dirty_mb\":%llu,\"dirty_verify\":\"%s\"}\n",
		 (long long)(gw_clock_ns(CLOCK_MONOTONIC) / GW_NS_PER_MS),
		 (unsigned long long)gw_stat_get(&st->heartbeat),
		 (unsigned long long)gw_stat_get(&st->echo_bytes),
		 (unsigned long long)(pages * 4096 >> 20), verify);
}

/* Replaces the request in c->buf by a response and starts sending it. */
static void http_reply(struct conn *c, int status, const char *reason, const char *type,
		       const char *body, int head_only)
{
	int n = snprintf(c->buf, sizeof(c->buf),
			 "HTTP/1.0 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
			 "Connection: close\r\n\r\n%s",
			 status, reason, type, strlen(body), head_only ? "" : body);

	if (n < 0 || (size_t)n >= sizeof(c->buf)) {
		conn_close(c);
		return;
	}
	c->len = (size_t)n;
	c->off = 0;
	c->writing = 1;
}

/* Answers the complete request head now in c->buf (NUL-terminated). */
static void http_answer(struct gw_server *srv, struct conn *c)
{
	char method[8], target[256], body[256];
	const char *p = c->buf, *sp;
	size_t n;
	int head;

	gw_stat_add(&srv->stats->http_requests, 1);
	sp = strchr(p, ' ');
	n = sp ? (size_t)(sp - p) : 0;
	if (n == 0 || n >= sizeof(method))
		goto bad;
	memcpy(method, p, n);
	method[n] = '\0';
	p = sp + 1;
	n = strcspn(p, " \r\n");
	if (n == 0 || n >= sizeof(target) || p[n] != ' ' || strncmp(p + n + 1, "HTTP/", 5) != 0)
		goto bad;
	memcpy(target, p, n);
	target[n] = '\0';
	head = strcmp(method, "HEAD") == 0;
	if (strcmp(method, "GET") != 0 && !head) {
		http_reply(c, 405, "Method Not Allowed", "text/plain", "method not allowed\n", 0);
		return;
	}
	if (strcmp(target, "/") != 0 && strncmp(target, "/?", 2) != 0) {
		http_reply(c, 404, "Not Found", "text/plain", "not found\n", head);
		return;
	}
	http_status_body(srv, body, sizeof(body));
	http_reply(c, 200, "OK", "application/json", body, head);
	return;
bad:
	http_reply(c, 400, "Bad Request", "text/plain", "bad request\n", 0);
}

static void http_readable(struct gw_server *srv, struct conn *c)
{
	ssize_t n = recv(c->fd, c->buf + c->len, HTTP_REQ_MAX - 1 - c->len, MSG_DONTWAIT);

	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
		return;
	if (n < 0 || (n == 0 && c->len == 0)) {
		conn_close(c);
		return;
	}
	c->len += (size_t)n;
	c->buf[c->len] = '\0';
	if (n == 0 || strstr(c->buf, "\r\n\r\n") || strstr(c->buf, "\n\n")) {
		/* a request cut short by EOF is answered as well as it parses */
		http_answer(srv, c);
	} else if (c->len >= HTTP_REQ_MAX - 1) {
		http_reply(c, 431, "Request Header Fields Too Large", "text/plain", "request too large\n", 0);
	} else if (memchr(c->buf, '\0', c->len)) {
		http_reply(c, 400, "Bad Request", "text/plain", "bad request\n", 0);
	}
}

/* ---- echo */

static void echo_readable(struct gw_server *srv, struct conn *c)
{
	ssize_t n = recv(c->fd, c->buf, sizeof(c->buf), MSG_DONTWAIT);

	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
		return;
	if (n <= 0) {
		conn_close(c);
		return;
	}
	gw_stat_add(&srv->stats->echo_bytes, (uint64_t)n);
	c->len = (size_t)n;
	c->off = 0;
	c->writing = 1;
}

/* ---- connection table */

static void accept_all(struct gw_server *srv, int lfd, enum conn_kind kind, int64_t now)
{
	int i, j, fd;

	for (i = 0; i < ACCEPT_BURST; i++) {
		fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0)
			return;
		for (j = 0; j < MAX_CONN && srv->conns[j].kind != CONN_FREE; j++)
			;
		if (j == MAX_CONN) {
			close(fd); /* table full: refuse rather than grow */
			continue;
		}
		srv->conns[j].kind = kind;
		srv->conns[j].fd = fd;
		srv->conns[j].writing = 0;
		srv->conns[j].len = srv->conns[j].off = 0;
		srv->conns[j].last_ns = now;
	}
}

static void conn_event(struct gw_server *srv, struct conn *c, short revents, int64_t now)
{
	int rc;

	if (revents & (POLLERR | POLLNVAL)) {
		conn_close(c);
		return;
	}
	c->last_ns = now;
	if (!c->writing && (revents & (POLLIN | POLLHUP))) {
		if (c->kind == CONN_ECHO)
			echo_readable(srv, c);
		else
			http_readable(srv, c);
	}
	if (c->kind == CONN_FREE || !c->writing)
		return;
	rc = conn_flush(c);
	if (rc < 0 || (rc == 0 && c->kind == CONN_HTTP)) {
		if (rc == 0)
			shutdown(c->fd, SHUT_WR);
		conn_close(c);
	}
}

static void expire_idle(struct gw_server *srv, int64_t now)
{
	int i;

	for (i = 0; i < MAX_CONN; i++) {
		struct conn *c = &srv->conns[i];
		int64_t limit = c->kind == CONN_HTTP ? HTTP_IDLE_NS : ECHO_IDLE_NS;
		if (c->kind != CONN_FREE && now - c->last_ns > limit)
			conn_close(c);
	}
}

static nfds_t build_pollfds(struct gw_server *srv)
{
	nfds_t n = 0;
	int i;

	if (srv->echo_fd >= 0) {
		srv->pfd[n] = (struct pollfd){ .fd = srv->echo_fd, .events = POLLIN };
		srv->pfd_conn[n++] = -1;
	}
	if (srv->http_fd >= 0) {
		srv->pfd[n] = (struct pollfd){ .fd = srv->http_fd, .events = POLLIN };
		srv->pfd_conn[n++] = -1;
	}
	for (i = 0; i < MAX_CONN; i++) {
		struct conn *c = &srv->conns[i];
		if (c->kind == CONN_FREE)
			continue;
		srv->pfd[n] = (struct pollfd){ .fd = c->fd, .events = c->writing ? POLLOUT : POLLIN };
		srv->pfd_conn[n++] = i;
	}
	return n;
}

void gw_server_poll(struct gw_server *srv, int64_t timeout_ns)
{
	struct timespec ts;
	nfds_t n, i;
	int64_t now;
	int rc;

	if (timeout_ns < 0)
		timeout_ns = 0;
	ts.tv_sec = (time_t)(timeout_ns / GW_NS_PER_S);
	ts.tv_nsec = (long)(timeout_ns % GW_NS_PER_S);
	if (!srv) {
		gw_sleep_ns(timeout_ns);
		return;
	}
	n = build_pollfds(srv);
	rc = ppoll(srv->pfd, n, &ts, NULL);
	now = gw_clock_ns(CLOCK_MONOTONIC);
	for (i = 0; rc > 0 && i < n; i++) {
		short re = srv->pfd[i].revents;
		if (!re)
			continue;
		if (srv->pfd_conn[i] >= 0)
			conn_event(srv, &srv->conns[srv->pfd_conn[i]], re, now);
		else
			accept_all(srv, srv->pfd[i].fd, srv->pfd[i].fd == srv->echo_fd ? CONN_ECHO : CONN_HTTP, now);
	}
	expire_idle(srv, now);
}

struct gw_server *gw_server_open(struct gw_stats *stats, int port_offset)
{
	struct gw_server *srv = calloc(1, sizeof(*srv));
	int i;

	if (!srv) {
		gw_say("server: out of memory");
		return NULL;
	}
	for (i = 0; i < MAX_CONN; i++)
		srv->conns[i].fd = -1;
	srv->stats = stats;
	srv->echo_fd = listen_on(ECHO_PORT + port_offset);
	srv->http_fd = listen_on(HTTP_PORT + port_offset);
	if (srv->echo_fd < 0 && srv->http_fd < 0) {
		free(srv);
		return NULL;
	}
	gw_say("server: echo on tcp port %d, http on tcp port %d", ECHO_PORT + port_offset,
	       HTTP_PORT + port_offset);
	return srv;
}

void gw_server_close(struct gw_server *srv)
{
	int i;

	if (!srv)
		return;
	for (i = 0; i < MAX_CONN; i++)
		if (srv->conns[i].kind != CONN_FREE)
			conn_close(&srv->conns[i]);
	if (srv->echo_fd >= 0)
		close(srv->echo_fd);
	if (srv->http_fd >= 0)
		close(srv->http_fd);
	free(srv);
}
