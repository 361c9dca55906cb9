/* kcore's page pool: fixed root slots, then a bitmap of single table pages, with quota reservations. */
#include "pool.h"

#define POOL_ROOT_AREA_PAGES (KC_S2_ROOT_PAGES * (KC_VMS_MAX + 1u))

static struct {
	arch_lock_t lock;
	kc_pa_t base;		/* the root area, then the page area */
	uint64_t pages;		/* pages in the page area */
	uint64_t reserved;	/* sum of all quota limits */
	uint64_t bitmap[KC_POOL_PAGES_MAX / 64u];
} pool;

int pool_init(kc_pa_t base, uint64_t pages)
{
	uint64_t i;

	if (pages <= POOL_ROOT_AREA_PAGES || pages - POOL_ROOT_AREA_PAGES > KC_POOL_PAGES_MAX ||
	    (base.pa & (KC_S2_ROOT_PAGES * KC_PAGE_SIZE - 1)) != 0 ||
	    pages * KC_PAGE_SIZE > UINT64_MAX - base.pa) {
		return KC_EINVAL;
	}
	pool.base = base;
	pool.pages = pages - POOL_ROOT_AREA_PAGES;
	pool.reserved = 0;
	/*@ loop invariant 0 <= i <= KC_POOL_PAGES_MAX / 64u;
	    loop invariant \forall integer k; 0 <= k < i ==> pool.bitmap[k] == 0;
	    loop assigns i, pool.bitmap[0 .. KC_POOL_PAGES_MAX / 64u - 1];
	    loop variant KC_POOL_PAGES_MAX / 64u - i; */
	for (i = 0; i < KC_POOL_PAGES_MAX / 64u; i++) {
		pool.bitmap[i] = 0;
	}
	return KC_OK;
}

static kc_pa_t pool_page_area(void)
{
	return kc_pa(pool.base.pa + POOL_ROOT_AREA_PAGES * KC_PAGE_SIZE);
}

bool pool_contains(kc_pa_t pa)
{
	return pa.pa >= pool.base.pa &&
	       pa.pa - pool.base.pa < (POOL_ROOT_AREA_PAGES + pool.pages) * KC_PAGE_SIZE;
}

kc_pa_t pool_root(uint32_t vmid)
{
	KC_BUG_ON(vmid > KC_VMS_MAX);
	return kc_pa(pool.base.pa + (uint64_t)vmid * KC_S2_ROOT_PAGES * KC_PAGE_SIZE);
}

uint64_t pool_reserved_pages(void)
{
	return pool.reserved;
}

int pool_reserve(struct kc_quota *quota, uint64_t pages)
{
	int r = KC_ENOSPC;

	arch_lock(&pool.lock);
	if (pages > pool.pages - pool.reserved) {
		goto unlock;
	}
	pool.reserved += pages;
	quota->limit = (uint32_t)pages;
	quota->used = 0;
	r = KC_OK;
unlock:
	arch_unlock(&pool.lock);
	return r;
}

void pool_unreserve(struct kc_quota *quota)
{
	KC_BUG_ON(quota->used != 0);
	arch_lock(&pool.lock);
	KC_BUG_ON(pool.reserved < quota->limit);
	pool.reserved -= quota->limit;
	quota->limit = 0;
	arch_unlock(&pool.lock);
}

static bool pool_bit(uint64_t idx)
{
	return (pool.bitmap[idx / 64u] & KC_BIT(idx % 64u)) != 0;
}

int pool_alloc(struct kc_quota *quota, kc_pa_t *ret_pa)
{
	uint64_t idx;
	kc_pa_t pa;

	if (quota->used >= quota->limit) {
		return KC_ENOMEM;
	}
	arch_lock(&pool.lock);
	for (idx = 0; idx < pool.pages && pool_bit(idx); idx++) {
	}
	/* Reservations never exceed the page area, so a page within quota always exists. */
	KC_BUG_ON(idx == pool.pages);
	pool.bitmap[idx / 64u] |= KC_BIT(idx % 64u);
	arch_unlock(&pool.lock);
	quota->used++;
	pa = kc_pa(pool_page_area().pa + idx * KC_PAGE_SIZE);
	arch_page_zero(pa);
	*ret_pa = pa;
	return KC_OK;
}

void pool_free(struct kc_quota *quota, kc_pa_t pa)
{
	uint64_t idx;

	KC_BUG_ON(pa.pa < pool_page_area().pa || !pool_contains(pa) || quota->used == 0);
	idx = (pa.pa - pool_page_area().pa) / KC_PAGE_SIZE;
	arch_lock(&pool.lock);
	KC_BUG_ON(!pool_bit(idx));
	pool.bitmap[idx / 64u] &= ~KC_BIT(idx % 64u);
	arch_unlock(&pool.lock);
	quota->used--;
}
