/*
 * qmp.c - the QMP server (see qmp.h), modelled on QEMU 7.2's monitor:
 * same greeting layout, same capabilities gate, same error classes and
 * messages for the protocol layer, same event format, CRLF after every
 * message.
 *
 * Input framing works like QEMU's streaming JSON parser: bytes are
 * scanned (incrementally, so a slow client costs linear time) until one
 * complete top-level value is buffered - an object or array once its
 * brackets balance outside strings, a string at its closing quote, a bare
 * word or number at the next delimiter - and that exact slice goes to
 * jansson. So commands need no newline, may arrive split at any byte or
 * several to a read, and a malformed one costs one error reply and
 * nothing else. Bytes that can never occur in JSON (0xfe, 0xff, control
 * characters other than whitespace outside strings) end the value being
 * read as an error, and what follows is skipped up to the next structural
 * character or line end, as QEMU's lexer recovers: a client can send 0xff
 * (or a newline after a stray byte) to resynchronise.
 * QEMU's 'single-quoted' strings and the \' escape are accepted (they are
 * rewritten to standard JSON before parsing).
 *
 * Flow control: a client whose unsent output reaches QMP_OUT_HIGH is not
 * read, nor are its buffered commands run, until its output drains (QEMU
 * suspends a monitor likewise); one whose output passes QMP_OUT_MAX (it
 * stops reading while events keep coming) is dropped.
 */
#include "vmm/qmp.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define QMP_ACCEPT_BURST 16
#define QMP_ACCEPT_BACKOFF_NS 100000000ull /* out of descriptors: retry later */
#define QMP_CLOSE_FLUSH_MS 200
#define QMP_DRAIN_MAX (1024 * 1024)        /* input discarded before a drop */
#define QMP_DESC_MAX 512

#define GENERIC_ERROR "GenericError"
#define COMMAND_NOT_FOUND "CommandNotFound"

/* ------------------------------------------------------------------ */
/* Output                                                              */

static size_t out_pending(const struct qmp_client *c)
{
	return c->out_len - c->out_off;
}

/* Mark for closing at the next safe point (end of dispatch, pollfds). */
static void client_drop(struct qmp_client *c)
{
	c->dead = true;
}

/* Send what the socket takes now; a failed write drops the client. */
static void client_flush(struct qmp_client *c)
{
	while (!c->dead && c->out_off < c->out_len) {
		ssize_t r = send(c->fd, c->out + c->out_off, c->out_len - c->out_off,
				 MSG_NOSIGNAL | MSG_DONTWAIT);
		if (r > 0) {
			c->out_off += (size_t)r;
		} else if (r < 0 && errno == EINTR) {
			continue;
		} else if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			break;
		} else {
			client_drop(c); /* EPIPE, ECONNRESET: the client is gone */
		}
	}
	if (c->out_off == c->out_len)
		c->out_off = c->out_len = 0;
}

/* Queue one message (text without the line end) and try to send it. */
static void client_write(struct qmp_client *c, const char *s, size_t len)
{
	size_t pending = out_pending(c), need;

	if (c->dead)
		return;
	if (pending + len + 2 > QMP_OUT_MAX) {
		fprintf(stderr, "godwit-vmm: QMP client disconnected: it left %zu bytes of "
			"replies and events unread\n", pending);
		client_drop(c); /* not reading what it is sent */
		return;
	}
	if (c->out_off) {
		memmove(c->out, c->out + c->out_off, pending);
		c->out_off = 0;
		c->out_len = pending;
	}
	need = c->out_len + len + 2;
	if (need > c->out_cap) {
		size_t cap = c->out_cap ? c->out_cap : 4096;
		char *p;

		while (cap < need)
			cap *= 2;
		p = realloc(c->out, cap);
		if (!p) {
			client_drop(c);
			return;
		}
		c->out = p;
		c->out_cap = cap;
	}
	memcpy(c->out + c->out_len, s, len);
	memcpy(c->out + c->out_len + len, "\r\n", 2);
	c->out_len += len + 2;
	client_flush(c);
}

/* Send msg (stolen) to one client. */
static void client_send(struct qmp_client *c, json_t *msg)
{
	char *s = msg ? json_dumps(msg, JSON_ENSURE_ASCII) : NULL;

	json_decref(msg);
	if (s)
		client_write(c, s, strlen(s));
	free(s);
}

