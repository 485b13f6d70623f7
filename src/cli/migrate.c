/*
 * migrate.c - `godwit migrate` (see migrate.h and the usage text below).
 *
 * Sequence: connect to the destination and the source; check that the
 * destination is in "inmigrate" and the source is not; send the source's
 * x-godwit-deadline first (so that a peer that refuses it has been changed
 * in nothing), then its downtime-limit / max-bandwidth and auto-converge;
 * migrate-incoming on the destination if asked; migrate on the source; poll
 * query-migrate every POLL_MS until a final status, reading both sockets'
 * events in between; then report.
 *
 * Invariants:
 *  - Every wait is bounded (the constants below), except the migration
 *    itself when no --deadline-s is given: then SIGINT/SIGTERM end it (a
 *    source that shows no status at all is given up after NO_STATUS_MS).
 *  - Once `migrate` has been sent ("started"), the tool does not leave on
 *    an interrupt or its own deadline without sending migrate_cancel and
 *    waiting (bounded) for a final status; a second interrupt leaves at once.
 *  - The pause is measured on one clock, CLOCK_MONOTONIC in this process:
 *    receipt of the source's last STOP to receipt of the destination's
 *    first RESUME, both taken at the read() that brought them.
 *  - stdout gets only the final report; progress and errors go to stderr,
 *    each error as one line starting with "godwit migrate: ".
 */
#include "cli/migrate.h"

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/progress.h"
#include "cli/qmpc.h"
#include "lib/uri.h"
#include "migration/seal.h"

#define CONNECT_MS 5000          /* connect + greeting + capabilities */
#define COMMAND_MS 10000         /* any one command's reply */
#define POLL_MS 100              /* between query-migrate polls */
#define CANCEL_WAIT_MS 10000     /* migrate_cancel to a final status */
#define RESUME_WAIT_MS 5000      /* completed to the destination's RESUME */
#define DEADLINE_GRACE_MS 10000  /* the peer's own deadline, then ours */
#define NO_STATUS_MS 5000        /* `migrate` accepted, yet no status shown */
#define DEADLINE_S_MAX 2147483   /* x-godwit-deadline in ms fits in 31 bits */
#define RESOLVE_WAIT_MS 45000    /* unresolved: the destination's fate (its own
				    wait for a COMMIT ends after 30 s) */

static const char usage_text[] =
	"usage: godwit migrate --from SRC_QMP_SOCKET --to DST_QMP_SOCKET --uri tcp:HOST:PORT\n"
	"                      [--incoming] [--downtime-ms N] [--max-bandwidth BYTES_PER_S]\n"
	"                      [--auto-converge] [--deadline-s N] [--plain] [--with-storage]\n"
	"                      [--quiet] [--json]\n"
	"\n"
	"Live-migrate the VM of one VMM (QEMU 7.2 or godwit-vmm) to another through\n"
	"their QMP unix sockets. The destination must be waiting for it: started with\n"
	"-incoming tcp:HOST:PORT, or with -incoming defer and --incoming given here.\n"
	"\n"
	"  --from PATH            the source VMM's QMP socket\n"
	"  --to PATH              the destination VMM's QMP socket (status \"inmigrate\")\n"
	"  --uri tcp:HOST:PORT    where the source sends the migration stream\n"
	"  --incoming             first make the destination listen on the URI\n"
	"                         (migrate-incoming; for -incoming defer)\n"
	"  --downtime-ms N        the longest pause the switchover may plan for\n"
	"                         (downtime-limit)\n"
	"  --max-bandwidth N      cap the stream at N bytes per second (max-bandwidth)\n"
	"  --auto-converge        slow the guest's vCPUs down while it dirties memory\n"
	"                         faster than it moves\n"
	"  --deadline-s N         give up after N seconds (x-godwit-deadline: godwit\n"
	"                         VMMs only; a source that refuses it is left as it\n"
	"                         was); if the migration still runs 10 s later, the\n"
	"                         tool cancels it\n"
	"  --plain                send the stream unencrypted (x-godwit-plain on both\n"
	"                         sides). Without it, between two godwit-vmm, the\n"
	"                         tool makes a fresh 256-bit key for this migration\n"
	"                         and hands it to both over QMP (x-godwit-key): the\n"
	"                         stream is AES-256-GCM. QEMU streams are not encrypted.\n"
	"  --with-storage         move the disks too (shared-nothing; migrate \"blk\"):\n"
	"                         the destination has its own images of the same\n"
	"                         sizes, which the stream fills; progress and report\n"
	"                         show the disks and RAM\n"
	"  --quiet                print nothing but the final report\n"
	"  --json                 print the final query-migrate reply instead of the\n"
	"                         report\n"
	"\n"
	"Progress goes to stderr: one redrawn line on a terminal, else one line a\n"
	"second. It shows the status, the percentage, the rate (MB/s, 10^6 bytes),\n"
	"the pre-copy round (ram.dirty-sync-count), the RAM left to send (MiB), the\n"
	"expected downtime, the vCPU throttle and the time elapsed. The percentage is\n"
	"pages processed (sent, or flagged zero) / (pages processed + pages still\n"
	"dirty): not a share of the time nor of guest RAM. When the guest dirties\n"
	"pages again it holds its highest\n"
	"value instead of going back, and it reads 100% only once completed.\n"
	"\n"
	"The report (stdout) gives the status, total time, downtime, setup time, bytes\n"
	"sent, average throughput, rounds, the highest throttle, and the pause seen by\n"
	"the tool: from the source's STOP event to the destination's RESUME event.\n"
	"\n"
	"Ctrl-C cancels a started migration (migrate_cancel) and exits with 130.\n"
	"\n"
	"After the commit, a godwit source waits for the destination to confirm that\n"
	"it runs the VM. If that confirmation is lost the source stays paused\n"
	"(status \"unresolved\") and the tool resolves it by looking at the\n"
	"destination: it runs the VM (x-godwit-migrate-resolve runs-on=destination),\n"
	"or it is gone or failed without ever having run it (runs-on=source: the\n"
	"source resumes). Where it cannot tell, it says so and leaves the source\n"
	"paused.\n"
	"Exit status: 0 completed (the destination runs the VM); 1 failed, cancelled,\n"
	"or a VMM could not be reached or refused a command; 2 bad usage; 3 the\n"
	"outcome needed resolving and was resolved (the message says where the VM\n"
	"runs); 4 the outcome is unknown and the source was left paused.\n";

