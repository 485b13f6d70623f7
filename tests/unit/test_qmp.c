/*
 * test_qmp.c - the QMP server, end to end over a real Unix socket: the
 * server runs on a temporary path with a fake VM behind its ops (counters
 * and a run state), clients connect in the same process, and the test
 * drives poll + qmp_dispatch in bounded loops (every wait has a deadline).
 *
 * Covers the greeting, the capabilities gate, every command with its reply
 * and event, id echo, QEMU's protocol errors, framing (several commands in
 * one write, a command split at every byte, no newlines, QEMU's single
 * quotes, resync after stray bytes), oversized and deeply nested input,
 * disconnects at any point (SIGPIPE is left at its default here, so a write
 * to a closed client that raised it would kill the test), events to several
 * clients, the client limit, flow control, the -qmp spec syntax and a fuzz
 * run. Run under ASan+UBSan by `make check` once the Makefile links
 * -ljansson; until then tests/qmp/run.sh builds and runs it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "vmm/qmp.h"

#define TIMEOUT_MS 3000
#define CLI_BUF (2u << 20)

static const char greeting_text[] =
	"{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 0, \"minor\": 2, \"major\": 7}, "
	"\"package\": \"godwit\"}, \"capabilities\": []}}";

/* ------------------------------------------------------------------ */
/* The fake VM behind the ops                                          */

struct fake_vm {
	const char *status;
	bool running;
	int stops, conts, quits, powerdowns;
	struct qmp *q;
	bool shutdown_on_quit; /* emit SHUTDOWN from quit, as the VMM will */
};

static const char *fake_status(void *o, bool *running)
{
	struct fake_vm *v = o;

	*running = v->running;
	return v->status;
}

static void fake_stop(void *o)
{
	struct fake_vm *v = o;

	v->stops++;
	v->running = false;
	v->status = "paused";
}

static void fake_cont(void *o)
{
	struct fake_vm *v = o;

	v->conts++;
	v->running = true;
	v->status = "running";
}

static void fake_quit(void *o)
{
	struct fake_vm *v = o;

	v->quits++;
	if (v->shutdown_on_quit)
		qmp_event(v->q, "SHUTDOWN",
			  json_pack("{s:b, s:s}", "guest", 0, "reason", "host-qmp-quit"));
}

static void fake_powerdown(void *o)
{
	struct fake_vm *v = o;

	v->powerdowns++;
}

struct fx {
	char dir[64];
	char path[160];
	char spec[256];
	struct fake_vm vm;
	struct qmp_ops ops;
	struct qmp q;
};

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void fx_ops(struct fx *f)
{
	f->vm.status = "running";
	f->vm.running = true;
	f->vm.q = &f->q;
	f->ops.opaque = &f->vm;
	f->ops.status = fake_status;
	f->ops.stop = fake_stop;
	f->ops.cont = fake_cont;
	f->ops.quit = fake_quit;
	f->ops.powerdown = fake_powerdown;
}

/* A fixture with a temporary directory and socket path; not opened. */
static int setup_closed(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	strcpy(f->dir, "/tmp/godwit-qmp-XXXXXX");
	if (!mkdtemp(f->dir)) {
		free(f);
		return -1;
	}
	snprintf(f->path, sizeof(f->path), "%s/qmp.sock", f->dir);
	snprintf(f->spec, sizeof(f->spec), "unix:%s,server=on,wait=off", f->path);
	fx_ops(f);
	*state = f;
	return 0;
}

/* The same, with the server listening. */
static int setup(void **state)
{
	struct fx *f;

	if (setup_closed(state))
		return -1;
	f = *state;
	return qmp_open(&f->q, f->spec, &f->ops);
}

static int teardown(void **state)
{
	struct fx *f = *state;
	struct stat st;
	int r = 0;

	qmp_close(&f->q);
	qmp_close(&f->q); /* twice is harmless */
	/* the server removes its socket */
	if (stat(f->path, &st) == 0 && S_ISSOCK(st.st_mode))
		r = -1;
	unlink(f->path);
	rmdir(f->dir);
	free(f);
	return r;
}

/* One run-loop round: poll the server's descriptors for up to ms. */
static void pump(struct fx *f, int ms)
{
	struct pollfd fds[QMP_MAX_POLLFDS];
	int n = qmp_pollfds(&f->q, fds, QMP_MAX_POLLFDS);

	assert_true(n >= 0 && n <= QMP_MAX_POLLFDS);
	if (poll(fds, (nfds_t)n, ms) > 0)
		qmp_dispatch(&f->q, fds, n);
}

/* ------------------------------------------------------------------ */
/* Test clients                                                        */

struct cli {
	int fd;
	bool eof;
	size_t len;
	char *buf;
};

static void set_sun_path(struct sockaddr_un *sa, const char *path)
{
	size_t n = strlen(path);

	assert_true(n < sizeof(sa->sun_path));
	memcpy(sa->sun_path, path, n + 1);
}

static struct cli *cli_wrap(int fd)
{
	struct cli *c = calloc(1, sizeof(*c));

	assert_non_null(c);
	c->buf = malloc(CLI_BUF);
	assert_non_null(c->buf);
	c->fd = fd;
	assert_int_equal(fcntl(c->fd, F_SETFL, O_NONBLOCK), 0);
	return c;
}

static struct cli *cli_connect(struct fx *f)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	set_sun_path(&sa, f->path);
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	return cli_wrap(fd);
}

static void cli_free(struct cli *c)
{
	if (c->fd >= 0)
		close(c->fd);
	free(c->buf);
	free(c);
}

/* Read whatever is there without waiting. */
static void cli_fill(struct cli *c)
{
	while (!c->eof && c->len < CLI_BUF) {
		ssize_t r = recv(c->fd, c->buf + c->len, CLI_BUF - c->len, MSG_DONTWAIT);

		if (r > 0)
			c->len += (size_t)r;
		else if (r == 0 || (errno != EAGAIN && errno != EINTR))
			c->eof = true; /* EOF, or reset by the server's close */
		else
			break;
	}
}

/* The next CRLF-terminated line, pumping the server meanwhile; NULL on EOF
 * or timeout. Checks that the server sends printable ASCII only. */
static char *cli_line(struct fx *f, struct cli *c)
{
	uint64_t end = now_ms() + TIMEOUT_MS;

	for (;;) {
		char *nl = memmem(c->buf, c->len, "\r\n", 2);

		if (nl) {
			size_t n = (size_t)(nl - c->buf);
			char *s = malloc(n + 1);

			assert_non_null(s);
			for (size_t i = 0; i < n; i++)
				assert_true(c->buf[i] >= 0x20 && c->buf[i] < 0x7f);
			memcpy(s, c->buf, n);
			s[n] = '\0';
			memmove(c->buf, nl + 2, c->len - n - 2);
			c->len -= n + 2;
			return s;
		}
		if (c->eof || now_ms() > end)
			return NULL;
		pump(f, 2);
		cli_fill(c);
	}
}

static json_t *cli_json(struct fx *f, struct cli *c)
{
	char *line = cli_line(f, c);
	json_error_t err;
	json_t *j;

	if (!line)
		fail_msg("no reply from the server");
	j = json_loads(line, 0, &err);
	if (!j)
		fail_msg("server sent invalid JSON: %s (%s)", line, err.text);
	free(line);
	return j;
}

/* Send all of data, pumping the server while the socket is full (and
 * reading replies meanwhile, unless told not to). */
static void cli_send_raw(struct fx *f, struct cli *c, const void *data, size_t len, bool drain)
{
	uint64_t end = now_ms() + TIMEOUT_MS;
	size_t off = 0;

	while (off < len) {
		ssize_t r = send(c->fd, (const char *)data + off, len - off,
				 MSG_NOSIGNAL | MSG_DONTWAIT);

		if (r > 0) {
			off += (size_t)r;
			continue;
		}
		assert_true(r < 0 && (errno == EAGAIN || errno == EINTR));
		if (now_ms() > end)
			fail_msg("the server stopped reading");
		pump(f, 1);
		if (drain)
			cli_fill(c);
	}
}