/* A JSON string for an error text that may hold bytes from the client:
 * kept as is when valid UTF-8, else with every non-ASCII byte as '?'. */
static json_t *desc_string(const char *s)
{
	char buf[QMP_DESC_MAX];
	json_t *j = json_string(s);
	size_t i;

	if (j)
		return j;
	for (i = 0; s[i] && i + 1 < sizeof(buf); i++)
		buf[i] = (unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7e ? '?' : s[i];
	buf[i] = '\0';
	return json_string(buf);
}

static void send_return(struct qmp_client *c, json_t *ret, json_t *id)
{
	json_t *r = json_object();

	json_object_set_new(r, "return", ret ? ret : json_object());
	if (id)
		json_object_set(r, "id", id);
	client_send(c, r);
}

__attribute__((format(printf, 4, 5)))
static void send_error(struct qmp_client *c, const char *cls, json_t *id, const char *fmt, ...)
{
	char desc[QMP_DESC_MAX];
	json_t *r = json_object(), *e = json_object();
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(desc, sizeof(desc), fmt, ap);
	va_end(ap);
	json_object_set_new(e, "class", json_string(cls));
	json_object_set_new(e, "desc", desc_string(desc));
	json_object_set_new(r, "error", e);
	if (id)
		json_object_set(r, "id", id);
	client_send(c, r);
}

static json_t *timestamp(void)
{
	struct timeval tv;

	if (gettimeofday(&tv, NULL))
		return json_pack("{s:i, s:i}", "seconds", -1, "microseconds", -1);
	return json_pack("{s:I, s:I}", "seconds", (json_int_t)tv.tv_sec,
			 "microseconds", (json_int_t)tv.tv_usec);
}

void qmp_event(struct qmp *q, const char *name, json_t *data)
{
	json_t *ev;
	char *s;

	if (!q->active || !name) {
		json_decref(data);
		return;
	}
	/* QEMU's member order: timestamp, event, data */
	ev = json_object();
	json_object_set_new(ev, "timestamp", timestamp());
	json_object_set_new(ev, "event", desc_string(name));
	if (data)
		json_object_set_new(ev, "data", data);
	s = json_dumps(ev, JSON_ENSURE_ASCII);
	json_decref(ev);
	if (!s)
		return;
	for (int i = 0; i < QMP_MAX_CLIENTS; i++) {
		struct qmp_client *c = &q->clients[i];

		if (c->fd >= 0 && !c->dead && c->command_mode)
			client_write(c, s, strlen(s));
	}
	free(s);
}

/* ------------------------------------------------------------------ */
/* Commands                                                            */

static json_t *version_info(void)
{
	return json_pack("{s:{s:i, s:i, s:i}, s:s}", "qemu", "micro", 0, "minor", 2,
			 "major", 7, "package", "godwit");
}

static const char *run_status(struct qmp *q, bool *running)
{
	const char *s;

	*running = true;
	if (!q->ops.status)
		return "running";
	*running = false;
	s = q->ops.status(q->ops.opaque, running);
	return s ? s : (*running ? "running" : "paused");
}

/* Commands without arguments reject every member of "arguments". */
static bool no_arguments(struct qmp_client *c, json_t *args, json_t *id)
{
	const char *key;
	json_t *val;

	json_object_foreach(args, key, val) {
		send_error(c, GENERIC_ERROR, id, "Parameter '%s' is unexpected", key);
		return false;
	}
	return true;
}

static void cmd_qmp_capabilities(struct qmp *q, struct qmp_client *c, json_t *args, json_t *id)
{
	json_t *enable = json_object_get(args, "enable"), *v;
	const char *key;
	bool oob = false;
	size_t i;

	(void)q;
	/* as QEMU's marshaller: member types first, then unknown members */
	if (enable && !json_is_array(enable)) {
		send_error(c, GENERIC_ERROR, id,
			   "Invalid parameter type for 'enable', expected: array");
		return;
	}
	json_array_foreach(enable, i, v) {
		if (!json_is_string(v)) {
			send_error(c, GENERIC_ERROR, id,
				   "Invalid parameter type for 'enable[%zu]', expected: string", i);
			return;
		}
		if (strcmp(json_string_value(v), "oob")) {
			send_error(c, GENERIC_ERROR, id,
				   "Parameter 'enable[%zu]' does not accept value '%s'", i,
				   json_string_value(v));
			return;
		}
		oob = true;
	}
	json_object_foreach(args, key, v) {
		if (strcmp(key, "enable")) {
			send_error(c, GENERIC_ERROR, id, "Parameter '%s' is unexpected", key);
			return;
		}
	}
	if (c->command_mode) {
		send_error(c, COMMAND_NOT_FOUND, id,
			   "Capabilities negotiation is already complete, command ignored");
		return;
	}
	if (oob) { /* not offered in the greeting */
		send_error(c, GENERIC_ERROR, id, "Capability oob not available");
		return;
	}
	c->command_mode = true;
	send_return(c, NULL, id);
}

static void cmd_query_status(struct qmp *q, struct qmp_client *c, json_t *args, json_t *id)
{
	bool running;
	const char *st;

	if (!no_arguments(c, args, id))
		return;
	st = run_status(q, &running);
	send_return(c, json_pack("{s:s, s:b, s:b}", "status", st, "singlestep", 0,
				 "running", running), id);
}

static void cmd_stop(struct qmp *q, struct qmp_client *c, json_t *args, json_t *id)
{
	bool running;
	const char *st;

	if (!no_arguments(c, args, id))
		return;
	st = run_status(q, &running);
	if (running) {
		if (q->ops.stop)
			q->ops.stop(q->ops.opaque);
		qmp_event(q, "STOP", NULL);
	} else if (!strcmp(st, "inmigrate") && q->ops.stop) {
		q->ops.stop(q->ops.opaque); /* QEMU: do not start when migration ends */
	}
	send_return(c, NULL, id);
}

static void cmd_cont(struct qmp *q, struct qmp_client *c, json_t *args, json_t *id)
{
	bool running;
	const char *st;

	if (!no_arguments(c, args, id))
		return;
	st = run_status(q, &running);
	if (!strcmp(st, "shutdown") || !strcmp(st, "internal-error") ||
	    !strcmp(st, "guest-panicked")) {
		send_error(c, GENERIC_ERROR, id, "Resetting the Virtual Machine is required");
		return;
	}
	if (!strcmp(st, "finish-migrate")) {
		send_error(c, GENERIC_ERROR, id, "Migration is not finished yet");
		return;
	}
	if (q->ops.cont_refusal && q->ops.cont_refusal(q->ops.opaque)) {
		/* godwit: never run in two places (migration active, cancelling,
		 * unresolved, or the VM left) */
		send_error(c, GENERIC_ERROR, id, "%s", q->ops.cont_refusal(q->ops.opaque));
		return;
	}
	if (!strcmp(st, "postmigrate")) {
		send_error(c, GENERIC_ERROR, id,
			   "The VM has migrated to another host and runs there");
		return;
	}
	if (!running && strcmp(st, "suspended") && q->ops.cont) {
		q->ops.cont(q->ops.opaque);
		run_status(q, &running);
		if (running) /* not so when e.g. an incoming migration is pending */
			qmp_event(q, "RESUME", NULL);
	}
	send_return(c, NULL, id);
}

static void cmd_quit(struct qmp *q, struct qmp_client *c, json_t *args, json_t *id)
{
	if (!no_arguments(c, args, id))
		return;
	send_return(c, NULL, id); /* client_write has tried to send it already */
	if (q->ops.quit)
		q->ops.quit(q->ops.opaque);
}

static void cmd_system_powerdown(struct qmp *q, struct qmp_client *c, json_t *args, json_t *id)
{
	if (!no_arguments(c, args, id))
		return;
	if (q->ops.powerdown)
		q->ops.powerdown(q->ops.opaque);
	qmp_event(q, "POWERDOWN", NULL); /* QEMU sends it with or without a button */
	send_return(c, NULL, id);
}

static void cmd_query_version(struct qmp *q, struct qmp_client *c, json_t *args, json_t *id)
{
	(void)q;
	if (no_arguments(c, args, id))
		send_return(c, version_info(), id);
}

static void cmd_query_commands(struct qmp *q, struct qmp_client *c, json_t *args, json_t *id);

struct qmp_command {
	const char *name;
	void (*fn)(struct qmp *q, struct qmp_client *c, json_t *args, json_t *id);
	bool negotiation; /* available before qmp_capabilities */
};

static const struct qmp_command commands[] = {
	{ "qmp_capabilities", cmd_qmp_capabilities, true },
	{ "query-status", cmd_query_status, false },
	{ "stop", cmd_stop, false },
	{ "cont", cmd_cont, false },
	{ "quit", cmd_quit, false },
	{ "system_powerdown", cmd_system_powerdown, false },
	{ "query-version", cmd_query_version, false },
	{ "query-commands", cmd_query_commands, false },
};

static void cmd_query_commands(struct qmp *q, struct qmp_client *c, json_t *args, json_t *id)
{
	json_t *list;

	if (!no_arguments(c, args, id))
		return;
	list = json_array();
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		json_array_append_new(list, json_pack("{s:s}", "name", commands[i].name));
	for (size_t i = 0; q->ops.extra && q->ops.extra[i]; i++)
		json_array_append_new(list, json_pack("{s:s}", "name", q->ops.extra[i]));
	send_return(c, list, id);
}

static bool extra_command(struct qmp *q, const char *name)
{
	for (size_t i = 0; q->ops.command && q->ops.extra && q->ops.extra[i]; i++)
		if (!strcmp(q->ops.extra[i], name))
			return true;
	return false;
}

static void run_extra(struct qmp *q, struct qmp_client *c, const char *name,
		      json_t *args, json_t *id)
{
	char err[512] = "";
	json_t *ret = NULL, *empty = NULL;

	if (!args)
		args = empty = json_object();
	if (q->ops.command(q->ops.opaque, name, args, &ret, err, sizeof(err)))
		send_error(c, GENERIC_ERROR, id, "%s", err[0] ? err : "failed");
	else
		send_return(c, ret, id);
	json_decref(empty);
}

/* One parsed input value: check it as QEMU's qmp_dispatch() does, then run. */
static void handle_request(struct qmp *q, struct qmp_client *c, json_t *req)
{
	const struct qmp_command *cmd = NULL;
	const char *key, *name = NULL;
	json_t *val, *id, *args;

	if (!json_is_object(req)) {
		send_error(c, GENERIC_ERROR, NULL, "QMP input must be a JSON object");
		return;
	}
	id = json_object_get(req, "id");
	json_object_foreach(req, key, val) {
		if (!strcmp(key, "execute")) {
			if (!json_is_string(val)) {
				send_error(c, GENERIC_ERROR, id,
					   "QMP input member 'execute' must be a string");
				return;
			}
			name = json_string_value(val);
		} else if (!strcmp(key, "arguments")) {
			if (!json_is_object(val)) {
				send_error(c, GENERIC_ERROR, id,
					   "QMP input member 'arguments' must be an object");
				return;
			}
		} else if (strcmp(key, "id")) {
			/* includes exec-oob: the oob capability is not offered */
			send_error(c, GENERIC_ERROR, id, "QMP input member '%s' is unexpected", key);
			return;
		}
	}
	if (!name) {
		send_error(c, GENERIC_ERROR, id, "QMP input lacks member 'execute'");
		return;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(commands[i].name, name) && (c->command_mode || commands[i].negotiation))
			cmd = &commands[i];
	if (!cmd && c->command_mode && extra_command(q, name)) {
		run_extra(q, c, name, json_object_get(req, "arguments"), id);
		return;
	}
	if (!cmd) {
		if (c->command_mode)
			send_error(c, COMMAND_NOT_FOUND, id, "The command %s has not been found", name);
		else
			send_error(c, COMMAND_NOT_FOUND, id,
				   "Expecting capabilities negotiation with 'qmp_capabilities'");
		return;
	}
	args = json_object_get(req, "arguments");
	if (args) {
		cmd->fn(q, c, args, id);
	} else {
		args = json_object();
		cmd->fn(q, c, args, id);
		json_decref(args);
	}
}

/* ------------------------------------------------------------------ */
/* Input                                                               */

static bool is_space(unsigned char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n';
}

/* Where QEMU's lexer resumes after a stray byte: a structural character,
 * a control character other than tab, or another 0xfe/0xff. */
static bool is_resync(unsigned char ch)
{
	return (ch < 0x20 && ch != '\t') || ch >= 0xfe || (ch && strchr("{}[]:,", ch));
}

static void frame_reset(struct qmp_client *c, size_t end)
{
	c->scan = end;
	c->depth = 0;
	c->quote = 0;
	c->escape = false;
	c->token = false;
}

/* Scan c->in from c->scan for the end of the value that starts at the
 * first byte not yet consumed (never whitespace). Returns the offset just
 * past the value, or 0 when it is not complete yet. */
static size_t frame_next(struct qmp_client *c)
{
	for (size_t i = c->scan; i < c->in_len; i++) {
		unsigned char ch = (unsigned char)c->in[i];

		if (ch >= 0xfe || (ch < 0x20 && (c->quote || !is_space(ch)))) {
			/* never valid: the value ends here, in error */
			frame_reset(c, i + 1);
			c->recover = true;
			return i + 1;
		}
		if (c->quote) {
			if (c->escape) {
				c->escape = false;
			} else if (ch == '\\') {
				c->escape = true;
			} else if (ch == (unsigned char)c->quote) {
				c->quote = 0;
				if (c->depth == 0) {
					frame_reset(c, i + 1);
					return i + 1;
				}
			}
			continue;
		}
		if (c->token) {
			if (is_space(ch) || strchr("{}[],:\"'", ch)) {
				frame_reset(c, i); /* the delimiter starts the next value */
				return i;
			}
			continue;
		}
		switch (ch) {
		case '"':
		case '\'':
			c->quote = (char)ch;
			break;
		case '{':
		case '[':
			c->depth++;
			break;
		case '}':
		case ']':
		case ',':
		case ':':
			if (c->depth == 0 || ((ch == '}' || ch == ']') && --c->depth == 0)) {
				frame_reset(c, i + 1);
				return i + 1;
			}
			break;
		default:
			if (c->depth == 0)
				c->token = true; /* a top-level word or number */
			break;
		}
	}
	c->scan = c->in_len;
	return 0;
}

/* Rewrite QEMU's 'single-quoted' strings and \' escapes as standard JSON.
 * The result is at most twice as long. */
static char *unquote_single(const char *s, size_t n, size_t *out_len)
{
	char *o = malloc(2 * n + 1), quote = 0;
	size_t k = 0;

	if (!o)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		char ch = s[i];

		if (!quote) {
			if (ch == '"' || ch == '\'') {
				quote = ch;
				ch = '"';
			}
			o[k++] = ch;
		} else if (ch == '\\' && i + 1 < n) {
			if (s[++i] == '\'') {
				o[k++] = '\'';
			} else {
				o[k++] = '\\';
				o[k++] = s[i];
			}
		} else if (ch == quote) {
			quote = 0;
			o[k++] = '"';
		} else if (ch == '"') {
			o[k++] = '\\'; /* inside a single-quoted string */
			o[k++] = '"';
		} else {
			o[k++] = ch;
		}
	}
	*out_len = k;
	return o;
}

