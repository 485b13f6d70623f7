/*
 * qmpc.c - the blocking QMP client (see qmpc.h).
 *
 * The socket is non-blocking; "blocking" is the API: each call polls until
 * its answer arrives or its deadline passes, in slices of QMPC_SLICE_MS so
 * that a signal flag is noticed promptly even if it was set just before
 * poll() started. Input is parsed as soon as it is read, every complete line
 * at once, so an event's receipt time is the time of the read() that
 * completed its line, whatever command the caller was waiting for.
 */
#include "cli/qmpc.h"

#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define QMPC_READ_CHUNK 4096
#define QMPC_READS_PER_DRAIN 64   /* a flooding peer cannot hold a wait forever */
#define QMPC_SNIPPET 40           /* bytes of a bad message quoted in errors */
#define QMPC_CONNECT_RETRY_MS 10  /* listen backlog full: try again after */

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Milliseconds left until deadline_ns, at least 0, at most max_ms. */
static int ms_left(int64_t deadline_ns, int max_ms)
{
	int64_t left = deadline_ns - now_ns();

	if (left <= 0)
		return 0;
	left = (left + 999999) / 1000000;
	return left < max_ms ? (int)left : max_ms;
}

static bool interrupted(const volatile sig_atomic_t *flag)
{
	return flag && *flag;
}

/* Control characters (a peer's message may hold newlines) become spaces, so
 * that err stays one line. */
static void one_line(char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = ' ';
}

static void set_err(struct qmpc *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void set_err(struct qmpc *c, const char *fmt, ...)
{
	va_list ap;
	int n;

	n = snprintf(c->err, sizeof(c->err), "%s %s: ", c->label,
		     c->path ? c->path : "(not connected)");
	if (n < 0 || (size_t)n >= sizeof(c->err))
		n = 0;
	va_start(ap, fmt);
	vsnprintf(c->err + n, sizeof(c->err) - (size_t)n, fmt, ap);
	va_end(ap);
	one_line(c->err);
}

/* The connection is gone for good: keep the reason, close the socket. */
static int set_broken(struct qmpc *c, enum qmpc_rc rc)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	c->broken = rc;
	c->want_id = 0;
	return rc;
}

/* Up to QMPC_SNIPPET printable bytes of s, for an error message. */
static void snippet(const char *s, size_t len, char *out, size_t out_len)
{
	size_t i, n = 0;

	for (i = 0; i < len && i < QMPC_SNIPPET && n + 1 < out_len; i++)
		out[n++] = (s[i] >= 0x20 && s[i] < 0x7f) ? s[i] : '.';
	out[n] = 0;
}

/* ------------------------------------------------------------------ */
/* Input                                                               */

static int handle_msg(struct qmpc *c, json_t *msg)
{
	json_t *v;

	if (!c->greeted) {
		if (!json_is_object(json_object_get(msg, "QMP"))) {
			set_err(c, "not a QMP server: its first message is not a QMP greeting");
			return set_broken(c, QMPC_ERR_PROTO);
		}
		c->greeted = true;
		return QMPC_OK;
	}
	v = json_object_get(msg, "event");
	if (json_is_string(v)) {
		if (c->on_event)
			c->on_event(c->opaque, c, json_string_value(v), msg, c->rx_ns);
		return QMPC_OK;
	}
	if (!json_object_get(msg, "return") && !json_object_get(msg, "error"))
		return QMPC_OK; /* neither event nor reply: nothing we asked for */
	v = json_object_get(msg, "id");
	/* a reply without an id is taken too: a peer may not echo ids */
	if (c->want_id && !c->reply &&
	    (!v || (json_is_integer(v) && (uint64_t)json_integer_value(v) == c->want_id)))
		c->reply = json_incref(msg);
	return QMPC_OK;
}