static void cli_send(struct fx *f, struct cli *c, const char *text)
{
	cli_send_raw(f, c, text, strlen(text), true);
}

static json_t *cli_cmd(struct fx *f, struct cli *c, const char *text)
{
	cli_send(f, c, text);
	return cli_json(f, c);
}

/* Nothing more arrives within ms. */
static void cli_quiet(struct fx *f, struct cli *c, int ms)
{
	uint64_t end = now_ms() + (uint64_t)ms;

	while (now_ms() < end) {
		pump(f, 2);
		cli_fill(c);
	}
	if (c->len)
		fail_msg("unexpected output: %.*s", (int)c->len, c->buf);
	assert_false(c->eof);
}

/* The server closes the connection (after any lines still unread). */
static void cli_expect_eof(struct fx *f, struct cli *c)
{
	uint64_t end = now_ms() + TIMEOUT_MS;

	while (!c->eof && now_ms() < end) {
		pump(f, 2);
		cli_fill(c);
		c->len = 0;
	}
	assert_true(c->eof);
}

/* Consume the complete lines buffered; return how many. */
static int cli_take_lines(struct cli *c)
{
	int n = 0;
	char *p = c->buf, *nl;

	while ((nl = memmem(p, c->len - (size_t)(p - c->buf), "\r\n", 2))) {
		p = nl + 2;
		n++;
	}
	memmove(c->buf, p, c->len - (size_t)(p - c->buf));
	c->len -= (size_t)(p - c->buf);
	return n;
}

static void cli_greeting(struct fx *f, struct cli *c)
{
	char *line = cli_line(f, c);

	assert_non_null(line);
	assert_string_equal(line, greeting_text);
	free(line);
}

static void assert_return_empty(json_t *r)
{
	json_t *ret = json_object_get(r, "return");

	if (!json_is_object(ret) || json_object_size(ret)) {
		char *s = json_dumps(r, 0);

		fail_msg("expected {\"return\": {}}, got %s", s);
	}
}

static void assert_error(json_t *r, const char *cls, const char *desc, bool prefix)
{
	json_t *e = json_object_get(r, "error");
	const char *d = json_string_value(json_object_get(e, "desc"));
	const char *k = json_string_value(json_object_get(e, "class"));

	if (!json_is_object(e) || json_object_size(e) != 2 || !d || !k || strcmp(k, cls) ||
	    (prefix ? strncmp(d, desc, strlen(desc)) : strcmp(d, desc))) {
		char *s = json_dumps(r, 0);

		fail_msg("expected error %s '%s', got %s", cls, desc, s);
	}
	assert_null(json_object_get(r, "return"));
}

static void assert_event(json_t *r, const char *name)
{
	json_t *ts = json_object_get(r, "timestamp");
	json_int_t sec = json_integer_value(json_object_get(ts, "seconds"));
	json_int_t usec = json_integer_value(json_object_get(ts, "microseconds"));

	assert_non_null(json_string_value(json_object_get(r, "event")));
	assert_string_equal(json_string_value(json_object_get(r, "event")), name);
	assert_true(json_is_integer(json_object_get(ts, "seconds")));
	assert_true(json_is_integer(json_object_get(ts, "microseconds")));
	assert_true(sec >= (json_int_t)time(NULL) - 5 && sec <= (json_int_t)time(NULL) + 1);
	assert_true(usec >= 0 && usec <= 999999);
	assert_null(json_object_get(r, "return"));
	assert_null(json_object_get(r, "id"));
}

static void expect_return(struct fx *f, struct cli *c, const char *text)
{
	json_t *r = cli_cmd(f, c, text);

	assert_return_empty(r);
	json_decref(r);
}

static void expect_error(struct fx *f, struct cli *c, const char *text, const char *cls,
			 const char *desc)
{
	json_t *r = cli_cmd(f, c, text);

	assert_error(r, cls, desc, false);
	json_decref(r);
}

/* Greeting and qmp_capabilities: the client is in command mode. */
static struct cli *cli_ready(struct fx *f)
{
	struct cli *c = cli_connect(f);

	cli_greeting(f, c);
	expect_return(f, c, "{\"execute\": \"qmp_capabilities\"}\n");
	return c;
}

static int live_clients(struct fx *f)
{
	int n = 0;

	for (int i = 0; i < QMP_MAX_CLIENTS; i++)
		n += f->q.clients[i].fd >= 0;
	return n;
}

static void check_status(struct fx *f, struct cli *c, const char *status, bool running)
{
	json_t *r = cli_cmd(f, c, "{\"execute\": \"query-status\"}"), *ret;

	ret = json_object_get(r, "return");
	assert_int_equal(json_object_size(ret), 3);
	assert_string_equal(json_string_value(json_object_get(ret, "status")), status);
	assert_true(json_is_false(json_object_get(ret, "singlestep")));
	assert_true(json_is_boolean(json_object_get(ret, "running")));
	assert_int_equal(json_is_true(json_object_get(ret, "running")), running);
	assert_null(json_object_get(r, "id"));
	json_decref(r);
}

/* ------------------------------------------------------------------ */
/* Protocol                                                            */

static void test_greeting(void **state)
{
	struct fx *f = *state;
	struct cli *c = cli_connect(f);

	cli_greeting(f, c);
	cli_quiet(f, c, 20);
	cli_free(c);
}

static void test_capabilities_gate(void **state)
{
	struct fx *f = *state;
	struct cli *c = cli_connect(f);
	json_t *r;

	cli_greeting(f, c);
	/* every command but qmp_capabilities is "not found" until then */
	r = cli_cmd(f, c, "{\"execute\": \"query-status\", \"id\": 5}");
	assert_error(r, "CommandNotFound",
		     "Expecting capabilities negotiation with 'qmp_capabilities'", false);
	assert_int_equal(json_integer_value(json_object_get(r, "id")), 5);
	json_decref(r);
	expect_error(f, c, "{\"execute\": \"stop\"}", "CommandNotFound",
		     "Expecting capabilities negotiation with 'qmp_capabilities'");
	expect_error(f, c, "{\"execute\": \"no-such-command\"}", "CommandNotFound",
		     "Expecting capabilities negotiation with 'qmp_capabilities'");
	assert_int_equal(f->vm.stops, 0);
	/* no events before negotiation */
	qmp_event(&f->q, "STOP", NULL);
	cli_quiet(f, c, 20);
	/* bad arguments leave the gate closed */
	expect_error(f, c, "{\"execute\": \"qmp_capabilities\", \"arguments\": {\"enable\": \"oob\"}}",
		     "GenericError", "Invalid parameter type for 'enable', expected: array");
	expect_error(f, c, "{\"execute\": \"qmp_capabilities\", \"arguments\": {\"enable\": [1]}}",
		     "GenericError", "Invalid parameter type for 'enable[0]', expected: string");
	expect_error(f, c, "{\"execute\": \"qmp_capabilities\", \"arguments\": {\"enable\": [\"x\"]}}",
		     "GenericError", "Parameter 'enable[0]' does not accept value 'x'");
	expect_error(f, c, "{\"execute\": \"qmp_capabilities\", \"arguments\": {\"enable\": [\"oob\"]}}",
		     "GenericError", "Capability oob not available");
	expect_error(f, c, "{\"execute\": \"qmp_capabilities\", \"arguments\": {\"x\": 1}}",
		     "GenericError", "Parameter 'x' is unexpected");
	expect_error(f, c, "{\"execute\": \"query-version\"}", "CommandNotFound",
		     "Expecting capabilities negotiation with 'qmp_capabilities'");
	/* an empty list is fine */
	r = cli_cmd(f, c, "{\"execute\": \"qmp_capabilities\", \"arguments\": {\"enable\": []}, \"id\": \"c\"}");
	assert_return_empty(r);
	assert_string_equal(json_string_value(json_object_get(r, "id")), "c");
	json_decref(r);
	/* then once only */
	expect_error(f, c, "{\"execute\": \"qmp_capabilities\"}", "CommandNotFound",
		     "Capabilities negotiation is already complete, command ignored");
	check_status(f, c, "running", true);
	cli_free(c);
}