static void handle_value(struct qmp *q, struct qmp_client *c, const char *s, size_t n)
{
	const int flags = JSON_DECODE_ANY | JSON_REJECT_DUPLICATES;
	json_error_t err;
	json_t *req;

	if (memchr(s, '\'', n)) {
		size_t m;
		char *t = unquote_single(s, n, &m);

		if (!t) {
			send_error(c, GENERIC_ERROR, NULL, "JSON parse error, out of memory");
			return;
		}
		req = json_loadb(t, m, flags, &err);
		explicit_bzero(t, m);
		free(t);
	} else {
		req = json_loadb(s, n, flags, &err);
	}
	/* a command may carry a secret (x-godwit-key): keep no copy of it */
	explicit_bzero((char *)s, n);
	if (!req) {
		send_error(c, GENERIC_ERROR, NULL, "JSON parse error, %s", err.text);
		return;
	}
	handle_request(q, c, req);
	json_decref(req);
}

/* Reply to an over-long command and drop the client. Its unread input is
 * discarded first, so that the close does not reset the connection before
 * the client has read the error. */
static void client_overflow(struct qmp_client *c)
{
	char sink[4096];
	size_t drained = 0;
	ssize_t r;

	send_error(c, GENERIC_ERROR, NULL,
		   "JSON parse error, command longer than %d bytes", QMP_IN_MAX);
	while (drained < QMP_DRAIN_MAX &&
	       (r = recv(c->fd, sink, sizeof(sink), MSG_DONTWAIT)) > 0)
		drained += (size_t)r;
	client_drop(c);
}

