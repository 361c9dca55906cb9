/*
 * The model machine: physical memory as an array, a software stage-2 walker
 * over the real descriptors, a VMID-tagged TLB that keeps stale entries until
 * a TLBI completes (at the next DSB ISH), a log of every barrier and TLBI, and
 * a break-before-make checker. Host and guest accesses go through the TLB and
 * fault like hardware. One CPU; locks check that they are used properly.
 */
#include "model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bits.h"
#include "config.h"

#define PAGE 4096u
#define PENDING_MAX 64u
#define LOC_MAX 32u
#define GUEST_STEPS_MAX 1000u

struct tlb_entry {
	bool valid;
	bool combined;		/* stage 1+2 entry: only stage-1 TLBIs remove it */
	uint32_t vmid;
	uint64_t ipa_page;
	uint64_t desc;		/* the leaf descriptor the walk found */
};

struct pending_tlbi {
	enum model_event_kind kind;
	uint32_t vmid;
	uint64_t ipa_page;
};

/* A broken entry on its way through the BBM sequence (kcore-facts.md section 4, #2''). */
enum loc_state {
	LOC_BROKEN = 1,		/* invalid written: needs DSB */
	LOC_BROKEN_DSB,		/* needs TLBI IPAS2E1IS (or VMALLS12E1IS) */
	LOC_S2_ISSUED,		/* needs DSB ISH */
	LOC_S2_DONE,		/* needs TLBI VMALLE1IS */
	LOC_S1_ISSUED,		/* needs DSB ISH */
	LOC_NEED_ISB,		/* needs ISB */
};

struct loc {
	bool used;
	uint64_t entry;
	enum loc_state state;
};

struct guest_prog {
	uint64_t base;
	uint32_t count;
	struct model_op ops[MODEL_PROG_MAX];
	struct arch_vcpu_regs seen;
	uint32_t resets;
};

static struct {
	uint8_t ram[MODEL_RAM_PAGES * PAGE] __attribute__((aligned(4096)));
	uint32_t writer[MODEL_RAM_PAGES];
	bool clean[MODEL_RAM_PAGES];
	uint64_t host_vttbr;
	uint64_t vm_vttbr[KC_VMS_MAX + 1u];	/* last VTTBR seen for each vmid */
	uint64_t ctx_vttbr;		/* VTTBR_EL2 as TLB maintenance sees it */
	struct tlb_entry tlb[MODEL_TLB_ENTRIES];
	uint32_t tlb_next;
	struct pending_tlbi pending[PENDING_MAX];
	uint32_t pending_count;
	struct loc locs[LOC_MAX];
	bool store_unsynced;		/* a PTE store not yet followed by a DSB */
	struct model_event log[MODEL_LOG_MAX];
	size_t log_count;
	bool fatal;
	const char *violation;
	struct guest_prog progs[KC_VMS_MAX + 1u][KC_VM_VCPUS_MAX];
} m;

static void violation(const char *why)
{
	if (m.violation == NULL) {
		m.violation = why;
	}
	if (m.fatal) {
		fprintf(stderr, "model: violation: %s\n", why);
		abort();
	}
}

_Noreturn void arch_panic(const char *why)
{
	fprintf(stderr, "kcore panic: %s\n", why);
	abort();
}

static void log_event(enum model_event_kind kind, uint64_t a, uint64_t b)
{
	if (m.log_count < MODEL_LOG_MAX) {
		m.log[m.log_count].kind = kind;
		m.log[m.log_count].a = a;
		m.log[m.log_count].b = b;
		m.log_count++;
	}
}

void model_log_clear(void)
{
	m.log_count = 0;
}

size_t model_log(const struct model_event **ret_events)
{
	*ret_events = m.log;
	return m.log_count;
}