static void test_query_status(void **state)
{
	struct fx *f = *state;
	struct cli *c = cli_ready(f);
	char *line;

	/* the exact text QEMU sends */
	cli_send(f, c, "{\"execute\": \"query-status\"}");
	line = cli_line(f, c);
	assert_non_null(line);
	assert_string_equal(line,
			    "{\"return\": {\"status\": \"running\", \"singlestep\": false, \"running\": true}}");
	free(line);
	f->vm.status = "paused";
	f->vm.running = false;
	check_status(f, c, "paused", false);
	f->vm.status = "shutdown";
	check_status(f, c, "shutdown", false);
	expect_error(f, c, "{\"execute\": \"query-status\", \"arguments\": {\"verbose\": true}}",
		     "GenericError", "Parameter 'verbose' is unexpected");
	cli_free(c);
}

static void test_stop_cont(void **state)
{
	struct fx *f = *state;
	struct cli *c = cli_ready(f);
	json_t *r;

	/* stop: STOP, then the reply */
	cli_send(f, c, "{\"execute\": \"stop\", \"id\": 1}");
	r = cli_json(f, c);
	assert_event(r, "STOP");
	assert_null(json_object_get(r, "data"));
	json_decref(r);
	r = cli_json(f, c);
	assert_return_empty(r);
	assert_int_equal(json_integer_value(json_object_get(r, "id")), 1);
	json_decref(r);
	assert_int_equal(f->vm.stops, 1);
	check_status(f, c, "paused", false);
	/* stopping a stopped VM: no callback, no event */
	expect_return(f, c, "{\"execute\": \"stop\"}");
	assert_int_equal(f->vm.stops, 1);
	cli_quiet(f, c, 10);
	/* cont: RESUME, then the reply */
	cli_send(f, c, "{\"execute\": \"cont\", \"id\": 2}");
	r = cli_json(f, c);
	assert_event(r, "RESUME");
	json_decref(r);
	r = cli_json(f, c);
	assert_return_empty(r);
	json_decref(r);
	assert_int_equal(f->vm.conts, 1);
	check_status(f, c, "running", true);
	expect_return(f, c, "{\"execute\": \"cont\"}");
	assert_int_equal(f->vm.conts, 1);
	cli_quiet(f, c, 10);
	/* a VM that has shut down needs a reset, as QEMU says */
	f->vm.status = "shutdown";
	f->vm.running = false;
	expect_error(f, c, "{\"execute\": \"cont\"}", "GenericError",
		     "Resetting the Virtual Machine is required");
	f->vm.status = "finish-migrate";
	expect_error(f, c, "{\"execute\": \"cont\"}", "GenericError",
		     "Migration is not finished yet");
	assert_int_equal(f->vm.conts, 1);
	expect_error(f, c, "{\"execute\": \"cont\", \"arguments\": {\"a\": 1}}", "GenericError",
		     "Parameter 'a' is unexpected");
	expect_error(f, c, "{\"execute\": \"stop\", \"arguments\": {\"a\": 1}}", "GenericError",
		     "Parameter 'a' is unexpected");
	assert_int_equal(f->vm.stops, 1);
	cli_free(c);
}

static void test_quit(void **state)
{
	struct fx *f = *state;
	struct cli *c = cli_ready(f);
	json_t *r, *data;

	f->vm.shutdown_on_quit = true;
	cli_send(f, c, "{\"execute\": \"quit\", \"id\": \"q\"}");
	r = cli_json(f, c);
	assert_return_empty(r);
	assert_string_equal(json_string_value(json_object_get(r, "id")), "q");
	json_decref(r);
	assert_int_equal(f->vm.quits, 1);
	/* the VMM's SHUTDOWN, sent from its quit callback */
	r = cli_json(f, c);
	assert_event(r, "SHUTDOWN");
	data = json_object_get(r, "data");
	assert_true(json_is_false(json_object_get(data, "guest")));
	assert_string_equal(json_string_value(json_object_get(data, "reason")), "host-qmp-quit");
	json_decref(r);
	/* the VMM closes the server: the client sees EOF after the replies */
	qmp_close(&f->q);
	cli_expect_eof(f, c);
	cli_free(c);
}

/* quit, then at once qmp_close, as the VMM exits: the reply still arrives. */
static void test_quit_reply_flushed_on_close(void **state)
{
	struct fx *f = *state;
	struct cli *c = cli_ready(f);
	uint64_t end = now_ms() + TIMEOUT_MS;
	char *line;

	cli_send(f, c, "{\"execute\": \"quit\"}");
	while (!f->vm.quits && now_ms() < end)
		pump(f, 5);
	assert_int_equal(f->vm.quits, 1);
	qmp_close(&f->q);
	line = cli_line(f, c);
	assert_non_null(line);
	assert_string_equal(line, "{\"return\": {}}");
	free(line);
	cli_expect_eof(f, c);
	cli_free(c);
}

static void test_powerdown(void **state)
{
	struct fx *f = *state;
	struct cli *c = cli_ready(f);
	json_t *r;

	cli_send(f, c, "{\"execute\": \"system_powerdown\", \"id\": 3}");
	r = cli_json(f, c);
	assert_event(r, "POWERDOWN");
	json_decref(r);
	r = cli_json(f, c);
	assert_return_empty(r);
	json_decref(r);
	assert_int_equal(f->vm.powerdowns, 1);
	/* no button: QEMU still reports POWERDOWN */
	f->q.ops.powerdown = NULL;
	cli_send(f, c, "{\"execute\": \"system_powerdown\"}");
	r = cli_json(f, c);
	assert_event(r, "POWERDOWN");
	json_decref(r);
	r = cli_json(f, c);
	assert_return_empty(r);
	json_decref(r);
	assert_int_equal(f->vm.powerdowns, 1);
	cli_free(c);
}

static void test_query_version_commands(void **state)
{
	static const char *const names[] = {
		"qmp_capabilities", "query-status", "stop", "cont", "quit",
		"system_powerdown", "query-version", "query-commands",
	};
	struct fx *f = *state;
	struct cli *c = cli_ready(f);
	json_t *r, *ret, *want;

	r = cli_cmd(f, c, "{\"execute\": \"query-version\"}");
	want = json_pack("{s:{s:i, s:i, s:i}, s:s}", "qemu", "micro", 0, "minor", 2, "major", 7,
			 "package", "godwit");
	assert_true(json_equal(json_object_get(r, "return"), want));
	json_decref(want);
	json_decref(r);

	r = cli_cmd(f, c, "{\"execute\": \"query-commands\"}");
	ret = json_object_get(r, "return");
	assert_true(json_is_array(ret));
	assert_int_equal(json_array_size(ret), sizeof(names) / sizeof(names[0]));
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		bool found = false;
		size_t k;
		json_t *v;

		json_array_foreach(ret, k, v)
			found |= json_object_size(v) == 1 &&
				 !strcmp(json_string_value(json_object_get(v, "name")), names[i]);
		assert_true(found);
		/* and each one listed runs */
		if (strcmp(names[i], "quit") && strcmp(names[i], "qmp_capabilities")) {
			char cmd[128];
			json_t *x;

			snprintf(cmd, sizeof(cmd), "{\"execute\": \"%s\", \"id\": 9}", names[i]);
			cli_send(f, c, cmd);
			for (;;) { /* skip the events stop/cont/powerdown cause */
				x = cli_json(f, c);
				if (json_object_get(x, "id"))
					break;
				json_decref(x);
			}
			assert_null(json_object_get(x, "error"));
			json_decref(x);
		}
	}
	json_decref(r);
	cli_free(c);
}

