/*
 * hart_state.c - the hart's migratable state (vmstate.h): the field table
 * of struct hart_state, the checks a loaded state must pass, and what a
 * load re-derives.
 *
 * Invariant: the table's max values and hart_check() accept exactly what
 * the CPU code can produce (the WARL masks of csr.c, the privilege modes,
 * the satp modes of mmu.c), so a loaded state cannot take the interpreter
 * anywhere a running guest could not.
 */
#include "cpu/hart.h"

#include <inttypes.h>
#include <string.h>

#include "machine/machine.h"
#include "migration/vmstate.h"

/* What csr.c lets software write into mstatus (MSTATUS_M_WRITABLE there);
 * traps and xRET only move bits inside it. UXL and SXL are fixed at 64. */
#define HS_MSTATUS_WRITABLE                                                \
	(MSTATUS_SIE | MSTATUS_MIE | MSTATUS_SPIE | MSTATUS_MPIE |          \
	 MSTATUS_SPP | MSTATUS_MPP | MSTATUS_FS | MSTATUS_MPRV |             \
	 MSTATUS_SUM | MSTATUS_MXR | MSTATUS_TVM | MSTATUS_TW | MSTATUS_TSR)
#define HS_MSTATUS_FIXED ((2ull << 32) | (2ull << 34))
#define HS_MIP_SW (MIP_SSIP | MIP_STIP | MIP_SEIP)
#define HS_PMP_CFG_BITS 0x9f

#define HS(member, mx) VMS_SCALAR(struct hart_state, member, mx)
#define HA(member, mx) VMS_ARRAY(struct hart_state, member, mx)

static const struct vmstate_field hart_fields[] = {
	HS(x[0], 0),
	{ "x", offsetof(struct hart_state, x[1]), 8, 32, VMS_ANY }, /* x1..x31, sink */
	HA(f, VMS_ANY),
	HS(pc, VMS_ANY),
	HS(priv, PRV_M),
	HS(fflags, 0x1f),
	HS(frm, 7),
	HS(wfi, 1),
	HS(resv_addr, VMS_ANY),
	HS(resv_valid, 1),
	HS(resv_val, VMS_ANY),
	HS(mstatus, VMS_ANY),
	HS(medeleg, VMS_ANY),
	HS(mideleg, VMS_ANY),
	HS(mie, VMS_ANY),
	HS(mip, VMS_ANY),
	HS(mtvec, VMS_ANY),
	HS(mscratch, VMS_ANY),
	HS(mepc, VMS_ANY),
	HS(mcause, VMS_ANY),
	HS(mtval, VMS_ANY),
	HS(mcounteren, 0xffffffffull),
	HS(mcountinhibit, 0xffffffffull),
	HS(menvcfg, 1),
	HS(stvec, VMS_ANY),
	HS(sscratch, VMS_ANY),
	HS(sepc, VMS_ANY),
	HS(scause, VMS_ANY),
	HS(stval, VMS_ANY),
	HS(satp, VMS_ANY),
	HS(scounteren, 0xffffffffull),
	HS(senvcfg, 1),
	HS(mcycle, VMS_ANY),
	HS(minstret, VMS_ANY),
	HA(pmpcfg, VMS_ANY),
	HA(pmpaddr, (1ull << 54) - 1),
	HS(tselect, HART_NUM_TRIG - 1),
	HA(tdata1, VMS_ANY),
	HA(tdata2, VMS_ANY),
	HS(tcontrol, TCONTROL_MTE | TCONTROL_MPTE),
};

static const struct vmstate_field hart_pad[] = {
	VMS_PAD(struct hart_state, pad0),
};

/* CSRs whose every legal value is a subset of a mask. */
static const struct {
	const char *name;
	size_t offset;
	uint64_t mask;
} hart_masks[] = {
	{ "medeleg", offsetof(struct hart_state, medeleg), 0xb3ff },
	{ "mideleg", offsetof(struct hart_state, mideleg), HS_MIP_SW },
	{ "mie", offsetof(struct hart_state, mie), 0xaaa },
	{ "mip", offsetof(struct hart_state, mip), HS_MIP_SW },
	{ "mcountinhibit", offsetof(struct hart_state, mcountinhibit), 0xfffffffdull },
	{ "mepc", offsetof(struct hart_state, mepc), ~1ull },
	{ "sepc", offsetof(struct hart_state, sepc), ~1ull },
	{ "tcontrol", offsetof(struct hart_state, tcontrol), TCONTROL_MTE | TCONTROL_MPTE },
};