const char *model_event_name(enum model_event_kind kind)
{
	static const char *const names[] = {
		[EV_DSB_ISHST] = "DSB ISHST",	  [EV_DSB_ISH] = "DSB ISH",
		[EV_ISB] = "ISB",		  [EV_CTX_ENTER] = "VTTBR<-vm",
		[EV_CTX_EXIT] = "VTTBR<-host",	  [EV_TLBI_IPAS2E1IS] = "TLBI IPAS2E1IS",
		[EV_TLBI_VMALLE1IS] = "TLBI VMALLE1IS", [EV_TLBI_VMALLS12E1IS] = "TLBI VMALLS12E1IS",
		[EV_PTE_STORE] = "STR pte",	  [EV_PAGE_ZERO] = "zero page",
		[EV_PAGE_CLEAN] = "clean to PoC",
	};
	return kind <= EV_PAGE_CLEAN ? names[kind] : "?";
}

void model_set_violation_fatal(bool fatal)
{
	m.fatal = fatal;
}

const char *model_violation(void)
{
	return m.violation;
}

/* ---- memory ---- */

bool model_is_ram(uint64_t pa)
{
	return pa >= MODEL_RAM_BASE && pa - MODEL_RAM_BASE < (uint64_t)MODEL_RAM_PAGES * PAGE;
}

static uint8_t *ram_ptr(uint64_t pa, uint64_t len)
{
	if (!model_is_ram(pa) || !model_is_ram(pa + len - 1u)) {
		arch_panic("model: physical access outside RAM");
	}
	return &m.ram[pa - MODEL_RAM_BASE];
}

static uint32_t page_index(uint64_t pa)
{
	return (uint32_t)((pa - MODEL_RAM_BASE) / PAGE);
}

static void note_write(uint64_t pa, uint32_t writer)
{
	m.writer[page_index(pa)] = writer;
	m.clean[page_index(pa)] = false;
}

uint64_t model_phys_read64(uint64_t pa)
{
	uint64_t v;

	memcpy(&v, ram_ptr(pa, 8), 8);
	return v;
}

bool model_page_is_zero(uint64_t pa)
{
	const uint8_t *p = ram_ptr(pa & ~(uint64_t)(PAGE - 1u), PAGE);
	uint32_t i;

	for (i = 0; i < PAGE; i++) {
		if (p[i] != 0) {
			return false;
		}
	}
	return true;
}

uint32_t model_page_writer(uint64_t pa)
{
	return m.writer[page_index(pa)];
}

bool model_page_clean(uint64_t pa)
{
	return m.clean[page_index(pa)];
}

/* ---- the seam: pages and PTEs ---- */

uint64_t arch_pte_load(kc_pa_t entry)
{
	if (entry.pa & 7u) {
		arch_panic("model: misaligned PTE load");
	}
	return __atomic_load_n((uint64_t *)(void *)ram_ptr(entry.pa, 8), __ATOMIC_RELAXED);
}

static struct loc *loc_find(uint64_t entry)
{
	uint32_t i;

	for (i = 0; i < LOC_MAX; i++) {
		if (m.locs[i].used && m.locs[i].entry == entry) {
			return &m.locs[i];
		}
	}
	return NULL;
}

static void loc_break(uint64_t entry)
{
	uint32_t i;

	for (i = 0; i < LOC_MAX; i++) {
		if (!m.locs[i].used) {
			m.locs[i].used = true;
			m.locs[i].entry = entry;
			m.locs[i].state = LOC_BROKEN;
			return;
		}
	}
	violation("BBM: too many entries broken at once");
}

void arch_pte_store(kc_pa_t entry, uint64_t desc)
{
	uint64_t old = arch_pte_load(entry);
	struct loc *loc = loc_find(entry.pa);

	log_event(EV_PTE_STORE, entry.pa, desc);
	if ((desc & KC_PTE_VALID) && (old & KC_PTE_VALID) && desc != old) {
		violation("BBM: valid entry replaced by another valid entry");
	}
	if ((desc & KC_PTE_VALID) && loc != NULL) {
		violation("BBM: entry made valid before its invalidation completed");
	}
	if (!(desc & KC_PTE_VALID) && (old & KC_PTE_VALID) && loc == NULL) {
		loc_break(entry.pa);
	}
	__atomic_store_n((uint64_t *)(void *)ram_ptr(entry.pa, 8), desc, __ATOMIC_RELAXED);
	note_write(entry.pa, MODEL_WRITER_KCORE);
	m.store_unsynced = true;
}

