/*
 * disk.c - godwit.disktest=BOOTS: proves that virtio-blk writes survive a
 * guest reboot. /dev/vda holds an ext2 filesystem (the host makes it with
 * mke2fs); each boot mounts it, reads /mnt/godwit-disktest written by the
 * previous boot, checks its pattern, writes the next generation, syncs, and
 * asks for a reboot until BOOTS boots have run, then for a power-off.
 *
 * Output (one line each, for tests to match):
 *   disk: read generation N: OK | BAD (...) | none
 *   disk: wrote generation N
 *   disk: test done after N boots
 */
#include "init.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#define DISK_DEV "/dev/vda"
#define DISK_MNT "/mnt"
#define DISK_FILE DISK_MNT "/godwit-disktest"
#define DISK_BYTES (256 * 1024)

static unsigned char buf[DISK_BYTES];

/* The content of generation g: a header line, then bytes that depend on
 * both the offset and g, so a stale or torn file cannot pass. */
static void pattern(uint32_t g)
{
	int n = snprintf((char *)buf, 64, "godwit disktest generation %u\n", g);

	for (size_t i = (size_t)n; i < DISK_BYTES; i++)
		buf[i] = (unsigned char)((i * 131u) ^ (g * 7919u) ^ (i >> 9));
}

static uint32_t read_generation(void)
{
	static unsigned char got[DISK_BYTES];
	unsigned g = 0;
	ssize_t n;
	int fd = open(DISK_FILE, O_RDONLY);

	if (fd < 0) {
		gw_say("disk: read generation 0: none (%s)", strerror(errno));
		return 0;
	}
	n = read(fd, got, sizeof(got));
	close(fd);
	if (n != DISK_BYTES || sscanf((char *)got, "godwit disktest generation %u", &g) != 1) {
		gw_say("disk: read generation ?: BAD (short or unreadable file, %zd bytes)", n);
		return 0;
	}
	pattern(g);
	if (memcmp(got, buf, DISK_BYTES) != 0) {
		gw_say("disk: read generation %u: BAD (content differs)", g);
		return g;
	}
	gw_say("disk: read generation %u: OK", g);
	return g;
}

static int write_generation(uint32_t g)
{
	int fd = open(DISK_FILE, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	ssize_t n;

	if (fd < 0) {
		gw_say("disk: create %s: %s", DISK_FILE, strerror(errno));
		return -1;
	}
	pattern(g);
	n = write(fd, buf, DISK_BYTES);
	if (n != DISK_BYTES || fsync(fd) != 0) {
		gw_say("disk: write generation %u failed: %s", g, strerror(errno));
		close(fd);
		return -1;
	}
	close(fd);
	gw_say("disk: wrote generation %u", g);
	return 0;
}

/* Returns 1 to ask for a reboot, 2 for a power-off, 0 when not configured
 * or on error (the guest then just keeps running). */
int gw_disk_test(const struct gw_config *cfg)
{
	uint32_t g;

	if (!cfg->have_disktest)
		return 0;
	mkdir(DISK_MNT, 0755);
	if (mount(DISK_DEV, DISK_MNT, "ext2", 0, NULL) != 0) {
		gw_say("disk: mount %s: %s", DISK_DEV, strerror(errno));
		return 0;
	}
	g = read_generation() + 1;
	if (write_generation(g) != 0) {
		umount(DISK_MNT);
		return 0;
	}
	sync();
	if (umount(DISK_MNT) != 0)
		gw_say("disk: umount: %s", strerror(errno));
	if (g >= cfg->disktest_boots) {
		gw_say("disk: test done after %u boots", g);
		return 2;
	}
	return 1;
}
