/*
 * uri.h - the one parser of migration URIs ("tcp:HOST:PORT"), shared by the
 * VMM (-incoming, migrate, migrate-incoming) and the godwit command.
 *
 * Accepted: tcp:HOST:PORT where HOST is a name, an IPv4 address or a
 * [bracketed] IPv6 address, PORT 1..65535 in decimal. A listening side may
 * leave HOST empty (tcp::PORT: all addresses) when the caller allows it.
 * Invariant: a struct uri that uri_parse() filled holds a NUL-terminated
 * host without brackets and a port that fits in 16 bits; nothing else in
 * the project looks inside a URI string.
 */
#ifndef GODWIT_LIB_URI_H
#define GODWIT_LIB_URI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct uri {
	char host[256];   /* without brackets; "" = any address (listen only) */
	char port[6];     /* decimal, as given */
	uint16_t port_num;
};

/* Parse s. empty_host_ok: a listener may omit HOST. Returns 0, or -1 with a
 * one-line reason in err ("... is not tcp:HOST:PORT"). */
int uri_parse(const char *s, bool empty_host_ok, struct uri *u, char *err, size_t errlen);

#endif