void arch_page_zero(kc_pa_t page)
{
	log_event(EV_PAGE_ZERO, page.pa, 0);
	memset(ram_ptr(page.pa, PAGE), 0, PAGE);
	note_write(page.pa, MODEL_WRITER_KCORE);
}

void arch_page_clean_poc(kc_pa_t page)
{
	log_event(EV_PAGE_CLEAN, page.pa, 0);
	(void)ram_ptr(page.pa, PAGE);
	m.clean[page_index(page.pa)] = true;
}

const uint8_t *arch_page_view(kc_pa_t page)
{
	return ram_ptr(page.pa, PAGE);
}

/* ---- the walker ---- */

static uint64_t root_of(uint64_t vttbr)
{
	return vttbr & KC_VTTBR_BADDR & ~(uint64_t)1u;
}

static uint32_t vmid_of(uint64_t vttbr)
{
	return (uint32_t)KC_FIELD_GET(KC_VTTBR_VMID, vttbr);
}

static bool is_table(uint64_t desc)
{
	return (desc & 3u) == 3u;
}

/* The address of ipa's level-3 entry, or 0 if a table on the way is missing; *ret_level = fault level. */
static uint64_t walk_entry(uint64_t root, uint64_t ipa, uint32_t *ret_level)
{
	uint64_t l1, l2;

	*ret_level = 1;
	if (ipa >= KC_IPA_LIMIT) {
		return 0;
	}
	l1 = model_phys_read64(root + ((ipa >> 30) & 0x3ffu) * 8u);
	if (!is_table(l1)) {
		return 0;
	}
	*ret_level = 2;
	l2 = model_phys_read64((l1 & KC_PTE_ADDR) + ((ipa >> 21) & 0x1ffu) * 8u);
	if (!is_table(l2)) {
		return 0;
	}
	*ret_level = 3;
	return (l2 & KC_PTE_ADDR) + ((ipa >> 12) & 0x1ffu) * 8u;
}

uint64_t model_walk(uint64_t root_pa, uint64_t ipa)
{
	uint32_t level;
	uint64_t entry = walk_entry(root_pa, ipa, &level);
	uint64_t desc = entry != 0 ? model_phys_read64(entry) : 0;

	return is_table(desc) ? desc : 0; /* a level-3 page descriptor has bits[1:0] = 0b11 */
}

/* ---- the TLB ---- */

static struct tlb_entry *tlb_find(uint32_t vmid, uint64_t ipa_page, bool combined)
{
	uint32_t i;

	for (i = 0; i < MODEL_TLB_ENTRIES; i++) {
		struct tlb_entry *e = &m.tlb[i];

		if (e->valid && e->vmid == vmid && e->ipa_page == ipa_page && e->combined == combined) {
			return e;
		}
	}
	return NULL;
}

static void tlb_insert(uint32_t vmid, uint64_t ipa_page, uint64_t desc, bool combined)
{
	struct tlb_entry *e = tlb_find(vmid, ipa_page, combined);

	if (e == NULL) {
		e = &m.tlb[m.tlb_next];
		m.tlb_next = (m.tlb_next + 1u) % MODEL_TLB_ENTRIES;
	}
	e->valid = true;
	e->combined = combined;
	e->vmid = vmid;
	e->ipa_page = ipa_page;
	e->desc = desc;
}

size_t model_tlb_count(uint32_t vmid)
{
	size_t n = 0;
	uint32_t i;

	for (i = 0; i < MODEL_TLB_ENTRIES; i++) {
		n += m.tlb[i].valid && m.tlb[i].vmid == vmid;
	}
	return n;
}

