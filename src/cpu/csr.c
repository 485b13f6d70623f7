/*
 * csr.c - control and status registers: access checks, WARL legalisation,
 * side effects (TLB flushes on translation changes). The trigger CSRs live
 * in trigger.c, the counters' arithmetic in hart.c.
 *
 * Invariants: every value stored in hart_state passed through the WARL rules
 * here, so readers never re-legalise; mstatus.SD is derived (FS == dirty) on
 * read, never stored.
 */
#include "cpu/csr.h"
#include "cpu/hart.h"
#include "machine/machine.h"


#define MSTATUS_M_WRITABLE                                                 \
	(MSTATUS_SIE | MSTATUS_MIE | MSTATUS_SPIE | MSTATUS_MPIE |          \
	 MSTATUS_SPP | MSTATUS_MPP | MSTATUS_FS | MSTATUS_MPRV |             \
	 MSTATUS_SUM | MSTATUS_MXR | MSTATUS_TVM | MSTATUS_TW | MSTATUS_TSR)
#define SSTATUS_WRITABLE                                                   \
	(MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_SPP | MSTATUS_FS |            \
	 MSTATUS_SUM | MSTATUS_MXR)
#define SSTATUS_READABLE (SSTATUS_WRITABLE | MSTATUS_XS | MSTATUS_UXL | MSTATUS_SD)
#define MIE_WRITABLE 0xaaaull
#define MIDELEG_WRITABLE (MIP_SSIP | MIP_STIP | MIP_SEIP)
#define MIP_WRITABLE (MIP_SSIP | MIP_STIP | MIP_SEIP)
#define MEDELEG_WRITABLE 0xb3ffull
#define MCOUNTINHIBIT_WRITABLE 0xfffffffdull
#define PMP_L 0x80
#define PMP_A_TOR 0x08

static uint64_t mstatus_read(const struct hart *h)
{
	uint64_t st = h->s.mstatus;

	if ((st & MSTATUS_FS) == MSTATUS_FS)
		st |= MSTATUS_SD;
	return st;
}

void hart_set_mstatus(struct hart *h, uint64_t val)
{
	uint64_t old = h->s.mstatus;
	uint64_t nw = (old & ~MSTATUS_M_WRITABLE) | (val & MSTATUS_M_WRITABLE);

	/* MPP = 2 is reserved: keep the previous value */
	if (((nw & MSTATUS_MPP) >> MSTATUS_MPP_SHIFT) == 2)
		nw = (nw & ~MSTATUS_MPP) | (old & MSTATUS_MPP);
	h->s.mstatus = nw;
	if ((old ^ nw) & (MSTATUS_MPRV | MSTATUS_SUM | MSTATUS_MXR | MSTATUS_MPP))
		hart_tlb_flush(h);
}

/* Counter CSRs visible below M-mode only where m/scounteren allow. */
static int counter_allowed(const struct hart *h, uint32_t csr)
{
	uint32_t bit = 1u << (csr & 31);

	if (h->s.priv < PRV_M && !(h->s.mcounteren & bit))
		return 0;
	if (h->s.priv < PRV_S && !(h->s.scounteren & bit))
		return 0;
	return 1;
}

static int pmp_read(const struct hart *h, uint32_t csr, uint64_t *val)
{
	if (csr >= CSR_PMPCFG0 && csr < CSR_PMPCFG0 + HART_NUM_PMP / 4) {
		if (csr & 1)
			return -1; /* odd pmpcfg registers do not exist on RV64 */
		*val = h->s.pmpcfg[(csr - CSR_PMPCFG0) / 2];
		return 0;
	}
	if (csr >= CSR_PMPADDR0 && csr < CSR_PMPADDR0 + HART_NUM_PMP) {
		*val = h->s.pmpaddr[csr - CSR_PMPADDR0];
		return 0;
	}
	return -1;
}

static uint8_t pmp_cfg_byte(const struct hart *h, int i)
{
	return (uint8_t)(h->s.pmpcfg[i / 8] >> (8 * (i % 8)));
}

static int pmp_write(struct hart *h, uint32_t csr, uint64_t val)
{
	if (csr >= CSR_PMPCFG0 && csr < CSR_PMPCFG0 + HART_NUM_PMP / 4) {
		int reg = (int)(csr - CSR_PMPCFG0) / 2;
		uint64_t out = 0;

		if (csr & 1)
			return -1;
		for (int b = 0; b < 8; b++) {
			uint8_t old = pmp_cfg_byte(h, reg * 8 + b);
			uint8_t nw = (uint8_t)(val >> (8 * b)) & 0x9f;

			if ((nw & 3) == 2) /* W without R is reserved */
				nw = old;
			if (old & PMP_L)
				nw = old;
			out |= (uint64_t)nw << (8 * b);
		}
		h->s.pmpcfg[reg] = out;
		return 0;
	}
	if (csr >= CSR_PMPADDR0 && csr < CSR_PMPADDR0 + HART_NUM_PMP) {
		int i = (int)(csr - CSR_PMPADDR0);
		bool locked = pmp_cfg_byte(h, i) & PMP_L;

		if (i + 1 < HART_NUM_PMP) {
			uint8_t next = pmp_cfg_byte(h, i + 1);
			if ((next & PMP_L) && (next & 0x18) == PMP_A_TOR)
				locked = true;
		}
		if (!locked)
			h->s.pmpaddr[i] = val & ((1ull << 54) - 1);
		return 0;
	}
	return -1;
}

