/*
 * Page ownership and the host's stage-2.
 *
 * Lock order (the only one in kcore): VM lock -> host lock (this file) -> pool lock.
 * The host lock guards the ownership table and the host's stage-2 tables.
 * Every transition is: validate arguments, lock, check (no side effects),
 * apply (cannot fail: table pages are prepared before the checks), unlock.
 */
#include "mem.h"

static struct {
	arch_lock_t lock;
	kc_pa_t ram_base;
	uint64_t ram_pages;
	struct kc_s2 host_s2;
	struct kc_page pages[KC_RAM_PAGES_MAX];
} mem;

/* [base, base + pages) lies in RAM: its first page index, or -1. */
static int64_t ram_range_first(kc_pa_t base, uint64_t pages)
{
	uint64_t first = (base.pa - mem.ram_base.pa) / KC_PAGE_SIZE;

	if (!kc_page_aligned(base.pa) || base.pa < mem.ram_base.pa || first > mem.ram_pages ||
	    pages > mem.ram_pages - first) {
		return -1;
	}
	return (int64_t)first;
}

/* Every RAM page is the host's but kcore's own memory: its pool and its image (INV-3). */
int mem_init(const struct kc_boot_info *info)
{
	int64_t pool_first, kcore_first;
	uint64_t i;
	int r;

	if (!kc_page_aligned(info->ram_base.pa) || info->ram_pages == 0 ||
	    info->ram_pages > KC_RAM_PAGES_MAX || info->ram_base.pa > KC_IPA_LIMIT ||
	    info->ram_pages * KC_PAGE_SIZE > KC_IPA_LIMIT - info->ram_base.pa) {
		return KC_EINVAL;
	}
	mem.ram_base = info->ram_base;
	mem.ram_pages = info->ram_pages;
	pool_first = ram_range_first(info->pool_base, info->pool_pages);
	kcore_first = ram_range_first(info->kcore_base, info->kcore_pages);
	if (pool_first < 0 || (info->kcore_pages > 0 && kcore_first < 0)) {
		return KC_EINVAL;
	}
	/*@ loop invariant 0 <= i <= mem.ram_pages;
	    loop invariant \forall integer k; 0 <= k < i ==> mem.pages[k].share_count == 0 &&
	      mem.pages[k].gfn == 0 &&
	      (mem.pages[k].owner == KC_OWNER_HOST || mem.pages[k].owner == KC_OWNER_KCORE);
	    loop invariant \forall integer k; 0 <= k < i && pool_first <= k < pool_first + info->pool_pages ==>
	      mem.pages[k].owner == KC_OWNER_KCORE;
	    loop invariant \forall integer k; 0 <= k < i && info->kcore_pages > 0 &&
	      kcore_first <= k < kcore_first + info->kcore_pages ==> mem.pages[k].owner == KC_OWNER_KCORE;
	    loop assigns i, mem.pages[0 .. KC_RAM_PAGES_MAX - 1];
	    loop variant mem.ram_pages - i; */
	for (i = 0; i < mem.ram_pages; i++) {
		mem.pages[i].owner = KC_OWNER_HOST;
		if ((i >= (uint64_t)pool_first && i < (uint64_t)pool_first + info->pool_pages) ||
		    (info->kcore_pages > 0 && i >= (uint64_t)kcore_first &&
		     i < (uint64_t)kcore_first + info->kcore_pages)) {
			mem.pages[i].owner = KC_OWNER_KCORE; /* INV-3: never mapped in any stage-2 */
		}
		mem.pages[i].share_count = 0;
		mem.pages[i].gfn = 0;
	}
	r = s2_init(&mem.host_s2, KC_HOST_VMID, info->host_quota, &mem.lock);
	if (r < 0) {
		return r;
	}
	arch_s2_host_install(s2_vttbr(&mem.host_s2));
	return KC_OK;
}

uint64_t mem_host_vttbr(void)
{
	return s2_vttbr(&mem.host_s2);
}

const struct kc_s2 *mem_host_s2(void)
{
	return &mem.host_s2;
}