/* Translate through the TLB, then the walker; 0 if there is no translation. */
static uint64_t translate(uint64_t vttbr, uint64_t ipa)
{
	uint32_t vmid = vmid_of(vttbr);
	uint64_t page = ipa & ~(uint64_t)(PAGE - 1u);
	struct tlb_entry *e = tlb_find(vmid, page, true);
	uint64_t desc;

	if (e == NULL) {
		e = tlb_find(vmid, page, false);
		if (e != NULL) {
			tlb_insert(vmid, page, e->desc, true);
		}
	}
	if (e != NULL) {
		return e->desc;
	}
	desc = model_walk(root_of(vttbr), ipa);
	if (desc != 0) {
		tlb_insert(vmid, page, desc, false);
		tlb_insert(vmid, page, desc, true);
	}
	return desc;
}

static void tlbi_apply(const struct pending_tlbi *p)
{
	uint32_t i;

	for (i = 0; i < MODEL_TLB_ENTRIES; i++) {
		struct tlb_entry *e = &m.tlb[i];

		if (!e->valid || e->vmid != p->vmid) {
			continue;
		}
		if ((p->kind == EV_TLBI_IPAS2E1IS && !e->combined && e->ipa_page == p->ipa_page) ||
		    (p->kind == EV_TLBI_VMALLE1IS && e->combined) || p->kind == EV_TLBI_VMALLS12E1IS) {
			e->valid = false;
		}
	}
}

bool model_tlb_coherent(const char **ret_why)
{
	uint32_t i;

	if (m.pending_count != 0) {
		*ret_why = "a TLBI has not completed";
		return false;
	}
	for (i = 0; i < MODEL_TLB_ENTRIES; i++) {
		const struct tlb_entry *e = &m.tlb[i];
		uint64_t root;

		if (!e->valid) {
			continue;
		}
		root = e->vmid == 0 ? root_of(m.host_vttbr) : root_of(m.vm_vttbr[e->vmid]);
		if (model_walk(root, e->ipa_page) != e->desc) {
			*ret_why = "stale TLB entry";
			return false;
		}
	}
	return true;
}

/* ---- barriers, TLBIs and the BBM automaton ---- */

static void locs_step(enum loc_state from, enum loc_state to)
{
	uint32_t i;

	for (i = 0; i < LOC_MAX; i++) {
		if (m.locs[i].used && m.locs[i].state == from) {
			m.locs[i].state = to;
		}
	}
}

void arch_dsb_ishst(void)
{
	log_event(EV_DSB_ISHST, 0, 0);
	m.store_unsynced = false;
	locs_step(LOC_BROKEN, LOC_BROKEN_DSB);
}

void arch_dsb_ish(void)
{
	uint32_t i;

	log_event(EV_DSB_ISH, 0, 0);
	m.store_unsynced = false;
	for (i = 0; i < m.pending_count; i++) {
		tlbi_apply(&m.pending[i]);
	}
	m.pending_count = 0;
	locs_step(LOC_S1_ISSUED, LOC_NEED_ISB);
	locs_step(LOC_S2_ISSUED, LOC_S2_DONE);
	locs_step(LOC_BROKEN, LOC_BROKEN_DSB);
}

void arch_isb(void)
{
	uint32_t i;

	log_event(EV_ISB, 0, 0);
	for (i = 0; i < LOC_MAX; i++) {
		if (m.locs[i].used && m.locs[i].state == LOC_NEED_ISB) {
			m.locs[i].used = false;
		}
	}
}

void arch_s2_host_install(uint64_t vttbr)
{
	m.host_vttbr = vttbr;
	m.ctx_vttbr = vttbr;
	/* Reference sequence #6 happens inside this primitive on hardware. */
	log_event(EV_TLBI_VMALLS12E1IS, 0, 0);
	log_event(EV_DSB_ISH, 0, 0);
	log_event(EV_ISB, 0, 0);
}