/* Run every complete command buffered, while output is not backed up. */
static void client_process(struct qmp *q, struct qmp_client *c)
{
	size_t pos = 0;

	c->ready = false;
	while (!c->dead) {
		size_t end;

		if (c->scan == pos) { /* between values */
			while (c->recover && pos < c->in_len && !is_resync((unsigned char)c->in[pos]))
				pos++;
			if (pos < c->in_len)
				c->recover = false;
			while (pos < c->in_len && is_space((unsigned char)c->in[pos]))
				pos++;
			c->scan = pos;
		}
		if (pos == c->in_len)
			break;
		if (out_pending(c) >= QMP_OUT_HIGH) {
			c->ready = true; /* go on once the client reads */
			break;
		}
		end = frame_next(c);
		if (!end) {
			if (pos == 0 && c->in_len == QMP_IN_MAX)
				client_overflow(c);
			break;
		}
		handle_value(q, c, c->in + pos, end - pos);
		pos = end;
	}
	if (pos && !c->dead) {
		memmove(c->in, c->in + pos, c->in_len - pos);
		c->in_len -= pos;
		c->scan -= pos;
	}
}

static void client_read(struct qmp_client *c, short revents)
{
	ssize_t r;

	if (c->in_len == QMP_IN_MAX) {
		if (revents & (POLLHUP | POLLERR))
			client_drop(c);
		return;
	}
	r = recv(c->fd, c->in + c->in_len, QMP_IN_MAX - c->in_len, MSG_DONTWAIT);
	if (r > 0)
		c->in_len += (size_t)r;
	else if (r == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR))
		client_drop(c); /* hung up (a command cut short is discarded) */
	else if (revents & (POLLHUP | POLLERR))
		client_drop(c);
}

