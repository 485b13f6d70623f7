/*
 * options.c - command-line parsing for godwit-vmm. Every bad flag or value
 * is a one-line error naming it; nothing is started.
 */
#include "vmm/options.h"
#include "block/blockdev.h"
#include "devices/virtio_net.h"
#include "lib/uri.h"
#include "net/netdev.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
	"usage: godwit-vmm [options]\n"
	"  -m SIZE              guest RAM (default 128M; suffixes K, M, G)\n"
	"  -bios none|FILE      firmware (none: start -kernel directly in M-mode)\n"
	"  -kernel FILE         ELF or raw kernel image\n"
	"  -initrd FILE         initial ramdisk\n"
	"  -append STRING       kernel command line\n"
	"  -nographic           no display: serial console on stdio (the default)\n"
	"  -serial stdio|null|file:PATH|unix:PATH,server=on,wait=off|chardev:ID\n"
	"                       the UART's backend (default stdio; null with -daemonize)\n"
	"  -chardev stdio|null,id=ID | file,id=ID,path=PATH[,append=on]\n"
	"  -chardev socket,id=ID,path=PATH,server=on[,wait=off]\n"
	"                       a named backend for -serial chardev:ID\n"
	"  -display none, -monitor none  accepted as on QEMU (there is neither)\n"
	"  -name NAME | guest=NAME[,...]  process title and log prefix\n"
	"  -daemonize           detach once the VM is set up (the command exits 0)\n"
	"  -pidfile PATH        write the VMM's pid there (atomically); removed at exit\n"
	"  -D PATH              log the VMM's own messages there, with timestamps\n"
	"                       (SIGHUP reopens it)\n"
	"  -M, -machine virt    the board (only virt)\n"
	"  -smp N|cpus=N        number of harts, 1 to 8 (one host thread each)\n"
	"  -drive file=PATH,format=raw,id=ID[,if=none|virtio][,readonly=on]\n"
	"         [,cache=writeback|none|writethrough|directsync|unsafe]\n"
	"         [,werror=enospc|report|stop|ignore][,rerror=report|stop|ignore]\n"
	"                       a raw disk image\n"
	"  -device virtio-blk-device,drive=ID | virtio-rng-device\n"
	"  -device virtio-net-device,netdev=ID[,mac=52:54:00:12:34:56]\n"
	"  -netdev tap,id=ID,ifname=NAME[,script=no,downscript=no]\n"
	"  -netdev socket,id=ID,listen=[HOST]:PORT | connect=HOST:PORT\n"
	"  -netdev socket,id=ID,udp=HOST:PORT,localaddr=HOST:PORT\n"
	"                       a network backend for virtio-net-device\n"
	"  -qmp unix:PATH,server=on,wait=off   QMP control socket (QEMU protocol)\n"
	"  -incoming tcp:[HOST]:PORT | defer\n"
	"                       wait for a live migration (defer: until the QMP\n"
	"                       command migrate-incoming names the address)\n"
	"  -S                   do not start the guest (QMP cont starts it)\n"
	"  -dirty-tracking on|off  keep a dirty-page log synced every 50 ms\n"
	"                       (measures the cost migration's tracking adds)\n"
	"  -h, --help           this text\n"
	"  -version             print the version\n";

int vmm_parse_size(const char *s, uint64_t *out)
{
	unsigned long long v;
	char *end;
	uint64_t mul = 1ull << 20;

	if (strncmp(s, "size=", 5) == 0)
		s += 5;
	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno)
		return -1;
	switch (*end) {
	case '\0': break;
	case 'k': case 'K': mul = 1ull << 10; end++; break;
	case 'm': case 'M': mul = 1ull << 20; end++; break;
	case 'g': case 'G': mul = 1ull << 30; end++; break;
	case 'b': case 'B': mul = 1; end++; break;
	default: return -1;
	}
	if (*end != '\0' || v == 0 || v > (1ull << 46) / mul)
		return -1;
	*out = v * mul;
	return 0;
}

static int bad(const char *opt, const char *msg)
{
	fprintf(stderr, "godwit-vmm: %s: %s (try -h)\n", opt, msg);
	return -1;
}

/* -smp N or QEMU's -smp [cpus=]N[,maxcpus=N][,sockets=1][,cores=N]
 * [,threads=1]: N harts, 1..MACHINE_MAX_HARTS; the topology keys must agree
 * with N (no hot-plug, one socket, one thread per core). */
