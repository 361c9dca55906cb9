/*
 * WP target: the descriptor helpers of kcore/core/s2.c (#included unchanged) and the bit
 * layouts of kcore/core/bits.h. Only the functions named in run.py's -wp-fct list are proved
 * here; s2_wp.c proves the walk, map and unmap functions against s2-contract.h.
 */
#include "seam.h"
#include "bits-facts.h"
#include "helpers.h"
#include "s2.c"	/* kcore/core/s2.c (or a mutant copy), found through -I */

#include "s2-helpers.h"

/*@ requires \valid_read(s2);
    assigns \nothing; */
uint64_t s2_vttbr(const struct kc_s2 *s2);

/* Ties between bits.h's macros and the literals of bits-facts.h / mem_wp.c: each function's
 * postcondition is checked against the macro as the C compiler evaluates it. */
/*@ assigns \nothing; ensures \result == 0xfffffffff000; */
static uint64_t tie_pte_addr(void) { return KC_PTE_ADDR; }
/*@ assigns \nothing; ensures \result == 0x7ff; */
static uint64_t tie_pte_normal(void) { return KC_PTE_PAGE_NORMAL; }
/*@ assigns \nothing; ensures \result == 0x400000000004c7; */
static uint64_t tie_pte_device(void) { return KC_PTE_PAGE_DEVICE; }
/*@ assigns \nothing; ensures \result == 0xfffffffffffff000; */
static uint64_t tie_page_down(void) { return ~KC_PAGE_MASK; }
/*@ assigns \nothing; ensures \result == 0x10000000000; */
static uint64_t tie_ipa_limit(void) { return KC_IPA_LIMIT; }
/* The attribute fields of the two leaf encodings (Arm ARM D8.3.2 stage-2 attributes):
 * normal: MemAttr 0b1111 (Normal WB), S2AP 0b11 (RW), SH 0b11 (Inner), AF 1, XN 0, page+valid;
 * device: MemAttr 0b0001 (Device-nGnRE), S2AP 0b11, AF 1, XN 1, page+valid. */
/*@ assigns \nothing; ensures \result == 0xf; */
static uint64_t tie_normal_memattr(void) { return KC_FIELD_GET(KC_PTE_S2_MEMATTR, KC_PTE_PAGE_NORMAL); }
/*@ assigns \nothing; ensures \result == 0x3; */
static uint64_t tie_normal_sh(void) { return KC_FIELD_GET(KC_PTE_SH, KC_PTE_PAGE_NORMAL); }
/*@ assigns \nothing; ensures \result == 0x1; */
static uint64_t tie_device_memattr(void) { return KC_FIELD_GET(KC_PTE_S2_MEMATTR, KC_PTE_PAGE_DEVICE); }
/*@ assigns \nothing; ensures \result == 1; */
static uint64_t tie_device_xn(void) { return KC_FIELD_GET(KC_PTE_S2_XN, KC_PTE_PAGE_DEVICE); }
/*@ assigns \nothing; ensures \result == 0; */
static uint64_t tie_normal_xn(void) { return KC_FIELD_GET(KC_PTE_S2_XN, KC_PTE_PAGE_NORMAL); }
/*@ assigns \nothing; ensures \result == 0xc0; */
static uint64_t tie_normal_ap(void) { return KC_PTE_PAGE_NORMAL & (KC_PTE_S2_AP_R | KC_PTE_S2_AP_W); }
/*@ assigns \nothing; ensures \result == 0x403; */
static uint64_t tie_normal_af_page_valid(void)
{ return KC_PTE_PAGE_NORMAL & (KC_PTE_AF | KC_PTE_TYPE_TABLE | KC_PTE_VALID); }
