/* encoding.h - CSR, mstatus, interrupt, PTE and device constants shared by
 * the assembly and C ISA tests (our own minimal subset). */
#ifndef ISA_ENCODING_H
#define ISA_ENCODING_H

#define MSTATUS_SIE	(1 << 1)
#define MSTATUS_MIE	(1 << 3)
#define MSTATUS_SPIE	(1 << 5)
#define MSTATUS_MPIE	(1 << 7)
#define MSTATUS_SPP	(1 << 8)
#define MSTATUS_MPP	(3 << 11)
#define MSTATUS_MPP_S	(1 << 11)
#define MSTATUS_MPP_M	(3 << 11)
#define MSTATUS_FS	(3 << 13)
#define MSTATUS_FS_INIT	(1 << 13)
#define MSTATUS_FS_CLEAN (2 << 13)
#define MSTATUS_FS_DIRTY (3 << 13)
#define MSTATUS_MPRV	(1 << 17)
#define MSTATUS_SUM	(1 << 18)
#define MSTATUS_MXR	(1 << 19)
#define MSTATUS_TVM	(1 << 20)
#define MSTATUS_TW	(1 << 21)
#define MSTATUS_TSR	(1 << 22)
#define MSTATUS_UXL_SHIFT 32
#define MSTATUS_SXL_SHIFT 34
#define MSTATUS_SD_SHIFT 63

#define PRV_U 0
#define PRV_S 1
#define PRV_M 3

/* interrupt numbers and mip/mie bits */
#define IRQ_S_SOFT	1
#define IRQ_M_SOFT	3
#define IRQ_S_TIMER	5
#define IRQ_M_TIMER	7
#define IRQ_S_EXT	9
#define IRQ_M_EXT	11
#define MIP_SSIP	(1 << IRQ_S_SOFT)
#define MIP_MSIP	(1 << IRQ_M_SOFT)
#define MIP_STIP	(1 << IRQ_S_TIMER)
#define MIP_MTIP	(1 << IRQ_M_TIMER)
#define MIP_SEIP	(1 << IRQ_S_EXT)
#define MIP_MEIP	(1 << IRQ_M_EXT)
#define CAUSE_INTR	(1 << 63)	/* only usable as a 64-bit `li` operand */

/* exception causes */
#define CAUSE_MISALIGNED_FETCH	0
#define CAUSE_FETCH_ACCESS	1
#define CAUSE_ILLEGAL		2
#define CAUSE_BREAKPOINT	3
#define CAUSE_MISALIGNED_LOAD	4
#define CAUSE_LOAD_ACCESS	5
#define CAUSE_MISALIGNED_STORE	6
#define CAUSE_STORE_ACCESS	7
#define CAUSE_USER_ECALL	8
#define CAUSE_SUPERVISOR_ECALL	9
#define CAUSE_MACHINE_ECALL	11
#define CAUSE_FETCH_PAGE_FAULT	12
#define CAUSE_LOAD_PAGE_FAULT	13
#define CAUSE_STORE_PAGE_FAULT	15

/* page table entries */
#define PTE_V	0x001
#define PTE_R	0x002
#define PTE_W	0x004
#define PTE_X	0x008
#define PTE_U	0x010
#define PTE_G	0x020
#define PTE_A	0x040
#define PTE_D	0x080
#define PTE_PPN_SHIFT 10

#define SATP_MODE_SHIFT	60
#define SATP_MODE_SV39	8
#define SATP_MODE_SV48	9

/* PMP */
#define PMP_R		0x01
#define PMP_W		0x02
#define PMP_X		0x04
#define PMP_TOR		0x08
#define PMP_NA4		0x10
#define PMP_NAPOT	0x18

/* fflags */
#define FFLAG_NX 0x01
#define FFLAG_UF 0x02
#define FFLAG_OF 0x04
#define FFLAG_DZ 0x08
#define FFLAG_NV 0x10

/* ACLINT/CLINT as on QEMU's virt and spike boards */
#define CLINT_BASE	0x2000000
#define CLINT_MSIP	(CLINT_BASE + 0x0)
#define CLINT_MTIMECMP	(CLINT_BASE + 0x4000)
#define CLINT_MTIME	(CLINT_BASE + 0xbff8)

/* `ecall` with a7 = MAGIC_GOTO_M continues at the address in a6 in M-mode
 * (see crt.S); it is how tests get back to M-mode from S or U. */
#define MAGIC_GOTO_M	0x60d0
#define TRAP_NONE	0x7ead	/* trap_cause value meaning "nothing recorded" */

#endif
