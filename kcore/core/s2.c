/* Stage-2 page tables: 40-bit IPA, 4 KiB pages, level-1 root of two concatenated tables. */
#include "s2.h"

static kc_pa_t s2_entry(kc_pa_t table, uint64_t idx)
{
	return kc_pa(table.pa + idx * 8u);
}

static uint64_t s2_index(kc_ipa_t ipa, unsigned int shift, uint64_t entries)
{
	return (ipa.ipa >> shift) & (entries - 1u);
}

static bool s2_is_table(uint64_t desc)
{
	return (desc & (KC_PTE_VALID | KC_PTE_TYPE_TABLE)) == (KC_PTE_VALID | KC_PTE_TYPE_TABLE);
}

static kc_pa_t s2_next(uint64_t desc)
{
	return kc_pa(desc & KC_PTE_ADDR);
}

int s2_init(struct kc_s2 *s2, uint32_t vmid, uint64_t quota_pages, const arch_lock_t *guard)
{
	int r;

	r = pool_reserve(&s2->quota, quota_pages);
	if (r < 0) {
		return r;
	}
	s2->root = pool_root(vmid);
	s2->vmid = vmid;
	s2->guard = guard;
	arch_page_zero(s2->root);
	arch_page_zero(kc_pa(s2->root.pa + KC_PAGE_SIZE));
	return KC_OK;
}

uint64_t s2_vttbr(const struct kc_s2 *s2)
{
	return (s2->root.pa & KC_VTTBR_BADDR) | KC_FIELD_PREP(KC_VTTBR_VMID, s2->vmid);
}

/* The address of ipa's level-3 entry, if the tables down to it exist. */
static bool s2_leaf_entry(const struct kc_s2 *s2, kc_ipa_t ipa, kc_pa_t *ret_entry)
{
	uint64_t l1, l2;

	l1 = arch_pte_load(s2_entry(s2->root, s2_index(ipa, KC_S2_L1_SHIFT, KC_S2_ROOT_ENTRIES)));
	if (!s2_is_table(l1)) {
		return false;
	}
	l2 = arch_pte_load(s2_entry(s2_next(l1), s2_index(ipa, KC_S2_L2_SHIFT, KC_S2_ENTRIES)));
	if (!s2_is_table(l2)) {
		return false;
	}
	*ret_entry = s2_entry(s2_next(l2), s2_index(ipa, KC_S2_L3_SHIFT, KC_S2_ENTRIES));
	return true;
}

uint64_t s2_leaf(const struct kc_s2 *s2, kc_ipa_t ipa)
{
	kc_pa_t entry;
	uint64_t desc;

	kc_assert_lock_held(s2->guard);
	if (!s2_leaf_entry(s2, ipa, &entry)) {
		return 0;
	}
	desc = arch_pte_load(entry);
	return (desc & KC_PTE_VALID) ? desc : 0;
}

/* Link a fresh table below `entry` if it has none; invalid -> valid needs no TLB maintenance. */
static int s2_ensure_table(struct kc_s2 *s2, kc_pa_t entry, kc_pa_t *ret_table)
{
	uint64_t desc;
	kc_pa_t table;
	int r;

	desc = arch_pte_load(entry);
	if (s2_is_table(desc)) {
		*ret_table = s2_next(desc);
		return KC_OK;
	}
	KC_BUG_ON(desc & KC_PTE_VALID); /* kcore never writes block entries */
	r = pool_alloc(&s2->quota, &table);
	if (r < 0) {
		return r;
	}
	arch_dsb_ishst(); /* the zeroed table is visible before the walker can reach it */
	arch_pte_store(entry, KC_PTE_TABLE_DESC(table.pa));
	arch_dsb_ishst(); /* published even if a later step of the walk fails */
	*ret_table = table;
	return KC_OK;
}

int s2_prepare(struct kc_s2 *s2, kc_ipa_t ipa)
{
	kc_pa_t l2, l3;
	int r;

	kc_assert_lock_held(s2->guard);
	r = s2_ensure_table(s2, s2_entry(s2->root, s2_index(ipa, KC_S2_L1_SHIFT, KC_S2_ROOT_ENTRIES)),
			    &l2);
	if (r < 0) {
		return r;
	}
	return s2_ensure_table(s2, s2_entry(l2, s2_index(ipa, KC_S2_L2_SHIFT, KC_S2_ENTRIES)), &l3);
}

void s2_map_commit(struct kc_s2 *s2, kc_ipa_t ipa, uint64_t desc)
{
	kc_pa_t entry;

	kc_assert_lock_held(s2->guard);
	KC_BUG_ON(!s2_leaf_entry(s2, ipa, &entry));
	KC_BUG_ON(arch_pte_load(entry) & KC_PTE_VALID); /* INV-4: never valid -> valid */
	arch_pte_store(entry, desc);
	arch_dsb_ishst();
}

void s2_unmap(struct kc_s2 *s2, kc_ipa_t ipa)
{
	kc_pa_t entry;

	kc_assert_lock_held(s2->guard);
	KC_BUG_ON(!s2_leaf_entry(s2, ipa, &entry));
	KC_BUG_ON(!(arch_pte_load(entry) & KC_PTE_VALID));
	/* INV-4: reference sequence #2'' of kcore-facts.md section 4. */
	arch_pte_store(entry, 0);
	arch_dsb_ishst();
	arch_s2_context_enter(s2_vttbr(s2));
	arch_tlbi_ipas2e1is(ipa);
	arch_dsb_ish();
	arch_tlbi_vmalle1is();
	arch_dsb_ish();
	arch_isb();
	arch_s2_context_exit();
}

static void s2_free_level2(struct kc_s2 *s2, kc_pa_t l2)
{
	uint64_t i, desc;

	for (i = 0; i < KC_S2_ENTRIES; i++) {
		desc = arch_pte_load(s2_entry(l2, i));
		/* Every leaf was unmapped when its page was reclaimed. */
		if (s2_is_table(desc)) {
			pool_free(&s2->quota, s2_next(desc));
		}
	}
	pool_free(&s2->quota, l2);
}

void s2_destroy(struct kc_s2 *s2)
{
	uint64_t i, desc;

	kc_assert_lock_held(s2->guard);
	/* Reference sequence #3: drop walk caches of the VMID before its tables are reused. */
	arch_s2_context_enter(s2_vttbr(s2));
	arch_dsb_ish();
	arch_tlbi_vmalls12e1is();
	arch_dsb_ish();
	arch_isb();
	arch_s2_context_exit();
	for (i = 0; i < KC_S2_ROOT_ENTRIES; i++) {
		desc = arch_pte_load(s2_entry(s2->root, i));
		if (s2_is_table(desc)) {
			s2_free_level2(s2, s2_next(desc));
		}
	}
	pool_unreserve(&s2->quota);
}