/* ------------------------------------------------------------------ */
/* Connections                                                         */

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void client_free(struct qmp_client *c)
{
	if (c->fd >= 0)
		close(c->fd);
	free(c->in);
	free(c->out);
	memset(c, 0, sizeof(*c));
	c->fd = -1;
}

/* Close clients marked dead, after a last try at sending their output. */
static void reap(struct qmp *q)
{
	for (int i = 0; i < QMP_MAX_CLIENTS; i++) {
		struct qmp_client *c = &q->clients[i];

		if (c->fd < 0 || !c->dead)
			continue;
		if (out_pending(c))
			(void)send(c->fd, c->out + c->out_off, out_pending(c),
				   MSG_NOSIGNAL | MSG_DONTWAIT);
		client_free(c);
	}
}

/* Take fd as a new client (or refuse it when all slots are taken). */
static void client_add(struct qmp *q, int fd)
{
	struct qmp_client *c = NULL;
	json_t *greeting;

	for (int i = 0; i < QMP_MAX_CLIENTS && !c; i++)
		if (q->clients[i].fd < 0)
			c = &q->clients[i];
	if (!c) {
		fprintf(stderr, "godwit-vmm: QMP: refusing a client, all %d sessions are in use\n",
			QMP_MAX_CLIENTS);
		close(fd); /* full: the client sees the connection closed */
		return;
	}
	memset(c, 0, sizeof(*c));
	c->fd = fd;
	c->in = malloc(QMP_IN_MAX);
	if (!c->in) {
		client_free(c);
		return;
	}
	greeting = json_pack("{s:{s:o, s:[]}}", "QMP", "version", version_info(), "capabilities");
	client_send(c, greeting);
}