void arch_s2_context_enter(uint64_t vttbr)
{
	if (m.ctx_vttbr != m.host_vttbr) {
		violation("stage-2 context entered twice");
	}
	m.ctx_vttbr = vttbr;
	if (vmid_of(vttbr) <= KC_VMS_MAX) {
		m.vm_vttbr[vmid_of(vttbr)] = vttbr;
	}
	log_event(EV_CTX_ENTER, vmid_of(vttbr), 0);
	log_event(EV_ISB, 0, 0); /* MSR VTTBR_EL2; ISB */
}

void arch_s2_context_exit(void)
{
	m.ctx_vttbr = m.host_vttbr;
	log_event(EV_CTX_EXIT, 0, 0);
	log_event(EV_ISB, 0, 0);
}

static void tlbi_issue(enum model_event_kind kind, uint64_t ipa)
{
	uint32_t vmid = vmid_of(m.ctx_vttbr);
	uint64_t root = root_of(m.ctx_vttbr);
	uint32_t i, level;

	log_event(kind, vmid, ipa);
	if (m.store_unsynced) {
		violation("TLBI issued before the PTE store was made visible by a DSB");
	}
	if (m.pending_count == PENDING_MAX) {
		violation("too many TLBIs without a DSB");
		return;
	}
	m.pending[m.pending_count].kind = kind;
	m.pending[m.pending_count].vmid = vmid;
	m.pending[m.pending_count].ipa_page = ipa & ~(uint64_t)(PAGE - 1u);
	m.pending_count++;
	for (i = 0; i < LOC_MAX; i++) {
		struct loc *l = &m.locs[i];

		if (!l->used) {
			continue;
		}
		if (kind == EV_TLBI_IPAS2E1IS && l->state == LOC_BROKEN_DSB &&
		    walk_entry(root, ipa, &level) == l->entry) {
			l->state = LOC_S2_ISSUED;
		} else if (kind == EV_TLBI_VMALLE1IS && l->state == LOC_S2_DONE) {
			l->state = LOC_S1_ISSUED;
		} else if (kind == EV_TLBI_VMALLS12E1IS &&
			   (l->state == LOC_BROKEN_DSB || l->state == LOC_S2_DONE)) {
			l->state = LOC_S1_ISSUED;
		}
	}
}

void arch_tlbi_ipas2e1is(kc_ipa_t ipa)
{
	tlbi_issue(EV_TLBI_IPAS2E1IS, ipa.ipa);
}

void arch_tlbi_vmalle1is(void)
{
	tlbi_issue(EV_TLBI_VMALLE1IS, 0);
}

void arch_tlbi_vmalls12e1is(void)
{
	tlbi_issue(EV_TLBI_VMALLS12E1IS, 0);
}

/* Back in a lower EL: every change kcore made must be complete (INV-4). */
static void check_quiescent(void)
{
	uint32_t i;

	if (m.ctx_vttbr != m.host_vttbr) {
		violation("stage-2 context not restored");
	}
	if (m.store_unsynced) {
		violation("PTE store not followed by a DSB");
	}
	if (m.pending_count != 0) {
		violation("TLBI not completed by a DSB ISH");
	}
	for (i = 0; i < LOC_MAX; i++) {
		if (m.locs[i].used) {
			violation("break-before-make sequence incomplete");
		}
	}
}

/* ---- locks and CPUs ---- */

unsigned int arch_cpu_id(void)
{
	return 0;
}

void arch_lock(arch_lock_t *lock)
{
	if (lock->holder != 0) {
		arch_panic("model: lock taken twice (one CPU: a recursive lock or a leak)");
	}
	lock->next++;
	lock->holder = arch_cpu_id() + 1u;
}

void arch_unlock(arch_lock_t *lock)
{
	if (lock->holder != arch_cpu_id() + 1u) {
		arch_panic("model: unlock of a lock this CPU does not hold");
	}
	lock->holder = 0;
	lock->owner++;
}

bool arch_lock_held(const arch_lock_t *lock)
{
	return lock->holder == arch_cpu_id() + 1u;
}

