/*
 * fdt.c - the device tree handed to the guest in a1, built with libfdt.
 *
 * Mirrors the nodes QEMU's virt board generates for the devices godwit has,
 * at the same paths, so firmware and kernels that boot on one boot on the
 * other.
 */
#include "machine/boot.h"
#include "machine/machine.h"

#include <libfdt.h>
#include <stdio.h>

#define PH_TEST 2
#define PH_PLIC 3
#define PH_CPU_INTC(i) (16 + (uint32_t)(i)) /* hart i's local interrupt controller */

#define TRY(x) do { if ((err = (x)) < 0) goto out; } while (0)

static int prop_reg(void *fdt, uint64_t base, uint64_t size)
{
	fdt64_t r[2] = { cpu_to_fdt64(base), cpu_to_fdt64(size) };
	return fdt_property(fdt, "reg", r, sizeof(r));
}

static int cpu(void *fdt, int i)
{
	char name[32];
	int err;

	snprintf(name, sizeof(name), "cpu@%d", i);
	TRY(fdt_begin_node(fdt, name));
	TRY(fdt_property_string(fdt, "device_type", "cpu"));
	TRY(fdt_property_u32(fdt, "reg", (uint32_t)i));
	TRY(fdt_property_string(fdt, "status", "okay"));
	TRY(fdt_property_string(fdt, "compatible", "riscv"));
	TRY(fdt_property_string(fdt, "riscv,isa", "rv64imafdc_zicsr_zifencei"));
	TRY(fdt_property_string(fdt, "mmu-type", "riscv,sv48"));
	TRY(fdt_begin_node(fdt, "interrupt-controller"));
	TRY(fdt_property_u32(fdt, "#interrupt-cells", 1));
	TRY(fdt_property(fdt, "interrupt-controller", NULL, 0));
	TRY(fdt_property_string(fdt, "compatible", "riscv,cpu-intc"));
	TRY(fdt_property_u32(fdt, "phandle", PH_CPU_INTC(i)));
	TRY(fdt_end_node(fdt));
	TRY(fdt_end_node(fdt));
out:
	return err;
}

static int cpus(void *fdt, int n)
{
	int err;

	TRY(fdt_begin_node(fdt, "cpus"));
	TRY(fdt_property_u32(fdt, "#address-cells", 1));
	TRY(fdt_property_u32(fdt, "#size-cells", 0));
	TRY(fdt_property_u32(fdt, "timebase-frequency", (uint32_t)MACHINE_TIMEBASE_HZ));
	for (int i = 0; i < n; i++)
		TRY(cpu(fdt, i));
	TRY(fdt_end_node(fdt));
out:
	return err;
}

/* interrupts-extended of a per-hart device: <intc(i) a intc(i) b> per hart */
static int per_hart_irqs(void *fdt, int n, uint32_t a, uint32_t b)
{
	fdt32_t v[4 * MACHINE_MAX_HARTS];

	for (int i = 0; i < n; i++) {
		v[4 * i] = cpu_to_fdt32(PH_CPU_INTC(i));
		v[4 * i + 1] = cpu_to_fdt32(a);
		v[4 * i + 2] = cpu_to_fdt32(PH_CPU_INTC(i));
		v[4 * i + 3] = cpu_to_fdt32(b);
	}
	return fdt_property(fdt, "interrupts-extended", v, (int)(4 * sizeof(fdt32_t)) * n);
}

/* Interrupt controller, RTC and the virtio-mmio slots, as QEMU's virt board
 * lays them out (slots from the highest address down, as QEMU emits them). */
static int plic_rtc_virtio(void *fdt, int n_harts)
{
	static const char plic_compat[] = "sifive,plic-1.0.0\0riscv,plic0";
	char name[64];
	int err;

	TRY(fdt_begin_node(fdt, "plic@c000000"));
	TRY(fdt_property_u32(fdt, "phandle", PH_PLIC));
	TRY(fdt_property_u32(fdt, "riscv,ndev", VIRT_PLIC_NDEV));
	TRY(prop_reg(fdt, VIRT_PLIC_BASE, VIRT_PLIC_SIZE));
	TRY(per_hart_irqs(fdt, n_harts, 11, 9)); /* contexts 2i (M), 2i+1 (S) */
	TRY(fdt_property(fdt, "interrupt-controller", NULL, 0));
	TRY(fdt_property(fdt, "compatible", plic_compat, sizeof(plic_compat)));
	TRY(fdt_property_u32(fdt, "#address-cells", 0));
	TRY(fdt_property_u32(fdt, "#interrupt-cells", 1));
	TRY(fdt_end_node(fdt));

	TRY(fdt_begin_node(fdt, "rtc@101000"));
	TRY(fdt_property_u32(fdt, "interrupts", VIRT_RTC_IRQ));
	TRY(fdt_property_u32(fdt, "interrupt-parent", PH_PLIC));
	TRY(prop_reg(fdt, VIRT_RTC_BASE, VIRT_RTC_SIZE));
	TRY(fdt_property_string(fdt, "compatible", "google,goldfish-rtc"));
	TRY(fdt_end_node(fdt));

	for (int i = VIRT_VIRTIO_COUNT - 1; i >= 0; i--) {
		uint64_t base = VIRT_VIRTIO_BASE + (uint64_t)i * VIRT_VIRTIO_SIZE;
		snprintf(name, sizeof(name), "virtio_mmio@%llx", (unsigned long long)base);
		TRY(fdt_begin_node(fdt, name));
		TRY(fdt_property_u32(fdt, "interrupts", VIRT_VIRTIO_IRQ + (uint32_t)i));
		TRY(fdt_property_u32(fdt, "interrupt-parent", PH_PLIC));
		TRY(prop_reg(fdt, base, VIRT_VIRTIO_SIZE));
		TRY(fdt_property_string(fdt, "compatible", "virtio,mmio"));
		TRY(fdt_end_node(fdt));
	}
out:
	return err;
}

