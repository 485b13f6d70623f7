/*
 * test_disks.c - disk images at a migration's switchover (machine/disks.c,
 * virtio_blk_flush/virtio_blk_reopen): the source's flush and the
 * destination's close-to-open reopen.
 *
 * A machine with two virtio-blk disks (a writable one in slot 7, a
 * read-only one in slot 6) on images in a fresh temporary directory. The
 * shared-storage case is played on one filesystem: another host's newer
 * version of the image is a second file renamed over the path. Before the
 * reopen the device still reads the old file (the stale view a destination
 * has of an image it opened before the source's last writes); after it, the
 * new one. A reopen that cannot work (image gone, size changed) must keep
 * the old fd and say why. A flush on one local filesystem can only be seen
 * to happen: the device counts the fdatasyncs it made.
 */
#include "unit_machine.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>

#include "devices/virtio_blk.h"

#define IMG_SIZE (64u * 1024)
#define SLOT_RW 7
#define SLOT_RO 6

struct fx {
	struct machine m;
	struct machine_config cfg;
	char dir[64], kernel[96], rw[96], ro[96], tmp[96];
	char id_rw[8], id_ro[8];
};

static void write_image(const char *path, char fill, size_t size)
{
	char buf[4096];
	int fd = open(path, O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC, 0600);

	assert_true(fd >= 0);
	memset(buf, fill, sizeof(buf));
	for (size_t off = 0; off < size; off += sizeof(buf))
		assert_int_equal(write(fd, buf, sizeof(buf)), (ssize_t)sizeof(buf));
	close(fd);
}

static int setup(void **state)
{
	static const uint32_t spin = 0x0000006f; /* j . */
	struct fx *f = calloc(1, sizeof(*f));
	int fd;

	if (!f)
		return -1;
	strcpy(f->dir, "/tmp/godwit-disks-XXXXXX");
	if (!mkdtemp(f->dir))
		goto fail;
	snprintf(f->kernel, sizeof(f->kernel), "%s/kernel", f->dir);
	snprintf(f->rw, sizeof(f->rw), "%s/rw.img", f->dir);
	snprintf(f->ro, sizeof(f->ro), "%s/ro.img", f->dir);
	snprintf(f->tmp, sizeof(f->tmp), "%s/new.img", f->dir);
	fd = open(f->kernel, O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, &spin, sizeof(spin)) != sizeof(spin))
		goto fail;
	close(fd);
	write_image(f->rw, 'A', IMG_SIZE);
	write_image(f->ro, 'R', IMG_SIZE);
	strcpy(f->id_rw, "rw");
	strcpy(f->id_ro, "ro");
	f->cfg.ram_size = 1ull << 20;
	f->cfg.kernel = f->kernel;
	f->cfg.bios = "none";
	f->cfg.drives[0].id = f->id_rw;
	f->cfg.drives[0].file = f->rw;
	f->cfg.drives[1].id = f->id_ro;
	f->cfg.drives[1].file = f->ro;
	f->cfg.drives[1].readonly = true;
	f->cfg.n_drives = 2;
	f->cfg.devices[0].kind = DEVICE_VIRTIO_BLK; /* slot 7 */
	f->cfg.devices[0].drive = f->id_rw;
	f->cfg.devices[1].kind = DEVICE_VIRTIO_BLK; /* slot 6 */
	f->cfg.devices[1].drive = f->id_ro;
	f->cfg.n_devices = 2;
	if (machine_init(&f->m, &f->cfg))
		goto fail;
	*state = f;
	return 0;
fail:
	free(f);
	return -1;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	machine_destroy(&f->m);
	unlink(f->kernel);
	unlink(f->rw);
	unlink(f->ro);
	unlink(f->tmp);
	rmdir(f->dir);
	free(f);
	return 0;
}

static struct virtio_blk *blk(struct fx *f, int slot)
{
	assert_int_equal(f->m.vio[slot].ops.device_id, VIRTIO_ID_BLOCK);
	assert_non_null(f->m.vio[slot].dev);
	return f->m.vio[slot].dev;
}

/* The first byte the device reads at offset 0 (through its fd). */
static char first_byte(struct virtio_blk *b)
{
	char c = 0;

	assert_int_equal(pread(b->bd.image->fd, &c, 1, 0), 1);
	return c;
}