struct migrate_opts {
	const char *from, *to, *uri;
	bool incoming, auto_converge, quiet, json, plain, with_storage;
	int64_t downtime_ms, max_bandwidth, deadline_s; /* -1: not given */
};

struct migrate_run {
	struct migrate_opts opt;
	struct qmpc src, dst;
	struct progress prog;
	bool started;          /* `migrate` was sent: an interrupt must cancel */
	int64_t start_ns;
	int64_t stop_ns;       /* receipt of the source's STOP, -1: none */
	int64_t resume_ns;     /* receipt of the destination's RESUME, -1: none */
	int64_t max_throttle;
	json_t *last;          /* the last query-migrate reply (owned), or NULL */
	char dst_status[32];   /* after completion, "" if unknown */
	bool godwit_pair;      /* both peers are godwit-vmm (x-godwit-* known) */
	bool dst_ran;          /* the destination said "completed" or RESUME */
	const char *clear_why; /* the stream is not encrypted: why (for a note) */
};

static volatile sig_atomic_t got_signal; /* the signal number, 0: none */

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void on_signal(int sig)
{
	got_signal = sig;
}

void cli_migrate_usage(FILE *out)
{
	fputs(usage_text, out);
}

static void err_line(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void err_line(const char *fmt, ...)
{
	va_list ap;

	fputs("godwit migrate: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("godwit migrate: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs(" (see 'godwit help migrate')\n", stderr);
	return CLI_MIGRATE_USAGE;
}

/* ------------------------------------------------------------------ */
/* Command line                                                        */

enum opt_id {
	OPT_FROM, OPT_TO, OPT_URI, OPT_INCOMING, OPT_DOWNTIME, OPT_BANDWIDTH,
	OPT_AUTO_CONVERGE, OPT_DEADLINE, OPT_QUIET, OPT_JSON, OPT_HELP, OPT_PLAIN,
	OPT_WITH_STORAGE,
};

static const struct {
	const char *name;
	bool has_value;
	enum opt_id id;
} opt_table[] = {
	{ "--from", true, OPT_FROM },
	{ "--to", true, OPT_TO },
	{ "--uri", true, OPT_URI },
	{ "--incoming", false, OPT_INCOMING },
	{ "--downtime-ms", true, OPT_DOWNTIME },
	{ "--max-bandwidth", true, OPT_BANDWIDTH },
	{ "--auto-converge", false, OPT_AUTO_CONVERGE },
	{ "--deadline-s", true, OPT_DEADLINE },
	{ "--quiet", false, OPT_QUIET },
	{ "--json", false, OPT_JSON },
	{ "--plain", false, OPT_PLAIN },
	{ "--with-storage", false, OPT_WITH_STORAGE },
	{ "--help", false, OPT_HELP },
	{ "-h", false, OPT_HELP },
};

/* A decimal integer in [min, max], digits only. */
static int parse_num(const char *flag, const char *s, int64_t min, int64_t max, int64_t *out)
{
	int64_t v = 0;

	if (!*s)
		return usage_error("%s: empty value", flag);
	for (const char *p = s; *p; p++) {
		if (*p < '0' || *p > '9')
			return usage_error("%s: '%s' is not a whole number", flag, s);
		if (v > (INT64_MAX - (*p - '0')) / 10)
			return usage_error("%s: '%s' is too large", flag, s);
		v = v * 10 + (*p - '0');
	}
	if (v < min || v > max)
		return usage_error("%s: %s is out of range (%" PRId64 " to %" PRId64 ")",
				   flag, s, min, max);
	*out = v;
	return 0;
}

/* tcp:HOST:PORT, parsed as the VMM parses it (lib/uri.h). */
static bool uri_ok(const char *uri)
{
	struct uri u;
	char err[256];

	return uri_parse(uri, false, &u, err, sizeof(err)) == 0;
}

/* A number option, given at most once. */
static int set_num(const char *flag, const char *val, int64_t min, int64_t max, int64_t *slot)
{
	if (*slot >= 0)
		return usage_error("%s given twice", flag);
	return parse_num(flag, val, min, max, slot);
}

/* Set one option from its value (NULL for a flag). */
static int set_opt(struct migrate_opts *o, enum opt_id id, const char *flag, const char *val)
{
	const char **str = NULL;

	switch (id) {
	case OPT_FROM: str = &o->from; break;
	case OPT_TO: str = &o->to; break;
	case OPT_URI: str = &o->uri; break;
	case OPT_INCOMING: o->incoming = true; return 0;
	case OPT_AUTO_CONVERGE: o->auto_converge = true; return 0;
	case OPT_QUIET: o->quiet = true; return 0;
	case OPT_JSON: o->json = true; return 0;
	case OPT_PLAIN: o->plain = true; return 0;
	case OPT_WITH_STORAGE: o->with_storage = true; return 0;
	case OPT_HELP: return 0;
	case OPT_DOWNTIME:
		return set_num(flag, val, 0, INT64_MAX, &o->downtime_ms);
	case OPT_BANDWIDTH:
		return set_num(flag, val, 1, INT64_MAX, &o->max_bandwidth);
	case OPT_DEADLINE:
		return set_num(flag, val, 1, DEADLINE_S_MAX, &o->deadline_s);
	}
	if (*str)
		return usage_error("%s given twice", flag);
	if (!*val)
		return usage_error("%s: empty value", flag);
	*str = val;
	return 0;
}

/* Returns 0, CLI_MIGRATE_USAGE, or -1 when help was asked for. */
static int parse_args(int argc, char **argv, struct migrate_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->downtime_ms = o->max_bandwidth = o->deadline_s = -1;

	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i], *eq = strchr(arg, '='), *val = NULL, *flag;
		size_t len = eq ? (size_t)(eq - arg) : strlen(arg);
		size_t k;
		int rc;

		if (arg[0] != '-')
			return usage_error("unexpected argument '%s'", arg);
		for (k = 0; k < sizeof(opt_table) / sizeof(opt_table[0]); k++)
			if (strlen(opt_table[k].name) == len && !strncmp(arg, opt_table[k].name, len))
				break;
		if (k == sizeof(opt_table) / sizeof(opt_table[0]))
			return usage_error("unknown option '%.*s'", (int)(len < 64 ? len : 64), arg);
		flag = opt_table[k].name;
		if (opt_table[k].id == OPT_HELP)
			return -1;
		if (!opt_table[k].has_value) {
			if (eq)
				return usage_error("%s takes no value", flag);
		} else if (eq) {
			val = eq + 1;
		} else if (i + 1 < argc && strncmp(argv[i + 1], "--", 2) != 0) {
			val = argv[++i];
		} else {
			return usage_error("%s needs a value", flag);
		}
		rc = set_opt(o, opt_table[k].id, flag, val);
		if (rc)
			return rc;
	}
	if (!o->from)
		return usage_error("--from is required");
	if (!o->to)
		return usage_error("--to is required");
	if (!o->uri)
		return usage_error("--uri is required");
	if (!uri_ok(o->uri))
		return usage_error("--uri: '%s' is not tcp:HOST:PORT", o->uri);
	if (strcmp(o->from, o->to) == 0)
		return usage_error("--from and --to name the same socket");
	return 0;
}

