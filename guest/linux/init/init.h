/*
 * init.h - shared declarations of godwit's guest init: the program that is
 * /init in the test guest's initramfs. It mounts the kernel file systems,
 * configures the network from the kernel command line, prints a heartbeat
 * every 100 ms, serves TCP echo (port 7) and a tiny HTTP status page (port
 * 80), optionally runs a memory-dirtying workload, and can power the VM off
 * after a set time. See ../README.md for the command line parameters.
 *
 * Everything is bounded: fixed connection table, fixed buffers, checked
 * parameter ranges. Bad input (command line or network) is reported and
 * ignored; init never exits on it.
 */
#ifndef GW_INIT_H
#define GW_INIT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#define GW_NS_PER_S 1000000000LL
#define GW_NS_PER_MS 1000000LL
#define GW_HEARTBEAT_NS (100 * GW_NS_PER_MS)

/* What the kernel command line asked for (addresses in network order). */
struct gw_config {
	int have_ip;
	uint32_t ip;
	uint32_t mask;
	unsigned prefix;
	int have_gw;
	uint32_t gw;
	int have_dirty;
	unsigned dirty_rate_mb; /* MB per second of wall time, may be 0 */
	unsigned dirty_size_mb; /* size of the dirtied region */
	int have_poweroff;
	int64_t poweroff_after_ns;
	int have_disktest;
	unsigned disktest_boots; /* reboot until this many boots wrote the disk */
	int have_diskload;
	unsigned diskload_rate_kb, diskload_size_mb, diskload_seconds;
	int have_smp;
	unsigned smp_threads;    /* godwit.smp: threads of the all-CPU workload */
};

/*
 * Counters shared by init and its dirty-workload child (a MAP_SHARED page),
 * read by the HTTP page. Only touched with gw_stat_add / gw_stat_get.
 */
struct gw_stats {
	uint64_t heartbeat;
	uint64_t echo_bytes;
	uint64_t http_requests;
	uint64_t dirty_pages_written;
	uint64_t dirty_bad_pages; /* pages whose checksum did not verify */
	uint64_t dirty_running;
};

static inline void gw_stat_add(uint64_t *p, uint64_t v)
{
	__atomic_fetch_add(p, v, __ATOMIC_RELAXED);
}

static inline void gw_stat_set(uint64_t *p, uint64_t v)
{
	__atomic_store_n(p, v, __ATOMIC_RELAXED);
}

static inline uint64_t gw_stat_get(const uint64_t *p)
{
	return __atomic_load_n(p, __ATOMIC_RELAXED);
}

/* util.c */
void gw_say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int64_t gw_clock_ns(clockid_t clk);
ssize_t gw_read_file(const char *path, char *buf, size_t size);
void gw_sleep_ns(int64_t ns);

/* cmdline.c: parse "godwit.*" parameters; bad ones are reported, skipped. */
void gw_cmdline_parse(const char *text, struct gw_config *cfg);

/* netcfg.c: lo, and eth0 if the command line gave an address. */
void gw_net_setup(const struct gw_config *cfg);

/* server.c: echo and HTTP on one poll() loop. */
struct gw_server;
struct gw_server *gw_server_open(struct gw_stats *stats, int port_offset);
void gw_server_poll(struct gw_server *srv, int64_t timeout_ns);
void gw_server_close(struct gw_server *srv);

/* disk.c: godwit.disktest; 1 = reboot, 2 = power off, 0 = carry on. */
int gw_disk_test(const struct gw_config *cfg);

/* dirty.c: fork the memory workload; returns its pid, or -1. */
pid_t gw_dirty_start(const struct gw_config *cfg, struct gw_stats *stats);

/* diskload.c: fork the disk workload (godwit.diskload); its pid, or -1. */
pid_t gw_diskload_start(const struct gw_config *cfg);
/* smp.c: fork the all-CPU workload (godwit.smp); its pid, or -1. With it,
 * godwit.dirty is done by its threads instead of gw_dirty_start. */
pid_t gw_smp_start(const struct gw_config *cfg);

#endif