static int hart_check_pmp(const struct hart_state *s, char *err, size_t errlen)
{
	for (int i = 0; i < HART_NUM_PMP; i++) {
		uint8_t b = (uint8_t)(s->pmpcfg[i / 8] >> (8 * (i % 8)));

		if (b & ~HS_PMP_CFG_BITS)
			return vmstate_fail(err, errlen, "pmpcfg entry %d 0x%02x has reserved bits", i, b);
		if ((b & 3) == 2)
			return vmstate_fail(err, errlen, "pmpcfg entry %d 0x%02x is W without R", i, b);
	}
	return 0;
}

static int hart_check(const void *state, const void *ctx, char *err, size_t errlen)
{
	const struct hart_state *s = state;
	uint64_t mode = s->satp >> 60;

	(void)ctx;
	if (s->priv == 2)
		return vmstate_fail(err, errlen, "priv 2 is not a privilege mode");
	if (s->pc & 1)
		return vmstate_fail(err, errlen, "pc 0x%" PRIx64 " is not 2-byte aligned", s->pc);
	if ((s->mstatus & ~HS_MSTATUS_WRITABLE) != HS_MSTATUS_FIXED)
		return vmstate_fail(err, errlen, "mstatus 0x%" PRIx64 " has bits outside 0x%llx or UXL/SXL not 64-bit",
				    s->mstatus, HS_MSTATUS_WRITABLE);
	if ((s->mstatus & MSTATUS_MPP) >> MSTATUS_MPP_SHIFT == 2)
		return vmstate_fail(err, errlen, "mstatus 0x%" PRIx64 " has the reserved MPP 2", s->mstatus);
	for (size_t i = 0; i < VMS_COUNT(hart_masks); i++) {
		uint64_t v;

		memcpy(&v, (const uint8_t *)state + hart_masks[i].offset, sizeof(v));
		if (v & ~hart_masks[i].mask)
			return vmstate_fail(err, errlen, "%s 0x%" PRIx64 " has bits outside 0x%" PRIx64,
					    hart_masks[i].name, v, hart_masks[i].mask);
	}
	if ((s->mtvec & 3) >= 2 || (s->stvec & 3) >= 2)
		return vmstate_fail(err, errlen, "%s 0x%" PRIx64 " has a reserved mode",
				    (s->mtvec & 3) >= 2 ? "mtvec" : "stvec",
				    (s->mtvec & 3) >= 2 ? s->mtvec : s->stvec);
	if (mode != 0 && mode != 8 && mode != 9)
		return vmstate_fail(err, errlen, "satp MODE %" PRIu64 " is not bare, Sv39 or Sv48", mode);
	if (mode == 0 && s->satp)
		return vmstate_fail(err, errlen, "satp 0x%" PRIx64 " is bare with ASID/PPN bits", s->satp);
	for (int i = 0; i < HART_NUM_TRIG; i++)
		if (hart_trig_legal_tdata1(s->tdata1[i]) != s->tdata1[i])
			return vmstate_fail(err, errlen, "tdata1[%d] 0x%" PRIx64 " is not a legal trigger",
					    i, s->tdata1[i]);
	return hart_check_pmp(s, err, errlen);
}

/* minstret and mcycle include the slice running now. */
static void hart_save(void *dev, void *state)
{
	struct hart *h = dev;
	struct hart_state *s = state;

	*s = h->s;
	s->minstret = hart_counter(h, MCOUNTINHIBIT_IR);
	s->mcycle = hart_counter(h, MCOUNTINHIBIT_CY);
}

/* Device-driven interrupt bits come back from the devices' post_load. */
static void hart_load(void *dev, const void *state)
{
	struct hart *h = dev;

	h->s = *(const struct hart_state *)state;
	h->hw_ip = 0;
	h->slice = 0;
	h->budget = 0;
	hart_trig_update(h);
}

/* Decoded code and TLBs may describe the memory and mode left behind. */
static void hart_post_load(void *dev)
{
	struct hart *h = dev;

	machine_code_flush_all(h->m);
	hart_tlb_flush(h);
}

const struct vmstate_desc hart_vmstate = {
	.name = "hart",
	.version = 3, /* 2: mcycle itself instead of mcycle_base; debug triggers;
		       * 3: resv_val (LR/SC across harts) */
	.state_size = sizeof(struct hart_state),
	.fields = hart_fields,
	.n_fields = VMS_COUNT(hart_fields),
	.check = hart_check,
	.pad = hart_pad,
	.n_pad = VMS_COUNT(hart_pad),
	.save = hart_save,
	.load = hart_load,
	.post_load = hart_post_load,
};