/* ------------------------------------------------------------------ */
/* Events                                                              */

static void on_event(void *opaque, struct qmpc *c, const char *event, json_t *msg,
		     int64_t received_ns)
{
	struct migrate_run *r = opaque;

	if (!r->started)
		return;
	if (c == &r->dst && (strcmp(event, "RESUME") == 0 ||
			     (strcmp(event, "MIGRATION") == 0 &&
			      json_is_string(json_object_get(json_object_get(msg, "data"), "status")) &&
			      !strcmp(json_string_value(json_object_get(json_object_get(msg, "data"),
									 "status")), "completed"))))
		r->dst_ran = true;
	if (c == &r->src && strcmp(event, "STOP") == 0)
		r->stop_ns = received_ns;
	else if (c == &r->src && strcmp(event, "RESUME") == 0)
		r->stop_ns = -1; /* the source runs again: that was no switchover */
	else if (c == &r->dst && strcmp(event, "RESUME") == 0 && r->resume_ns < 0)
		r->resume_ns = received_ns;
}

/* ------------------------------------------------------------------ */
/* Steps                                                               */

/* query-status of c into buf; returns a qmpc_rc. */
static int run_state(struct qmpc *c, char *buf, size_t len)
{
	json_t *ret = NULL;
	const char *status;
	int rc;

	rc = qmpc_execute(c, "query-status", NULL, COMMAND_MS, &ret);
	if (rc != QMPC_OK)
		return rc;
	status = json_string_value(json_object_get(ret, "status"));
	snprintf(buf, len, "%s", status ? status : "");
	json_decref(ret);
	return QMPC_OK;
}

