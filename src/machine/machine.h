/*
 * machine.h - the riscv64 `virt` board: memory map, guest RAM, MMIO
 * dispatch, decoded-code cache, dirty bitmaps, and the loop that runs the
 * hart between device events.
 *
 * Memory map (QEMU virt addresses):
 *   0x00001000  boot ROM (reset vector, then jumps to the firmware/kernel)
 *   0x00100000  SiFive test finisher
 *   0x00101000  goldfish RTC (irq 11)
 *   0x02000000  CLINT
 *   0x0c000000  PLIC
 *   0x10000000  NS16550A UART (irq 10)
 *   0x10001000  virtio-mmio slots 0..7 (irq 1..8)
 *   0x80000000  DRAM
 * Threads (cpus.c, runloop.c; docs/vmm.md "Threads"): every hart runs on a
 * host thread of its own; the thread that calls machine_run() is the I/O
 * thread (poll sources, device timers, machine_call()).
 * Invariants:
 *  - Guest RAM and ROM are host memory ranges; everything else is an MMIO
 *    region with read/write callbacks. A RAM page may carry an MMIO overlay
 *    (the HTIF tohost/fromhost words); such pages never enter a TLB, so every
 *    access to them reaches machine_phys_access().
 *  - code[i] is non-NULL iff RAM/ROM page i has decoded instructions; such a
 *    page has no write-TLB entry in any hart, so every store to it passes
 *    through machine_code_invalidate() first (code.c says how this holds
 *    against harts filling their TLBs concurrently). A decoded page that
 *    is dropped is retired, and freed only once every hart has passed a
 *    reload since (code_gen / hart seen_gen).
 *  - Device state is touched only with dev_lock held: by a hart around an
 *    MMIO access, by the I/O thread around device timers and the dispatch
 *    of poll sources, and by machine_call() functions (which also run
 *    with every hart parked). No thread waits for the harts to park while
 *    it holds dev_lock.
 *  - Every write to RAM, by CPU or device, marks the page in every active
 *    dirty bitmap (CPU stores do so when their write-TLB entry is filled).
 */
#ifndef GODWIT_MACHINE_MACHINE_H
#define GODWIT_MACHINE_MACHINE_H

#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "chardev/chardev.h"
#include "cpu/hart.h"
#include "devices/clint.h"
#include "devices/finisher.h"
#include "devices/htif.h"
#include "devices/plic.h"
#include "devices/rtc.h"
#include "devices/uart.h"
#include "devices/virtio_mmio.h"
#include "migration/vmstate.h"
#include "net/netdev.h"

#define VIRT_ROM_BASE 0x1000ull
#define VIRT_ROM_SIZE 0xf000ull
#define VIRT_TEST_BASE 0x100000ull
#define VIRT_TEST_SIZE 0x1000ull
#define VIRT_CLINT_BASE 0x2000000ull
#define VIRT_CLINT_SIZE 0x10000ull
#define VIRT_UART_BASE 0x10000000ull
#define VIRT_UART_SIZE 0x100ull
#define VIRT_UART_IRQ 10
#define VIRT_DRAM_BASE 0x80000000ull
#define VIRT_RTC_BASE 0x101000ull
#define VIRT_RTC_SIZE 0x1000ull
#define VIRT_RTC_IRQ 11
#define VIRT_PLIC_BASE 0xc000000ull
#define VIRT_PLIC_SIZE 0x600000ull
#define VIRT_PLIC_NDEV 96
#define VIRT_VIRTIO_BASE 0x10001000ull
#define VIRT_VIRTIO_SIZE 0x1000ull
#define VIRT_VIRTIO_COUNT 8
#define VIRT_VIRTIO_IRQ 1

#define MACHINE_MAX_MMIO 24
#define MACHINE_MAX_HARTS 8
#define MACHINE_MAX_DIRTY 4
#define MACHINE_TIMEBASE_HZ 10000000ull

struct mmio_region {
	uint64_t base, size;
	/* size is 1, 2, 4 or 8; off is relative to base */
	uint64_t (*read)(void *opaque, uint64_t off, int size);
	void (*write)(void *opaque, uint64_t off, int size, uint64_t val);
	void *opaque;
	const char *name;
	bool wakes_io; /* a write may move a device deadline: wake the I/O thread */
};