static void test_id_echo(void **state)
{
	static const char *const ids[] = {
		"7", "-3", "\"abc\"", "{\"a\": [1, 2, {\"b\": null}]}", "null", "true", "[]",
		"\"\\u00e9\\n\\\"\"", "9007199254740993",
	};
	struct fx *f = *state;
	struct cli *c = cli_ready(f);
	char cmd[256];
	json_t *r, *id;

	for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		id = json_loads(ids[i], JSON_DECODE_ANY, NULL);
		assert_non_null(id);
		/* on success */
		snprintf(cmd, sizeof(cmd), "{\"id\": %s, \"execute\": \"query-status\"}", ids[i]);
		r = cli_cmd(f, c, cmd);
		assert_non_null(json_object_get(r, "return"));
		assert_true(json_equal(json_object_get(r, "id"), id));
		json_decref(r);
		/* and on command errors */
		snprintf(cmd, sizeof(cmd), "{\"execute\": \"nope\", \"id\": %s}", ids[i]);
		r = cli_cmd(f, c, cmd);
		assert_error(r, "CommandNotFound", "The command nope has not been found", false);
		assert_true(json_equal(json_object_get(r, "id"), id));
		json_decref(r);
		snprintf(cmd, sizeof(cmd),
			 "{\"execute\": \"stop\", \"id\": %s, \"arguments\": {\"x\": 0}}", ids[i]);
		r = cli_cmd(f, c, cmd);
		assert_error(r, "GenericError", "Parameter 'x' is unexpected", false);
		assert_true(json_equal(json_object_get(r, "id"), id));
		json_decref(r);
		json_decref(id);
	}
	/* no id: none in the reply */
	r = cli_cmd(f, c, "{\"execute\": \"query-status\"}");
	assert_null(json_object_get(r, "id"));
	json_decref(r);
	cli_free(c);
}

static void test_malformed_json(void **state)
{
	static const char *const bad[] = {
		"{\"execute\": }",
		"{\"execute\": \"query-status\" garbage}",
		"}",
		"]",
		",",
		"{\"execute\": \"query-status\", \"execute\": \"stop\"}", /* duplicate key */
		"{\"execute\": \"stop\",}",
		"[1,]",
		"{\"execute\": \"query-status\", \"id\": 1e}",
		"{\"execute\": \"query-status\", \"id\": tru}",
		"{\"execute\": \"query-status\", \"id\": \"\\x\"}",
		"{\"execute\": \"query-status\", \"id\": \"\\u12\"}",
		"{\"execute\": \"query-status\", \"id\": \"\xc3\x28\"}", /* bad UTF-8 */
		"{\"execute\": \"query-status\", \"id\": \"\\u0000\"}",
		"{\"execute\": \"query-status\", \"id\": 123456789012345678901234567890}",
		"nul ",
		"\xfe",
		"\x01",
		"{1: 2}",
		"{\"a\" 1}",
		"{\"execute\": \"query-status\"]",
		"[{\"execute\": \"query-status\"}}",
	};
	struct fx *f = *state;
	struct cli *c = cli_ready(f);
	json_t *r;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		r = cli_cmd(f, c, bad[i]);
		assert_error(r, "GenericError", "JSON parse error, ", true);
		assert_null(json_object_get(r, "id"));
		json_decref(r);
		cli_quiet(f, c, 5); /* exactly one error each */
	}
	/* a stray control character in a string: an error, then the rest up
	 * to the next structural character is skipped, so the '}' that
	 * follows is a second error (QEMU answers the same way), and the next
	 * command is read cleanly */
	cli_send(f, c, "{\"execute\": \"query-status\", \"id\": \"a\x01" "b\"}"
		       "{\"execute\": \"query-status\", \"id\": 98}");
	for (int i = 0; i < 2; i++) {
		r = cli_json(f, c);
		assert_error(r, "GenericError", "JSON parse error, ", true);
		json_decref(r);
	}
	r = cli_json(f, c);
	assert_int_equal(json_integer_value(json_object_get(r, "id")), 98);
	json_decref(r);
	cli_quiet(f, c, 5);
	/* the connection and the VM are unaffected */
	r = cli_cmd(f, c, "{\"execute\": \"query-status\", \"id\": 99}");
	assert_int_equal(json_integer_value(json_object_get(r, "id")), 99);
	json_decref(r);
	assert_int_equal(f->vm.stops + f->vm.conts + f->vm.quits + f->vm.powerdowns, 0);
	cli_free(c);
}

static void test_non_object(void **state)
{
	static const char *const inputs[] = {
		"[1, 2]", "[]", "42 ", "\"str\"", "true ", "null\n", "-1.5e3 ", "'single'",
	};
	struct fx *f = *state;
	struct cli *c = cli_ready(f);

	for (size_t i = 0; i < sizeof(inputs) / sizeof(inputs[0]); i++)
		expect_error(f, c, inputs[i], "GenericError", "QMP input must be a JSON object");
	cli_quiet(f, c, 5);
	cli_free(c);
}

static void test_bad_members(void **state)
{
	struct fx *f = *state;
	struct cli *c = cli_ready(f);
	json_t *r;

	expect_error(f, c, "{\"execute\": \"nope\"}", "CommandNotFound",
		     "The command nope has not been found");
	expect_error(f, c, "{\"execute\": \"\"}", "CommandNotFound",
		     "The command  has not been found");
	expect_error(f, c, "{\"execute\": 1}", "GenericError",
		     "QMP input member 'execute' must be a string");
	expect_error(f, c, "{\"execute\": [\"stop\"]}", "GenericError",
		     "QMP input member 'execute' must be a string");
	expect_error(f, c, "{\"execute\": \"stop\", \"arguments\": []}", "GenericError",
		     "QMP input member 'arguments' must be an object");
	expect_error(f, c, "{\"execute\": \"stop\", \"arguments\": null}", "GenericError",
		     "QMP input member 'arguments' must be an object");
	expect_error(f, c, "{\"execute\": \"stop\", \"foo\": 1}", "GenericError",
		     "QMP input member 'foo' is unexpected");
	expect_error(f, c, "{\"arguments\": {}}", "GenericError",
		     "QMP input lacks member 'execute'");
	expect_error(f, c, "{}", "GenericError", "QMP input lacks member 'execute'");
	r = cli_cmd(f, c, "{\"exec-oob\": \"stop\", \"id\": 4}");
	assert_error(r, "GenericError", "QMP input member 'exec-oob' is unexpected", false);
	assert_int_equal(json_integer_value(json_object_get(r, "id")), 4);
	json_decref(r);
	/* non-ASCII names come back \u-escaped, still valid JSON */
	r = cli_cmd(f, c, "{\"execute\": \"caf\xc3\xa9\"}");
	assert_error(r, "CommandNotFound", "The command caf\xc3\xa9 has not been found", false);
	json_decref(r);
	assert_int_equal(f->vm.stops, 0);
	cli_free(c);
}

static void test_several_in_one_write(void **state)
{
	struct fx *f = *state;
	struct cli *c = cli_ready(f);
	json_t *r;

	cli_send(f, c, "{\"execute\":\"query-status\",\"id\":1}{\"execute\":\"query-version\",\"id\":2}"
		       "\r\n\t {\"execute\":\"nope\",\"id\":3}[]{\"execute\":\"query-status\",\"id\":4}");
	for (int i = 1; i <= 5; i++) {
		r = cli_json(f, c);
		if (i == 4) {
			assert_error(r, "GenericError", "QMP input must be a JSON object", false);
		} else {
			assert_int_equal(json_integer_value(json_object_get(r, "id")), i > 4 ? 4 : i);
			if (i == 3)
				assert_error(r, "CommandNotFound", "The command nope has not been found", false);
			else
				assert_non_null(json_object_get(r, "return"));
		}
		json_decref(r);
	}
	cli_quiet(f, c, 5);
	cli_free(c);
}

