/* Stage-2 tables and the model machine: table shape, the exact BBM sequence, the TLB and the checker. */
#include <string.h>

#include "bits.h"
#include "fixture.h"

/* Count the valid entries of a table of n entries. */
static unsigned int valid_entries(uint64_t table, unsigned int n)
{
	unsigned int i, count = 0;

	for (i = 0; i < n; i++) {
		count += (model_phys_read64(table + i * 8u) & KC_PTE_VALID) != 0;
	}
	return count;
}

/* One host fault maps exactly one page: one entry per level, real descriptor bits. */
static void test_host_fault_table_shape(void)
{
	uint64_t root, l1, l2, l3, pa = fx_pa(300), v = 0;

	fx_boot();
	root = mem_host_s2()->root.pa;
	CHECK_EQ(valid_entries(root, KC_S2_ROOT_ENTRIES), 0);
	CHECK_EQ(model_host_read(pa + 8, &v), MODEL_OK);
	CHECK_EQ(valid_entries(root, KC_S2_ROOT_ENTRIES), 1);
	l1 = model_phys_read64(root + (pa >> 30) * 8u);
	CHECK_EQ(l1 & 3u, 3u); /* table descriptor */
	CHECK_EQ(valid_entries(l1 & KC_PTE_ADDR, KC_S2_ENTRIES), 1);
	l2 = model_phys_read64((l1 & KC_PTE_ADDR) + ((pa >> 21) & 0x1ffu) * 8u);
	CHECK_EQ(l2 & 3u, 3u);
	CHECK_EQ(valid_entries(l2 & KC_PTE_ADDR, KC_S2_ENTRIES), 1);
	l3 = model_phys_read64((l2 & KC_PTE_ADDR) + ((pa >> 12) & 0x1ffu) * 8u);
	/* Page, normal write-back, RW, inner shareable, AF, executable, identity. */
	CHECK_EQ(l3, pa | (0xfu << 2) | (3u << 6) | (3u << 8) | (1u << 10) | 3u);
	CHECK_EQ(mem_page_get(kc_pa(l1 & KC_PTE_ADDR)).owner, KC_OWNER_KCORE);
	CHECK_EQ(mem_page_get(kc_pa(l2 & KC_PTE_ADDR)).owner, KC_OWNER_KCORE);
	/* Non-RAM: device memory, never executable. */
	CHECK_EQ(model_host_read(0x9000000, &v), MODEL_OK);
	l3 = model_walk(root, 0x9000000);
	CHECK_EQ(KC_FIELD_GET(KC_PTE_S2_MEMATTR, l3), KC_S2_MEMATTR_DEVICE_NGNRE);
	CHECK(l3 & KC_PTE_S2_XN);
	inv_check("host fault shape");
}

/* Giving a host-mapped page to a VM removes it with sequence #2'' exactly. */
static void test_donate_logs_reference_sequence(void)
{
	static const enum model_event_kind want[] = {
		EV_PTE_STORE, EV_DSB_ISHST, EV_CTX_ENTER, EV_ISB, EV_TLBI_IPAS2E1IS, EV_DSB_ISH,
		EV_TLBI_VMALLE1IS, EV_DSB_ISH, EV_ISB, EV_CTX_EXIT, EV_ISB,
	};
	const struct model_event *ev;
	uint64_t vm, v = 0, pa = fx_pa(301);
	size_t n, i, start = 0;

	fx_boot();
	vm = fx_vm_created(1, KC_PAGE_SIZE);
	CHECK_EQ(model_host_read(pa, &v), MODEL_OK);
	model_log_clear();
	CHECK_EQ(hc(KC_HC_VM_LOAD_PAGE, vm, 0, pa >> KC_PAGE_SHIFT).ret, KC_OK);
	n = model_log(&ev);
	/* The VM's tables are built first (table stores, DSB); the host's entry breaks after. */
	for (i = 0; i < n; i++) {
		if (ev[i].kind == EV_PTE_STORE && ev[i].b == 0) {
			start = i;
			break;
		}
	}
	CHECK(n >= start + sizeof(want) / sizeof(want[0]));
	for (i = 0; i < sizeof(want) / sizeof(want[0]) && start + i < n; i++) {
		if (ev[start + i].kind != want[i]) {
			fprintf(stderr, "event %zu: %s, expected %s\n", i, model_event_name(ev[start + i].kind),
				model_event_name(want[i]));
			test_failures++;
		}
	}
	CHECK_EQ(ev[start + 2].a, KC_HOST_VMID);
	CHECK_EQ(ev[start + 4].b, pa);
	/* Then the VM's leaf: invalid -> valid, published with a DSB. */
	CHECK_EQ(ev[start + 11].kind, EV_PTE_STORE);
	CHECK_EQ(ev[start + 11].b & KC_PTE_ADDR, pa);
	CHECK_EQ(ev[start + 12].kind, EV_DSB_ISHST);
	inv_check("donate sequence");
}

