/*
 * machine.c - the virt board: guest memory ranges, MMIO dispatch, the
 * decoded-code cache, and building a machine (RAM, ROM, devices, images).
 * The run loop is in runloop.c.
 *
 * Invariants: see machine.h.
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

uint64_t machine_now_ticks(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * MACHINE_TIMEBASE_HZ +
	       (uint64_t)ts.tv_nsec / (1000000000ull / MACHINE_TIMEBASE_HZ);
}

uint64_t machine_now_ns(void)
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
			pthread_mutex_lock(&m->dev_lock);
			if (write)
				r->write(r->opaque, pa - r->base, size, *val);
			else
				*val = r->read(r->opaque, pa - r->base, size);
			pthread_mutex_unlock(&m->dev_lock);
			if (write && r->wakes_io)
				machine_wake_io(m); /* it sleeps until the old deadline */
			return 0;
		}
	}
	return -1;
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

void machine_request_reset(struct machine *m)
{
	machine_run_lock(m);
	m->reset_requested = true; /* the I/O thread resets with the harts parked */
	machine_run_unlock(m);
	machine_gate_update(m);
	machine_wake_io(m);
}

/*
 * A warm reset, as a guest reboot does on QEMU: every hart and device
 * go back to their power-on state, the boot images are loaded again, and
 * decoded code is dropped. Guest time (CLINT, RTC offsets) goes on, disks
 * and their backends stay open, RAM outside the images keeps its contents.
 */
static void power_on_devices(struct machine *m, int in_fd, int out_fd);

int machine_reset(struct machine *m)
{
	int64_t clint_offset = m->clint.s.time_offset;
	int64_t rtc_offset = m->rtc.s.time_offset;
	int in_fd = m->uart.in_fd, out_fd = m->uart.out_fd;

	m->reset_requested = false;
	m->resets++;
	machine_code_flush_all(m);
	for (int i = 0; i < m->n_harts; i++)
		hart_reset(&m->harts[i], m, VIRT_ROM_BASE);
	power_on_devices(m, in_fd, out_fd);
	m->clint.s.time_offset = clint_offset;
	m->rtc.s.time_offset = rtc_offset;
	for (int i = 0; i < VIRT_VIRTIO_COUNT; i++)
		virtio_mmio_write(&m->vio[i], VIRTIO_MMIO_STATUS, 4, 0);
	/* the images are rewritten behind the CPU's back: all RAM may differ */
	machine_dirty_mark(m, m->ram.base, m->ram.size);
	return boot_load(m, m->cfg);
}

void machine_request_exit(struct machine *m, int code)
{
	if (!m->exited) {
		m->exited = true;
		m->exit_code = code;
	}
	machine_request_stop(m);
}

void machine_request_stop(struct machine *m)
{
	machine_run_lock(m);
	m->stop_requested = 1;
	machine_run_unlock(m);
	machine_gate_update(m);
	machine_wake_io(m);
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
	/* transparent huge pages: 512x fewer host page faults when RAM is
	 * first written (boot, or an incoming migration filling it) */
	if (!readonly)
		madvise(r->host, size, MADV_HUGEPAGE);
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

static uint64_t rtc_ns_until(void *opaque)
{
	return rtc_ns_to_alarm(opaque);
}

static void rtc_tick(void *opaque)
{
	rtc_update(opaque);
}

/* The board's fixed devices in their power-on state, wired to the PLIC
 * (used at start and by a warm reset). */
static void power_on_devices(struct machine *m, int in_fd, int out_fd)
{
	clint_init(&m->clint, m->harts, m->n_harts);
	plic_init(&m->plic, m->harts, m->n_harts);
	uart_init(&m->uart, in_fd, out_fd);
	m->uart.set_irq = plic_set_irq;
	m->uart.irq_opaque = &m->plic;
	m->uart.irq = VIRT_UART_IRQ;
	machine_console_wire(m);
	rtc_init(&m->rtc, plic_set_irq, &m->plic, VIRT_RTC_IRQ);
}

static int add_devices(struct machine *m)
{
	const struct mmio_region regs[] = {
		{ VIRT_TEST_BASE, VIRT_TEST_SIZE, finisher_read, finisher_write,
		  &m->finisher, "test", false },
		{ VIRT_CLINT_BASE, VIRT_CLINT_SIZE, clint_read, clint_write,
		  &m->clint, "clint", false },
		{ VIRT_UART_BASE, VIRT_UART_SIZE, uart_read, uart_write,
		  &m->uart, "uart", false },
		{ VIRT_PLIC_BASE, VIRT_PLIC_SIZE, plic_read, plic_write,
		  &m->plic, "plic", false },
		{ VIRT_RTC_BASE, VIRT_RTC_SIZE, rtc_read, rtc_write,
		  &m->rtc, "rtc", true },
	};
	const struct machine_timer_src rtc_timer = { rtc_ns_until, rtc_tick, &m->rtc };

	power_on_devices(m, STDIN_FILENO, STDOUT_FILENO);
	finisher_init(&m->finisher, m);
	m->has_plic = true;
	for (size_t i = 0; i < sizeof(regs) / sizeof(regs[0]); i++)
		if (machine_add_mmio(m, &regs[i]))
			return -1;
	return machine_timer_add(m, &rtc_timer);
}

int machine_init(struct machine *m, const struct machine_config *cfg)
{
	memset(m, 0, sizeof(*m));
	m->call_fd = -1;
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
	m->n_harts = cfg->smp ? cfg->smp : 1;
	if (m->n_harts < 1 || m->n_harts > MACHINE_MAX_HARTS) {
		fprintf(stderr, "godwit-vmm: -smp %d: 1 to %d harts\n", m->n_harts, MACHINE_MAX_HARTS);
		goto out_ram;
	}
	if (alloc_range(&m->rom, VIRT_ROM_BASE, VIRT_ROM_SIZE, true)) {
		fprintf(stderr, "godwit-vmm: cannot allocate the boot ROM\n");
		goto out_ram;
	}
	if (machine_code_init(m))
		goto out_rom;
	if (pthread_mutex_init(&m->dev_lock, NULL))
		goto out_code;
	if (machine_cpus_init(m))
		goto out_devlock;
	if (machine_runloop_init(m) || machine_call_init(m) || add_devices(m) ||
	    machine_slots_init(m, cfg))
		goto out_slots;
	m->cfg = cfg;
	if (boot_load(m, cfg))
		goto out_slots;
	return 0;
out_slots:
	machine_slots_destroy(m);
	machine_call_destroy(m);
	machine_cpus_destroy(m);
out_devlock:
	pthread_mutex_destroy(&m->dev_lock);
out_code:
	machine_code_destroy(m);
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
	machine_slots_destroy(m);
	machine_call_destroy(m);
	machine_cpus_destroy(m);
	pthread_mutex_destroy(&m->dev_lock);
	machine_code_destroy(m);
	free_range(&m->rom);
	free_range(&m->ram);
}

