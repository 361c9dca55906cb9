/*
 * Frama-C Eva harness for kcore/core: boot, then any sequence of host hypercalls, host stage-2
 * faults and guest exits, with every argument, guest register and guest syndrome left
 * nondeterministic. Eva must find no run-time error (0 alarms) in the core's own code.
 *
 * The core's seven files are compiled unchanged (with small table sizes); what they call is the
 * hardware seam (kcore/include/kcore/arch.h) and the signature seam (kcore/core/sig.h), given
 * here as a machine: page-table memory is an array of the pool's pages, TLB and barrier operations do nothing (Eva
 * looks for run-time errors, not for ordering: Spin and the VRM checker cover that), a guest
 * run returns any registers and any syndrome, and a signature check returns either answer.
 */
#include "__fc_builtin.h"
void Frama_C_show_each_panic(const char *why);
#include "kcore/kcore.h"
#include "mem.h"
#include "sig.h"
#include "vm.h"

#define PHYS_BASE UINT64_C(0x40000000)
#define PHYS_PAGES (KC_RAM_PAGES_MAX)
#define POOL_PAGES (KC_S2_ROOT_PAGES * (KC_VMS_MAX + 1u) + 8u) /* a page area of 8 pages */

/* config.h checks KC_POOL_PAGES_MAX itself (a multiple of 64); the 8-page area must fit in it. */
#if KC_POOL_PAGES_MAX < 8
#error "this harness's page area is 8 pages: KC_POOL_PAGES_MAX must be at least 8"
#endif

/* Page tables live only in the pool; that is all the memory the seam's PTE accessors touch. */
static uint64_t pool_mem[POOL_PAGES][512];
static const unsigned int cpu = 0; /* one CPU: Eva looks for run-time errors, not races */
static const uint64_t pool_base = PHYS_BASE + (uint64_t)(PHYS_PAGES - POOL_PAGES) * 4096u;

/* A pool word by physical address, or NULL: other addresses read as zero, swallow writes. */
static uint64_t *phys_word(kc_pa_t pa)
{
	uint64_t page, word;

	if (pa.pa < pool_base || pa.pa >= pool_base + (uint64_t)POOL_PAGES * 4096u || (pa.pa & 7u)) {
		return 0;
	}
	page = (pa.pa - pool_base) / 4096u;
	word = ((pa.pa - pool_base) % 4096u) / 8u;
	/*@ assert page < POOL_PAGES && word < 512; */
	return &pool_mem[page][word];
}

/*
 * Locks: the lock words are volatile, which Eva rightly treats as "any value", so the harness
 * keeps which locks are held on the side (the core never holds more than two at once).
 */
static const arch_lock_t *held[4];

void arch_lock(arch_lock_t *lock)
{
	for (unsigned int i = 0; i < 4u; i++) {
		if (held[i] == 0) {
			held[i] = lock;
			return;
		}
	}
	/*@ assert lock_nesting_bounded: \false; */
}

void arch_unlock(arch_lock_t *lock)
{
	for (unsigned int i = 0; i < 4u; i++) {
		if (held[i] == lock) {
			held[i] = 0;
			return;
		}
	}
	/*@ assert unlock_of_a_held_lock: \false; */
}

bool arch_lock_held(const arch_lock_t *lock)
{
	for (unsigned int i = 0; i < 4u; i++) {
		if (held[i] == lock) {
			return true;
		}
	}
	return false;
}

unsigned int arch_cpu_id(void)
{
	return cpu;
}

void arch_dsb_ishst(void) {}
void arch_dsb_ish(void) {}
void arch_isb(void) {}
void arch_s2_context_enter(uint64_t vttbr) { (void)vttbr; }
void arch_s2_context_exit(void) {}
void arch_tlbi_ipas2e1is(kc_ipa_t ipa) { (void)ipa; }
void arch_tlbi_vmalle1is(void) {}
void arch_tlbi_vmalls12e1is(void) {}
void arch_s2_host_install(uint64_t vttbr) { (void)vttbr; }