static void test_split_every_byte(void **state)
{
	static const char cmd[] =
		"{ \"execute\" : \"query-status\", \"arguments\": {}, "
		"\"id\": {\"s\": \"a\\\"b}\\\\{\\u0041\", \"n\": [-12.5e2, true, null]} }";
	struct fx *f = *state;
	struct cli *c = cli_ready(f);
	size_t len = strlen(cmd);
	json_t *r, *want = json_pack("{s:s, s:[f, b, n]}", "s", "a\"b}\\{A", "n", -1250.0, 1);

	for (size_t cut = 1; cut < len; cut++) {
		cli_send_raw(f, c, cmd, cut, true);
		pump(f, 1);
		pump(f, 0);
		cli_fill(c);
		assert_int_equal(c->len, 0); /* nothing yet */
		cli_send_raw(f, c, cmd + cut, len - cut, true);
		r = cli_json(f, c);
		assert_non_null(json_object_get(r, "return"));
		assert_true(json_equal(json_object_get(r, "id"), want));
		json_decref(r);
	}
	/* one byte per write */
	for (size_t i = 0; i < len; i++) {
		cli_send_raw(f, c, cmd + i, 1, true);
		pump(f, 0);
	}
	r = cli_json(f, c);
	assert_true(json_equal(json_object_get(r, "id"), want));
	json_decref(r);
	json_decref(want);
	cli_quiet(f, c, 5);
	cli_free(c);
}

static void test_single_quotes(void **state)
{
	struct fx *f = *state;
	struct cli *c = cli_ready(f);
	json_t *r;

	/* QEMU accepts 'single-quoted' strings and the \' escape */
	r = cli_cmd(f, c, "{'execute': 'query-status', 'id': 'it\\'s \"q\"'}");
	assert_non_null(json_object_get(r, "return"));
	assert_string_equal(json_string_value(json_object_get(r, "id")), "it's \"q\"");
	json_decref(r);
	r = cli_cmd(f, c, "{\"execute\": \"query-status\", \"id\": \"don\\'t 'x' }{\"}");
	assert_string_equal(json_string_value(json_object_get(r, "id")), "don't 'x' }{");
	json_decref(r);
	cli_free(c);
}

static void test_resync(void **state)
{
	struct fx *f = *state;
	struct cli *c = cli_ready(f);
	json_t *r;

	/* an unfinished command, then 0xff: one error, then a clean start */
	cli_send(f, c, "{\"execute\": \"query-status\", \"id\": [1, {\"x\": \"abc\xff"
		       "{\"execute\": \"query-status\", \"id\": 2}");
	r = cli_json(f, c);
	assert_error(r, "GenericError", "JSON parse error, ", true);
	json_decref(r);
	r = cli_json(f, c);
	assert_int_equal(json_integer_value(json_object_get(r, "id")), 2);
	json_decref(r);
	/* a control character does the same outside strings */
	cli_send(f, c, "{\"execute\": \x02{\"execute\": \"query-status\", \"id\": 3}");
	r = cli_json(f, c);
	assert_error(r, "GenericError", "JSON parse error, ", true);
	json_decref(r);
	r = cli_json(f, c);
	assert_int_equal(json_integer_value(json_object_get(r, "id")), 3);
	json_decref(r);
	cli_quiet(f, c, 5);
	cli_free(c);
}

static void test_oversized(void **state)
{
	static const char head[] = "{\"execute\": \"query-status\", \"id\": \"";
	struct fx *f = *state;
	struct cli *c = cli_ready(f), *other = cli_ready(f);
	size_t n = QMP_IN_MAX + 4096;
	char *big = malloc(n);
	json_t *r;

	assert_non_null(big);
	/* an unterminated string longer than the buffer */
	memset(big, 'x', n);
	memcpy(big, head, strlen(head));
	cli_send_raw(f, c, big, n, true);
	r = cli_json(f, c);
	assert_error(r, "GenericError", "JSON parse error, command longer than 65536 bytes", false);
	json_decref(r);
	cli_expect_eof(f, c);
	cli_free(c);

	/* a complete but over-long command: the same */
	c = cli_ready(f);
	memset(big, ' ', n);
	memcpy(big, head, strlen(head));
	memcpy(big + n - 3, "\"}\n", 3);
	cli_send_raw(f, c, big, n, true);
	r = cli_json(f, c);
	assert_error(r, "GenericError", "JSON parse error, command longer than", true);
	json_decref(r);
	cli_expect_eof(f, c);
	cli_free(c);

	/* endless nesting */
	c = cli_ready(f);
	memset(big, '[', n);
	cli_send_raw(f, c, big, n, true);
	r = cli_json(f, c);
	assert_error(r, "GenericError", "JSON parse error, command longer than", true);
	json_decref(r);
	cli_expect_eof(f, c);
	cli_free(c);

	/* deep but within the buffer: a parse error, and the client stays */
	c = cli_ready(f);
	memset(big, '[', 20000);
	memset(big + 20000, ']', 20000);
	cli_send_raw(f, c, big, 40000, true);
	r = cli_json(f, c);
	assert_error(r, "GenericError", "JSON parse error, ", true);
	json_decref(r);
	check_status(f, c, "running", true);

	/* the others never noticed */
	check_status(f, other, "running", true);
	assert_int_equal(live_clients(f), 2);
	cli_free(c);
	cli_free(other);
	free(big);
}

static void test_disconnects(void **state)
{
	struct fx *f = *state;
	struct cli *a, *b = cli_ready(f);
	json_t *r;

	/* before the greeting is read */
	a = cli_connect(f);
	cli_free(a);
	pump(f, 5);
	/* in the middle of a command */
	a = cli_ready(f);
	cli_send(f, a, "{\"execute\": \"sto");
	pump(f, 5);
	cli_free(a);
	/* right after sending commands, without reading the replies: the
	 * server's writes hit a closed socket (EPIPE, SIGPIPE suppressed) */
	a = cli_connect(f);
	cli_send(f, a, "{\"execute\": \"qmp_capabilities\"}{\"execute\": \"query-status\"}"
		       "{\"execute\": \"query-version\"}");
	cli_free(a);
	for (int i = 0; i < 20; i++)
		pump(f, 1);
	/* events to a client that has gone */
	a = cli_ready(f);
	cli_free(a);
	qmp_event(&f->q, "STOP", NULL);
	qmp_event(&f->q, "RESUME", json_object());
	for (int i = 0; i < 20; i++)
		pump(f, 1);
	r = cli_json(f, b); /* b did get them */
	assert_event(r, "STOP");
	json_decref(r);
	r = cli_json(f, b);
	assert_event(r, "RESUME");
	assert_true(json_is_object(json_object_get(r, "data")));
	json_decref(r);
	/* half-closed: the commands sent still run and are answered */
	a = cli_connect(f);
	cli_send(f, a, "{\"execute\": \"qmp_capabilities\"}{\"execute\": \"query-status\", \"id\": 1}");
	shutdown(a->fd, SHUT_WR);
	cli_greeting(f, a);
	r = cli_json(f, a);
	assert_return_empty(r);
	json_decref(r);
	r = cli_json(f, a);
	assert_int_equal(json_integer_value(json_object_get(r, "id")), 1);
	json_decref(r);
	cli_expect_eof(f, a);
	cli_free(a);
	/* all gone but b, which still works */
	for (int i = 0; i < 20 && live_clients(f) > 1; i++)
		pump(f, 2);
	assert_int_equal(live_clients(f), 1);
	check_status(f, b, "running", true);
	cli_quiet(f, b, 5);
	cli_free(b);
}