/* A host-memory backed range of guest physical space (RAM or ROM). */
struct mem_range {
	uint64_t base, size;
	uint8_t *host;
	bool readonly;
	struct dpage **code; /* one per page, NULL if no decoded code */
};

/* A source of file descriptors for the run loop: fill() writes up to max
 * pollfds and returns how many; dispatch() gets them back after poll(). */
struct machine_poll_src {
	int (*fill)(void *opaque, struct pollfd *fds, int max);
	void (*dispatch)(void *opaque, const struct pollfd *fds, int n);
	void *opaque;
};

/* A device with a deadline: ns_until() says how long the loop may sleep
 * (UINT64_MAX: no deadline); update() is called every slice. */
struct machine_timer_src {
	uint64_t (*ns_until)(void *opaque);
	void (*update)(void *opaque);
	void *opaque;
};

#define MACHINE_MAX_POLL 24
#define MACHINE_MAX_TIMERS 8

struct dirty_log {
	bool active;
	uint64_t *bits; /* one bit per RAM page */
};

#define MACHINE_MAX_DRIVES 8
#define MACHINE_MAX_DEVICES 8
#define MACHINE_MAX_NETDEVS 8
#define MACHINE_MAX_CHARDEVS 4

/* -drive file=PATH,format=raw,id=ID[,if=none|virtio][,readonly=on]
 *        [,cache=MODE][,werror=POLICY][,rerror=POLICY] */
struct drive_config {
	char *id, *file;
	bool readonly;
	bool attached; /* a device uses it */
	int cache;     /* enum blk_cache (block/blockdev.h) */
	int werror, rerror; /* enum blk_err_policy */
};

enum device_kind { DEVICE_VIRTIO_BLK, DEVICE_VIRTIO_RNG, DEVICE_VIRTIO_NET };

/* -device DRIVER[,drive=ID][,netdev=ID][,mac=MAC] */
struct device_config {
	enum device_kind kind;
	char *drive, *netdev, *mac;
};

struct machine_config {
	uint64_t ram_size;
	const char *kernel;   /* ELF (bare metal) or raw image */
	const char *bios;     /* NULL or "none": no firmware */
	const char *initrd;
	const char *append;
	const char *qmp;      /* -qmp spec, or NULL */
	int smp;              /* -smp: harts, 1..MACHINE_MAX_HARTS (0 means 1) */
	bool dirty_tracking;  /* benchmark aid: keep a dirty log and sync it */
	const char *incoming; /* -incoming: "tcp:HOST:PORT", "defer" or NULL */
	bool start_paused;    /* -S */
	struct drive_config drives[MACHINE_MAX_DRIVES];
	int n_drives;
	struct device_config devices[MACHINE_MAX_DEVICES];
	int n_devices;
	struct netdev_config netdevs[MACHINE_MAX_NETDEVS]; /* -netdev, plain data */
	int n_netdevs;
	/* -serial / -chardev: the UART's backend (kind NONE: the VMM's own
	 * stdin/stdout descriptors, as unit tests use) */
	struct chardev_config serial;
	struct chardev_config chardevs[MACHINE_MAX_CHARDEVS];
	int n_chardevs;
	/* the process, not the board (src/vmm/main.c) */
	const char *name;     /* -name: process title and log prefix */
	const char *pidfile;  /* -pidfile */
	const char *logfile;  /* -D */
	bool daemonize;       /* -daemonize */
};

struct machine {
	struct mem_range ram, rom;
	uint64_t ram_pages;
	struct mmio_region mmio[MACHINE_MAX_MMIO];
	int n_mmio;
	uint64_t overlay_ppn; /* RAM page with the HTIF overlay, or 0 */
	size_t n_dpages;

	struct dirty_log dirty[MACHINE_MAX_DIRTY];
	uint64_t dirty_syncs;

	struct hart *harts; /* n_harts of them; hart i has mhartid i */
	int n_harts;
	struct clint clint;
	struct uart uart;
	struct finisher finisher;
	struct htif htif;
	struct plic plic;
	struct rtc rtc;
	struct virtio_mmio vio[VIRT_VIRTIO_COUNT]; /* a slot's device: vio[i].ops, .dev */

	bool has_plic; /* PLIC, RTC and virtio slots are present */

	uint64_t fdt_addr;
	uint64_t entry;

	struct machine_poll_src poll[MACHINE_MAX_POLL];
	int n_poll;
	struct machine_timer_src timers[MACHINE_MAX_TIMERS];
	int n_timers;
	bool paused;