static void accept_clients(struct qmp *q)
{
	for (int k = 0; k < QMP_ACCEPT_BURST; k++) {
		int fd = accept4(q->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (fd >= 0) {
			client_add(q, fd);
		} else if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS ||
			   errno == ENOMEM) {
			/* the connection stays queued: poll would report it at once */
			q->accept_resume_ns = now_ns() + QMP_ACCEPT_BACKOFF_NS;
			return;
		} else if (errno != EINTR && errno != ECONNABORTED && errno != EPROTO) {
			return; /* EAGAIN: no more */
		}
	}
}

int qmp_pollfds(struct qmp *q, struct pollfd *fds, int max)
{
	int n = 0;

	if (!q->active)
		return 0;
	reap(q);
	if (q->listen_fd >= 0 && n < max && now_ns() >= q->accept_resume_ns) {
		fds[n].fd = q->listen_fd;
		fds[n].events = POLLIN;
		fds[n].revents = 0;
		n++;
	}
	for (int i = 0; i < QMP_MAX_CLIENTS && n < max; i++) {
		struct qmp_client *c = &q->clients[i];

		if (c->fd < 0)
			continue;
		fds[n].fd = c->fd;
		fds[n].events = 0;
		fds[n].revents = 0;
		if (c->in_len < QMP_IN_MAX && out_pending(c) < QMP_OUT_HIGH)
			fds[n].events |= POLLIN;
		/* output to send, or buffered commands waiting for it to drain
		 * (writable: poll returns at once and dispatch runs them) */
		if (out_pending(c) || c->ready)
			fds[n].events |= POLLOUT;
		n++;
	}
	return n;
}