int hart_csr_read(struct hart *h, uint32_t csr, uint64_t *val)
{
	if (h->s.priv < ((csr >> 8) & 3))
		return -1;
	switch (csr) {
	case CSR_FFLAGS: case CSR_FRM: case CSR_FCSR:
		if (!(h->s.mstatus & MSTATUS_FS))
			return -1;
		*val = csr == CSR_FFLAGS ? h->s.fflags
		       : csr == CSR_FRM ? h->s.frm
					 : (h->s.frm << 5) | h->s.fflags;
		return 0;
	case CSR_CYCLE: case CSR_TIME: case CSR_INSTRET:
		if (!counter_allowed(h, csr))
			return -1;
		*val = csr == CSR_CYCLE ? hart_counter(h, MCOUNTINHIBIT_CY)
		       : csr == CSR_TIME ? clint_mtime(&h->m->clint)
					 : hart_instret(h);
		return 0;
	case CSR_SSTATUS: *val = mstatus_read(h) & SSTATUS_READABLE; return 0;
	case CSR_SIE: *val = h->s.mie & h->s.mideleg; return 0;
	case CSR_STVEC: *val = h->s.stvec; return 0;
	case CSR_SCOUNTEREN: *val = h->s.scounteren; return 0;
	case CSR_SENVCFG: *val = h->s.senvcfg; return 0;
	case CSR_SSCRATCH: *val = h->s.sscratch; return 0;
	case CSR_SEPC: *val = h->s.sepc; return 0;
	case CSR_SCAUSE: *val = h->s.scause; return 0;
	case CSR_STVAL: *val = h->s.stval; return 0;
	case CSR_SIP: *val = hart_mip(h) & h->s.mideleg; return 0;
	case CSR_SATP:
		if (h->s.priv == PRV_S && (h->s.mstatus & MSTATUS_TVM))
			return -1;
		*val = h->s.satp;
		return 0;
	case CSR_MSTATUS: *val = mstatus_read(h); return 0;
	case CSR_MISA: *val = HART_MISA; return 0;
	case CSR_MEDELEG: *val = h->s.medeleg; return 0;
	case CSR_MIDELEG: *val = h->s.mideleg; return 0;
	case CSR_MIE: *val = h->s.mie; return 0;
	case CSR_MTVEC: *val = h->s.mtvec; return 0;
	case CSR_MCOUNTEREN: *val = h->s.mcounteren; return 0;
	case CSR_MENVCFG: *val = h->s.menvcfg; return 0;
	case CSR_MCOUNTINHIBIT: *val = h->s.mcountinhibit; return 0;
	case CSR_MSCRATCH: *val = h->s.mscratch; return 0;
	case CSR_MEPC: *val = h->s.mepc; return 0;
	case CSR_MCAUSE: *val = h->s.mcause; return 0;
	case CSR_MTVAL: *val = h->s.mtval; return 0;
	case CSR_MIP: *val = hart_mip(h); return 0;
	case CSR_MCYCLE: *val = hart_counter(h, MCOUNTINHIBIT_CY); return 0;
	case CSR_MINSTRET: *val = hart_instret(h); return 0;
	case CSR_MHARTID: *val = (uint64_t)h->id; return 0;
	case CSR_MVENDORID: case CSR_MARCHID: case CSR_MIMPID:
	case CSR_MCONFIGPTR:
		*val = 0;
		return 0;
	default:
		break;
	}
	if (csr > CSR_INSTRET && csr <= 0xc1f) { /* hpmcounter3..31 */
		if (!counter_allowed(h, csr))
			return -1;
		*val = 0;
		return 0;
	}
	if ((csr > CSR_MINSTRET && csr <= 0xb1f) || /* mhpmcounter3..31 */
	    (csr >= 0x323 && csr <= 0x33f)) {        /* mhpmevent3..31 */
		*val = 0;
		return 0;
	}
	if (csr >= CSR_TSELECT && csr <= CSR_TCONTROL)
		return hart_trig_csr_read(h, csr, val);
	return pmp_read(h, csr, val);
}

/*
 * The value CSRRS/CSRRC combine with rs1. For mip (and its sip view) that is
 * the software-writable register alone: the spec has SEIP read as the OR of
 * the software bit and the PLIC's line, but a read-modify-write must not
 * copy the line into the software bit, or an external interrupt that was
 * pending at that moment would stay pending forever.
 */
uint64_t hart_csr_rmw_base(const struct hart *h, uint32_t csr, uint64_t read_val)
{
	if (csr == CSR_MIP)
		return h->s.mip;
	if (csr == CSR_SIP)
		return h->s.mip & h->s.mideleg;
	return read_val;
}

static uint64_t legal_tvec(uint64_t val)
{
	if ((val & 3) >= 2)
		val &= ~3ull;
	return val;
}