static ino_t fd_inode(int fd)
{
	struct stat st;

	assert_int_equal(fstat(fd, &st), 0);
	return st.st_ino;
}

static ino_t path_inode(const char *path)
{
	struct stat st;

	assert_int_equal(stat(path, &st), 0);
	return st.st_ino;
}

static void test_flush(void **state)
{
	struct fx *f = *state;
	struct virtio_blk *rw = blk(f, SLOT_RW), *ro = blk(f, SLOT_RO);
	char err[256] = "";

	assert_int_equal(pwrite(rw->bd.image->fd, "W", 1, 0), 1);
	assert_int_equal(machine_disks_flush(&f->m, err, sizeof(err)), 0);
	assert_int_equal(machine_disks_flush(&f->m, err, sizeof(err)), 0);
	assert_int_equal(rw->bd.host_flushes, 2);
	assert_int_equal(ro->bd.host_flushes, 0); /* read-only: nothing to write back */
	assert_int_equal(err[0], 0);
}

/* The image was replaced at its path (another host's newer version): the
 * device reads the old file until the reopen, the new one after. */
static void test_reopen_sees_new_image(void **state)
{
	struct fx *f = *state;
	struct virtio_blk *rw = blk(f, SLOT_RW), *ro = blk(f, SLOT_RO);
	char err[256] = "";
	int old_fd = rw->bd.image->fd;

	write_image(f->tmp, 'B', IMG_SIZE);
	assert_int_equal(rename(f->tmp, f->rw), 0);
	assert_int_equal(first_byte(rw), 'A'); /* the stale view */
	assert_true(fd_inode(rw->bd.image->fd) != path_inode(f->rw));
	if (machine_disks_reopen(&f->m, err, sizeof(err)))
		print_error("reopen: %s\n", err);
	assert_int_equal(err[0], 0);
	assert_int_equal(first_byte(rw), 'B');
	assert_true(fd_inode(rw->bd.image->fd) == path_inode(f->rw));
	assert_true(fcntl(old_fd, F_GETFD) < 0 || old_fd == rw->bd.image->fd); /* old one closed */
	assert_int_equal(rw->bd.reopens, 1);
	assert_int_equal(ro->bd.reopens, 1);
	/* same flags as at start-up */
	assert_int_equal(fcntl(rw->bd.image->fd, F_GETFL) & O_ACCMODE, O_RDWR);
	assert_int_equal(fcntl(ro->bd.image->fd, F_GETFL) & O_ACCMODE, O_RDONLY);
	assert_true(fcntl(rw->bd.image->fd, F_GETFD) & FD_CLOEXEC);
	assert_int_equal(first_byte(ro), 'R');
}

static void test_reopen_size_changed(void **state)
{
	struct fx *f = *state;
	struct virtio_blk *rw = blk(f, SLOT_RW);
	char err[256] = "";
	int fd = rw->bd.image->fd;

	write_image(f->tmp, 'B', 2 * IMG_SIZE);
	assert_int_equal(rename(f->tmp, f->rw), 0);
	assert_int_equal(machine_disks_reopen(&f->m, err, sizeof(err)), -1);
	assert_non_null(strstr(err, f->rw));
	assert_non_null(strstr(err, "size 131072"));
	assert_null(strchr(err, '\n'));
	assert_int_equal(rw->bd.image->fd, fd); /* kept */
	assert_int_equal(first_byte(rw), 'A');
	assert_int_equal(rw->bd.reopens, 0);
}

static void test_reopen_image_gone(void **state)
{
	struct fx *f = *state;
	struct virtio_blk *rw = blk(f, SLOT_RW);
	char err[256] = "";
	int fd = rw->bd.image->fd;

	assert_int_equal(unlink(f->rw), 0);
	assert_int_equal(machine_disks_reopen(&f->m, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "No such file"));
	assert_int_equal(rw->bd.image->fd, fd);
	assert_int_equal(first_byte(rw), 'A');
}

/* A machine without disks: both are no-ops. */
static void test_no_disks(void **state)
{
	struct machine *m = *state;
	char err[64] = "";

	assert_int_equal(machine_disks_flush(m, err, sizeof(err)), 0);
	assert_int_equal(machine_disks_reopen(m, err, sizeof(err)), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_flush, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reopen_sees_new_image, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reopen_size_changed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reopen_image_gone, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_disks, um_setup, um_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