/* Print c's last error as one line; returns rc. */
static int peer_fail(struct qmpc *c, int rc)
{
	if (rc == QMPC_ERR_INTR)
		err_line("interrupted");
	else
		err_line("%s", qmpc_error(c));
	return rc;
}

static int check_peers(struct migrate_run *r)
{
	char status[32];
	int rc;

	rc = run_state(&r->dst, status, sizeof(status));
	if (rc != QMPC_OK)
		return peer_fail(&r->dst, rc);
	if (strcmp(status, "inmigrate") != 0) {
		err_line("destination %s: its status is '%s', not 'inmigrate' (start it with "
			 "-incoming tcp:HOST:PORT, or -incoming defer and use --incoming)",
			 r->opt.to, status);
		return QMPC_ERR_REPLY;
	}
	rc = run_state(&r->src, status, sizeof(status));
	if (rc != QMPC_OK)
		return peer_fail(&r->src, rc);
	if (strcmp(status, "inmigrate") == 0) {
		err_line("source %s: it is itself waiting for an incoming migration "
			 "(are --from and --to swapped?)", r->opt.from);
		return QMPC_ERR_REPLY;
	}
	return QMPC_OK;
}

/* Does c know godwit's migration parameters (a godwit-vmm, not QEMU)? */
static int is_godwit(struct qmpc *c, bool *yes)
{
	json_t *ret = NULL;
	int rc = qmpc_execute(c, "query-migrate-parameters", NULL, COMMAND_MS, &ret);

	if (rc != QMPC_OK)
		return rc;
	*yes = json_object_get(ret, "x-godwit-key-set") != NULL;
	json_decref(ret);
	return QMPC_OK;
}

/* One parameter object to one peer; the object is wiped of its strings
 * (it may carry the key) and freed. */
static int set_secret(struct qmpc *c, json_t *args)
{
	const char *k;
	json_t *v;
	int rc = args ? qmpc_execute(c, "migrate-set-parameters", args, COMMAND_MS, NULL)
		      : QMPC_ERR_IO;

	json_object_foreach(args, k, v)
		if (json_is_string(v))
			seal_wipe((char *)json_string_value(v), strlen(json_string_value(v)));
	json_decref(args);
	return rc;
}

/* A fresh key for this migration, to the destination first, then the
 * source; or plain mode on both with --plain. Never printed. */
static int arm_stream(struct migrate_run *r)
{
	uint8_t key[SEAL_KEY_SIZE];
	char hex[2 * SEAL_KEY_SIZE + 1];
	bool src_gw = false, dst_gw = false;
	int rc;

	rc = is_godwit(&r->dst, &dst_gw);
	if (rc != QMPC_OK)
		return peer_fail(&r->dst, rc);
	rc = is_godwit(&r->src, &src_gw);
	if (rc != QMPC_OK)
		return peer_fail(&r->src, rc);
	r->godwit_pair = src_gw && dst_gw;
	if (!r->godwit_pair) {
		r->clear_why = src_gw ? "the destination is not a godwit-vmm: no x-godwit-key"
				      : "the source is not a godwit-vmm: no x-godwit-key";
		return QMPC_OK;
	}
	if (r->opt.plain) {
		rc = set_secret(&r->dst, json_pack("{s:b, s:n}", "x-godwit-plain", 1, "x-godwit-key"));
		if (rc != QMPC_OK)
			return peer_fail(&r->dst, rc);
		rc = set_secret(&r->src, json_pack("{s:b, s:n}", "x-godwit-plain", 1, "x-godwit-key"));
		if (rc != QMPC_OK)
			return peer_fail(&r->src, rc);
		r->clear_why = "--plain";
		return QMPC_OK;
	}
	if (seal_random(key, sizeof(key))) {
		err_line("no random numbers for the migration key");
		return QMPC_ERR_IO;
	}
	for (size_t i = 0; i < sizeof(key); i++)
		snprintf(hex + 2 * i, 3, "%02x", key[i]);
	seal_wipe(key, sizeof(key));
	rc = set_secret(&r->dst, json_pack("{s:b, s:s}", "x-godwit-plain", 0, "x-godwit-key", hex));
	if (rc != QMPC_OK) {
		seal_wipe(hex, sizeof(hex));
		return peer_fail(&r->dst, rc);
	}
	rc = set_secret(&r->src, json_pack("{s:b, s:s}", "x-godwit-plain", 0, "x-godwit-key", hex));
	seal_wipe(hex, sizeof(hex));
	if (rc != QMPC_OK)
		return peer_fail(&r->src, rc);
	return QMPC_OK;
}