int mem_pfn_to_pa(uint64_t pfn, kc_pa_t *ret_pa)
{
	if (pfn >= (KC_IPA_LIMIT >> KC_PAGE_SHIFT)) {
		return KC_EINVAL;
	}
	*ret_pa = kc_pa(pfn << KC_PAGE_SHIFT);
	return KC_OK;
}

/* The ownership entry of a RAM page, or NULL: the page's owner is NONE. */
static struct kc_page *mem_page_locked(kc_pa_t pa)
{
	kc_assert_lock_held(&mem.lock);
	if (pa.pa < mem.ram_base.pa || (pa.pa - mem.ram_base.pa) / KC_PAGE_SIZE >= mem.ram_pages) {
		return NULL;
	}
	return &mem.pages[(pa.pa - mem.ram_base.pa) / KC_PAGE_SIZE];
}

struct kc_page mem_page_get(kc_pa_t pa)
{
	struct kc_page copy = { KC_OWNER_NONE, 0, 0 };
	const struct kc_page *page;

	arch_lock(&mem.lock);
	page = mem_page_locked(pa);
	if (page != NULL) {
		copy = *page;
	}
	arch_unlock(&mem.lock);
	return copy;
}

static int check_page_owned_by_locked(kc_pa_t pa, uint32_t owner)
{
	const struct kc_page *page = mem_page_locked(pa);

	if (page == NULL || page->owner != owner) {
		return KC_EPERM;
	}
	return KC_OK;
}

/* The host loses its identity mapping of pa, if it had one. */
static void host_unmap_locked(kc_pa_t pa)
{
	if (s2_leaf(&mem.host_s2, kc_ipa(pa.pa)) != 0) {
		s2_unmap(&mem.host_s2, kc_ipa(pa.pa));
	}
}

/* HOST: OWNED -> NOPAGE; VM n: NOPAGE -> OWNED at ipa. */
int mem_host_donate_vm(struct kc_vm_locked vm, kc_pa_t pa, kc_ipa_t ipa)
{
	struct kc_page *page;
	int r;

	kc_assert_lock_held(&vm.vm->lock);
	if (s2_leaf(&vm.vm->s2, ipa) != 0) {
		return KC_EEXIST;
	}
	r = s2_prepare(&vm.vm->s2, ipa);
	if (r < 0) {
		return r;
	}
	arch_lock(&mem.lock);
	r = check_page_owned_by_locked(pa, KC_OWNER_HOST);
	if (r < 0) {
		goto unlock;
	}
	page = mem_page_locked(pa);
	KC_BUG_ON(page->share_count != 0);
	host_unmap_locked(pa);
	page->owner = (uint16_t)vm.vm->vmid;
	page->gfn = (uint32_t)(ipa.ipa >> KC_PAGE_SHIFT);
	s2_map_commit(&vm.vm->s2, ipa, (pa.pa & KC_PTE_ADDR) | KC_PTE_PAGE_NORMAL);
	vm.vm->page_count++;
unlock:
	arch_unlock(&mem.lock);
	return r;
}

/* The VM page mapped at ipa, after checking INV-1 for it. */
static int vm_page_at_locked(struct kc_vm_locked vm, kc_ipa_t ipa, kc_pa_t *ret_pa)
{
	uint64_t desc = s2_leaf(&vm.vm->s2, ipa);
	const struct kc_page *page;

	if (desc == 0) {
		return KC_ENOENT;
	}
	page = mem_page_locked(kc_pa(desc & KC_PTE_ADDR));
	/* INV-1: a page in a VM's stage-2 is owned by that VM, at that gfn. */
	KC_BUG_ON(page == NULL || page->owner != vm.vm->vmid ||
		  page->gfn != (uint32_t)(ipa.ipa >> KC_PAGE_SHIFT));
	*ret_pa = kc_pa(desc & KC_PTE_ADDR);
	return KC_OK;
}