/* Parse and handle every complete line in the input buffer. */
static int parse_lines(struct qmpc *c)
{
	size_t off = 0;
	int rc = QMPC_OK;

	while (off < c->in_len) {
		char *line = c->in + off;
		char *nl = memchr(line, '\n', c->in_len - off);
		size_t len;
		json_error_t jerr;
		json_t *msg;

		if (!nl)
			break;
		len = (size_t)(nl - line);
		off += len + 1;
		if (strspn(line, " \t\r") >= len)
			continue; /* blank line */
		msg = json_loadb(line, len, 0, &jerr);
		if (!json_is_object(msg)) {
			char snip[QMPC_SNIPPET + 1];

			json_decref(msg);
			while (len > 0 && line[len - 1] == '\r')
				len--;
			snippet(line, len, snip, sizeof(snip));
			set_err(c, "%s: got '%s'",
				c->greeted ? "malformed QMP message" : "not a QMP server", snip);
			return set_broken(c, QMPC_ERR_PROTO);
		}
		rc = handle_msg(c, msg);
		json_decref(msg);
		if (rc != QMPC_OK)
			return rc;
	}
	memmove(c->in, c->in + off, c->in_len - off);
	c->in_len -= off;
	if (c->in_len > QMPC_LINE_MAX) {
		set_err(c, "%s: a message longer than %d bytes",
			c->greeted ? "malformed QMP message" : "not a QMP server", QMPC_LINE_MAX);
		return set_broken(c, QMPC_ERR_PROTO);
	}
	return QMPC_OK;
}

/* Read what the socket holds now and handle every complete message. */
static int drain(struct qmpc *c)
{
	for (int reads = 0; reads < QMPC_READS_PER_DRAIN; reads++) {
		ssize_t n;
		int rc;

		if (c->broken)
			return c->broken;
		if (c->in_cap - c->in_len < QMPC_READ_CHUNK) {
			size_t cap = c->in_cap ? c->in_cap * 2 : 2 * QMPC_READ_CHUNK;
			char *in = realloc(c->in, cap);

			if (!in) {
				set_err(c, "out of memory for a %zu-byte input buffer", cap);
				return set_broken(c, QMPC_ERR_IO);
			}
			c->in = in;
			c->in_cap = cap;
		}
		n = recv(c->fd, c->in + c->in_len, c->in_cap - c->in_len, MSG_DONTWAIT);
		if (n > 0) {
			c->rx_ns = now_ns();
			c->in_len += (size_t)n;
			rc = parse_lines(c);
			if (rc != QMPC_OK)
				return rc;
			continue;
		}
		if (n == 0) {
			set_err(c, c->greeted ? "the peer closed the connection"
					      : "the peer closed the connection before sending "
						"a QMP greeting (not a QMP socket?)");
			return set_broken(c, QMPC_ERR_IO);
		}
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			return QMPC_OK;
		set_err(c, "read: %s", strerror(errno));
		return set_broken(c, QMPC_ERR_IO);
	}
	return QMPC_OK;
}

/* One poll() of at most ms on the live connections of set[0..n), then
 * read from those that are ready. Failures are recorded per connection. */
static void wait_io(struct qmpc *const *set, size_t n, int ms)
{
	struct pollfd pfd[QMPC_PUMP_MAX];
	struct qmpc *who[QMPC_PUMP_MAX];
	nfds_t np = 0;

	for (size_t i = 0; i < n && np < QMPC_PUMP_MAX; i++) {
		if (!set[i] || set[i]->broken || set[i]->fd < 0)
			continue;
		pfd[np].fd = set[i]->fd;
		pfd[np].events = POLLIN;
		pfd[np].revents = 0;
		who[np++] = set[i];
	}
	if (poll(pfd, np, ms) <= 0)
		return; /* timeout, or EINTR: the caller checks its flag */
	for (nfds_t i = 0; i < np; i++)
		if (pfd[i].revents)
			drain(who[i]);
}

/* ------------------------------------------------------------------ */
/* Output                                                              */