	struct chardev *console; /* the UART's backend, or NULL (legacy fds) */
	bool console_escape; /* stdin is a terminal: Ctrl-A x quits */
	bool escape_pending;
	bool console_exit;   /* the user quit with Ctrl-A x */

	const struct machine_config *cfg; /* what the machine was built from */
	bool reset_requested;
	uint64_t resets;

	/* the device lock (see the invariants above) */
	pthread_mutex_t dev_lock;

	/* decoded-code cache (code.c) */
	pthread_mutex_t code_lock;
	uint64_t code_gen;     /* bumped (atomically) whenever a page is retired */
	struct code_retired *retired;
	size_t n_retired, cap_retired;
	uint8_t *wmask;        /* per hart, per RAM page: may hold a write-TLB entry */
	bool membarrier_ok;    /* membarrier(2) private expedited is registered */

	/* vCPU threads (cpus.c): harts park while gate says so */
	pthread_t vcpu_thread[MACHINE_MAX_HARTS];
	int n_threads;         /* started and not yet ended */
	int n_parked;          /* of those, parked */
	int hold;              /* machine_harts_hold() depth */
	pthread_mutex_t run_lock;
	pthread_cond_t run_cond;    /* harts wait here while parked */
	pthread_cond_t parked_cond; /* the holder waits here for them */
	volatile int gate;     /* nonzero: harts leave hart_run at the next reload */
	bool threads_inited;

	/* calls from other threads, run on the I/O thread with every hart
	 * parked (vcpu_call.c) */
	int call_fd; /* eventfd that wakes the run loop, -1 if none */
	pthread_mutex_t call_lock;
	pthread_cond_t call_done;
	void (*call_fn)(struct machine *m, void *arg); /* pending, or NULL */
	void *call_arg;
	uint64_t call_seq, call_finished;
	/* vCPU throttle in percent of wall time taken away (auto-converge) */
	volatile int throttle_pct;

	/* run control (written under run_lock once threads run: see gate) */
	volatile int stop_requested;
	bool exited;
	int exit_code;
};

int machine_init(struct machine *m, const struct machine_config *cfg);
void machine_destroy(struct machine *m);
/* slots.c */
int machine_slots_init(struct machine *m, const struct machine_config *cfg);
void machine_slots_destroy(struct machine *m);

/* state.c: the machine's migratable state, as migration/devstate.c saves
 * and loads it. machine_state_list() fills ms with m's device instances in
 * save order (ms holds the plic check's wiring too, so it must outlive the
 * entries' use). After a load has written every entry, and before their
 * post_load steps, machine_state_lines() sets each device's idea of its
 * interrupt line from the loaded PLIC inputs, so each one drives its line
 * wherever its own state disagrees (and lowers an empty slot's). */
#define MACHINE_STATE_MAX (MACHINE_MAX_HARTS + 5 + 2 * VIRT_VIRTIO_COUNT)
struct machine_state {
	struct vmstate_entry e[MACHINE_STATE_MAX];
	size_t n;
	struct plic_check_ctx plic_ctx; /* the plic check's ctx */
};
void machine_state_list(struct machine *m, struct machine_state *ms);
void machine_state_lines(struct machine *m);
/* Every table a machine may list (for the coverage tests and tools). */
const struct vmstate_desc *const *machine_state_descs(size_t *n);
/* disks.c: every virtio-blk image at a migration's switchover, for shared
 * storage (close-to-open). flush: fdatasync each writable image; any
 * thread. reopen: open each image again by path, same flags and size, and
 * swap the fd in (a failing disk keeps its old fd; disks before it are
 * already reopened, which is harmless: same path, same size); vCPU thread
 * or a machine that is not running. Both return 0, or -1 with a one-line
 * reason in err. */
int machine_disks_flush(struct machine *m, char *err, size_t errlen);
/* The drives of the machine's disks, in slot order (at most max), and one
 * by its -drive id (NULL: none). Drain: run loop, VM paused: every request
 * in flight finishes and is completed (the rings are final). */
struct blockdev;
int machine_disk_list(struct machine *m, struct blockdev **out, int max);
struct blockdev *machine_disk_find(struct machine *m, const char *id);
void machine_disks_drain(struct machine *m);
int machine_disks_reopen(struct machine *m, char *err, size_t errlen);