static int parse_smp(const char *v, int *out)
{
	char buf[128], *save = NULL, *tok;
	long cpus = -1, maxcpus = -1, cores = -1, one[2] = { 1, 1 };
	bool first = true;

	if (strlen(v) >= sizeof(buf))
		return -1;
	strcpy(buf, v);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save), first = false) {
		char *eq = strchr(tok, '='), *end;
		const char *key = eq ? tok : "cpus";
		const char *val = eq ? eq + 1 : tok;
		long n;

		if (!eq && !first)
			return -1;
		if (eq)
			*eq = '\0';
		errno = 0;
		n = strtol(val, &end, 10);
		if (errno || end == val || *end || n < 1 || n > MACHINE_MAX_HARTS)
			return -1;
		if (!strcmp(key, "cpus") && cpus < 0)
			cpus = n;
		else if (!strcmp(key, "maxcpus") && maxcpus < 0)
			maxcpus = n;
		else if (!strcmp(key, "cores") && cores < 0)
			cores = n;
		else if (!strcmp(key, "sockets"))
			one[0] = n;
		else if (!strcmp(key, "threads"))
			one[1] = n;
		else
			return -1;
	}
	if (cpus < 0)
		cpus = cores > 0 ? cores : maxcpus;
	if (cpus < 1 || (maxcpus > 0 && maxcpus != cpus) || (cores > 0 && cores != cpus) ||
	    one[0] != 1 || one[1] != 1)
		return -1;
	*out = (int)cpus;
	return 0;
}

static int add_chardev(struct machine_config *cfg, const char *opt, const char *v)
{
	struct chardev_config *c;
	char err[256];

	if (cfg->n_chardevs >= MACHINE_MAX_CHARDEVS)
		return bad(opt, "too many chardevs");
	c = &cfg->chardevs[cfg->n_chardevs];
	if (chardev_parse(v, c, err, sizeof(err)))
		return bad(opt, err);
	for (int i = 0; i < cfg->n_chardevs; i++)
		if (!strcmp(cfg->chardevs[i].id, c->id))
			return bad(opt, "duplicate id");
	cfg->n_chardevs++;
	return 0;
}

static int set_serial(struct machine_config *cfg, const char *opt, const char *v)
{
	char err[256];

	if (cfg->serial.kind != CHARDEV_NONE || cfg->serial.id[0])
		return bad(opt, "only one serial port (the virt board has one UART)");
	if (chardev_parse_serial(v, &cfg->serial, err, sizeof(err)))
		return bad(opt, err);
	return 0;
}

/* -name NAME or -name guest=NAME[,process=...,debug-threads=...] */
static int set_name(struct machine_config *cfg, const char *opt, const char *v)
{
	if (!strncmp(v, "guest=", 6)) {
		static char name[64];
		size_t n = strcspn(v + 6, ",");

		if (n == 0 || n >= sizeof(name))
			return bad(opt, "guest= is empty or too long");
		memcpy(name, v + 6, n);
		name[n] = '\0';
		cfg->name = name;
		return 0;
	}
	if (!*v || strchr(v, ','))
		return bad(opt, "expected NAME or guest=NAME");
	cfg->name = v;
	return 0;
}

/* -serial chardev:ID names a -chardev; the default console is stdio (null
 * when daemonized: there is no terminal). */
static int resolve_serial(struct machine_config *cfg)
{
	if (cfg->serial.kind == CHARDEV_NONE && cfg->serial.id[0]) {
		for (int i = 0; i < cfg->n_chardevs; i++)
			if (!strcmp(cfg->chardevs[i].id, cfg->serial.id)) {
				cfg->serial = cfg->chardevs[i];
				break;
			}
		if (cfg->serial.kind == CHARDEV_NONE) {
			fprintf(stderr, "godwit-vmm: -serial: chardev '%s' not found\n", cfg->serial.id);
			return -1;
		}
	}
	if (cfg->serial.kind == CHARDEV_NONE)
		cfg->serial.kind = cfg->daemonize ? CHARDEV_NULL : CHARDEV_STDIO;
	if (cfg->daemonize && cfg->serial.kind == CHARDEV_STDIO) {
		fprintf(stderr, "godwit-vmm: -daemonize: the console cannot be on stdio "
			"(use -serial file:, unix: or null)\n");
		return -1;
	}
	return 0;
}

/*
 * QEMU key=value lists: "a=1,b=2", with an optional leading positional
 * value (the driver of -device). Values are copied; ",," is not supported.
 * Calls fn(key, value) per pair (key NULL for the positional one).
 */
