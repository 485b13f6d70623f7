/*
 * chardev.h - character backends for the VMM's consoles, spelled as QEMU
 * spells them: stdio, file, a unix socket server, null. The UART (or any
 * frontend) writes bytes and reads input through one interface; the run
 * loop polls the backend's descriptors.
 *
 *   -serial stdio | null | file:PATH | unix:PATH,server=on,wait=off
 *   -chardev stdio|null,id=ID | file,id=ID,path=PATH[,append=on]
 *   -chardev socket,id=ID,path=PATH,server=on,wait=off   (-serial chardev:ID)
 *
 * Invariants:
 *  - Nothing here blocks: output goes out with non-blocking writes (a
 *    private O_NONBLOCK open file description for stdio pipes and
 *    terminals, MSG_DONTWAIT for sockets); what the sink cannot take waits
 *    in a bounded ring (CHARDEV_OUT_SIZE) drained when poll() says so.
 *  - chardev_busy() is true while fewer than CHARDEV_SLACK bytes are free:
 *    the frontend reports its transmitter busy, and writable() is called
 *    once room returns. A frontend that writes only while not busy loses
 *    nothing; bytes past the ring (a guest ignoring busy) are dropped and
 *    counted, with one log line per episode.
 *  - A socket backend has at most one client; others wait in the listen
 *    backlog until it leaves. With no client, output is discarded (as on
 *    QEMU); the client's leaving empties the ring and never stops the VM.
 *  - Every call comes from the run-loop thread.
 */
#ifndef GODWIT_CHARDEV_CHARDEV_H
#define GODWIT_CHARDEV_CHARDEV_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CHARDEV_OUT_SIZE (64 * 1024)
#define CHARDEV_SLACK 256 /* room kept for a frontend's FIFO load */
#define CHARDEV_ID_MAX 32
#define CHARDEV_PATH_MAX 256
#define CHARDEV_MAX_POLLFDS 2

enum chardev_kind { CHARDEV_NONE, CHARDEV_STDIO, CHARDEV_FILE, CHARDEV_SOCKET, CHARDEV_NULL };

/* Plain data, parsed from the command line. */
struct chardev_config {
	enum chardev_kind kind;
	char id[CHARDEV_ID_MAX];
	char path[CHARDEV_PATH_MAX];
	bool append; /* file: O_APPEND instead of truncating */
	bool wait;   /* socket: wait for the first client before starting */
};

/* What the backend calls on its frontend (all optional). */
struct chardev_frontend {
	size_t (*can_receive)(void *opaque);
	void (*receive)(void *opaque, const uint8_t *buf, size_t n);
	void (*writable)(void *opaque); /* was busy, has room again */
	void *opaque;
};

struct chardev {
	struct chardev_config cfg;
	struct chardev_frontend fe;
	int in_fd;       /* input: stdin or the socket client, -1 if none */
	int out_fd;      /* output sink, -1: discard */
	int listen_fd;   /* socket: the listener, -1 otherwise */
	bool out_socket; /* out_fd is a socket: send(MSG_DONTWAIT) */
	bool own_in;     /* in_fd is ours to close */
	int restore_fl;  /* fcntl flags to put back on out_fd, or -1 */
	uint8_t *ring;   /* output not yet taken: [head, head+len) mod size */
	size_t head, len;
	bool busy;       /* told the frontend it is busy */
	bool dropping;   /* in an episode of dropped bytes (logged once) */
	uint64_t dropped, clients;
};

/* -chardev BACKEND,id=ID,... and -serial SPEC; "chardev:ID" gives kind
 * CHARDEV_NONE and the id to look up. 0, or -1 with a message in err. */
int chardev_parse(const char *spec, struct chardev_config *c, char *err, size_t errlen);
int chardev_parse_serial(const char *spec, struct chardev_config *c, char *err, size_t errlen);

/* Open the backend (listening socket, file, stdio). 0, or -1 with err. */
int chardev_open(struct chardev *c, const struct chardev_config *cfg, char *err, size_t errlen);
void chardev_set_frontend(struct chardev *c, const struct chardev_frontend *fe);
/* Flush what the sink takes within timeout_ms, then close everything. */
void chardev_close(struct chardev *c, int timeout_ms);

/* Queue bytes for output; returns how many were taken (the rest dropped). */
size_t chardev_write(struct chardev *c, const uint8_t *buf, size_t n);
bool chardev_busy(const struct chardev *c);

/* Run-loop glue: descriptors to poll (input only if want_input), and the
 * work poll() found ready. */
int chardev_pollfds(struct chardev *c, struct pollfd *fds, int max, bool want_input);
void chardev_dispatch(struct chardev *c, const struct pollfd *fds, int n);

/* chardev_socket.c (internal to the module) */
int chardev_socket_listen(struct chardev *c, char *err, size_t errlen);
void chardev_socket_accept(struct chardev *c);
void chardev_socket_hangup(struct chardev *c);

#endif