void qmp_dispatch(struct qmp *q, const struct pollfd *fds, int n)
{
	bool incoming = false;

	if (!q->active)
		return;
	for (int i = 0; i < n; i++) {
		struct qmp_client *c = NULL;
		short ev = fds[i].revents;

		if (!ev || fds[i].fd < 0)
			continue;
		if (fds[i].fd == q->listen_fd) {
			incoming = true;
			continue;
		}
		for (int k = 0; k < QMP_MAX_CLIENTS && !c; k++)
			if (q->clients[k].fd == fds[i].fd)
				c = &q->clients[k];
		if (!c || c->dead)
			continue;
		if (ev & POLLNVAL) {
			client_drop(c);
			continue;
		}
		if (ev & POLLOUT)
			client_flush(c);
		if (!c->dead && (ev & (POLLIN | POLLHUP | POLLERR)))
			client_read(c, ev);
		if (!c->dead)
			client_process(q, c);
	}
	reap(q);
	if (incoming)
		accept_clients(q);
}

/* ------------------------------------------------------------------ */
/* Open and close                                                      */

static int open_error(const char *spec, const char *what, const char *detail)
{
	if (detail)
		fprintf(stderr, "godwit-vmm: -qmp %s: %s: %s\n", spec, what, detail);
	else
		fprintf(stderr, "godwit-vmm: -qmp %s: %s\n", spec, what);
	return -1;
}

static int parse_bool(const char *v, bool *out)
{
	if (!strcmp(v, "on") || !strcmp(v, "yes") || !strcmp(v, "true") || !strcmp(v, "y"))
		*out = true;
	else if (!strcmp(v, "off") || !strcmp(v, "no") || !strcmp(v, "false") || !strcmp(v, "n"))
		*out = false;
	else
		return -1;
	return 0;
}

/* Next comma-separated item of *p into buf (",," is a literal comma, as in
 * QEMU's option syntax). Returns -1 when it does not fit. */
static int next_item(const char **p, char *buf, size_t size)
{
	size_t k = 0;
	const char *s = *p;

	while (*s) {
		if (*s == ',') {
			if (s[1] != ',')
				break;
			s++;
		}
		if (k + 1 >= size)
			return -1;
		buf[k++] = *s++;
	}
	buf[k] = '\0';
	*p = *s ? s + 1 : s;
	return 0;
}

/* Is a server accepting connections on path? */
static bool socket_is_live(const struct sockaddr_un *sa)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	bool live;

	if (fd < 0)
		return false;
	live = connect(fd, (const struct sockaddr *)sa, sizeof(*sa)) == 0 || errno == EAGAIN;
	close(fd);
	return live;
}

static int open_server(struct qmp *q, const char *spec, const struct sockaddr_un *sa, bool wait)
{
	struct stat st;
	int fd;

	if (lstat(sa->sun_path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode))
			return open_error(spec, sa->sun_path, "exists and is not a socket");
		if (socket_is_live(sa))
			return open_error(spec, sa->sun_path, "a server is already listening there");
		if (unlink(sa->sun_path) && errno != ENOENT)
			return open_error(spec, "cannot remove the stale socket", strerror(errno));
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return open_error(spec, "socket", strerror(errno));
	if (bind(fd, (const struct sockaddr *)sa, sizeof(*sa)) || listen(fd, 16)) {
		int e = errno;

		close(fd);
		return open_error(spec, sa->sun_path, strerror(e));
	}
	q->listen_fd = fd;
	if (stat(sa->sun_path, &st) == 0) {
		snprintf(q->path, sizeof(q->path), "%s", sa->sun_path);
		q->path_dev = st.st_dev;
		q->path_ino = st.st_ino;
	}
	if (wait) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };

		fprintf(stderr, "godwit-vmm: waiting for a QMP connection on %s\n", sa->sun_path);
		if (poll(&pfd, 1, -1) < 0)
			return open_error(spec, "waiting for a connection", strerror(errno));
		accept_clients(q);
	}
	return 0;
}