static int keyval_parse(const char *opt, const char *arg,
			int (*fn)(void *ctx, const char *opt, const char *k, const char *v),
			void *ctx)
{
	char *copy = strdup(arg), *save = NULL, *tok;
	int first = 1, r = 0;

	if (!copy)
		return bad(opt, "out of memory");
	for (tok = strtok_r(copy, ",", &save); tok && !r; tok = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(tok, '=');
		if (eq) {
			*eq = '\0';
			r = fn(ctx, opt, tok, eq + 1);
		} else if (first) {
			r = fn(ctx, opt, NULL, tok);
		} else {
			r = bad(opt, "expected key=value");
		}
		first = 0;
	}
	free(copy);
	return r;
}

static int dup_into(char **dst, const char *v, const char *opt)
{
	free(*dst);
	*dst = strdup(v);
	return *dst ? 0 : bad(opt, "out of memory");
}

static int drive_kv(void *ctx, const char *opt, const char *k, const char *v)
{
	struct drive_config *d = ctx;

	if (!k)
		return bad(opt, "expected key=value");
	if (!strcmp(k, "file"))
		return dup_into(&d->file, v, opt);
	if (!strcmp(k, "id"))
		return dup_into(&d->id, v, opt);
	if (!strcmp(k, "format"))
		return strcmp(v, "raw") ? bad(opt, "only format=raw is supported") : 0;
	if (!strcmp(k, "if")) {
		if (!strcmp(v, "virtio"))
			d->attached = true; /* QEMU shorthand: make a virtio-blk for it */
		else if (strcmp(v, "none"))
			return bad(opt, "if= must be none or virtio");
		return 0;
	}
	if (!strcmp(k, "readonly")) {
		if (!strcmp(v, "on"))
			d->readonly = true;
		else if (strcmp(v, "off"))
			return bad(opt, "readonly= must be on or off");
		return 0;
	}
	if (!strcmp(k, "cache")) {
		enum blk_cache c;

		if (blk_parse_cache(v, &c))
			return bad(opt, "cache= must be writeback, none, writethrough, directsync or unsafe");
		d->cache = (int)c;
		return 0;
	}
	if (!strcmp(k, "werror") || !strcmp(k, "rerror")) {
		enum blk_err_policy p;

		if (blk_parse_policy(v, k[0] == 'w', &p))
			return bad(opt, k[0] == 'w' ? "werror= must be report, ignore, enospc or stop"
						    : "rerror= must be report, ignore or stop");
		if (k[0] == 'w')
			d->werror = (int)p;
		else
			d->rerror = (int)p;
		return 0;
	}
	if (!strcmp(k, "aio") || !strcmp(k, "media") || !strcmp(k, "discard"))
		return 0; /* accepted for compatibility: godwit has its own I/O threads */
	return bad(opt, "unknown drive property");
}

static int device_kv(void *ctx, const char *opt, const char *k, const char *v)
{
	struct device_config *d = ctx;

	if (!k) {
		if (!strcmp(v, "virtio-blk-device"))
			d->kind = DEVICE_VIRTIO_BLK;
		else if (!strcmp(v, "virtio-rng-device"))
			d->kind = DEVICE_VIRTIO_RNG;
		else if (!strcmp(v, "virtio-net-device"))
			d->kind = DEVICE_VIRTIO_NET;
		else
			return bad(opt, "unknown device (virtio-blk-device, virtio-rng-device, virtio-net-device)");
		return 0;
	}
	if (!strcmp(k, "drive"))
		return dup_into(&d->drive, v, opt);
	if (!strcmp(k, "netdev"))
		return dup_into(&d->netdev, v, opt);
	if (!strcmp(k, "mac"))
		return dup_into(&d->mac, v, opt);
	if (!strcmp(k, "id") || !strcmp(k, "rng"))
		return 0;
	return bad(opt, "unknown device property");
}

static int add_drive(struct machine_config *cfg, const char *opt, const char *v)
{
	struct drive_config *d;

	if (cfg->n_drives >= MACHINE_MAX_DRIVES)
		return bad(opt, "too many drives");
	d = &cfg->drives[cfg->n_drives++];
	d->cache = BLK_CACHE_WRITEBACK;
	d->werror = BLK_ERR_ENOSPC; /* QEMU's defaults */
	d->rerror = BLK_ERR_REPORT;
	if (keyval_parse(opt, v, drive_kv, d))
		return -1;
	if (!d->file)
		return bad(opt, "file= is required");
	if (d->attached) { /* if=virtio */
		struct device_config *dev;
		if (cfg->n_devices >= MACHINE_MAX_DEVICES)
			return bad(opt, "too many devices");
		dev = &cfg->devices[cfg->n_devices++];
		dev->kind = DEVICE_VIRTIO_BLK;
		if (!d->id && asprintf(&d->id, "virtio-drive%d", cfg->n_drives) < 0)
			return bad(opt, "out of memory");
		return dup_into(&dev->drive, d->id, opt);
	}
	if (!d->id)
		return bad(opt, "id= is required (or if=virtio)");
	return 0;
}

