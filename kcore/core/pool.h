/* kcore's page pool: kcore-owned pages for stage-2 tables, handed out against per-owner quotas. */
#ifndef KCORE_POOL_H
#define KCORE_POOL_H

#include "kc.h"

/*
 * A quota is reserved from the pool when its owner (the host or a VM) is
 * created, so one VM can never starve another of table pages. limit and
 * used are guarded by the owner's lock; the pool's bitmap by the pool lock.
 */
struct kc_quota {
	uint32_t limit;
	uint32_t used;
};

int pool_init(kc_pa_t base, uint64_t pages);
bool pool_contains(kc_pa_t pa);
int pool_reserve(struct kc_quota *quota, uint64_t pages);
void pool_unreserve(struct kc_quota *quota);
/* The root table (two concatenated pages) of a vmid lives in a fixed slot: never fragmented. */
kc_pa_t pool_root(uint32_t vmid);
/* One zeroed page; KC_ENOMEM when the quota is used up. */
int pool_alloc(struct kc_quota *quota, kc_pa_t *ret_pa);
void pool_free(struct kc_quota *quota, kc_pa_t pa);
uint64_t pool_reserved_pages(void);

#endif /* KCORE_POOL_H */