/* ---- accesses ---- */

static int access_phys(uint64_t desc, uint64_t addr, uint32_t size_log2, bool write, uint64_t *val,
		       uint32_t writer)
{
	uint64_t pa = (desc & KC_PTE_ADDR) | (addr & (PAGE - 1u));
	uint32_t len = 1u << size_log2;

	if (write ? !(desc & KC_PTE_S2_AP_W) : !(desc & KC_PTE_S2_AP_R)) {
		return MODEL_FAULT;
	}
	if (!model_is_ram(pa)) {
		if (!write) {
			*val = 0; /* no device model behind the host's MMIO */
		}
		return MODEL_OK;
	}
	if (write) {
		memcpy(ram_ptr(pa, len), val, len);
		note_write(pa, writer);
	} else {
		*val = 0;
		memcpy(val, ram_ptr(pa, len), len);
	}
	return MODEL_OK;
}

static int host_access(uint64_t pa, bool write, uint64_t *val)
{
	uint64_t desc = translate(m.host_vttbr, pa);
	uint64_t esr;

	if (pa & 7u) {
		arch_panic("model: misaligned host access");
	}
	if (desc == 0) {
		esr = KC_FIELD_PREP(KC_ESR_EC, KC_EC_DABT_LOW) | KC_ESR_IL |
		      KC_FIELD_PREP(KC_ISS_FSC, 0x7u) | (write ? KC_ISS_WNR : 0);
		if (kcore_host_abort(esr, pa, KC_IPA_TO_HPFAR(pa)) != 0) {
			check_quiescent();
			return MODEL_FAULT;
		}
		check_quiescent();
		desc = translate(m.host_vttbr, pa);
		if (desc == 0) {
			return MODEL_FAULT;
		}
	}
	return access_phys(desc, pa, 3, write, val, 0);
}

int model_host_read(uint64_t pa, uint64_t *ret_val)
{
	return host_access(pa, false, ret_val);
}

int model_host_write(uint64_t pa, uint64_t val)
{
	return host_access(pa, true, &val);
}

void model_hvc(struct kc_regs *regs)
{
	kcore_host_hvc(regs);
	check_quiescent();
}

/* ---- guests ---- */

void model_guest_program(uint32_t vmid, uint32_t vcpu, uint64_t base_ipa, const struct model_op *ops,
			 uint32_t count)
{
	struct guest_prog *p = &m.progs[vmid][vcpu];

	if (vmid > KC_VMS_MAX || vcpu >= KC_VM_VCPUS_MAX || count > MODEL_PROG_MAX) {
		arch_panic("model: bad guest program");
	}
	p->base = base_ipa;
	p->count = count;
	memcpy(p->ops, ops, count * sizeof(*ops));
}

const struct arch_vcpu_regs *model_guest_regs(uint32_t vmid, uint32_t vcpu)
{
	return &m.progs[vmid][vcpu].seen;
}

uint32_t model_guest_resets(uint32_t vmid, uint32_t vcpu)
{
	return m.progs[vmid][vcpu].resets;
}

static void guest_abort(const struct model_op *op, uint64_t ipa, uint32_t level,
			struct arch_exit *ret_exit)
{
	ret_exit->kind = ARCH_EXIT_SYNC;
	ret_exit->esr = KC_FIELD_PREP(KC_ESR_EC, KC_EC_DABT_LOW) | KC_ESR_IL | KC_ISS_ISV |
			KC_FIELD_PREP(KC_ISS_SAS, op->size_log2) |
			KC_FIELD_PREP(KC_ISS_SRT, op->reg) | KC_ISS_SF |
			(op->kind == MOP_STR ? KC_ISS_WNR : 0) |
			KC_FIELD_PREP(KC_ISS_FSC, (KC_FSC_TYPE_TRANSLATION << 2) | level);
	ret_exit->far = ipa;	/* no stage 1 in the model: VA == IPA */
	ret_exit->hpfar = KC_IPA_TO_HPFAR(ipa);
}