static struct drive_config *find_drive(struct machine_config *cfg, const char *id)
{
	for (int i = 0; i < cfg->n_drives; i++)
		if (cfg->drives[i].id && !strcmp(cfg->drives[i].id, id))
			return &cfg->drives[i];
	return NULL;
}

static int add_device(struct machine_config *cfg, const char *opt, const char *v)
{
	struct device_config *d;

	if (cfg->n_devices >= MACHINE_MAX_DEVICES)
		return bad(opt, "too many devices");
	d = &cfg->devices[cfg->n_devices++];
	d->kind = (enum device_kind)-1;
	if (keyval_parse(opt, v, device_kv, d))
		return -1;
	if ((int)d->kind < 0)
		return bad(opt, "missing device driver name");
	if (d->kind == DEVICE_VIRTIO_BLK && !d->drive)
		return bad(opt, "virtio-blk-device needs drive=ID");
	if (d->kind == DEVICE_VIRTIO_NET && !d->netdev)
		return bad(opt, "virtio-net-device needs netdev=ID");
	if (d->mac) {
		uint8_t mac[6];
		char err[128];

		if (d->kind != DEVICE_VIRTIO_NET)
			return bad(opt, "mac= is only for virtio-net-device");
		if (virtio_net_parse_mac(d->mac, mac, err, sizeof(err)))
			return bad(opt, err);
	}
	return 0;
}

static int add_netdev(struct machine_config *cfg, const char *opt, const char *v)
{
	struct netdev_config *c;
	char err[256];

	if (cfg->n_netdevs >= MACHINE_MAX_NETDEVS)
		return bad(opt, "too many netdevs");
	c = &cfg->netdevs[cfg->n_netdevs];
	if (netdev_parse(v, c, err, sizeof(err)))
		return bad(opt, err);
	for (int i = 0; i < cfg->n_netdevs; i++)
		if (!strcmp(cfg->netdevs[i].id, c->id))
			return bad(opt, "duplicate id");
	cfg->n_netdevs++;
	return 0;
}

/* Every drive= names a -drive, every netdev= a -netdev, and each is used
 * at most once. */
static int check_references(struct machine_config *cfg)
{
	bool net_used[MACHINE_MAX_NETDEVS] = { false };

	for (int i = 0; i < cfg->n_devices; i++) {
		struct device_config *d = &cfg->devices[i];
		struct drive_config *drv;

		if (d->kind == DEVICE_VIRTIO_NET) {
			int k = 0;

			while (k < cfg->n_netdevs && strcmp(cfg->netdevs[k].id, d->netdev))
				k++;
			if (k == cfg->n_netdevs) {
				fprintf(stderr, "godwit-vmm: -device: netdev '%s' not found\n", d->netdev);
				return -1;
			}
			if (net_used[k]) {
				fprintf(stderr, "godwit-vmm: -device: netdev '%s' is already in use\n",
					d->netdev);
				return -1;
			}
			net_used[k] = true;
			continue;
		}
		if (d->kind != DEVICE_VIRTIO_BLK)
			continue;
		drv = find_drive(cfg, d->drive);
		if (!drv) {
			fprintf(stderr, "godwit-vmm: -device: drive '%s' not found\n", d->drive);
			return -1;
		}
		if (drv->attached && !strncmp(d->drive, "virtio-drive", 12))
			continue; /* made by if=virtio */
		if (drv->attached) {
			fprintf(stderr, "godwit-vmm: -device: drive '%s' is already in use\n", d->drive);
			return -1;
		}
		drv->attached = true;
	}
	return 0;
}

void vmm_options_free(struct machine_config *cfg)
{
	for (int i = 0; i < cfg->n_drives; i++) {
		free(cfg->drives[i].id);
		free(cfg->drives[i].file);
	}
	for (int i = 0; i < cfg->n_devices; i++) {
		free(cfg->devices[i].drive);
		free(cfg->devices[i].netdev);
		free(cfg->devices[i].mac);
	}
	cfg->n_drives = cfg->n_devices = 0;
}