static int open_client(struct qmp *q, const char *spec, const struct sockaddr_un *sa)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return open_error(spec, "socket", strerror(errno));
	if (connect(fd, (const struct sockaddr *)sa, sizeof(*sa)) ||
	    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)) {
		int e = errno;

		close(fd);
		return open_error(spec, sa->sun_path, strerror(e));
	}
	client_add(q, fd);
	return 0;
}

int qmp_open(struct qmp *q, const char *spec, const struct qmp_ops *ops)
{
	struct sockaddr_un sa;
	bool server = false, wait = true, wait_given = false;
	const char *p;
	char item[256];
	int r;

	memset(q, 0, sizeof(*q));
	q->listen_fd = -1;
	for (int i = 0; i < QMP_MAX_CLIENTS; i++)
		q->clients[i].fd = -1;
	if (ops)
		q->ops = *ops;
	if (!spec || strncmp(spec, "unix:", 5))
		return open_error(spec ? spec : "", "only unix:PATH sockets are supported", NULL);
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	p = spec + 5;
	if (next_item(&p, sa.sun_path, sizeof(sa.sun_path)))
		return open_error(spec, "socket path too long", NULL);
	if (!sa.sun_path[0])
		return open_error(spec, "missing socket path", NULL);
	while (*p) {
		char *eq;

		if (next_item(&p, item, sizeof(item)))
			return open_error(spec, "option too long", NULL);
		eq = strchr(item, '=');
		if (eq)
			*eq++ = '\0';
		if (!strcmp(item, "server")) {
			if (eq && parse_bool(eq, &server))
				return open_error(spec, "server: expected on or off", NULL);
			if (!eq)
				server = true;
		} else if (!strcmp(item, "wait")) {
			if (eq && parse_bool(eq, &wait))
				return open_error(spec, "wait: expected on or off", NULL);
			if (!eq)
				wait = true;
			wait_given = true;
		} else if (!strcmp(item, "nowait") && !eq) {
			wait = false;
			wait_given = true;
		} else if (!strcmp(item, "nowait") || !strcmp(item, "noserver")) {
			return open_error(spec, "unexpected value for", item);
		} else {
			return open_error(spec, "unknown option", item);
		}
	}
	if (!server && wait_given)
		return open_error(spec, "'wait' needs server=on", NULL);
	q->active = true;
	r = server ? open_server(q, spec, &sa, wait) : open_client(q, spec, &sa);
	if (r)
		qmp_close(q);
	return r;
}

void qmp_close(struct qmp *q)
{
	uint64_t deadline = now_ns() + QMP_CLOSE_FLUSH_MS * 1000000ull;
	struct stat st;

	if (!q->active)
		return;
	/* last replies and events (quit's reply, SHUTDOWN) should get out */
	for (;;) {
		struct pollfd fds[QMP_MAX_CLIENTS];
		struct qmp_client *owner[QMP_MAX_CLIENTS];
		uint64_t now = now_ns();
		int n = 0;

		for (int i = 0; i < QMP_MAX_CLIENTS; i++) {
			struct qmp_client *c = &q->clients[i];

			if (c->fd >= 0 && !c->dead && out_pending(c)) {
				fds[n].fd = c->fd;
				fds[n].events = POLLOUT;
				owner[n++] = c;
			}
		}
		if (!n || now >= deadline)
			break;
		if (poll(fds, (nfds_t)n, (int)((deadline - now + 999999) / 1000000)) <= 0)
			break;
		for (int i = 0; i < n; i++)
			if (fds[i].revents & (POLLOUT | POLLERR | POLLHUP | POLLNVAL))
				client_flush(owner[i]);
	}
	for (int i = 0; i < QMP_MAX_CLIENTS; i++)
		if (q->clients[i].fd >= 0)
			client_free(&q->clients[i]);
	if (q->listen_fd >= 0) {
		close(q->listen_fd);
		q->listen_fd = -1;
		/* remove the socket unless someone else's has replaced it */
		if (q->path[0] && stat(q->path, &st) == 0 && st.st_dev == q->path_dev &&
		    st.st_ino == q->path_ino)
			unlink(q->path);
	}
	q->path[0] = '\0';
	q->active = false;
}
