/* Protected VM boot images: the region, loading pages into it, and the enforced signature check. */
#include "mem.h"
#include "sig.h"
#include "vm.h"

/* Set once at boot by the trusted boot chain (kcore_init); no hypercall can change it. */
static uint8_t boot_pubkey[KC_PUBKEY_BYTES];

void boot_init(const uint8_t pubkey[KC_PUBKEY_BYTES])
{
	uint32_t i;

	/*@ loop invariant 0 <= i <= KC_PUBKEY_BYTES;
	    loop invariant \forall integer k; 0 <= k < i ==> boot_pubkey[k] == pubkey[k];
	    loop assigns i, boot_pubkey[0 .. KC_PUBKEY_BYTES - 1];
	    loop variant KC_PUBKEY_BYTES - i; */
	for (i = 0; i < KC_PUBKEY_BYTES; i++) {
		boot_pubkey[i] = pubkey[i];
	}
}

/* Pages an image of `bytes` bytes covers (no wrap: bytes + 4095 would for the largest sizes). */
static uint64_t boot_pages(uint64_t bytes)
{
	return bytes / KC_PAGE_SIZE + (bytes % KC_PAGE_SIZE != 0u ? 1u : 0u);
}

static bool boot_region_valid(uint64_t ipa, uint64_t bytes)
{
	uint64_t pages = boot_pages(bytes);

	return kc_page_aligned(ipa) && bytes != 0 && pages <= KC_IMAGE_PAGES_MAX &&
	       ipa >= KC_IPA_RAM_BASE && ipa < KC_IPA_RAM_LIMIT &&
	       pages <= (KC_IPA_RAM_LIMIT - ipa) / KC_PAGE_SIZE;
}

/* CREATED, no region -> CREATED with the image region [ipa, ipa + bytes). */
int boot_set_region(uint64_t vmid, uint64_t ipa, uint64_t bytes)
{
	struct kc_vm_locked locked;
	struct kc_boot_region *boot;
	int r;

	if (!boot_region_valid(ipa, bytes)) {
		return KC_EINVAL;
	}
	r = vm_lock(vmid, &locked);
	if (r < 0) {
		return r;
	}
	boot = &locked.vm->boot;
	if (locked.vm->state != KC_VM_CREATED) {
		r = KC_EPERM;
		goto unlock;
	}
	if (boot->set) {
		r = KC_EEXIST;
		goto unlock;
	}
	boot->set = true;
	boot->ipa = kc_ipa(ipa);
	boot->bytes = bytes;
	boot->pages = boot_pages(bytes);
	boot->loaded = 0;
unlock:
	vm_unlock(locked);
	return r;
}

/* CREATED with a region: the host donates one page of the image (HOST -> VM n). */
int boot_load_page(uint64_t vmid, uint64_t index, uint64_t pfn)
{
	struct kc_vm_locked locked;
	struct kc_boot_region *boot;
	kc_pa_t pa = kc_pa(0);
	int r;

	r = mem_pfn_to_pa(pfn, &pa);
	if (r < 0 || index >= KC_IMAGE_PAGES_MAX) {
		return KC_EINVAL;
	}
	r = vm_lock(vmid, &locked);
	if (r < 0) {
		return r;
	}
	boot = &locked.vm->boot;
	if (locked.vm->state != KC_VM_CREATED || !boot->set) {
		r = KC_EPERM;
		goto unlock;
	}
	if (index >= boot->pages) {
		r = KC_EINVAL;
		goto unlock;
	}
	r = mem_host_donate_vm(locked, pa, kc_ipa(boot->ipa.ipa + index * KC_PAGE_SIZE));
	if (r < 0) {
		goto unlock;
	}
	boot->loaded++;
unlock:
	vm_unlock(locked);
	return r;
}

/* Hash the image through the VM's own stage-2: only pages the VM owns are read (INV-1). */
static bool boot_image_verifies_locked(struct kc_vm_locked locked, const uint8_t sig[KC_SIG_BYTES])
{
	const struct kc_boot_region *boot = &locked.vm->boot;
	struct kc_sig_state state;
	uint64_t i, desc, len;

	kc_sig_init(&state);
	for (i = 0; i < boot->pages; i++) {
		desc = s2_leaf(&locked.vm->s2, kc_ipa(boot->ipa.ipa + i * KC_PAGE_SIZE));
		KC_BUG_ON(desc == 0); /* every page was loaded */
		len = boot->bytes - i * KC_PAGE_SIZE;
		if (len > KC_PAGE_SIZE) {
			len = KC_PAGE_SIZE;
		}
		kc_sig_update(&state, arch_page_view(kc_pa(desc & KC_PTE_ADDR)), len);
	}
	return kc_sig_final_verify(&state, sig, boot_pubkey) == 0;
}

/* CREATED with every image page loaded -> VERIFIED, only if the signature verifies. */
int boot_verify(uint64_t vmid, const uint8_t sig[KC_SIG_BYTES])
{
	struct kc_vm_locked locked;
	struct kc_boot_region *boot;
	int r;

	r = vm_lock(vmid, &locked);
	if (r < 0) {
		return r;
	}
	boot = &locked.vm->boot;
	if (locked.vm->state != KC_VM_CREATED || !boot->set) {
		r = KC_EPERM;
		goto unlock;
	}
	if (boot->loaded != boot->pages) {
		r = KC_ENOENT;
		goto unlock;
	}
	if (!boot_image_verifies_locked(locked, sig)) {
		r = KC_EBADMSG;
		goto unlock;
	}
	locked.vm->state = KC_VM_VERIFIED;
	vcpu_boot_locked(locked);
unlock:
	vm_unlock(locked);
	return r;
}