static int write_satp(struct hart *h, uint64_t val)
{
	uint64_t mode = val >> 60;

	if (h->s.priv == PRV_S && (h->s.mstatus & MSTATUS_TVM))
		return -1;
	if (mode != 0 && mode != 8 && mode != 9)
		return 0; /* unsupported mode: the write has no effect */
	h->s.satp = mode == 0 ? 0 : val & ((0xfull << 60) | (0xffffull << 44) |
					   ((1ull << 44) - 1));
	hart_tlb_flush(h);
	return 0;
}

static int write_fp_csr(struct hart *h, uint32_t csr, uint64_t val)
{
	if (!(h->s.mstatus & MSTATUS_FS))
		return -1;
	if (csr == CSR_FFLAGS) {
		h->s.fflags = (uint32_t)val & 0x1f;
	} else if (csr == CSR_FRM) {
		h->s.frm = (uint32_t)val & 7;
	} else {
		h->s.fflags = (uint32_t)val & 0x1f;
		h->s.frm = (uint32_t)(val >> 5) & 7;
	}
	h->s.mstatus |= MSTATUS_FS;
	return 0;
}

static int write_supervisor(struct hart *h, uint32_t csr, uint64_t val)
{
	uint64_t sd = h->s.mideleg;

	switch (csr) {
	case CSR_SSTATUS:
		hart_set_mstatus(h, (h->s.mstatus & ~SSTATUS_WRITABLE) |
					    (val & SSTATUS_WRITABLE));
		return 0;
	case CSR_SIE: h->s.mie = (h->s.mie & ~sd) | (val & sd); return 0;
	case CSR_STVEC: h->s.stvec = legal_tvec(val); return 0;
	case CSR_SCOUNTEREN: h->s.scounteren = val & 0xffffffffull; return 0;
	case CSR_SENVCFG: h->s.senvcfg = val & 1; return 0;
	case CSR_SSCRATCH: h->s.sscratch = val; return 0;
	case CSR_SEPC: h->s.sepc = val & ~1ull; return 0;
	case CSR_SCAUSE: h->s.scause = val; return 0;
	case CSR_STVAL: h->s.stval = val; return 0;
	case CSR_SIP:
		sd &= MIP_SSIP;
		h->s.mip = (h->s.mip & ~sd) | (val & sd);
		return 0;
	case CSR_SATP: return write_satp(h, val);
	default: return 1;
	}
}

static int write_machine(struct hart *h, uint32_t csr, uint64_t val)
{
	switch (csr) {
	case CSR_MSTATUS: hart_set_mstatus(h, val); return 0;
	case CSR_MISA: return 0; /* fixed: writes ignored */
	case CSR_MEDELEG: h->s.medeleg = val & MEDELEG_WRITABLE; return 0;
	case CSR_MIDELEG: h->s.mideleg = val & MIDELEG_WRITABLE; return 0;
	case CSR_MIE: h->s.mie = val & MIE_WRITABLE; return 0;
	case CSR_MTVEC: h->s.mtvec = legal_tvec(val); return 0;
	case CSR_MCOUNTEREN: h->s.mcounteren = val & 0xffffffffull; return 0;
	case CSR_MENVCFG: h->s.menvcfg = val & 1; return 0;
	/* CY and IR stop mcycle and minstret; TM (bit 1) does not exist;
	 * HPM bits are kept though those counters read 0 anyway */
	case CSR_MCOUNTINHIBIT:
		hart_set_mcountinhibit(h, val & MCOUNTINHIBIT_WRITABLE);
		return 0;
	case CSR_MSCRATCH: h->s.mscratch = val; return 0;
	case CSR_MEPC: h->s.mepc = val & ~1ull; return 0;
	case CSR_MCAUSE: h->s.mcause = val; return 0;
	case CSR_MTVAL: h->s.mtval = val; return 0;
	case CSR_MIP:
		h->s.mip = (h->s.mip & ~MIP_WRITABLE) | (val & MIP_WRITABLE);
		return 0;
	case CSR_MCYCLE: hart_counter_write(h, MCOUNTINHIBIT_CY, val); return 0;
	case CSR_MINSTRET: hart_counter_write(h, MCOUNTINHIBIT_IR, val); return 0;
	default: return 1;
	}
}

int hart_csr_write(struct hart *h, uint32_t csr, uint64_t val)
{
	int r;

	if (h->s.priv < ((csr >> 8) & 3) || (csr >> 10) == 3)
		return -1;
	if (csr <= CSR_FCSR && csr >= CSR_FFLAGS)
		return write_fp_csr(h, csr, val);
	r = write_supervisor(h, csr, val);
	if (r <= 0)
		return r;
	r = write_machine(h, csr, val);
	if (r <= 0)
		return r;
	if ((csr > CSR_MINSTRET && csr <= 0xb1f) || (csr >= 0x323 && csr <= 0x33f))
		return 0; /* hpm counters and events: read-only zero */
	if (csr >= CSR_TSELECT && csr <= CSR_TCONTROL)
		return hart_trig_csr_write(h, csr, val);
	return pmp_write(h, csr, val);
}
