/*
 * tcp.h - the migration's TCP sockets: connect (bounded) and listen, on a
 * URI parsed once by lib/uri.h.
 */
#ifndef GODWIT_MIGRATION_TCP_H
#define GODWIT_MIGRATION_TCP_H

#include <stddef.h>

#include "lib/uri.h"

/* Connect within timeout_ms. Returns the socket or -1 with a reason. */
int mig_tcp_connect(const struct uri *u, int timeout_ms, char *err, size_t errlen);
/* Listen (an empty host: all addresses). Returns the socket or -1. */
int mig_tcp_listen(const struct uri *u, char *err, size_t errlen);
/* "ADDR:PORT" of the peer of fd, for log lines. */
void mig_tcp_peer(int fd, char *buf, size_t len);

#endif
