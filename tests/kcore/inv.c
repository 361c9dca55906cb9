/*
 * The invariant checker: INV-1..5 of ARCHITECTURE.md section 3, checked over the
 * whole model machine from the descriptors in memory (as hardware would walk
 * them) and kcore's ownership table.
 */
#include "fixture.h"

#include "bits.h"

static unsigned int breaches;
static const char *where_now;

static void breach(const char *inv, const char *what, uint64_t a, uint64_t b)
{
	if (breaches < 5) {
		fprintf(stderr, "%s: %s breached: %s (0x%llx, 0x%llx)\n", where_now, inv, what,
			(unsigned long long)a, (unsigned long long)b);
	}
	breaches++;
}

/* INV-3: every table page is a kcore page. */
static void check_table_page(uint64_t pa)
{
	if (mem_page_get(kc_pa(pa)).owner != KC_OWNER_KCORE) {
		breach("INV-3", "a stage-2 table page is not kcore's", pa, 0);
	}
}

/* Visit every valid leaf of a stage-2 tree; returns how many there are. */
static uint64_t walk_leaves(uint64_t root, uint32_t vmid)
{
	uint64_t i, j, k, l1, l2, l3, ipa, pa, n = 0;
	struct kc_page page;

	check_table_page(root);
	check_table_page(root + KC_PAGE_SIZE);
	for (i = 0; i < KC_S2_ROOT_ENTRIES; i++) {
		l1 = model_phys_read64(root + i * 8);
		if (!(l1 & KC_PTE_VALID)) {
			continue;
		}
		if (!(l1 & KC_PTE_TYPE_TABLE)) {
			breach("INV-4", "block descriptor at level 1", root, i);
			continue;
		}
		check_table_page(l1 & KC_PTE_ADDR);
		for (j = 0; j < KC_S2_ENTRIES; j++) {
			l2 = model_phys_read64((l1 & KC_PTE_ADDR) + j * 8);
			if (!(l2 & KC_PTE_VALID)) {
				continue;
			}
			check_table_page(l2 & KC_PTE_ADDR);
			for (k = 0; k < KC_S2_ENTRIES; k++) {
				l3 = model_phys_read64((l2 & KC_PTE_ADDR) + k * 8);
				if (!(l3 & KC_PTE_VALID)) {
					continue;
				}
				n++;
				ipa = (i << KC_S2_L1_SHIFT) | (j << KC_S2_L2_SHIFT) | (k << KC_S2_L3_SHIFT);
				pa = l3 & KC_PTE_ADDR;
				page = mem_page_get(kc_pa(pa));
				if (page.owner == KC_OWNER_KCORE) {
					breach("INV-3", "kcore page mapped", vmid, pa);
				}
				if (vmid != KC_HOST_VMID) {
					if (page.owner != vmid || page.gfn != (ipa >> KC_PAGE_SHIFT)) {
						breach("INV-1", "VM maps a page it does not own at that gfn", vmid, ipa);
					}
					continue;
				}
				if (ipa != pa) {
					breach("INV-2", "host mapping is not the identity", ipa, pa);
				} else if (!model_is_ram(pa)) {
					if (KC_FIELD_GET(KC_PTE_S2_MEMATTR, l3) != KC_S2_MEMATTR_DEVICE_NGNRE) {
						breach("INV-2", "non-RAM mapped as normal memory", pa, l3);
					}
				} else if (page.owner != KC_OWNER_HOST &&
					   !(page.owner >= 1 && page.owner <= KC_VMS_MAX && page.share_count > 0)) {
					breach("INV-2", "host maps a page neither its own nor shared", pa, page.owner);
				}
			}
		}
	}
	return n;
}

static void check_vms(void)
{
	uint64_t owned[KC_VMS_MAX + 1] = { 0 };
	uint32_t v, i;
	struct kc_page page;
	const struct kc_vm *vm;

	for (i = 0; i < MODEL_RAM_PAGES; i++) {
		page = mem_page_get(kc_pa(fx_pa(i)));
		if (page.owner >= 1 && page.owner <= KC_VMS_MAX) {
			owned[page.owner]++;
		} else if (page.share_count != 0) {
			breach("INV-1", "a share count on a page no VM owns", fx_pa(i), page.share_count);
		}
		/* INV-5: a host page someone else wrote has been scrubbed and cleaned. */
		if (page.owner == KC_OWNER_HOST && model_page_writer(fx_pa(i)) != 0 &&
		    (!model_page_is_zero(fx_pa(i)) || !model_page_clean(fx_pa(i)))) {
			breach("INV-5", "host page written by others is not scrubbed", fx_pa(i),
			       model_page_writer(fx_pa(i)));
		}
	}
	for (v = 1; v <= KC_VMS_MAX; v++) {
		vm = vm_peek(v);
		if (vm->state == KC_VM_FREE) {
			if (owned[v] != 0 || vm->page_count != 0) {
				breach("INV-1", "a free VM id still owns pages", v, owned[v]);
			}
			continue;
		}
		if (owned[v] != vm->page_count) {
			breach("INV-1", "page_count differs from the ownership table", v, owned[v]);
		}
		if (walk_leaves(vm->s2.root.pa, v) != owned[v]) {
			breach("INV-1", "a page the VM owns is not mapped at its gfn", v, owned[v]);
		}
	}
}

unsigned int inv_check(const char *where)
{
	const char *why = NULL;
	unsigned int before = breaches;

	where_now = where;
	(void)walk_leaves(mem_host_s2()->root.pa, KC_HOST_VMID);
	check_vms();
	if (model_violation() != NULL) {
		breach("INV-4", model_violation(), 0, 0);
	}
	if (!model_tlb_coherent(&why)) {
		breach("INV-4", why, 0, 0);
	}
	if (breaches != before) {
		test_failures++;
	}
	return breaches - before;
}