static int configure(struct migrate_run *r)
{
	const struct migrate_opts *o = &r->opt;
	json_t *args;
	int rc;

	rc = arm_stream(r);
	if (rc != QMPC_OK)
		return rc;

	if (o->deadline_s >= 0) {
		args = json_pack("{s:I}", "x-godwit-deadline", (json_int_t)(o->deadline_s * 1000));
		rc = args ? qmpc_execute(&r->src, "migrate-set-parameters", args, COMMAND_MS, NULL)
			  : QMPC_ERR_IO;
		json_decref(args);
		if (rc == QMPC_ERR_REPLY) {
			err_line("%s (--deadline-s needs a source that supports x-godwit-deadline; "
				 "nothing was changed or migrated)", qmpc_error(&r->src));
			return rc;
		}
		if (rc != QMPC_OK)
			return peer_fail(&r->src, rc);
	}
	if (o->downtime_ms >= 0 || o->max_bandwidth >= 0) {
		args = json_object();
		if (args && o->downtime_ms >= 0)
			json_object_set_new(args, "downtime-limit", json_integer(o->downtime_ms));
		if (args && o->max_bandwidth >= 0)
			json_object_set_new(args, "max-bandwidth", json_integer(o->max_bandwidth));
		rc = args ? qmpc_execute(&r->src, "migrate-set-parameters", args, COMMAND_MS, NULL)
			  : QMPC_ERR_IO;
		json_decref(args);
		if (rc != QMPC_OK)
			return peer_fail(&r->src, rc);
	}
	if (o->auto_converge) {
		args = json_pack("{s:[{s:s, s:b}]}", "capabilities", "capability",
				 "auto-converge", "state", 1);
		rc = args ? qmpc_execute(&r->src, "migrate-set-capabilities", args, COMMAND_MS, NULL)
			  : QMPC_ERR_IO;
		json_decref(args);
		if (rc != QMPC_OK)
			return peer_fail(&r->src, rc);
	}
	if (o->incoming) {
		args = json_pack("{s:s}", "uri", o->uri);
		rc = args ? qmpc_execute(&r->dst, "migrate-incoming", args, COMMAND_MS, NULL)
			  : QMPC_ERR_IO;
		json_decref(args);
		if (rc != QMPC_OK)
			return peer_fail(&r->dst, rc);
	}
	return QMPC_OK;
}

static bool final_status(const char *status)
{
	return !strcmp(status, "completed") || !strcmp(status, "failed") ||
	       !strcmp(status, "cancelled") || !strcmp(status, "unresolved");
}

/* One query-migrate: keep the reply, note the throttle, draw progress. */
static int sample(struct migrate_run *r, struct progress_sample *s)
{
	json_t *info = NULL;
	int rc;

	rc = qmpc_execute(&r->src, "query-migrate", NULL, COMMAND_MS, &info);
	if (rc != QMPC_OK)
		return rc;
	json_decref(r->last);
	r->last = info;
	progress_sample_parse(info, s);
	if (s->throttle_pct > r->max_throttle)
		r->max_throttle = s->throttle_pct;
	progress_update(&r->prog, s, now_ns());
	return QMPC_OK;
}

