/*
 * machine.c - the virt board: guest memory ranges, MMIO dispatch, the
 * decoded-code cache, and the run loop that alternates between the hart and
 * host events (timer, console input, WFI sleep).
 *
 * Invariants: see machine.h. The run loop never sleeps while an enabled
 * interrupt is pending, and never sleeps past the CLINT deadline.
 */
#include "machine/machine.h"
#include "cpu/dpage.h"
#include "machine/boot.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define MACHINE_SLICE 200000
#define MACHINE_MAX_DPAGES 4096
#define DIRTY_SYNC_NS 50000000ull

uint64_t machine_now_ticks(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * MACHINE_TIMEBASE_HZ +
	       (uint64_t)ts.tv_nsec / (1000000000ull / MACHINE_TIMEBASE_HZ);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

struct mem_range *machine_range(struct machine *m, uint64_t pa)
{
	if (pa - m->ram.base < m->ram.size)
		return &m->ram;
	if (pa - m->rom.base < m->rom.size)
		return &m->rom;
	return NULL;
}

uint8_t *machine_ram_ptr(struct machine *m, uint64_t pa, uint64_t len)
{
	if (pa < m->ram.base || len > m->ram.size ||
	    pa - m->ram.base > m->ram.size - len)
		return NULL;
	return m->ram.host + (pa - m->ram.base);
}

int machine_add_mmio(struct machine *m, const struct mmio_region *r)
{
	if (m->n_mmio >= MACHINE_MAX_MMIO)
		return -1;
	m->mmio[m->n_mmio++] = *r;
	return 0;
}

int machine_phys_access(struct machine *m, uint64_t pa, int size, bool write,
			uint64_t *val)
{
	for (int i = 0; i < m->n_mmio; i++) {
		struct mmio_region *r = &m->mmio[i];
		if (pa - r->base < r->size && pa - r->base + (uint64_t)size <= r->size) {
			if (write)
				r->write(r->opaque, pa - r->base, size, *val);
			else
				*val = r->read(r->opaque, pa - r->base, size);
			return 0;
		}
	}
	return -1;
}

void machine_code_flush_all(struct machine *m)
{
	struct mem_range *ranges[2] = { &m->ram, &m->rom };

	for (int k = 0; k < 2; k++) {
		uint64_t pages = ranges[k]->size >> HART_PAGE_SHIFT;
		for (uint64_t i = 0; i < pages; i++) {
			free(ranges[k]->code[i]);
			ranges[k]->code[i] = NULL;
		}
	}
	m->n_dpages = 0;
	hart_tlb_flush(&m->hart);
}

struct dpage *machine_code_page(struct machine *m, uint64_t pa)
{
	struct mem_range *r = machine_range(m, pa);
	uint64_t idx;

	if (!r)
		return NULL;
	idx = (pa - r->base) >> HART_PAGE_SHIFT;
	if (!r->code[idx]) {
		if (m->n_dpages >= MACHINE_MAX_DPAGES)
			machine_code_flush_all(m);
		r->code[idx] = calloc(1, sizeof(struct dpage));
		if (!r->code[idx])
			return NULL;
		exec_dpage_init(r->code[idx]);
		m->n_dpages++;
		/* stores to this page must now take the slow path */
		hart_tlb_drop_ppn(&m->hart, pa >> HART_PAGE_SHIFT);
	}
	return r->code[idx];
}

bool machine_code_invalidate(struct machine *m, uint64_t pa)
{
	struct mem_range *r = machine_range(m, pa);
	uint64_t idx;

	if (!r)
		return false;
	idx = (pa - r->base) >> HART_PAGE_SHIFT;
	if (!r->code[idx])
		return false;
	free(r->code[idx]);
	r->code[idx] = NULL;
	m->n_dpages--;
	hart_tlb_drop_ppn(&m->hart, pa >> HART_PAGE_SHIFT);
	return true;
}

void machine_dma_written(struct machine *m, uint64_t pa, uint64_t len)
{
	uint64_t page, end;

	if (len == 0)
		return;
	machine_dirty_mark(m, pa, len);
	end = pa + len - 1;
	for (page = pa & ~(HART_PAGE_SIZE - 1); page <= end; page += HART_PAGE_SIZE) {
		machine_code_invalidate(m, page);
		if (page + HART_PAGE_SIZE < page)
			break;
	}
}

void machine_request_exit(struct machine *m, int code)
{
	if (!m->exited) {
		m->exited = true;
		m->exit_code = code;
	}
	m->stop_requested = 1;
}

static int alloc_range(struct mem_range *r, uint64_t base, uint64_t size,
		       bool readonly)
{
	r->base = base;
	r->size = size;
	r->readonly = readonly;
	r->host = mmap(NULL, size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (r->host == MAP_FAILED) {
		r->host = NULL;
		return -1;
	}
	r->code = calloc(size >> HART_PAGE_SHIFT, sizeof(*r->code));
	if (!r->code) {
		munmap(r->host, size);
		r->host = NULL;
		return -1;
	}
	return 0;
}

static void free_range(struct mem_range *r)
{
	if (r->code) {
		for (uint64_t i = 0; i < r->size >> HART_PAGE_SHIFT; i++)
			free(r->code[i]);
		free(r->code);
		r->code = NULL;
	}
	if (r->host)
		munmap(r->host, r->size);
	r->host = NULL;
}

static int add_devices(struct machine *m)
{
	const struct mmio_region regs[] = {
		{ VIRT_TEST_BASE, VIRT_TEST_SIZE, finisher_read, finisher_write,
		  &m->finisher, "test" },
		{ VIRT_CLINT_BASE, VIRT_CLINT_SIZE, clint_read, clint_write,
		  &m->clint, "clint" },
		{ VIRT_UART_BASE, VIRT_UART_SIZE, uart_read, uart_write,
		  &m->uart, "uart" },
	};

	clint_init(&m->clint, &m->hart);
	uart_init(&m->uart, STDIN_FILENO, STDOUT_FILENO);
	finisher_init(&m->finisher, m);
	for (size_t i = 0; i < sizeof(regs) / sizeof(regs[0]); i++)
		if (machine_add_mmio(m, &regs[i]))
			return -1;
	return 0;
}

int machine_init(struct machine *m, const struct machine_config *cfg)
{
	memset(m, 0, sizeof(*m));
	if (cfg->ram_size < (1ull << 20) || (cfg->ram_size & (HART_PAGE_SIZE - 1))) {
		fprintf(stderr, "godwit-vmm: RAM size must be a multiple of 4 KiB and at least 1 MiB\n");
		return -1;
	}
	if (alloc_range(&m->ram, VIRT_DRAM_BASE, cfg->ram_size, false)) {
		fprintf(stderr, "godwit-vmm: cannot allocate %llu MiB of guest RAM: %s\n",
			(unsigned long long)(cfg->ram_size >> 20), strerror(errno));
		return -1;
	}
	m->ram_pages = cfg->ram_size >> HART_PAGE_SHIFT;
	if (alloc_range(&m->rom, VIRT_ROM_BASE, VIRT_ROM_SIZE, true)) {
		fprintf(stderr, "godwit-vmm: cannot allocate the boot ROM\n");
		goto out_ram;
	}
	hart_reset(&m->hart, m, VIRT_ROM_BASE);
	if (add_devices(m))
		goto out_rom;
	if (boot_load(m, cfg))
		goto out_rom;
	return 0;
out_rom:
	free_range(&m->rom);
out_ram:
	free_range(&m->ram);
	return -1;
}

void machine_destroy(struct machine *m)
{
	for (int i = 0; i < MACHINE_MAX_DIRTY; i++)
		machine_dirty_stop(m, i);
	free_range(&m->rom);
	free_range(&m->ram);
}

/* Ctrl-A x quits, Ctrl-A Ctrl-A sends one Ctrl-A; returns bytes kept. */
static ssize_t console_filter(struct machine *m, uint8_t *buf, ssize_t n)
{
	ssize_t out = 0;

	for (ssize_t i = 0; i < n; i++) {
		uint8_t c = buf[i];
		if (m->escape_pending) {
			m->escape_pending = false;
			if (c == 'x') {
				fprintf(stderr, "\r\ngodwit-vmm: terminated from the console\r\n");
				machine_request_exit(m, 0);
				return out;
			}
			if (c != 0x01)
				continue;
		} else if (c == 0x01) {
			m->escape_pending = true;
			continue;
		}
		buf[out++] = c;
	}
	return out;
}

/* Feed pending console input to the UART without blocking. */
static void poll_console(struct machine *m, int timeout_ms)
{
	struct pollfd p = { .fd = m->uart.in_fd, .events = POLLIN };
	uint8_t buf[UART_FIFO_SIZE];
	ssize_t n;

	if (m->uart.in_fd < 0 || !uart_can_receive(&m->uart)) {
		if (timeout_ms > 0)
			poll(NULL, 0, timeout_ms);
		return;
	}
	if (poll(&p, 1, timeout_ms) <= 0)
		return;
	if (p.revents & (POLLERR | POLLNVAL)) {
		m->uart.in_fd = -1;
		return;
	}
	n = read(m->uart.in_fd, buf, UART_FIFO_SIZE - m->uart.s.rx_count);
	if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
		m->uart.in_fd = -1; /* end of input: stop polling it */
		return;
	}
	if (n > 0 && m->console_escape)
		n = console_filter(m, buf, n);
	if (n > 0)
		uart_receive(&m->uart, buf, (int)n);
}

/* WFI: sleep until the timer deadline or console input, at most 100 ms. */
static void idle_wait(struct machine *m)
{
	uint64_t ticks = clint_ticks_to_deadline(&m->clint);
	uint64_t ms = ticks == UINT64_MAX ? 100 : ticks / (MACHINE_TIMEBASE_HZ / 1000);

	if (ms > 100)
		ms = 100;
	if (ms == 0 && ticks > 0) {
		struct timespec ts = { 0, (long)(ticks * (1000000000ull / MACHINE_TIMEBASE_HZ)) };
		nanosleep(&ts, NULL);
		return;
	}
	poll_console(m, (int)ms);
}

int machine_run(struct machine *m, const struct machine_config *cfg)
{
	uint64_t start_ns = now_ns(), next_sync = start_ns + DIRTY_SYNC_NS;
	uint64_t *scratch = NULL;
	int dirty_id = -1;

	if (cfg->dirty_tracking) {
		scratch = calloc((m->ram_pages + 63) / 64, sizeof(uint64_t));
		dirty_id = scratch ? machine_dirty_start(m) : -1;
		if (dirty_id < 0) {
			fprintf(stderr, "godwit-vmm: cannot start dirty tracking\n");
			free(scratch);
			return 1;
		}
	}
	while (!m->stop_requested) {
		clint_update(&m->clint);
		poll_console(m, 0);
		hart_run(&m->hart, MACHINE_SLICE);
		if (dirty_id >= 0 && now_ns() >= next_sync) {
			machine_dirty_sync(m, dirty_id, scratch);
			next_sync = now_ns() + DIRTY_SYNC_NS;
		}
		if (m->hart.s.wfi && !m->stop_requested) {
			clint_update(&m->clint);
			if (!hart_interrupt_pending(&m->hart))
				idle_wait(m);
		}
	}
	if (getenv("GODWIT_STATS")) {
		double secs = (double)(now_ns() - start_ns) / 1e9;
		fprintf(stderr, "godwit-vmm: %llu instructions in %.3f s (%.1f MIPS), %zu code pages\n",
			(unsigned long long)m->hart.s.minstret, secs,
			(double)m->hart.s.minstret / secs / 1e6, m->n_dpages);
	}
	if (dirty_id >= 0) {
		fprintf(stderr, "godwit-vmm: dirty tracking: %llu syncs\n",
			(unsigned long long)m->dirty_syncs);
		machine_dirty_stop(m, dirty_id);
	}
	free(scratch);
	return m->exit_code;
}