/* Execute one instruction; true if it traps to EL2 (ret_exit filled). */
static bool guest_step(uint64_t vttbr, struct arch_vcpu_regs *regs, const struct model_op *op,
		       struct arch_exit *ret_exit)
{
	uint32_t vmid = vmid_of(vttbr);
	uint64_t desc, val, *reg;
	uint32_t level = 3;

	reg = op->reg < 31u ? &regs->x[op->reg] : &val;
	switch (op->kind) {
	case MOP_MOV:
		*reg = op->arg;
		break;
	case MOP_LDR:
	case MOP_STR:
		desc = translate(vttbr, op->arg);
		if (desc == 0) {
			(void)walk_entry(root_of(vttbr), op->arg, &level);
			guest_abort(op, op->arg, level, ret_exit);
			return true;
		}
		val = op->reg < 31u ? regs->x[op->reg] : 0;
		(void)access_phys(desc, op->arg, op->size_log2, op->kind == MOP_STR, &val, vmid);
		if (op->kind == MOP_LDR && op->reg < 31u) {
			regs->x[op->reg] = val;
		}
		break;
	case MOP_HVC:
		regs->pc += 4u; /* ELR_EL2 points after the HVC */
		ret_exit->kind = ARCH_EXIT_SYNC;
		ret_exit->esr = KC_FIELD_PREP(KC_ESR_EC, KC_EC_HVC64) | KC_ESR_IL;
		return true;
	case MOP_SMC:
		ret_exit->kind = ARCH_EXIT_SYNC; /* ELR_EL2 points at the trapped SMC */
		ret_exit->esr = KC_FIELD_PREP(KC_ESR_EC, KC_EC_SMC64) | KC_ESR_IL;
		return true;
	case MOP_YIELD:
		regs->pc += 4u;
		ret_exit->kind = ARCH_EXIT_IRQ;
		return true;
	}
	regs->pc += 4u;
	return false;
}

void arch_vcpu_enter(uint64_t vttbr, unsigned int vcpu_idx, bool reset,
		     struct arch_vcpu_regs *regs, struct arch_exit *ret_exit)
{
	uint32_t vmid = vmid_of(vttbr);
	struct guest_prog *p;
	uint32_t steps;
	uint64_t idx;

	check_quiescent();
	if (vmid == 0 || vmid > KC_VMS_MAX || vcpu_idx >= KC_VM_VCPUS_MAX) {
		arch_panic("model: vcpu entry with a bad VMID or index");
	}
	m.vm_vttbr[vmid] = vttbr;
	p = &m.progs[vmid][vcpu_idx];
	p->resets += reset;
	ret_exit->kind = ARCH_EXIT_IRQ; /* past the end of its program a vCPU just waits */
	for (steps = 0; steps < GUEST_STEPS_MAX; steps++) {
		if (regs->pc < p->base || (regs->pc - p->base) % 4u != 0) {
			break;
		}
		idx = (regs->pc - p->base) / 4u;
		if (idx >= p->count || guest_step(vttbr, regs, &p->ops[idx], ret_exit)) {
			break;
		}
	}
	p->seen = *regs;
}

int model_boot(const uint8_t pubkey[32])
{
	struct kc_boot_info info;

	memset(&m, 0, sizeof(m));
	m.fatal = true;
	memset(&info, 0, sizeof(info));
	info.ram_base = kc_pa(MODEL_RAM_BASE);
	info.ram_pages = MODEL_RAM_PAGES;
	info.pool_base = kc_pa(MODEL_POOL_BASE);
	info.kcore_base = kc_pa(MODEL_KCORE_BASE);
	info.kcore_pages = MODEL_KCORE_PAGES;
	info.pool_pages = MODEL_POOL_PAGES;
	info.host_quota = MODEL_HOST_QUOTA;
	memcpy(info.image_pubkey, pubkey, 32);
	return kcore_init(&info);
}