static void print_report(struct migrate_run *r)
{
	struct progress_sample s;
	char pause[96];

	if (!r->last)
		return;
	if (r->opt.json) {
		char *text = json_dumps(r->last, JSON_COMPACT);

		if (text)
			printf("%s\n", text);
		free(text);
		fflush(stdout);
		return;
	}
	progress_sample_parse(r->last, &s);
	printf("status: %s\n", s.status[0] ? s.status : "unknown");
#define MS_LINE(label, v)                                                \
	do {                                                             \
		if ((v) >= 0)                                            \
			printf(label ": %" PRId64 " ms\n", (int64_t)(v)); \
		else                                                     \
			printf(label ": n/a\n");                         \
	} while (0)
	MS_LINE("total time", s.total_time_ms);
	MS_LINE("downtime", s.downtime_ms);
	MS_LINE("setup time", s.setup_time_ms);
#undef MS_LINE
	if (s.transferred >= 0)
		printf("%s: %" PRId64 " bytes (%.1f MiB)\n",
		       s.disk_transferred >= 0 ? "RAM transferred" : "transferred", s.transferred,
		       (double)s.transferred / (1024.0 * 1024.0));
	else
		printf("transferred: n/a\n");
	if (s.disk_transferred >= 0) {
		printf("disk transferred: %" PRId64 " bytes (%.1f MiB)\n", s.disk_transferred,
		       (double)s.disk_transferred / (1024.0 * 1024.0));
		if (s.disk_total >= 0)
			printf("disk size: %" PRId64 " bytes (%.1f MiB)\n", s.disk_total,
			       (double)s.disk_total / (1024.0 * 1024.0));
		if (s.disk_remaining >= 0)
			printf("disk remaining: %" PRId64 " bytes\n", s.disk_remaining);
	}
	if (s.transferred >= 0 && s.total_time_ms > 0)
		printf("average throughput: %.2f MB/s\n",
		       (double)(s.transferred + (s.disk_transferred > 0 ? s.disk_transferred : 0)) /
			       (double)s.total_time_ms / 1000.0);
	else
		printf("average throughput: n/a\n");
	if (s.rounds >= 0)
		printf("rounds: %" PRId64 "\n", s.rounds);
	else
		printf("rounds: n/a\n");
	/* QEMU leaves cpu-throttle-percentage out while it does not throttle */
	printf("max throttle: %" PRId64 "%%\n", r->max_throttle > 0 ? r->max_throttle : 0);
	if (strcmp(s.status, "completed") != 0)
		snprintf(pause, sizeof(pause), "n/a (not completed)");
	else if (r->stop_ns < 0)
		snprintf(pause, sizeof(pause), "unknown (no STOP event from the source)");
	else if (r->resume_ns < 0)
		snprintf(pause, sizeof(pause), "unknown (no RESUME event from the destination)");
	else if (r->resume_ns < r->stop_ns)
		snprintf(pause, sizeof(pause), "unknown (RESUME seen before STOP)");
	else
		snprintf(pause, sizeof(pause), "%" PRId64 " ms",
			 (r->resume_ns - r->stop_ns + 500000) / 1000000);
	printf("pause seen by the tool: %s\n", pause);
	if (r->dst_status[0])
		printf("destination status: %s\n", r->dst_status);
	fflush(stdout);
}

/* The exit status for a final query-migrate status, with its stderr line. */
static int outcome(struct migrate_run *r)
{
	struct progress_sample s;
	const char *desc;

	progress_sample_parse(r->last, &s);
	if (!strcmp(s.status, "completed"))
		return CLI_MIGRATE_OK;
	desc = json_string_value(json_object_get(r->last, "error-desc"));
	if (!strcmp(s.status, "failed"))
		err_line("migration failed: %s", desc ? desc : "(the source gave no reason)");
	else if (!strcmp(s.status, "cancelled"))
		err_line("the migration was cancelled on the source");
	else
		err_line("the migration ended in status '%s'", s.status);
	return CLI_MIGRATE_FAILED;
}

/* Send migrate_cancel and wait (bounded) for a final status; print the
 * report. Returns exit_status, or 128 + signal if interrupted again. */
static int cancel(struct migrate_run *r, const char *why, int exit_status)
{
	int64_t deadline;
	struct progress_sample s;
	int rc;

	progress_finish(&r->prog);
	err_line("%s: cancelling the migration", why);
	got_signal = 0;
	rc = qmpc_execute(&r->src, "migrate_cancel", NULL, COMMAND_MS, NULL);
	if (rc == QMPC_ERR_INTR)
		goto out_again;
	if (rc != QMPC_OK) {
		err_line("%s (the migration may still run)", qmpc_error(&r->src));
		return exit_status;
	}
	deadline = now_ns() + (int64_t)CANCEL_WAIT_MS * 1000000;
	for (;;) {
		rc = sample(r, &s);
		if (rc == QMPC_ERR_INTR)
			goto out_again;
		if (rc != QMPC_OK) {
			err_line("%s (the migration's state is unknown)", qmpc_error(&r->src));
			return exit_status;
		}
		if (final_status(s.status))
			break;
		if (now_ns() >= deadline) {
			progress_finish(&r->prog);
			err_line("no final status %d ms after migrate_cancel (status '%s')",
				 CANCEL_WAIT_MS, s.status);
			return exit_status;
		}
		if (qmpc_pump((struct qmpc *[]){ &r->src, &r->dst }, 2, POLL_MS, &got_signal) ==
		    QMPC_ERR_INTR)
			goto out_again;
	}
	progress_finish(&r->prog);
	if (!strcmp(s.status, "completed"))
		err_line("the migration completed before the cancellation took effect: "
			 "the VM now runs on the destination");
	else
		err_line("migration %s%s%s", s.status,
			 json_object_get(r->last, "error-desc") ? ": " : "",
			 json_object_get(r->last, "error-desc") ?
				 json_string_value(json_object_get(r->last, "error-desc")) : "");
	print_report(r);
	return exit_status;

out_again:
	progress_finish(&r->prog);
	err_line("interrupted again: not waiting for the cancellation (see query-migrate "
		 "on the source)");
	return 128 + (got_signal ? got_signal : SIGINT);
}

/* After completion: wait (bounded) for the destination to leave
 * "inmigrate". Its RESUME event is sent before its status reads "running",
 * so once it does the event has been read; if it reads "paused" (started
 * with -S, or the source was paused) no RESUME will come. The status is
 * asked again even when RESUME was seen: the reply read with the event may
 * predate it. */