static void test_events_to_all(void **state)
{
	struct fx *f = *state;
	struct cli *a = cli_ready(f), *b = cli_ready(f), *raw = cli_connect(f);
	json_t *r, *ra, *rb;

	cli_greeting(f, raw);
	/* the VMM's event, with data, to every client in command mode */
	qmp_event(&f->q, "SHUTDOWN", json_pack("{s:b, s:s}", "guest", 1, "reason", "guest-shutdown"));
	ra = cli_json(f, a);
	rb = cli_json(f, b);
	assert_event(ra, "SHUTDOWN");
	assert_true(json_equal(ra, rb));
	r = json_object_get(ra, "data");
	assert_true(json_is_true(json_object_get(r, "guest")));
	assert_string_equal(json_string_value(json_object_get(r, "reason")), "guest-shutdown");
	json_decref(ra);
	json_decref(rb);
	cli_quiet(f, raw, 10); /* not negotiated: nothing */
	/* a command's event reaches the other client too */
	cli_send(f, a, "{\"execute\": \"stop\"}");
	ra = cli_json(f, a);
	assert_event(ra, "STOP");
	json_decref(ra);
	ra = cli_json(f, a);
	assert_return_empty(ra);
	json_decref(ra);
	rb = cli_json(f, b);
	assert_event(rb, "STOP");
	json_decref(rb);
	cli_quiet(f, b, 5);
	cli_quiet(f, raw, 5);
	/* no data: no "data" member */
	qmp_event(&f->q, "RESET", NULL);
	rb = cli_json(f, b);
	assert_event(rb, "RESET");
	assert_null(json_object_get(rb, "data"));
	json_decref(rb);
	ra = cli_json(f, a);
	assert_event(ra, "RESET");
	json_decref(ra);
	cli_free(a);
	cli_free(b);
	cli_free(raw);
}

static void test_client_limit(void **state)
{
	struct fx *f = *state;
	struct cli *c[QMP_MAX_CLIENTS], *extra;

	for (int i = 0; i < QMP_MAX_CLIENTS; i++) {
		c[i] = cli_connect(f);
		cli_greeting(f, c[i]);
	}
	/* one too many: closed without a greeting */
	extra = cli_connect(f);
	cli_expect_eof(f, extra);
	cli_free(extra);
	/* the others are unaffected */
	expect_error(f, c[0], "{\"execute\": \"query-status\"}", "CommandNotFound",
		     "Expecting capabilities negotiation with 'qmp_capabilities'");
	/* a slot freed is a slot taken again */
	cli_free(c[3]);
	for (int i = 0; i < 20 && live_clients(f) == QMP_MAX_CLIENTS; i++)
		pump(f, 2);
	c[3] = cli_ready(f);
	check_status(f, c[3], "running", true);
	for (int i = 0; i < QMP_MAX_CLIENTS; i++)
		cli_free(c[i]);
}

static void test_flow_control(void **state)
{
	enum { N = 6000 };
	struct fx *f = *state;
	struct cli *c = cli_ready(f);
	size_t cap = (size_t)N * 48, len = 0;
	char *cmds = malloc(cap);

	assert_non_null(cmds);
	for (int i = 0; i < N; i++)
		len += (size_t)snprintf(cmds + len, cap - len,
					"{\"execute\":\"query-status\",\"id\":%d}", i);
	/* send it all without reading a reply: the server must stop reading
	 * when its output backs up, without losing or reordering anything */
	cli_send_raw(f, c, cmds, len, false);
	for (int i = 0; i < 50; i++)
		pump(f, 1);
	for (int i = 0; i < QMP_MAX_CLIENTS; i++)
		assert_true(f->q.clients[i].out_cap <= 2 * QMP_OUT_HIGH + 4096);
	for (int next = 0; next < N; next++) {
		json_t *r = cli_json(f, c);

		assert_int_equal(json_integer_value(json_object_get(r, "id")), next);
		json_decref(r);
	}
	cli_quiet(f, c, 5);
	free(cmds);
	cli_free(c);
}

static void test_slow_reader_dropped(void **state)
{
	enum { EVENTS = 20000 };
	struct fx *f = *state;
	struct cli *slow = cli_ready(f), *good = cli_ready(f);
	uint64_t end;
	json_t *data;
	int lines = 0;

	/* a client that never reads while events pour in is dropped once its
	 * backlog passes QMP_OUT_MAX; the others get every event */
	data = json_pack("{s:s}", "pad", "0123456789abcdef0123456789abcdef0123456789abcdef"
			 "0123456789abcdef0123456789abcdef0123456789abcdef");
	for (int i = 0; i < EVENTS; i++) {
		qmp_event(&f->q, "X-TEST", json_incref(data));
		if (i % 256 == 0) {
			pump(f, 0);
			cli_fill(good);
			lines += cli_take_lines(good);
		}
	}
	json_decref(data);
	end = now_ms() + TIMEOUT_MS;
	while (lines < EVENTS && now_ms() < end) {
		pump(f, 1);
		cli_fill(good);
		lines += cli_take_lines(good);
	}
	assert_int_equal(lines, EVENTS);
	cli_expect_eof(f, slow);
	assert_int_equal(live_clients(f), 1);
	check_status(f, good, "running", true);
	cli_free(slow);
	cli_free(good);
}

/* Backed-up commands go on when the output drains by another way than a
 * POLLOUT in dispatch (here an event's write): nothing is left stuck. */
static void test_flow_control_event_drain(void **state)
{
	enum { N = 1500 };
	struct fx *f = *state;
	struct cli *c = cli_ready(f);
	size_t cap = (size_t)N * 48, len = 0;
	char *cmds = malloc(cap);
	int got = 0, events = 0;
	uint64_t end;

	/* all of it fits the server's input buffer, its replies are much
	 * longer: the server reads everything, then stops with commands left */
	assert_non_null(cmds);
	for (int i = 0; i < N; i++)
		len += (size_t)snprintf(cmds + len, cap - len,
					"{\"execute\":\"query-commands\",\"id\":%d}", i);
	assert_true(len < QMP_IN_MAX);
	cli_send_raw(f, c, cmds, len, false);
	for (int i = 0; i < 50; i++)
		pump(f, 1);
	/* the server has stopped: read what the socket holds, without pumping,
	 * then let an event's write flush the server's backlog */
	end = now_ms() + TIMEOUT_MS;
	while (got + events < N + 1 && now_ms() < end) {
		cli_fill(c);
		for (char *nl; (nl = memmem(c->buf, c->len, "\r\n", 2));) {
			if (memmem(c->buf, (size_t)(nl - c->buf), "X-DRAIN", 7))
				events++;
			else
				got++;
			memmove(c->buf, nl + 2, c->len - (size_t)(nl + 2 - c->buf));
			c->len -= (size_t)(nl + 2 - c->buf);
		}
		if (!events)
			qmp_event(&f->q, "X-DRAIN", NULL);
		else
			pump(f, 1);
	}
	assert_int_equal(events, 1);
	assert_int_equal(got, N);
	free(cmds);
	cli_free(c);
}

struct reader {
	int fd;
	int lines;
};

static void *read_to_eof(void *arg)
{
	struct reader *r = arg;
	char buf[65536];
	ssize_t n;

	while ((n = read(r->fd, buf, sizeof(buf))) > 0)
		for (ssize_t i = 0; i < n; i++)
			r->lines += buf[i] == '\n';
	return NULL;
}