static int soc(void *fdt, bool with_plic, int n_harts)
{
	static const char clint_compat[] = "sifive,clint0\0riscv,clint0";
	static const char test_compat[] = "sifive,test1\0sifive,test0\0syscon";
	int err;

	TRY(fdt_begin_node(fdt, "soc"));
	TRY(fdt_property_u32(fdt, "#address-cells", 2));
	TRY(fdt_property_u32(fdt, "#size-cells", 2));
	TRY(fdt_property_string(fdt, "compatible", "simple-bus"));
	TRY(fdt_property(fdt, "ranges", NULL, 0));

	TRY(fdt_begin_node(fdt, "clint@2000000"));
	TRY(fdt_property(fdt, "compatible", clint_compat, sizeof(clint_compat)));
	TRY(prop_reg(fdt, VIRT_CLINT_BASE, VIRT_CLINT_SIZE));
	TRY(per_hart_irqs(fdt, n_harts, 3, 7)); /* MSIP, MTIP */
	TRY(fdt_end_node(fdt));

	TRY(fdt_begin_node(fdt, "serial@10000000"));
	TRY(fdt_property_string(fdt, "compatible", "ns16550a"));
	TRY(prop_reg(fdt, VIRT_UART_BASE, VIRT_UART_SIZE));
	TRY(fdt_property_u32(fdt, "clock-frequency", 3686400));
	if (with_plic) {
		TRY(fdt_property_u32(fdt, "interrupts", VIRT_UART_IRQ));
		TRY(fdt_property_u32(fdt, "interrupt-parent", PH_PLIC));
	}
	TRY(fdt_end_node(fdt));
	if (with_plic)
		TRY(plic_rtc_virtio(fdt, n_harts));

	TRY(fdt_begin_node(fdt, "test@100000"));
	TRY(fdt_property(fdt, "compatible", test_compat, sizeof(test_compat)));
	TRY(prop_reg(fdt, VIRT_TEST_BASE, VIRT_TEST_SIZE));
	TRY(fdt_property_u32(fdt, "phandle", PH_TEST));
	TRY(fdt_end_node(fdt));

	TRY(fdt_end_node(fdt));
out:
	return err;
}

static int syscon_node(void *fdt, const char *name, const char *compat, uint32_t value)
{
	int err;

	TRY(fdt_begin_node(fdt, name));
	TRY(fdt_property_string(fdt, "compatible", compat));
	TRY(fdt_property_u32(fdt, "regmap", PH_TEST));
	TRY(fdt_property_u32(fdt, "offset", 0));
	TRY(fdt_property_u32(fdt, "value", value));
	TRY(fdt_end_node(fdt));
out:
	return err;
}

int fdt_build(struct machine *m, const struct machine_config *cfg,
	      uint64_t initrd_start, uint64_t initrd_end, void *buf, int size)
{
	char node[64];
	int err;

	TRY(fdt_create(buf, size));
	TRY(fdt_finish_reservemap(buf));
	TRY(fdt_begin_node(buf, ""));
	TRY(fdt_property_u32(buf, "#address-cells", 2));
	TRY(fdt_property_u32(buf, "#size-cells", 2));
	TRY(fdt_property_string(buf, "compatible", "riscv-virtio"));
	TRY(fdt_property_string(buf, "model", "riscv-virtio,qemu"));

	TRY(fdt_begin_node(buf, "chosen"));
	TRY(fdt_property_string(buf, "stdout-path", "/soc/serial@10000000"));
	if (cfg->append)
		TRY(fdt_property_string(buf, "bootargs", cfg->append));
	if (initrd_end > initrd_start) {
		TRY(fdt_property_u64(buf, "linux,initrd-start", initrd_start));
		TRY(fdt_property_u64(buf, "linux,initrd-end", initrd_end));
	}
	TRY(fdt_end_node(buf));

	snprintf(node, sizeof(node), "memory@%llx", (unsigned long long)m->ram.base);
	TRY(fdt_begin_node(buf, node));
	TRY(fdt_property_string(buf, "device_type", "memory"));
	TRY(prop_reg(buf, m->ram.base, m->ram.size));
	TRY(fdt_end_node(buf));

	TRY(cpus(buf, m->n_harts));
	TRY(soc(buf, m->has_plic, m->n_harts));
	TRY(syscon_node(buf, "poweroff", "syscon-poweroff", 0x5555));
	TRY(syscon_node(buf, "reboot", "syscon-reboot", 0x7777));
	TRY(fdt_end_node(buf));
	TRY(fdt_finish(buf));
	return (int)fdt_totalsize(buf);
out:
	fprintf(stderr, "godwit-vmm: device tree: %s\n", fdt_strerror(err));
	return -1;
}
