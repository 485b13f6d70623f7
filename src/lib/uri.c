/*
 * uri.c - migration URI parsing (see uri.h). Pure string work: no
 * resolution, no sockets.
 */
#include "lib/uri.h"

#include <stdio.h>
#include <string.h>

static int bad(const char *s, bool empty_host_ok, char *err, size_t errlen)
{
	snprintf(err, errlen, "invalid migration URI '%.200s' (expected tcp:%s:PORT)", s,
		 empty_host_ok ? "[HOST]" : "HOST");
	return -1;
}

int uri_parse(const char *s, bool empty_host_ok, struct uri *u, char *err, size_t errlen)
{
	const char *hp, *port;
	size_t hl;
	unsigned long p = 0;

	memset(u, 0, sizeof(*u));
	if (strncmp(s, "tcp:", 4))
		return bad(s, empty_host_ok, err, errlen);
	hp = s + 4;
	if (*hp == '[') { /* [v6]:port */
		const char *close_b = strchr(hp, ']');
		if (!close_b || close_b[1] != ':' || close_b == hp + 1)
			return bad(s, empty_host_ok, err, errlen);
		hl = (size_t)(close_b - hp - 1);
		hp++;
		port = close_b + 2;
	} else {
		const char *colon = strrchr(hp, ':');
		if (!colon || memchr(hp, ':', (size_t)(colon - hp)) ||
		    memchr(hp, ']', (size_t)(colon - hp)))
			return bad(s, empty_host_ok, err, errlen); /* bare IPv6 needs brackets */
		hl = (size_t)(colon - hp);
		port = colon + 1;
	}
	if (hl >= sizeof(u->host) || (hl == 0 && !empty_host_ok))
		return bad(s, empty_host_ok, err, errlen);
	if (!*port || strlen(port) >= sizeof(u->port))
		return bad(s, empty_host_ok, err, errlen);
	for (const char *c = port; *c; c++) {
		if (*c < '0' || *c > '9')
			return bad(s, empty_host_ok, err, errlen);
		p = p * 10 + (unsigned long)(*c - '0');
	}
	if (p < 1 || p > 65535)
		return bad(s, empty_host_ok, err, errlen);
	memcpy(u->host, hp, hl);
	u->host[hl] = 0;
	strcpy(u->port, port);
	u->port_num = (uint16_t)p;
	return 0;
}