/* qmp_close delivers a backlog to a client that is reading. */
static void test_close_flushes_backlog(void **state)
{
	enum { EVENTS = 3000 };
	struct fx *f = *state;
	struct cli *c = cli_ready(f);
	struct reader r = { .fd = c->fd, .lines = 0 };
	json_t *data = json_pack("{s:s}", "pad", "0123456789abcdef0123456789abcdef0123456789abcdef"
				 "0123456789abcdef0123456789abcdef0123456789abcdef");
	pthread_t t;
	bool backlog = false;

	/* more than the socket holds, less than QMP_OUT_MAX */
	for (int i = 0; i < EVENTS; i++)
		qmp_event(&f->q, "X-TEST", json_incref(data));
	json_decref(data);
	for (int i = 0; i < QMP_MAX_CLIENTS; i++)
		backlog |= f->q.clients[i].fd >= 0 &&
			   f->q.clients[i].out_len > f->q.clients[i].out_off;
	assert_true(backlog);
	assert_int_equal(fcntl(c->fd, F_SETFL, 0), 0); /* blocking reads */
	assert_int_equal(pthread_create(&t, NULL, read_to_eof, &r), 0);
	qmp_close(&f->q);
	pthread_join(t, NULL);
	assert_int_equal(r.lines, EVENTS);
	cli_free(c);
}

/* ------------------------------------------------------------------ */
/* Opening: the -qmp syntax                                            */

/* qmp_open with stderr captured; returns its result. */
static int open_into(struct qmp *q, const struct qmp_ops *ops, const char *spec, char *err,
		     size_t size)
{
	int pipefd[2], saved, r;
	ssize_t n;

	assert_int_equal(pipe(pipefd), 0);
	fflush(stderr);
	saved = dup(STDERR_FILENO);
	dup2(pipefd[1], STDERR_FILENO);
	r = qmp_open(q, spec, ops);
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	close(pipefd[1]);
	n = read(pipefd[0], err, size - 1);
	err[n > 0 ? n : 0] = '\0';
	close(pipefd[0]);
	return r;
}

static int open_captured(struct fx *f, const char *spec, char *err, size_t size)
{
	return open_into(&f->q, &f->ops, spec, err, size);
}

static void expect_open_error(struct fx *f, const char *spec)
{
	char err[1024];

	assert_int_equal(open_captured(f, spec, err, sizeof(err)), -1);
	/* one line, naming the option */
	if (strncmp(err, "godwit-vmm: -qmp ", 17) || !strchr(err, '\n') ||
	    strchr(err, '\n')[1] != '\0')
		fail_msg("spec '%s': bad error output '%s'", spec ? spec : "(null)", err);
	assert_false(f->q.active);
	assert_int_equal(qmp_pollfds(&f->q, NULL, 0), 0);
	qmp_close(&f->q);
}

static void test_open_specs(void **state)
{
	static const char *const good[] = {
		"unix:%s,server=on,wait=off", "unix:%s,server,nowait", "unix:%s,nowait,server",
		"unix:%s,wait=off,server=on", "unix:%s,server=yes,wait=no",
	};
	struct fx *f = *state;
	char spec[512], path2[200], err[1024];
	struct stat st;
	struct cli *c;
	int fd;

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		snprintf(spec, sizeof(spec), good[i], f->path);
		assert_int_equal(open_captured(f, spec, err, sizeof(err)), 0);
		assert_string_equal(err, "");
		c = cli_connect(f);
		cli_greeting(f, c);
		cli_free(c);
		qmp_close(&f->q);
		assert_int_not_equal(stat(f->path, &st), 0); /* removed */
	}
	/* ",," is a comma in the path, as in QEMU's option syntax */
	snprintf(spec, sizeof(spec), "unix:%s/a,,b.sock,server=on,wait=off", f->dir);
	snprintf(path2, sizeof(path2), "%s/a,b.sock", f->dir);
	assert_int_equal(open_captured(f, spec, err, sizeof(err)), 0);
	assert_int_equal(stat(path2, &st), 0);
	assert_true(S_ISSOCK(st.st_mode));
	qmp_close(&f->q);

	expect_open_error(f, NULL);
	expect_open_error(f, "");
	expect_open_error(f, "tcp:127.0.0.1:4444,server=on,wait=off");
	expect_open_error(f, "stdio");
	expect_open_error(f, "unix:");
	expect_open_error(f, "unix:,server=on,wait=off");
	snprintf(spec, sizeof(spec), "unix:%s,server=on,wait=off,bogus=1", f->path);
	expect_open_error(f, spec);
	snprintf(spec, sizeof(spec), "unix:%s,server=maybe,wait=off", f->path);
	expect_open_error(f, spec);
	snprintf(spec, sizeof(spec), "unix:%s,server=on,wait=later", f->path);
	expect_open_error(f, spec);
	snprintf(spec, sizeof(spec), "unix:%s,wait=off", f->path); /* client mode */
	expect_open_error(f, spec);
	snprintf(spec, sizeof(spec), "unix:%s/%0150d,server=on,wait=off", f->dir, 0);
	expect_open_error(f, spec);
	snprintf(spec, sizeof(spec), "unix:%s/no/such/dir/s,server=on,wait=off", f->dir);
	expect_open_error(f, spec);
	/* client mode with nobody listening */
	snprintf(spec, sizeof(spec), "unix:%s", f->path);
	expect_open_error(f, spec);

	/* a file that is not a socket is left alone */
	fd = open(f->path, O_CREAT | O_WRONLY, 0600);
	assert_true(fd >= 0);
	close(fd);
	expect_open_error(f, f->spec);
	assert_int_equal(stat(f->path, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	unlink(f->path);

	/* a stale socket (nobody listening) is replaced */
	{
		struct sockaddr_un sa = { .sun_family = AF_UNIX };

		fd = socket(AF_UNIX, SOCK_STREAM, 0);
		set_sun_path(&sa, f->path);
		assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
		close(fd);
	}
	assert_int_equal(open_captured(f, f->spec, err, sizeof(err)), 0);
	c = cli_connect(f);
	cli_greeting(f, c);
	cli_free(c);
	/* a live one (another VM's) is not stolen */
	{
		struct qmp second;

		assert_int_equal(open_into(&second, &f->ops, f->spec, err, sizeof(err)), -1);
		assert_non_null(strstr(err, "already listening"));
		qmp_close(&second);
	}
	c = cli_connect(f);
	cli_greeting(f, c);
	cli_free(c);
}

static void test_close_safety(void **state)
{
	struct fx *f = *state;
	struct pollfd fds[QMP_MAX_POLLFDS];
	struct qmp zero;
	struct cli *c;

	/* a never-opened (zeroed) server: every call is a no-op */
	memset(&zero, 0, sizeof(zero));
	assert_int_equal(qmp_pollfds(&zero, fds, QMP_MAX_POLLFDS), 0);
	qmp_dispatch(&zero, fds, 0);
	qmp_event(&zero, "STOP", json_object()); /* data freed, not leaked */
	qmp_close(&zero);
	qmp_close(&zero);
	/* a small fds array is respected */
	c = cli_ready(f);
	assert_int_equal(qmp_pollfds(&f->q, fds, 1), 1);
	assert_int_equal(qmp_pollfds(&f->q, fds, 0), 0);
	assert_int_equal(qmp_pollfds(&f->q, fds, QMP_MAX_POLLFDS), 2);
	/* descriptors it does not know are ignored */
	fds[0].fd = 12345;
	fds[0].events = POLLIN;
	fds[0].revents = POLLIN | POLLHUP;
	qmp_dispatch(&f->q, fds, 1);
	check_status(f, c, "running", true);
	cli_free(c);
}

struct waiter {
	char path[160];
	bool greeted;
};

static void *connect_later(void *arg)
{
	struct waiter *w = arg;
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	size_t want = strlen(greeting_text) + 2, got = 0;
	char buf[512];
	ssize_t n;
	int fd = -1;

	memcpy(sa.sun_path, w->path, strlen(w->path) + 1); /* checked by the caller */
	for (int i = 0; i < 300 && fd < 0; i++) { /* the server may not listen yet */
		fd = socket(AF_UNIX, SOCK_STREAM, 0);
		if (connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
			close(fd);
			fd = -1;
			usleep(10000);
		}
	}
	if (fd < 0)
		return NULL;
	while (got < want && (n = read(fd, buf + got, sizeof(buf) - 1 - got)) > 0)
		got += (size_t)n;
	w->greeted = got == want && !memcmp(buf, greeting_text, want - 2) &&
		     !memcmp(buf + want - 2, "\r\n", 2);
	close(fd);
	return NULL;
}

static void test_wait_on(void **state)
{
	struct fx *f = *state;
	struct waiter w;
	pthread_t t;
	char spec[256], err[1024];

	/* "server" alone means wait=on, as in QEMU: open returns once a client
	 * is connected, and that client already has its greeting */
	assert_true(strlen(f->path) < sizeof(((struct sockaddr_un *)0)->sun_path));
	snprintf(w.path, sizeof(w.path), "%s", f->path);
	w.greeted = false;
	snprintf(spec, sizeof(spec), "unix:%s,server", f->path);
	assert_int_equal(pthread_create(&t, NULL, connect_later, &w), 0);
	assert_int_equal(open_captured(f, spec, err, sizeof(err)), 0);
	assert_non_null(strstr(err, "waiting"));
	pthread_join(t, NULL);
	assert_true(w.greeted);
	qmp_close(&f->q);
}

static void test_client_mode(void **state)
{
	struct fx *f = *state;
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char spec[256], err[1024];
	struct cli *c;
	struct stat st;
	int lfd, fd;

	/* without server=on the VMM connects out, as QEMU does */
	set_sun_path(&sa, f->path);
	lfd = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_int_equal(bind(lfd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(lfd, 1), 0);
	snprintf(spec, sizeof(spec), "unix:%s", f->path);
	assert_int_equal(open_captured(f, spec, err, sizeof(err)), 0);
	fd = accept(lfd, NULL, NULL);
	assert_true(fd >= 0);
	c = cli_wrap(fd);
	cli_greeting(f, c);
	expect_return(f, c, "{\"execute\": \"qmp_capabilities\"}");
	check_status(f, c, "running", true);
	qmp_close(&f->q);
	cli_expect_eof(f, c);
	cli_free(c);
	/* the socket was not ours to remove */
	assert_int_equal(stat(f->path, &st), 0);
	close(lfd);
	unlink(f->path);
}

/* ------------------------------------------------------------------ */
/* Fuzz: whatever clients send, the server survives and stays correct */

static uint64_t rng;

static uint32_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 11);
}

