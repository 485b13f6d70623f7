/*
 * main.c - the migtest guest: reads the device tree and boot arguments, lays
 * out and fills the test region, then loops forever: each period it sleeps
 * on the RTC alarm until the period's planned start, touches its share of
 * pages, checks its share of the region (verify=1), and once a second
 * prints a heartbeat with the wake-up lateness seen (the guest-visible gap
 * a migration's downtime leaves). On an SMP board the other harts run too
 * (harts.c), each checking a page and a register of its own.
 *
 * Schedule invariant: wakes are planned at t0 + k * period (t0 = RTC time
 * when the fill ended), and the next planned wake is always the first such
 * time after the current wake. A late wake does the work of the periods it
 * missed too, so host jitter does not lower the dirty rate, unless it is
 * later than CATCHUP_NS: then the VM was paused (say, a migration's
 * downtime), and the missed periods are dropped rather than replayed as a
 * burst. Either way the lateness is reported.
 */
#include "migtest.h"

#define NS_PER_MS 1000000ull
#define NS_PER_S 1000000000ull
#define SLACK (1ull * MT_MIB) /* left free below the end of RAM */
#define CATCHUP_NS (100ull * NS_PER_MS)

extern char _end[];

void mt_trap(uint64_t cause, uint64_t epc, uint64_t tval);
int main(uint64_t hartid, uintptr_t fdt);

struct run {
	uint64_t t0;          /* RTC ns at the end of the fill */
	uint64_t period_ns;
	uint64_t planned;     /* RTC ns of the next wake */
	uint64_t next_hb;     /* RTC ns of the next heartbeat */
	uint64_t hb;          /* heartbeats printed */
	uint64_t gap_ns, maxgap_ns; /* max lateness: this second, overall */
	uint64_t mtime;       /* last CLINT mtime read */
	uint64_t touch_acc, verify_acc; /* bytes owed, below one page */
};

static struct mt_config cfg;
static struct region reg;
static struct run run;
static char bootargs[1024];

void mt_trap(uint64_t cause, uint64_t epc, uint64_t tval)
{
	out_kv("migtest: unexpected trap mcause=", cause);
	out_kv(" mepc=", epc);
	out_kv(" mtval=", tval);
	out_str(", halted\n");
}

/* Pages owed for `periods` periods at `mbps` MB/s; carries the remainder. */
static uint64_t share(uint64_t mbps, uint64_t periods, uint64_t *acc)
{
	uint64_t n;

	*acc += mbps * cfg.period_ms * 1000 * periods; /* bytes */
	n = *acc / MT_PAGE;
	*acc %= MT_PAGE;
	return n;
}

static void heartbeat(uint64_t now)
{
	out_kv("hb ", ++run.hb);
	out_kv(" t_ms=", (now - run.t0) / NS_PER_MS);
	out_kv(" touches=", reg.touches);
	out_kv(" gap_us=", run.gap_ns / 1000);
	out_kv(" maxgap_us=", run.maxgap_ns / 1000);
	out_kv(" mtime=", run.mtime);
	out_str("\n");
	harts_report();
	run.gap_ns = 0;
	/* the next whole second after t0 that is still ahead */
	run.next_hb = run.t0 + ((now - run.t0) / NS_PER_S + 1) * NS_PER_S;
}

static void wake(void)
{
	uint64_t now = clock_rtc_ns(), mtime = clock_mtime();
	uint64_t late = now > run.planned ? now - run.planned : 0;
	uint64_t periods = late <= CATCHUP_NS ? 1 + late / run.period_ns : 1;

	if (late > run.gap_ns)
		run.gap_ns = late;
	if (late > run.maxgap_ns)
		run.maxgap_ns = late;
	if (mtime < run.mtime) {
		out_kv("mtime BACKWARDS ", run.mtime);
		out_kv(" ", mtime);
		out_str("\n");
	}
	run.mtime = mtime;
	if (cfg.verify)
		region_check_last(&reg);
	region_touch(&reg, share(cfg.rate, periods, &run.touch_acc));
	if (cfg.verify)
		region_verify(&reg, share(cfg.vrate, periods, &run.verify_acc));
	harts_kick();
	if (now >= run.next_hb)
		heartbeat(now);
	if (now >= run.planned) /* the first planned time after now */
		run.planned = now - (now - run.t0) % run.period_ns + run.period_ns;
}

static void loop(void)
{
	run.t0 = clock_rtc_ns();
	run.period_ns = cfg.period_ms * NS_PER_MS;
	run.planned = run.t0 + run.period_ns;
	run.next_hb = run.t0 + NS_PER_S;
	run.mtime = clock_mtime();
	for (;;) {
		clock_sleep_until(run.planned);
		wake();
	}
}

/* Lay out the region between the program's end and the end of RAM. */
static int layout(const struct fdt_info *fi)
{
	uint64_t lo = ((uintptr_t)_end + MT_PAGE - 1) & ~(MT_PAGE - 1), hi;
	uint64_t want = cfg.mem_mib * (MT_MIB / MT_PAGE);

	if (fi->has_mem) {
		hi = fi->mem_base + fi->mem_size;
		hi = hi > SLACK ? (hi - SLACK) & ~(MT_PAGE - 1) : 0;
	} else if (want) {
		hi = lo + ((want * sizeof(uint64_t) + MT_PAGE - 1) & ~(MT_PAGE - 1)) +
		     want * MT_PAGE; /* RAM size unknown: trust mem= */
	} else {
		out_str("migtest: no memory node in the device tree and no mem=, halted\n");
		return -1;
	}
	if (region_layout(&reg, lo, hi, want)) {
		out_kv("migtest: mem=", cfg.mem_mib);
		out_kv(" does not fit in RAM (max ",
		       region_layout(&reg, lo, hi, 0) ? 0 : reg.pages * MT_PAGE / MT_MIB);
		out_str("), halted\n");
		return -1;
	}
	reg.random = cfg.fill_random;
	return 0;
}

int main(uint64_t hartid, uintptr_t fdt)
{
	struct fdt_info fi;
	uint64_t t;

	(void)hartid;
	if (fdt_scan(fdt, &fi, bootargs, sizeof(bootargs)))
		out_str("migtest: warning: no valid device tree at a1\n");
	args_parse(bootargs, &cfg);
	if (layout(&fi))
		return 1;
	out_kv("migtest: mem=", reg.pages * MT_PAGE / MT_MIB);
	out_str(cfg.fill_random ? " fill=random" : " fill=zero");
	out_kv(" rate=", cfg.rate);
	out_kv(" period=", cfg.period_ms);
	out_kv(" pages=", reg.pages);
	out_kv(" verify=", (uint64_t)cfg.verify);
	out_str("\n");
	clock_init();
	t = clock_rtc_ns();
	region_fill(&reg);
	out_kv("migtest ready fill_ms=", (clock_rtc_ns() - t) / NS_PER_MS);
	out_str("\n");
	harts_start(fi.cpus);
	loop();
	return 0;
}