/* VM n: OWNED (shares k) -> OWNED (shares k+1); the host may then map it on a fault. */
int mem_vm_share_host(struct kc_vm_locked vm, kc_ipa_t ipa)
{
	struct kc_page *page;
	kc_pa_t pa = kc_pa(0);
	int r;

	kc_assert_lock_held(&vm.vm->lock);
	arch_lock(&mem.lock);
	r = vm_page_at_locked(vm, ipa, &pa);
	if (r < 0) {
		goto unlock;
	}
	page = mem_page_locked(pa);
	if (page->share_count >= KC_SHARE_COUNT_MAX) {
		r = KC_ERANGE;
		goto unlock;
	}
	page->share_count++;
unlock:
	arch_unlock(&mem.lock);
	return r;
}

/* VM n: OWNED (shares k>0) -> OWNED (shares k-1); at 0 the host loses its mapping. */
int mem_vm_unshare_host(struct kc_vm_locked vm, kc_ipa_t ipa)
{
	struct kc_page *page;
	kc_pa_t pa = kc_pa(0);
	int r;

	kc_assert_lock_held(&vm.vm->lock);
	arch_lock(&mem.lock);
	r = vm_page_at_locked(vm, ipa, &pa);
	if (r < 0) {
		goto unlock;
	}
	page = mem_page_locked(pa);
	if (page->share_count == 0) {
		r = KC_EPERM;
		goto unlock;
	}
	page->share_count--;
	if (page->share_count == 0) {
		host_unmap_locked(pa); /* INV-2 */
	}
unlock:
	arch_unlock(&mem.lock);
	return r;
}

/* VM n (dying): OWNED -> NOPAGE; HOST: NOPAGE -> OWNED, zeroed and cleaned to PoC. */
int mem_host_reclaim_vm(struct kc_vm_locked vm, kc_pa_t pa)
{
	struct kc_page *page;
	int r;

	kc_assert_lock_held(&vm.vm->lock);
	KC_BUG_ON(vm.vm->state != KC_VM_DYING);
	arch_lock(&mem.lock);
	r = check_page_owned_by_locked(pa, vm.vm->vmid);
	if (r < 0) {
		goto unlock;
	}
	page = mem_page_locked(pa);
	s2_unmap(&vm.vm->s2, kc_ipa((uint64_t)page->gfn << KC_PAGE_SHIFT));
	host_unmap_locked(pa);
	/* INV-5: scrubbed before return. */
	arch_page_zero(pa);
	arch_page_clean_poc(pa);
	page->owner = KC_OWNER_HOST;
	page->share_count = 0;
	page->gfn = 0;
	vm.vm->page_count--;
unlock:
	arch_unlock(&mem.lock);
	return r;
}

static int check_host_may_map_locked(kc_pa_t pa, uint64_t *ret_desc)
{
	const struct kc_page *page = mem_page_locked(pa);

	if (page == NULL) {
		*ret_desc = (pa.pa & KC_PTE_ADDR) | KC_PTE_PAGE_DEVICE;
		return KC_OK;
	}
	/* INV-2 and INV-3: host-owned, or shared with the host by its owner VM. */
	if (page->owner == KC_OWNER_HOST ||
	    (page->owner != KC_OWNER_KCORE && page->owner != KC_OWNER_NONE && page->share_count > 0)) {
		*ret_desc = (pa.pa & KC_PTE_ADDR) | KC_PTE_PAGE_NORMAL;
		return KC_OK;
	}
	return KC_EPERM;
}

/* HOST: OWNED or SHARED_BORROWED, unmapped -> mapped (identity) in the host's stage-2. */
int mem_host_fault(kc_pa_t pa)
{
	uint64_t desc = 0;
	int r;

	if (pa.pa >= KC_IPA_LIMIT) {
		return KC_EINVAL;
	}
	pa = kc_pa(pa.pa & ~KC_PAGE_MASK);
	arch_lock(&mem.lock);
	r = check_host_may_map_locked(pa, &desc);
	if (r < 0 || s2_leaf(&mem.host_s2, kc_ipa(pa.pa)) != 0) {
		goto unlock;
	}
	r = s2_prepare(&mem.host_s2, kc_ipa(pa.pa));
	if (r < 0) {
		goto unlock;
	}
	s2_map_commit(&mem.host_s2, kc_ipa(pa.pa), desc);
unlock:
	arch_unlock(&mem.lock);
	return r;
}