static void test_fuzz(void **state)
{
	static const char *const seeds[] = {
		"{\"execute\": \"qmp_capabilities\"}",
		"{\"execute\": \"query-status\", \"id\": 1}",
		"{\"execute\": \"stop\"}",
		"{\"execute\": \"cont\", \"id\": \"x\"}",
		"{\"execute\": \"system_powerdown\"}",
		"{\"execute\": \"query-commands\"}",
		"{'execute': 'query-version', 'id': [1, {\"a\": 'b\\'c'}]}",
		"{\"execute\": \"qmp_capabilities\", \"arguments\": {\"enable\": [\"oob\"]}}",
		"[[[{\"\\u0041\\\\\": -0.5e-3}]]]",
		"\"\\ud800\"",
	};
	enum { CLIENTS = 4, ROUNDS = 3000 };
	struct fx *f = *state;
	struct cli *c[CLIENTS], *check;
	char buf[512];

	f->q.ops.quit = NULL; /* quit would end the VMM: keep the fake alive */
	rng = 0x9e3779b97f4a7c15ull;
	for (int i = 0; i < CLIENTS; i++)
		c[i] = cli_connect(f);
	for (int round = 0; round < ROUNDS; round++) {
		int k = (int)(rnd() % CLIENTS);
		const char *s = seeds[rnd() % (sizeof(seeds) / sizeof(seeds[0]))];
		size_t len = strlen(s), n = len;
		uint32_t how = rnd() % 16;

		/* a seed, mutated */
		memcpy(buf, s, len);
		if (how < 6) {
			for (uint32_t m = rnd() % 4 + 1; m; m--)
				buf[rnd() % n] = (char)rnd();
		} else if (how < 8) {
			n = rnd() % len;
		} else if (how < 10) {
			size_t at = rnd() % n;

			memmove(buf + at + 1, buf + at, n - at);
			buf[at] = "{}[]\"'\\:, \n\xff\x01"[rnd() % 14];
			n++;
		} else if (how == 10) {
			n = rnd() % 64;
			for (size_t i = 0; i < n; i++)
				buf[i] = (char)rnd();
		}
		/* sent in random pieces */
		for (size_t off = 0; off < n;) {
			size_t piece = rnd() % (n - off) + 1;
			ssize_t r = send(c[k]->fd, buf + off, piece, MSG_NOSIGNAL | MSG_DONTWAIT);

			if (r <= 0)
				break;
			off += (size_t)r;
			if (rnd() % 4 == 0)
				pump(f, 0);
		}
		pump(f, 0);
		cli_fill(c[k]);
		c[k]->len = 0; /* replies are not checked here */
		if (c[k]->eof || rnd() % 64 == 0) { /* hang up and come back */
			cli_free(c[k]);
			pump(f, 0);
			c[k] = cli_connect(f);
		}
	}
	for (int i = 0; i < CLIENTS; i++)
		cli_free(c[i]);
	for (int i = 0; i < 10; i++)
		pump(f, 1);
	/* still a correct server */
	f->vm.status = "running";
	f->vm.running = true;
	check = cli_ready(f);
	check_status(f, check, "running", true);
	cli_free(check);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_greeting, setup, teardown),
		cmocka_unit_test_setup_teardown(test_capabilities_gate, setup, teardown),
		cmocka_unit_test_setup_teardown(test_query_status, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stop_cont, setup, teardown),
		cmocka_unit_test_setup_teardown(test_quit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_quit_reply_flushed_on_close, setup, teardown),
		cmocka_unit_test_setup_teardown(test_powerdown, setup, teardown),
		cmocka_unit_test_setup_teardown(test_query_version_commands, setup, teardown),
		cmocka_unit_test_setup_teardown(test_id_echo, setup, teardown),
		cmocka_unit_test_setup_teardown(test_malformed_json, setup, teardown),
		cmocka_unit_test_setup_teardown(test_non_object, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_members, setup, teardown),
		cmocka_unit_test_setup_teardown(test_several_in_one_write, setup, teardown),
		cmocka_unit_test_setup_teardown(test_split_every_byte, setup, teardown),
		cmocka_unit_test_setup_teardown(test_single_quotes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_resync, setup, teardown),
		cmocka_unit_test_setup_teardown(test_oversized, setup, teardown),
		cmocka_unit_test_setup_teardown(test_disconnects, setup, teardown),
		cmocka_unit_test_setup_teardown(test_events_to_all, setup, teardown),
		cmocka_unit_test_setup_teardown(test_client_limit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_flow_control, setup, teardown),
		cmocka_unit_test_setup_teardown(test_flow_control_event_drain, setup, teardown),
		cmocka_unit_test_setup_teardown(test_slow_reader_dropped, setup, teardown),
		cmocka_unit_test_setup_teardown(test_close_flushes_backlog, setup, teardown),
		cmocka_unit_test_setup_teardown(test_open_specs, setup_closed, teardown),
		cmocka_unit_test_setup_teardown(test_close_safety, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wait_on, setup_closed, teardown),
		cmocka_unit_test_setup_teardown(test_client_mode, setup_closed, teardown),
		cmocka_unit_test_setup_teardown(test_fuzz, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