/* cpus.c: the vCPU threads. start: one thread per hart (the harts park
 * until the machine is neither held nor paused). hold: every hart parks at
 * a safe point (between two slices, or asleep in WFI) and stays parked
 * until the matching release; returns once all are parked. Nestable; I/O
 * thread only, never with dev_lock held. stop: end and join the threads
 * (after stop_requested). gate_update: recompute m->gate after a change of
 * paused, stop_requested or reset_requested, and wake every hart. */
int machine_cpus_init(struct machine *m);
void machine_cpus_destroy(struct machine *m);
int machine_cpus_start(struct machine *m);
void machine_cpus_stop(struct machine *m);
void machine_harts_hold(struct machine *m);
void machine_harts_release(struct machine *m);
void machine_gate_update(struct machine *m);
/* run_lock around writes of paused, stop_requested, reset_requested */
void machine_run_lock(struct machine *m);
void machine_run_unlock(struct machine *m);
/* Nanoseconds until hart h's CLINT timer can wake it (UINT64_MAX: never). */
uint64_t machine_hart_deadline_ns(struct machine *m, struct hart *h);
/* Wake the I/O thread (a hart asked for a reset or an exit). */
void machine_wake_io(struct machine *m);

/* runloop.c */
int machine_runloop_init(struct machine *m);
int machine_run(struct machine *m, const struct machine_config *cfg);
int machine_poll_add(struct machine *m, const struct machine_poll_src *src);
int machine_timer_add(struct machine *m, const struct machine_timer_src *src);
void machine_set_paused(struct machine *m, bool paused);
/* Attach the UART to a console backend (owned by the caller). */
struct chardev;
void machine_set_console(struct machine *m, struct chardev *c);
void machine_console_wire(struct machine *m);
uint64_t machine_now_ns(void);
void machine_request_exit(struct machine *m, int code);
/* Stop the VM without setting an exit code (signals, QMP quit). */
void machine_request_stop(struct machine *m);
/* Guest reboot: the run loop resets the machine between slices. */
void machine_request_reset(struct machine *m);
int machine_reset(struct machine *m);
int machine_add_mmio(struct machine *m, const struct mmio_region *r);

/* vcpu_call.c: another thread runs fn(m, arg) on the I/O thread while
 * every hart is parked (machine_harts_hold), with dev_lock held, waking
 * the loop if it sleeps, and waits until it has returned.
 * Returns 0, or -1 if the run loop has ended and fn did not run. Calls
 * are serialised; fn must not call machine_call itself. */
int machine_call_init(struct machine *m);
int machine_call(struct machine *m, void (*fn)(struct machine *m, void *arg), void *arg);
void machine_call_serve(struct machine *m);   /* run loop only */
void machine_call_shutdown(struct machine *m); /* run loop ended: fail calls */
void machine_call_destroy(struct machine *m);

/* Guest physical memory */
struct mem_range *machine_range(struct machine *m, uint64_t pa);
uint8_t *machine_ram_ptr(struct machine *m, uint64_t pa, uint64_t len);
int machine_phys_access(struct machine *m, uint64_t pa, int size, bool write,
			uint64_t *val);
/* code.c */
struct code_retired {
	struct dpage *dp;
	uint64_t gen; /* code_gen when it was retired */
};
int machine_code_init(struct machine *m);
void machine_code_destroy(struct machine *m);
struct dpage *machine_code_page(struct machine *m, uint64_t pa);
bool machine_code_invalidate(struct machine *m, uint64_t pa);
void machine_code_flush_all(struct machine *m);
/* A hart has filled a write-TLB entry for RAM page pa: false if the page
 * holds decoded code after all (the caller empties the entry again). */
bool machine_code_write_mapped(struct machine *m, struct hart *h, uint64_t pa);

/* A device wrote guest RAM [pa, pa+len) (DMA): marks the pages dirty and
 * drops their decoded code. Any thread. */
void machine_dma_written(struct machine *m, uint64_t pa, uint64_t len);

/* Dirty tracking (dirty.c) */
int machine_dirty_start(struct machine *m);
void machine_dirty_stop(struct machine *m, int id);
uint64_t machine_dirty_sync(struct machine *m, int id, uint64_t *out);
void machine_dirty_mark(struct machine *m, uint64_t pa, uint64_t len);

/* Guest clock (CLINT mtime) in timebase ticks. */
uint64_t machine_now_ticks(void);

#endif