uint64_t arch_pte_load(kc_pa_t entry)
{
	uint64_t *w = phys_word(entry);

	return w ? *w : 0;
}

void arch_pte_store(kc_pa_t entry, uint64_t desc)
{
	uint64_t *w = phys_word(entry);

	if (w) {
		*w = desc;
	}
}

void arch_page_zero(kc_pa_t page)
{
	uint64_t *w = phys_word(page);

	for (unsigned int i = 0; w && i < 512u; i++) {
		w[i] = 0;
	}
}

void arch_page_clean_poc(kc_pa_t page)
{
	(void)page;
}

const uint8_t *arch_page_view(kc_pa_t page)
{
	static const uint8_t any_page[4096]; /* image pages are host pages: their bytes do not matter */

	(void)page;
	return any_page;
}

void arch_vcpu_enter(uint64_t vttbr, unsigned int vcpu_idx, bool reset, struct arch_vcpu_regs *regs,
		     struct arch_exit *ret_exit)
{
	(void)vttbr;
	(void)vcpu_idx;
	(void)reset;
	for (unsigned int i = 0; i < 31u; i++) {
		regs->x[i] = Frama_C_unsigned_long_long_interval(0, UINT64_MAX);
	}
	regs->pc = Frama_C_unsigned_long_long_interval(0, UINT64_MAX);
	regs->pstate = Frama_C_unsigned_long_long_interval(0, UINT64_MAX);
	ret_exit->kind = Frama_C_unsigned_int_interval(ARCH_EXIT_SYNC, ARCH_EXIT_IRQ);
	ret_exit->esr = Frama_C_unsigned_long_long_interval(0, UINT64_MAX);
	ret_exit->far = Frama_C_unsigned_long_long_interval(0, UINT64_MAX);
	ret_exit->hpfar = Frama_C_unsigned_long_long_interval(0, UINT64_MAX);
}

_Noreturn void arch_panic(const char *why)
{
	Frama_C_show_each_panic(why);
	/*@ assert kcore_never_panics: \false; */
	for (;;) {
	}
}

void kc_sig_init(struct kc_sig_state *state)
{
	state->opaque[0] = 0;
}

void kc_sig_update(struct kc_sig_state *state, const uint8_t *bytes, uint64_t len)
{
	/* Reads what it hashes, as the real one does. */
	for (uint64_t i = 0; i < len; i++) {
		state->opaque[0] += bytes[i];
	}
}

int kc_sig_final_verify(struct kc_sig_state *state, const uint8_t sig[64], const uint8_t pubkey[32])
{
	(void)state;
	(void)sig;
	(void)pubkey;
	return Frama_C_interval(-1, 0);
}

static uint64_t any(void)
{
	return Frama_C_unsigned_long_long_interval(0, UINT64_MAX);
}

int main(void)
{
	struct kc_boot_info info = { 0 };
	struct kc_regs regs;

	info.ram_base = kc_pa(PHYS_BASE);
	info.ram_pages = PHYS_PAGES;
	info.pool_base = kc_pa(pool_base);
	info.pool_pages = POOL_PAGES;
	info.host_quota = Frama_C_unsigned_long_long_interval(0, POOL_PAGES);
	if (kcore_init(&info) != KC_OK) {
		return 1;
	}
	while (Frama_C_nondet(0, 1)) {
		if (Frama_C_nondet(0, 1)) {
			for (unsigned int i = 0; i < 18u; i++) {
				regs.x[i] = any();
			}
			/* Mostly kcore's own ids, so the calls get past the dispatcher. */
			if (Frama_C_nondet(0, 1)) {
				regs.x[0] = Frama_C_unsigned_long_long_interval(KC_HC_FIRST, KC_HC_LAST);
			}
			kcore_host_hvc(&regs);
		} else {
			(void)kcore_host_abort(any(), any(), any());
		}
	}
	return 0;
}