static int send_all(struct qmpc *c, const char *buf, size_t len, int64_t deadline)
{
	size_t off = 0;

	while (off < len) {
		ssize_t n = send(c->fd, buf + off, len - off, MSG_NOSIGNAL | MSG_DONTWAIT);
		struct pollfd pfd = { .fd = c->fd, .events = POLLOUT };

		if (n > 0) {
			off += (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
			set_err(c, "write: %s", strerror(errno));
			return set_broken(c, QMPC_ERR_IO);
		}
		if (off == 0 && interrupted(c->interrupt)) {
			/* once a byte is out, the rest must follow or framing is lost */
			set_err(c, "interrupted");
			return QMPC_ERR_INTR;
		}
		if (now_ns() >= deadline) {
			/* half a command is on the wire: the framing is lost */
			set_err(c, "write: the peer does not read its socket");
			return set_broken(c, QMPC_ERR_TIMEOUT);
		}
		poll(&pfd, 1, ms_left(deadline, QMPC_SLICE_MS));
	}
	return QMPC_OK;
}

/* ------------------------------------------------------------------ */
/* Public calls                                                        */

void qmpc_init(struct qmpc *c, const char *label)
{
	memset(c, 0, sizeof(*c));
	c->fd = -1;
	c->label = label;
}

const char *qmpc_error(const struct qmpc *c)
{
	return c->err;
}

void qmpc_close(struct qmpc *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	json_decref(c->reply);
	c->reply = NULL;
	free(c->in);
	c->in = NULL;
	c->in_len = c->in_cap = 0;
	free(c->path);
	c->path = NULL;
}

/* Connect the non-blocking socket, retrying while the listen backlog is
 * full (EAGAIN on a unix socket) until the deadline. */
static int connect_socket(struct qmpc *c, const struct sockaddr_un *sa, int64_t deadline)
{
	for (;;) {
		struct stat st;

		if (connect(c->fd, (const struct sockaddr *)sa, sizeof(*sa)) == 0)
			return QMPC_OK;
		if (errno == EINTR && !interrupted(c->interrupt))
			continue;
		if (errno == EAGAIN && now_ns() < deadline && !interrupted(c->interrupt)) {
			poll(NULL, 0, ms_left(deadline, QMPC_CONNECT_RETRY_MS));
			continue;
		}
		if (errno == EINPROGRESS) {
			struct pollfd pfd = { .fd = c->fd, .events = POLLOUT };
			int err = 0;
			socklen_t len = sizeof(err);

			while (poll(&pfd, 1, ms_left(deadline, QMPC_SLICE_MS)) == 0 &&
			       now_ns() < deadline && !interrupted(c->interrupt))
				;
			if (!(pfd.revents & (POLLOUT | POLLERR | POLLHUP)))
				break;
			if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err == 0)
				return QMPC_OK;
			errno = err ? err : EIO;
		}
		if (interrupted(c->interrupt)) {
			set_err(c, "interrupted");
			return set_broken(c, QMPC_ERR_INTR);
		}
		if (errno == EAGAIN)
			break;
		if (errno == ECONNREFUSED && stat(sa->sun_path, &st) == 0 && !S_ISSOCK(st.st_mode))
			set_err(c, "connect: not a socket");
		else if (errno == ECONNREFUSED)
			set_err(c, "connect: %s (no VMM is listening: a stale socket?)",
				strerror(errno));
		else if (errno == ENOENT)
			set_err(c, "connect: %s (is the VMM running with -qmp unix:PATH,server=on?)",
				strerror(errno));
		else
			set_err(c, "connect: %s", strerror(errno));
		return set_broken(c, QMPC_ERR_IO);
	}
	set_err(c, "connect: no answer in time (the listen backlog is full)");
	return set_broken(c, QMPC_ERR_TIMEOUT);
}

int qmpc_connect(struct qmpc *c, const char *path, int timeout_ms)
{
	int64_t deadline = now_ns() + (int64_t)timeout_ms * 1000000;
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int rc;

	free(c->path);
	c->path = strdup(path);
	c->broken = QMPC_OK;
	if (!c->path) {
		set_err(c, "out of memory");
		return set_broken(c, QMPC_ERR_IO);
	}
	if (path[0] == 0 || strlen(path) >= sizeof(sa.sun_path)) {
		set_err(c, "a unix socket path must be 1 to %zu bytes long",
			sizeof(sa.sun_path) - 1);
		return set_broken(c, QMPC_ERR_IO);
	}
	strcpy(sa.sun_path, path);
	c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->fd < 0) {
		set_err(c, "socket: %s", strerror(errno));
		return set_broken(c, QMPC_ERR_IO);
	}
	rc = connect_socket(c, &sa, deadline);
	if (rc != QMPC_OK)
		return rc;

	while (!c->greeted) {
		if (c->broken)
			return c->broken;
		if (interrupted(c->interrupt)) {
			set_err(c, "interrupted");
			return set_broken(c, QMPC_ERR_INTR);
		}
		if (now_ns() >= deadline) {
			set_err(c, "no QMP greeting within %d ms (not a QMP socket, or "
				"another client holds this monitor)", timeout_ms);
			return set_broken(c, QMPC_ERR_TIMEOUT);
		}
		wait_io(&c, 1, ms_left(deadline, QMPC_SLICE_MS));
	}
	rc = qmpc_execute(c, "qmp_capabilities", NULL, ms_left(deadline, INT32_MAX), NULL);
	if (rc == QMPC_ERR_TIMEOUT)
		set_err(c, "qmp_capabilities: no reply within %d ms of connecting", timeout_ms);
	if (rc != QMPC_OK && !c->broken)
		set_broken(c, rc); /* half-negotiated: unusable */
	return rc;
}

