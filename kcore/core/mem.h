/* Page ownership: one entry per RAM page, and the transitions between owners (check, then apply). */
#ifndef KCORE_MEM_H
#define KCORE_MEM_H

#include "kc.h"
#include "kcore/kcore.h"
#include "vm.h"

/* Owners: the host is 0, VMs are their vmid (1..KC_VMS_MAX). */
#define KC_OWNER_HOST 0u
#define KC_OWNER_KCORE 0xfffeu
#define KC_OWNER_NONE 0xffffu	/* not RAM */

struct kc_page {
	uint16_t owner;
	uint16_t share_count;	/* host-visible shares of a VM page */
	uint32_t gfn;		/* IPA page number in the owning VM */
};

int mem_init(const struct kc_boot_info *info);
uint64_t mem_host_vttbr(void);
/* The PA of a page frame number, or KC_EINVAL if it is outside the PA space. */
int mem_pfn_to_pa(uint64_t pfn, kc_pa_t *ret_pa);

/* Transitions. Each takes the VM's lock token and takes the host lock itself. */
int mem_host_donate_vm(struct kc_vm_locked vm, kc_pa_t pa, kc_ipa_t ipa);
int mem_vm_share_host(struct kc_vm_locked vm, kc_ipa_t ipa);
int mem_vm_unshare_host(struct kc_vm_locked vm, kc_ipa_t ipa);
int mem_host_reclaim_vm(struct kc_vm_locked vm, kc_pa_t pa);
int mem_host_fault(kc_pa_t pa);

/* A copy of a page's entry (owner NONE outside RAM), for checks and tests. */
struct kc_page mem_page_get(kc_pa_t pa);
/* The host's stage-2 (for the invariant checker). */
const struct kc_s2 *mem_host_s2(void);

#endif /* KCORE_MEM_H */