/* The address of the host's level-3 entry for pa (its tables must exist). */
static uint64_t host_entry(uint64_t pa)
{
	uint64_t root = mem_host_s2()->root.pa;
	uint64_t l1 = model_phys_read64(root + (pa >> 30) * 8u);
	uint64_t l2 = model_phys_read64((l1 & KC_PTE_ADDR) + ((pa >> 21) & 0x1ffu) * 8u);

	return (l2 & KC_PTE_ADDR) + ((pa >> 12) & 0x1ffu) * 8u;
}

/* The model's TLB really keeps stale entries: both kinds must be invalidated, then completed. */
static void test_model_tlb_keeps_stale_entries(void)
{
	uint64_t v = 0, pa = fx_pa(302);
	const char *why = NULL;

	fx_boot();
	CHECK_EQ(model_host_read(pa, &v), MODEL_OK);
	CHECK(model_tlb_count(0) >= 2);
	model_set_violation_fatal(false);
	/* Break the entry behind kcore's back, as a buggy kcore would. */
	arch_pte_store(kc_pa(host_entry(pa)), 0);
	arch_dsb_ish();
	CHECK_EQ(model_host_read(pa, &v), MODEL_OK); /* stale, but still translates */
	CHECK(!model_tlb_coherent(&why));
	arch_tlbi_ipas2e1is(kc_ipa(pa));
	CHECK(!model_tlb_coherent(&why)); /* not complete before a DSB */
	arch_dsb_ish();
	CHECK(!model_tlb_coherent(&why)); /* the combined stage 1+2 entry remains */
	arch_tlbi_vmalle1is();
	arch_dsb_ish();
	CHECK(model_tlb_coherent(&why));
	CHECK_EQ(model_tlb_count(0), 0);
	arch_isb();
	CHECK(model_violation() == NULL);
}

/* The checker flags each broken sequence. */
static void test_checker_flags_bad_sequences(void)
{
	uint64_t v = 0, pa = fx_pa(303), entry, desc;

	fx_boot();
	CHECK_EQ(model_host_read(pa, &v), MODEL_OK);
	entry = host_entry(pa);
	desc = model_phys_read64(entry);
	model_set_violation_fatal(false);
	arch_pte_store(kc_pa(entry), desc ^ KC_PTE_S2_AP_W); /* valid -> valid */
	CHECK(model_violation() != NULL);

	fx_boot();
	CHECK_EQ(model_host_read(pa, &v), MODEL_OK);
	model_set_violation_fatal(false);
	arch_pte_store(kc_pa(entry), 0);
	arch_tlbi_ipas2e1is(kc_ipa(pa)); /* no DSB between the store and the TLBI */
	CHECK(model_violation() != NULL);

	fx_boot();
	CHECK_EQ(model_host_read(pa, &v), MODEL_OK);
	model_set_violation_fatal(false);
	arch_pte_store(kc_pa(entry), 0);
	arch_dsb_ishst();
	arch_tlbi_ipas2e1is(kc_ipa(pa));
	arch_dsb_ish();
	arch_pte_store(kc_pa(entry), desc); /* made valid before the stage-1 flush */
	CHECK(model_violation() != NULL);
}

const struct test_case tests_s2[] = {
	{ "host fault table shape", test_host_fault_table_shape },
	{ "donate logs reference sequence", test_donate_logs_reference_sequence },
	{ "model TLB keeps stale entries", test_model_tlb_keeps_stale_entries },
	{ "checker flags bad sequences", test_checker_flags_bad_sequences },
	{ NULL, NULL },
};