/* Turn the reply to command into *ret or an error. */
static int take_reply(struct qmpc *c, const char *command, json_t **ret)
{
	json_t *reply = c->reply, *err = json_object_get(reply, "error");
	int rc = QMPC_OK;

	c->reply = NULL;
	c->want_id = 0;
	if (err) {
		const char *desc = json_string_value(json_object_get(err, "desc"));
		const char *cls = json_string_value(json_object_get(err, "class"));

		if (!desc)
			desc = cls ? cls : "error reply without a description";
		set_err(c, "%s: %s", command, desc);
		rc = QMPC_ERR_REPLY;
	} else if (ret) {
		*ret = json_incref(json_object_get(reply, "return"));
	}
	json_decref(reply);
	return rc;
}

int qmpc_execute(struct qmpc *c, const char *command, json_t *args,
		 int timeout_ms, json_t **ret)
{
	int64_t deadline = now_ns() + (int64_t)timeout_ms * 1000000;
	struct qmpc *set[2] = { c, c->peer };
	json_t *cmd;
	char *text;
	int rc;

	if (ret)
		*ret = NULL;
	if (c->broken)
		return c->broken;
	if (c->fd < 0) {
		set_err(c, "%s: not connected", command);
		return QMPC_ERR_IO;
	}
	c->want_id = ++c->next_id;
	json_decref(c->reply);
	c->reply = NULL;
	cmd = json_pack("{s:s, s:I}", "execute", command, "id", (json_int_t)c->want_id);
	if (cmd && args && json_object_set(cmd, "arguments", args) != 0) {
		json_decref(cmd);
		cmd = NULL;
	}
	text = cmd ? json_dumps(cmd, JSON_COMPACT) : NULL;
	json_decref(cmd);
	if (!text) {
		set_err(c, "%s: cannot encode the command", command);
		c->want_id = 0;
		return QMPC_ERR_IO;
	}
	rc = send_all(c, text, strlen(text), deadline);
	if (rc == QMPC_OK)
		rc = send_all(c, "\r\n", 2, deadline);
	free(text);
	if (rc != QMPC_OK)
		goto out_forget;

	while (!c->reply) {
		if (c->broken)
			return c->broken;
		if (interrupted(c->interrupt)) {
			set_err(c, "%s: interrupted while waiting for the reply", command);
			rc = QMPC_ERR_INTR;
			goto out_forget;
		}
		if (now_ns() >= deadline) {
			set_err(c, "%s: no reply within %d ms", command, timeout_ms);
			rc = QMPC_ERR_TIMEOUT;
			goto out_forget;
		}
		wait_io(set, c->peer ? 2 : 1, ms_left(deadline, QMPC_SLICE_MS));
	}
	return take_reply(c, command, ret);

out_forget:
	c->want_id = 0; /* a late reply is dropped */
	return rc;
}

int qmpc_pump(struct qmpc *const *set, size_t n, int timeout_ms,
	      const volatile sig_atomic_t *interrupt)
{
	int64_t deadline = now_ns() + (int64_t)timeout_ms * 1000000;

	if (n > QMPC_PUMP_MAX)
		n = QMPC_PUMP_MAX;
	for (;;) {
		if (interrupted(interrupt))
			return QMPC_ERR_INTR;
		if (now_ns() >= deadline)
			return QMPC_OK;
		wait_io(set, n, ms_left(deadline, QMPC_SLICE_MS));
	}
}
