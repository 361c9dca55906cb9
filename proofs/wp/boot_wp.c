/*
 * WP target: kcore/core/boot.c (#included unchanged but for boot_init's loop annotation), on top
 * of vcpu_wp.c (vm.c, vcpu.c, mem.c, their contracts and run_inv). PROVED: boot_init (the key
 * is copied whole), boot_pages (the page count is the exact ceiling: the proof found that the
 * former `(bytes + 4095) / 4096` wrapped to 0 for the largest sizes), boot_region_valid (exactly
 * the documented checks) and the hypercall boot_set_region (KC_HC_VM_SET_BOOT: keeps inv,
 * vm_inv, free_owns_nothing and run_inv, releases its lock, and sets the region of a CREATED
 * VM once). NOT proved: boot_load_page, boot_image_verifies_locked, boot_verify (run.py's
 * second table says why).
 */
#include "vcpu_wp.c"	/* vm.c, vcpu.c, mem.c and their contracts */
#include "boot.c"	/* kcore/core/boot.c (or a mutant copy), found through -I */

/*@ requires \valid_read(pubkey + (0 .. KC_PUBKEY_BYTES - 1));
    requires \separated(pubkey + (0 .. KC_PUBKEY_BYTES - 1), &boot_pubkey[0 .. KC_PUBKEY_BYTES - 1]);
    assigns boot_pubkey[0 .. KC_PUBKEY_BYTES - 1];
    ensures \forall integer k; 0 <= k < KC_PUBKEY_BYTES ==> boot_pubkey[k] == pubkey[k];
*/
void boot_init(const uint8_t pubkey[KC_PUBKEY_BYTES]);

/* The mathematical ceiling, for every size. */
/*@ assigns \nothing;
    ensures \result == (bytes + 4095) / 4096;
*/
static uint64_t boot_pages(uint64_t bytes);

/* A region is a whole number of pages of guest RAM, at most KC_IMAGE_PAGES_MAX, not empty. */
/*@ assigns \nothing;
    ensures \result <==> ipa % 4096 == 0 && bytes != 0 && (bytes + 4095) / 4096 <= KC_IMAGE_PAGES_MAX &&
      KC_IPA_RAM_BASE <= ipa < KC_IPA_RAM_LIMIT && ipa + (bytes + 4095) / 4096 * 4096 <= KC_IPA_RAM_LIMIT;
*/
static bool boot_region_valid(uint64_t ipa, uint64_t bytes);

/* KC_HC_VM_SET_BOOT: a CREATED VM gets its image region once. */
/*@ RUN_PRE
    assigns kc_locks, vms[0 .. KC_VMS_MAX - 1].boot;
    RUN_POST
    ensures \result == KC_OK || \result == KC_EINVAL || \result == KC_ENOENT || \result == KC_EPERM ||
      \result == KC_EEXIST;
    ensures \result == KC_OK ==> 1 <= vmid <= KC_VMS_MAX && vms[vmid - 1].state == KC_VM_CREATED &&
      !\old(vms[vmid - 1].boot.set) && vms[vmid - 1].boot.set && vms[vmid - 1].boot.ipa.ipa == ipa &&
      vms[vmid - 1].boot.bytes == bytes && vms[vmid - 1].boot.loaded == 0 &&
      vms[vmid - 1].boot.pages == (bytes + 4095) / 4096 && vms[vmid - 1].boot.pages <= KC_IMAGE_PAGES_MAX &&
      ipa + vms[vmid - 1].boot.pages * 4096 <= KC_IPA_RAM_LIMIT;
*/
int boot_set_region(uint64_t vmid, uint64_t ipa, uint64_t bytes);
