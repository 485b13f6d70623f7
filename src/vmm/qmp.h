/*
 * qmp.h - the QEMU Machine Protocol server of godwit-vmm, speaking QMP as
 * QEMU 7.2 does so that tools driving QEMU drive godwit-vmm unchanged.
 *
 * One listening socket (-qmp unix:PATH,server=on,wait=off) and up to
 * QMP_MAX_CLIENTS connections, all non-blocking and served from the VMM's
 * run loop: qmp_pollfds() lists the descriptors, qmp_dispatch() handles
 * what poll() found ready and never blocks. The server owns the protocol
 * (greeting, capabilities negotiation, framing, errors, ids, events); the
 * VMM owns the machine and acts through struct qmp_ops.
 *
 * Commands: qmp_capabilities, query-status, stop, cont, quit,
 * system_powerdown, query-version, query-commands. Events the server emits
 * itself: STOP (stop), RESUME (cont), POWERDOWN (system_powerdown). Any
 * other event (SHUTDOWN, RESET, ...) is the VMM's to send with qmp_event().
 *
 * Invariants:
 *  - Nothing a client sends can stop the VM or the server: bad input gets an
 *    error reply; a client that overflows its input buffer (QMP_IN_MAX),
 *    stops reading its output (QMP_OUT_MAX) or hangs up is dropped alone.
 *  - Replies go out in command order, each event and reply as one line
 *    ending in CRLF, ASCII only (non-ASCII is \u-escaped).
 *  - Descriptors are closed only inside qmp_pollfds(), qmp_dispatch() and
 *    qmp_close(), so qmp_event() may be called at any time, even from an
 *    ops callback; qmp_close() must not be (quit only asks the VMM to stop).
 *  - Not thread-safe: every call comes from the run-loop thread.
 */
#ifndef GODWIT_VMM_QMP_H
#define GODWIT_VMM_QMP_H

#include <jansson.h>
#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define QMP_MAX_CLIENTS 8
#define QMP_IN_MAX (64 * 1024)   /* one command's bytes, per client */
#define QMP_OUT_HIGH (64 * 1024) /* stop reading a client above this backlog */
#define QMP_OUT_MAX (1024 * 1024) /* drop a client whose backlog passes this */
/* Descriptors qmp_pollfds() may fill: the listener and every client. */
#define QMP_MAX_POLLFDS (1 + QMP_MAX_CLIENTS)

struct qmp_ops {
	void *opaque;
	/* current run state, as QEMU names it: "running", "paused", "shutdown", ... */
	const char *(*status)(void *opaque, bool *running);
	void (*stop)(void *opaque);      /* pause vCPUs; the server emits STOP */
	void (*cont)(void *opaque);      /* resume; the server emits RESUME */
	void (*quit)(void *opaque);      /* exit the VMM after replying */
	void (*powerdown)(void *opaque); /* guest-visible power button, if any */
	/* why cont must be refused now, or NULL (may itself be NULL) */
	const char *(*cont_refusal)(void *opaque);
	/* Commands the VMM implements itself (migration, memory dump), listed
	 * in `extra` (NULL-terminated). command() runs one: it returns 0 with
	 * *ret set (NULL for an empty return) or -1 with a message in err
	 * (sent as GenericError). */
	const char *const *extra;
	int (*command)(void *opaque, const char *name, json_t *args, json_t **ret,
		       char *err, size_t errlen);
};

struct qmp_client {
	int fd;             /* -1: free slot */
	bool command_mode;  /* qmp_capabilities done */
	bool dead;          /* closed at the next safe point */
	bool ready;         /* complete commands wait for output to drain */
	/* input: bytes [0, in_len); a value being framed starts at 0 */
	char *in;
	size_t in_len;
	/* framing state of that value, over bytes [0, scan) */
	size_t scan;
	int depth;          /* open { and [ */
	char quote;         /* inside a string opened by this quote, or 0 */
	bool escape;        /* the previous string byte was a backslash */
	bool token;         /* inside a top-level bare word or number */
	bool recover;       /* after a stray byte: skipping to a resync point */
	/* output not yet sent: bytes [out_off, out_len) */
	char *out;
	size_t out_off, out_len, out_cap;
};

struct qmp {
	bool active;        /* between a successful qmp_open and qmp_close */
	int listen_fd;      /* -1: none (client mode, or closed) */
	uint64_t accept_resume_ns; /* out of descriptors: stop polling until then */
	char path[108];     /* the socket path we bound, to unlink at close */
	dev_t path_dev;
	ino_t path_ino;
	struct qmp_ops ops;
	struct qmp_client clients[QMP_MAX_CLIENTS];
};

/* Open the server. spec is QEMU's -qmp syntax for a Unix socket:
 * "unix:PATH,server=on,wait=off" (also "server,nowait", options in any
 * order; wait=on blocks until the first client connects; without server
 * the VMM connects to PATH as a client, as QEMU does). A stale socket file
 * at PATH is replaced; a live one, or any other file, is an error.
 * Returns 0, or -1 after a one-line error on stderr. */
int qmp_open(struct qmp *q, const char *spec, const struct qmp_ops *ops);

/* Fill up to max pollfds (QMP_MAX_POLLFDS is always enough): the listening
 * socket and each client. Returns how many. */
int qmp_pollfds(struct qmp *q, struct pollfd *fds, int max);

/* Handle whatever poll() reported in fds (as filled by qmp_pollfds): accept
 * clients, read and run complete commands, write pending output. Never
 * blocks. Calls ops callbacks from here. */
void qmp_dispatch(struct qmp *q, const struct pollfd *fds, int n);

/* Send event NAME to every client in command mode, with data (an object,
 * or NULL for none; the reference is stolen) and the current time. */
void qmp_event(struct qmp *q, const char *name, json_t *data);

/* Flush pending output (waiting at most ~200 ms in all), close every
 * client and the listener and remove the socket file. Safe to call twice,
 * and after a failed qmp_open. */
void qmp_close(struct qmp *q);

#endif