int vmm_options_parse(int argc, char **argv, struct machine_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->ram_size = 128ull << 20;
	for (int i = 1; i < argc; i++) {
		const char *o = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (o[0] == '-' && o[1] == '-' && o[2])
			o++; /* accept --opt as QEMU does */
		if (!strcmp(o, "-h") || !strcmp(o, "-help")) {
			fputs(usage, stdout);
			return 1;
		}
		if (!strcmp(o, "-version")) {
			puts("godwit-vmm 0.1 (riscv64 virt)");
			return 1;
		}
		if (!strcmp(o, "-nographic"))
			continue;
		if (!strcmp(o, "-S")) {
			cfg->start_paused = true;
			continue;
		}
		if (!strcmp(o, "-daemonize")) {
			cfg->daemonize = true;
			continue;
		}
		if (!v && (!strcmp(o, "-m") || !strcmp(o, "-bios") || !strcmp(o, "-kernel") ||
			   !strcmp(o, "-initrd") || !strcmp(o, "-append") || !strcmp(o, "-M") ||
			   !strcmp(o, "-machine") || !strcmp(o, "-smp") ||
			   !strcmp(o, "-dirty-tracking") || !strcmp(o, "-drive") ||
			   !strcmp(o, "-device") || !strcmp(o, "-qmp") || !strcmp(o, "-netdev") ||
			   !strcmp(o, "-incoming") || !strcmp(o, "-serial") ||
			   !strcmp(o, "-chardev") || !strcmp(o, "-name") || !strcmp(o, "-pidfile") ||
			   !strcmp(o, "-D") || !strcmp(o, "-display") || !strcmp(o, "-monitor")))
			return bad(o, "missing value");
		if (!strcmp(o, "-m")) {
			if (vmm_parse_size(v, &cfg->ram_size))
				return bad(o, "invalid size");
		} else if (!strcmp(o, "-bios")) {
			cfg->bios = v;
		} else if (!strcmp(o, "-kernel")) {
			cfg->kernel = v;
		} else if (!strcmp(o, "-initrd")) {
			cfg->initrd = v;
		} else if (!strcmp(o, "-append")) {
			cfg->append = v;
		} else if (!strcmp(o, "-M") || !strcmp(o, "-machine")) {
			if (strcmp(v, "virt") && strncmp(v, "virt,", 5))
				return bad(o, "only the 'virt' machine is supported");
		} else if (!strcmp(o, "-smp")) {
			if (parse_smp(v, &cfg->smp))
				return bad(o, "wants N or cpus=N[,...] with N from 1 to 8 (and maxcpus, sockets, cores, threads matching)");
		} else if (!strcmp(o, "-drive")) {
			if (add_drive(cfg, o, v))
				return -1;
		} else if (!strcmp(o, "-device")) {
			if (add_device(cfg, o, v))
				return -1;
		} else if (!strcmp(o, "-netdev")) {
			if (add_netdev(cfg, o, v))
				return -1;
		} else if (!strcmp(o, "-qmp")) {
			cfg->qmp = v;
		} else if (!strcmp(o, "-serial")) {
			if (set_serial(cfg, o, v))
				return -1;
		} else if (!strcmp(o, "-chardev")) {
			if (add_chardev(cfg, o, v))
				return -1;
		} else if (!strcmp(o, "-name")) {
			if (set_name(cfg, o, v))
				return -1;
		} else if (!strcmp(o, "-display") || !strcmp(o, "-monitor")) {
			if (strcmp(v, "none"))
				return bad(o, "only 'none' is supported (the console is -serial)");
		} else if (!strcmp(o, "-pidfile")) {
			if (!*v)
				return bad(o, "empty path");
			cfg->pidfile = v;
		} else if (!strcmp(o, "-D")) {
			if (!*v)
				return bad(o, "empty path");
			cfg->logfile = v;
		} else if (!strcmp(o, "-incoming")) {
			struct uri u;
			char why[300];

			if (strcmp(v, "defer") && uri_parse(v, true, &u, why, sizeof(why)))
				return bad(o, "expected tcp:[HOST]:PORT or defer");
			cfg->incoming = v;
		} else if (!strcmp(o, "-dirty-tracking")) {
			if (!strcmp(v, "on"))
				cfg->dirty_tracking = true;
			else if (strcmp(v, "off"))
				return bad(o, "expected on or off");
		} else {
			return bad(o, "unknown option");
		}
		i++;
	}
	if (!cfg->kernel && !cfg->bios)
		return bad("-kernel", "no kernel or firmware given");
	if (resolve_serial(cfg))
		return -1;
	return check_references(cfg);
}