static void await_resume(struct migrate_run *r)
{
	int64_t deadline = now_ns() + (int64_t)RESUME_WAIT_MS * 1000000;

	while (run_state(&r->dst, r->dst_status, sizeof(r->dst_status)) == QMPC_OK) {
		if (strcmp(r->dst_status, "inmigrate") != 0)
			return;
		if (now_ns() >= deadline ||
		    qmpc_pump((struct qmpc *[]){ &r->dst, &r->src }, 2, POLL_MS, &got_signal) != QMPC_OK)
			return;
	}
	r->dst_status[0] = 0;
	err_line("%s", qmpc_error(&r->dst));
}

enum fate { FATE_UNKNOWN, FATE_DESTINATION, FATE_SOURCE };

/* The source is unresolved: find out from the destination where the VM
 * runs. Bounded by RESOLVE_WAIT_MS. */
static enum fate destination_fate(struct migrate_run *r, char *why, size_t len)
{
	int64_t deadline = now_ns() + (int64_t)RESOLVE_WAIT_MS * 1000000;

	for (;;) {
		json_t *info = NULL;
		const char *st;
		int rc = r->dst.broken ? QMPC_ERR_IO
				       : qmpc_execute(&r->dst, "query-migrate", NULL, COMMAND_MS, &info);

		if (rc == QMPC_ERR_INTR) {
			snprintf(why, len, "interrupted while asking the destination");
			return FATE_UNKNOWN;
		}
		if (rc != QMPC_OK) { /* the destination is gone */
			if (r->dst_ran) {
				snprintf(why, len, "the destination took the VM over and then went "
					 "away (%s): the VM was lost with it; the source holds "
					 "an older copy", qmpc_error(&r->dst));
				return FATE_UNKNOWN;
			}
			snprintf(why, len, "the destination went away without having run "
				 "the VM (%s)", qmpc_error(&r->dst));
			return FATE_SOURCE;
		}
		st = json_string_value(json_object_get(info, "status"));
		if (st && !strcmp(st, "completed")) {
			json_decref(info);
			snprintf(why, len, "the destination runs the VM (its confirmation was lost)");
			return FATE_DESTINATION;
		}
		if (st && (!strcmp(st, "failed") || !strcmp(st, "cancelled"))) {
			const char *e = json_string_value(json_object_get(info, "error-desc"));
			snprintf(why, len, "the destination never ran the VM: %.200s",
				 e ? e : "its migration failed");
			json_decref(info);
			return FATE_SOURCE;
		}
		json_decref(info);
		if (now_ns() >= deadline) {
			snprintf(why, len, "the destination still shows status '%s' after %d s",
				 st ? st : "?", RESOLVE_WAIT_MS / 1000);
			return FATE_UNKNOWN;
		}
		if (qmpc_pump((struct qmpc *[]){ &r->dst, &r->src }, 2, 200, &got_signal) ==
		    QMPC_ERR_INTR) {
			snprintf(why, len, "interrupted while asking the destination");
			return FATE_UNKNOWN;
		}
	}
}

/* The source reports "unresolved": resolve it where the destination's fate
 * is known, else leave it paused. Returns the exit status. */
static int resolve(struct migrate_run *r)
{
	struct progress_sample s;
	char why[320];
	enum fate f = destination_fate(r, why, sizeof(why));
	json_t *args;
	int rc;

	if (f == FATE_UNKNOWN) {
		err_line("the migration's outcome is unknown: %s. The source stays paused; "
			 "once you know where the VM runs, tell the source with "
			 "x-godwit-migrate-resolve {\"runs-on\": \"destination\" | \"source\"}",
			 why);
		print_report(r);
		return CLI_MIGRATE_UNRESOLVED;
	}
	args = json_pack("{s:s}", "runs-on", f == FATE_DESTINATION ? "destination" : "source");
	rc = args ? qmpc_execute(&r->src, "x-godwit-migrate-resolve", args, COMMAND_MS, NULL)
		  : QMPC_ERR_IO;
	json_decref(args);
	if (rc != QMPC_OK) {
		err_line("%s: could not resolve the source (%s); it stays paused", why,
			 qmpc_error(&r->src));
		print_report(r);
		return CLI_MIGRATE_UNRESOLVED;
	}
	sample(r, &s);
	if (f == FATE_DESTINATION) {
		await_resume(r);
		err_line("the outcome needed resolving: %s; resolved: the VM runs on the "
			 "destination, the source stays paused", why);
	} else {
		err_line("the outcome needed resolving: %s; resolved: the VM runs on the "
			 "source again", why);
	}
	print_report(r);
	return CLI_MIGRATE_RESOLVED;
}

