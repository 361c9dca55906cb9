/* Stage-2 page tables in the Armv8 VMSA format, kept in kcore's pool; every change is break-before-make. */
#ifndef KCORE_S2_H
#define KCORE_S2_H

#include "kc.h"
#include "pool.h"

struct kc_s2 {
	kc_pa_t root;			/* two concatenated level-1 pages */
	uint32_t vmid;
	struct kc_quota quota;		/* level-2 and level-3 table pages */
	const arch_lock_t *guard;	/* the lock that must be held to touch these tables */
};

int s2_init(struct kc_s2 *s2, uint32_t vmid, uint64_t quota_pages, const arch_lock_t *guard);
/* Flush the VMID, free every table and the quota. The VMID must not run any more. */
void s2_destroy(struct kc_s2 *s2);
uint64_t s2_vttbr(const struct kc_s2 *s2);
/* The level-3 descriptor for ipa, or 0 if there is none. */
uint64_t s2_leaf(const struct kc_s2 *s2, kc_ipa_t ipa);
/* Make sure the tables down to ipa's level-3 entry exist; KC_ENOMEM over quota. */
int s2_prepare(struct kc_s2 *s2, kc_ipa_t ipa);
/* Write an invalid -> valid leaf; the tables must be prepared. Cannot fail. */
void s2_map_commit(struct kc_s2 *s2, kc_ipa_t ipa, uint64_t desc);
/* valid -> invalid with the reference BBM sequence, so no TLB keeps the old entry (INV-4). */
void s2_unmap(struct kc_s2 *s2, kc_ipa_t ipa);

#endif /* KCORE_S2_H */
