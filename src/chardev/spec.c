/*
 * spec.c - the command-line spelling of character backends (see
 * chardev.h): -chardev BACKEND,id=ID,key=value... and the -serial
 * shorthands. Parsing only fills a struct chardev_config; nothing opens.
 * Every refusal is one message naming what is wrong.
 */
#include "chardev/chardev.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int fail(char *err, size_t errlen, const char *fmt, const char *arg)
{
	snprintf(err, errlen, fmt, arg);
	return -1;
}

static int copy_field(char *dst, size_t size, const char *v, const char *what,
		      char *err, size_t errlen)
{
	size_t n = strlen(v);

	if (n == 0 || n >= size)
		return fail(err, errlen, "%s is empty or too long", what);
	memcpy(dst, v, n + 1);
	return 0;
}

static int on_off(const char *k, const char *v, bool *out, char *err, size_t errlen)
{
	if (!v || !strcmp(v, "on") || !strcmp(v, "yes") || !strcmp(v, "true"))
		*out = true;
	else if (!strcmp(v, "off") || !strcmp(v, "no") || !strcmp(v, "false"))
		*out = false;
	else
		return fail(err, errlen, "%s= must be on or off", k);
	return 0;
}

/* One key (value NULL for a bare flag such as QEMU's old "server"). */
static int apply(struct chardev_config *c, const char *k, const char *v, bool *server,
		 char *err, size_t errlen)
{
	if (!strcmp(k, "nowait") && !v) {
		c->wait = false;
		return 0;
	}
	if (!strcmp(k, "server"))
		return on_off(k, v, server, err, errlen);
	if (!v)
		return fail(err, errlen, "'%s': expected key=value", k);
	if (!strcmp(k, "id"))
		return copy_field(c->id, sizeof(c->id), v, "id", err, errlen);
	if (!strcmp(k, "path"))
		return copy_field(c->path, sizeof(c->path), v, "path", err, errlen);
	if (!strcmp(k, "wait"))
		return on_off(k, v, &c->wait, err, errlen);
	if (!strcmp(k, "append"))
		return on_off(k, v, &c->append, err, errlen);
	if (!strcmp(k, "signal") || !strcmp(k, "logfile") || !strcmp(k, "mux"))
		return !strcmp(k, "mux") && strcmp(v, "off") ?
			fail(err, errlen, "%s", "mux=on is not supported") : 0;
	return fail(err, errlen, "unknown chardev property '%s'", k);
}

/* "key=value,key,..." after the backend name; checks what each needs. */
static int parse_props(struct chardev_config *c, const char *props, char *err, size_t errlen)
{
	char *copy = strdup(props ? props : ""), *save = NULL, *tok;
	bool server = false;
	int r = 0;

	if (!copy)
		return fail(err, errlen, "%s", "out of memory");
	for (tok = strtok_r(copy, ",", &save); tok && !r; tok = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(tok, '=');
		if (eq)
			*eq++ = '\0';
		r = apply(c, tok, eq, &server, err, errlen);
	}
	free(copy);
	if (r)
		return r;
	if (c->kind == CHARDEV_SOCKET && !server)
		return fail(err, errlen, "%s", "socket: only server=on is supported");
	if ((c->kind == CHARDEV_SOCKET || c->kind == CHARDEV_FILE) && !c->path[0])
		return fail(err, errlen, "%s", "path= is required");
	return 0;
}

static enum chardev_kind kind_of(const char *name, size_t n)
{
	static const struct { const char *name; enum chardev_kind kind; } kinds[] = {
		{ "stdio", CHARDEV_STDIO }, { "null", CHARDEV_NULL },
		{ "file", CHARDEV_FILE }, { "socket", CHARDEV_SOCKET },
	};

	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (strlen(kinds[i].name) == n && !strncmp(kinds[i].name, name, n))
			return kinds[i].kind;
	return CHARDEV_NONE;
}

int chardev_parse(const char *spec, struct chardev_config *c, char *err, size_t errlen)
{
	const char *comma = strchr(spec, ',');
	size_t n = comma ? (size_t)(comma - spec) : strlen(spec);

	memset(c, 0, sizeof(*c));
	c->wait = true; /* QEMU's default for a server socket */
	c->kind = kind_of(spec, n);
	if (c->kind == CHARDEV_NONE)
		return fail(err, errlen, "%s", "unknown backend (stdio, null, file, socket)");
	if (parse_props(c, comma ? comma + 1 : NULL, err, errlen))
		return -1;
	if (!c->id[0])
		return fail(err, errlen, "%s", "id= is required");
	return 0;
}

int chardev_parse_serial(const char *spec, struct chardev_config *c, char *err, size_t errlen)
{
	memset(c, 0, sizeof(*c));
	c->wait = true;
	if (!strcmp(spec, "stdio") || !strcmp(spec, "mon:stdio")) {
		c->kind = CHARDEV_STDIO;
		return 0;
	}
	if (!strcmp(spec, "null") || !strcmp(spec, "none")) {
		c->kind = CHARDEV_NULL;
		return 0;
	}
	if (!strncmp(spec, "chardev:", 8))
		return copy_field(c->id, sizeof(c->id), spec + 8, "chardev id", err, errlen);
	if (!strncmp(spec, "file:", 5)) {
		c->kind = CHARDEV_FILE;
		return copy_field(c->path, sizeof(c->path), spec + 5, "file path", err, errlen);
	}
	if (!strncmp(spec, "unix:", 5)) {
		const char *comma = strchr(spec + 5, ',');
		size_t n = comma ? (size_t)(comma - spec - 5) : strlen(spec + 5);

		c->kind = CHARDEV_SOCKET;
		if (n == 0 || n >= sizeof(c->path))
			return fail(err, errlen, "%s", "unix: path is empty or too long");
		memcpy(c->path, spec + 5, n);
		c->path[n] = '\0';
		return parse_props(c, comma ? comma + 1 : NULL, err, errlen);
	}
	return fail(err, errlen, "%s",
		    "expected stdio, null, file:PATH, unix:PATH,server=on,wait=off or chardev:ID");
}