/* From `migrate` to a final status. Returns the exit status. */
static int watch(struct migrate_run *r)
{
	int64_t deadline = -1;
	struct progress_sample s;
	json_t *args;
	int rc;

	if (r->opt.deadline_s >= 0)
		deadline = r->start_ns + (r->opt.deadline_s * 1000 + DEADLINE_GRACE_MS) * 1000000;
	progress_init(&r->prog, stderr,
		      r->opt.quiet ? PROGRESS_QUIET :
		      isatty(STDERR_FILENO) ? PROGRESS_TTY : PROGRESS_LINES,
		      r->start_ns);
	args = json_pack("{s:s}", "uri", r->opt.uri);
	if (args && r->opt.with_storage)
		json_object_set_new(args, "blk", json_true());
	rc = args ? qmpc_execute(&r->src, "migrate", args, COMMAND_MS, NULL) : QMPC_ERR_IO;
	json_decref(args);
	if (rc == QMPC_ERR_INTR)
		return cancel(r, "interrupted", 128 + got_signal);
	if (rc != QMPC_OK) {
		peer_fail(&r->src, rc);
		return CLI_MIGRATE_FAILED;
	}
	for (;;) {
		rc = sample(r, &s);
		if (rc == QMPC_ERR_INTR)
			return cancel(r, "interrupted", 128 + got_signal);
		if (rc != QMPC_OK) {
			progress_finish(&r->prog);
			err_line("%s (the migration's state is unknown)", qmpc_error(&r->src));
			return CLI_MIGRATE_FAILED;
		}
		if (final_status(s.status))
			break;
		if (!s.status[0] && now_ns() - r->start_ns >= (int64_t)NO_STATUS_MS * 1000000) {
			progress_finish(&r->prog);
			err_line("source %s: accepted migrate, but query-migrate shows no migration "
				 "after %d ms", r->opt.from, NO_STATUS_MS);
			return CLI_MIGRATE_FAILED;
		}
		if (deadline >= 0 && now_ns() >= deadline)
			return cancel(r, "the deadline passed and the source did not give up",
				      CLI_MIGRATE_FAILED);
		rc = qmpc_pump((struct qmpc *[]){ &r->src, &r->dst }, 2, POLL_MS, &got_signal);
		if (rc == QMPC_ERR_INTR)
			return cancel(r, "interrupted", 128 + got_signal);
	}
	progress_finish(&r->prog);
	if (!strcmp(s.status, "unresolved"))
		return resolve(r);
	if (!strcmp(s.status, "completed"))
		await_resume(r);
	rc = outcome(r);
	print_report(r);
	if (r->dst.broken && strcmp(s.status, "completed") != 0)
		err_line("%s", qmpc_error(&r->dst));
	return rc;
}

static int run(struct migrate_run *r)
{
	int rc;

	qmpc_init(&r->src, "source");
	qmpc_init(&r->dst, "destination");
	r->src.on_event = r->dst.on_event = on_event;
	r->src.opaque = r->dst.opaque = r;
	r->src.interrupt = r->dst.interrupt = &got_signal;

	rc = qmpc_connect(&r->dst, r->opt.to, CONNECT_MS);
	if (rc != QMPC_OK)
		goto out_fail_dst;
	rc = qmpc_connect(&r->src, r->opt.from, CONNECT_MS);
	if (rc != QMPC_OK)
		goto out_fail_src;
	r->src.peer = &r->dst;
	r->dst.peer = &r->src;

	rc = check_peers(r); /* each step prints its own error */
	if (rc == QMPC_OK)
		rc = configure(r);
	if (rc == QMPC_ERR_INTR)
		return 128 + got_signal;
	if (rc != QMPC_OK)
		return CLI_MIGRATE_FAILED;

	if (r->clear_why && !r->opt.quiet)
		err_line("note: the migration stream is not encrypted (%s)", r->clear_why);
	r->started = true;
	r->start_ns = now_ns();
	return watch(r);

out_fail_src:
	peer_fail(&r->src, rc);
	return rc == QMPC_ERR_INTR ? 128 + got_signal : CLI_MIGRATE_FAILED;
out_fail_dst:
	peer_fail(&r->dst, rc);
	return rc == QMPC_ERR_INTR ? 128 + got_signal : CLI_MIGRATE_FAILED;
}

int cli_migrate_main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_signal }, old_int, old_term;
	struct migrate_run r;
	int rc;

	memset(&r, 0, sizeof(r));
	r.stop_ns = r.resume_ns = -1;
	r.max_throttle = -1;
	rc = parse_args(argc, argv, &r.opt);
	if (rc < 0) {
		cli_migrate_usage(stdout);
		return CLI_MIGRATE_OK;
	}
	if (rc)
		return rc;

	/* no SA_RESTART: poll() returns at once on Ctrl-C */
	sigemptyset(&sa.sa_mask);
	got_signal = 0;
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);

	rc = run(&r);

	qmpc_close(&r.src);
	qmpc_close(&r.dst);
	json_decref(r.last);
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	return rc;
}
