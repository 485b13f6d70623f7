/*
 * qmpc.h - a small blocking QMP client for the godwit command line: connect
 * to a VMM's QMP unix socket (QEMU 7.2 or godwit-vmm), read the greeting,
 * negotiate capabilities, run one command at a time and collect events.
 *
 * Framing follows the QMP specification: every message the server sends is
 * one JSON object ending in CRLF, so input is split at '\n' and each line
 * parsed with jansson. Commands carry an integer "id"; a reply whose id is
 * not the one awaited (a late reply to a command that timed out) is dropped.
 *
 * Events are handed to the on_event callback as soon as they are read, with
 * the CLOCK_MONOTONIC time at which read() returned them, so that times taken
 * on different connections compare on one clock. While a command waits for
 * its reply, the events of its peer connection (if any) are read too.
 *
 * Invariants:
 *  - Every wait is bounded: each call takes a timeout, and waits are cut
 *    into slices of at most QMPC_SLICE_MS so that *interrupt (a signal flag
 *    set by the caller's handler) is seen within that time.
 *  - A connection that fails (I/O error, hang-up, malformed or oversized
 *    message) is "broken": err says why, the descriptor is closed, and every
 *    later call on it returns the same error at once. A command's error
 *    reply does not break the connection.
 *  - err always holds one line, prefixed with the connection's label and
 *    path ("source /run/vm.qmp: ..."), fit to print after the program name.
 *  - Not thread-safe; signal-safe only in that a handler may set *interrupt.
 */
#ifndef GODWIT_CLI_QMPC_H
#define GODWIT_CLI_QMPC_H

#include <jansson.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define QMPC_ERR_MAX 512
#define QMPC_LINE_MAX (1024 * 1024) /* longest message accepted from a peer */
#define QMPC_SLICE_MS 100           /* longest sleep between interrupt checks */
#define QMPC_PUMP_MAX 8             /* connections one qmpc_pump() watches */

enum qmpc_rc {
	QMPC_OK = 0,
	QMPC_ERR_IO = -1,      /* connect, read or write failed; peer hung up */
	QMPC_ERR_TIMEOUT = -2, /* no answer in time (the connection stays usable) */
	QMPC_ERR_INTR = -3,    /* *interrupt was set (the connection stays usable) */
	QMPC_ERR_REPLY = -4,   /* the command got an error reply */
	QMPC_ERR_PROTO = -5,   /* the peer does not speak QMP */
};

struct qmpc;

/* An event: its name, the whole message (borrowed for the call) and the
 * CLOCK_MONOTONIC time in ns at which it was received. */
typedef void (*qmpc_event_fn)(void *opaque, struct qmpc *c, const char *event,
			      json_t *msg, int64_t received_ns);

struct qmpc {
	int fd;                 /* -1 when not connected or broken */
	const char *label;      /* "source", "destination": names it in errors */
	char *path;             /* socket path, for errors (owned) */
	enum qmpc_rc broken;    /* QMPC_OK, or why the connection is gone */
	char err[QMPC_ERR_MAX]; /* the last error, one line */

	qmpc_event_fn on_event; /* may be NULL: events are dropped */
	void *opaque;
	struct qmpc *peer;      /* read too while waiting for a reply; may be NULL */
	const volatile sig_atomic_t *interrupt; /* non-zero: stop waiting; may be NULL */

	/* input: unparsed bytes [0, in_len) of in (in_cap bytes allocated) */
	char *in;
	size_t in_len, in_cap;
	int64_t rx_ns;          /* when the bytes being parsed were read */
	bool greeted;           /* the greeting has been read */
	uint64_t next_id;       /* ids of commands sent */
	uint64_t want_id;       /* the reply awaited, 0: none */
	json_t *reply;          /* that reply once read (owned) */
};

/* Set up c (no connection yet); label must outlive c. */
void qmpc_init(struct qmpc *c, const char *label);

/* Connect to the unix socket at path, read the greeting and send
 * qmp_capabilities, all within timeout_ms. */
int qmpc_connect(struct qmpc *c, const char *path, int timeout_ms);

/* Run command with args (borrowed; NULL for none) and wait up to timeout_ms
 * for its reply. On QMPC_OK, *ret (if ret is not NULL) gets a new reference
 * to the "return" value. An error reply gives QMPC_ERR_REPLY and err reads
 * "LABEL PATH: COMMAND: DESC". */
int qmpc_execute(struct qmpc *c, const char *command, json_t *args,
		 int timeout_ms, json_t **ret);

/* Wait timeout_ms on every connection of set[0..n) (n <= QMPC_PUMP_MAX)
 * that is not broken,
 * passing events to their callbacks as they arrive. Returns QMPC_OK after
 * the time is up (check each connection's broken field for failures), or
 * QMPC_ERR_INTR as soon as *interrupt is set (interrupt may be NULL). */
int qmpc_pump(struct qmpc *const *set, size_t n, int timeout_ms,
	      const volatile sig_atomic_t *interrupt);

/* The last error of c, one line. */
const char *qmpc_error(const struct qmpc *c);

/* Close the connection and free what c holds; c may be used again after
 * qmpc_init(). Safe on a connection that never connected or broke. */
void qmpc_close(struct qmpc *c);

#endif
