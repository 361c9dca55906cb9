/* Armv8 bit layouts kcore uses (VMSAv8-64 stage-2 descriptors, ESR_EL2, HPFAR_EL2), written once. */
#ifndef KCORE_BITS_H
#define KCORE_BITS_H

#include <stdint.h>

#include "../../protocols/kcore-abi.h"

#define KC_BIT(n) (UINT64_C(1) << (n))
#define KC_GENMASK(hi, lo) ((~UINT64_C(0) >> (63 - (hi))) & ~(KC_BIT(lo) - 1))
/* Plain C (no builtins) so the proof tools read it: multiply/divide by the mask's lowest bit. */
#define KC_LOWBIT(mask) ((mask) & (~(mask) + 1))
#define KC_FIELD_GET(mask, v) (((uint64_t)(v) & (mask)) / KC_LOWBIT(mask))
#define KC_FIELD_PREP(mask, v) (((uint64_t)(v) * KC_LOWBIT(mask)) & (mask))

/*
 * Stage-2 translation with a 4 KiB granule and a 40-bit IPA (VTCR_EL2.T0SZ = 24,
 * SL0 = 1): the walk starts at level 1 with two concatenated tables (8 KiB,
 * 1024 entries, Arm ARM D8.2.7), then levels 2 and 3 (512 entries each).
 */
#define KC_S2_T0SZ 24u
#define KC_S2_ROOT_PAGES 2u
#define KC_S2_ROOT_ENTRIES 1024u
#define KC_S2_ENTRIES 512u
#define KC_S2_L1_SHIFT 30
#define KC_S2_L2_SHIFT 21
#define KC_S2_L3_SHIFT 12
_Static_assert(64 - KC_S2_T0SZ == KC_IPA_BITS, "T0SZ matches the ABI's IPA size");
_Static_assert((uint64_t)KC_S2_ROOT_ENTRIES << KC_S2_L1_SHIFT == KC_IPA_LIMIT, "root covers the IPA space");
_Static_assert(KC_S2_ROOT_ENTRIES * 8u == KC_S2_ROOT_PAGES * KC_PAGE_SIZE, "root is two pages");

/* Descriptor fields (Arm ARM D8.3, stage 2). */
#define KC_PTE_VALID KC_BIT(0)
#define KC_PTE_TYPE_TABLE KC_BIT(1)	/* at levels 1-2: table; at level 3 it must be set (page) */
#define KC_PTE_ADDR KC_GENMASK(47, 12)
#define KC_PTE_S2_MEMATTR KC_GENMASK(5, 2)
#define KC_PTE_S2_AP_R KC_BIT(6)
#define KC_PTE_S2_AP_W KC_BIT(7)
#define KC_PTE_SH KC_GENMASK(9, 8)
#define KC_PTE_AF KC_BIT(10)
#define KC_PTE_S2_XN KC_BIT(54)
#define KC_PTE_SW KC_GENMASK(58, 55)

#define KC_S2_MEMATTR_DEVICE_NGNRE 0x1u
#define KC_S2_MEMATTR_NORMAL_WB 0xfu
#define KC_SH_INNER 0x3u

#define KC_PTE_TABLE_DESC(pa) (((pa) & KC_PTE_ADDR) | KC_PTE_TYPE_TABLE | KC_PTE_VALID)
#define KC_PTE_PAGE_NORMAL                                                                  \
	(KC_FIELD_PREP(KC_PTE_S2_MEMATTR, KC_S2_MEMATTR_NORMAL_WB) | KC_PTE_S2_AP_R |     \
	 KC_PTE_S2_AP_W | KC_FIELD_PREP(KC_PTE_SH, KC_SH_INNER) | KC_PTE_AF |              \
	 KC_PTE_TYPE_TABLE | KC_PTE_VALID)
#define KC_PTE_PAGE_DEVICE                                                                  \
	(KC_FIELD_PREP(KC_PTE_S2_MEMATTR, KC_S2_MEMATTR_DEVICE_NGNRE) | KC_PTE_S2_AP_R |  \
	 KC_PTE_S2_AP_W | KC_PTE_AF | KC_PTE_S2_XN | KC_PTE_TYPE_TABLE | KC_PTE_VALID)

/* VTTBR_EL2: BADDR and VMID (8-bit VMIDs). */
#define KC_VTTBR_BADDR KC_GENMASK(47, 1)
#define KC_VTTBR_VMID KC_GENMASK(55, 48)

/* ESR_EL2 (Arm ARM D17.2.40). */
#define KC_ESR_EC KC_GENMASK(31, 26)
#define KC_ESR_IL KC_BIT(25)
#define KC_ESR_ISS KC_GENMASK(24, 0)
#define KC_EC_HVC64 0x16u
#define KC_EC_SMC64 0x17u
#define KC_EC_IABT_LOW 0x20u
#define KC_EC_DABT_LOW 0x24u
/* Data/instruction abort ISS. */
#define KC_ISS_ISV KC_BIT(24)
#define KC_ISS_SAS KC_GENMASK(23, 22)
#define KC_ISS_SSE KC_BIT(21)
#define KC_ISS_SRT KC_GENMASK(20, 16)
#define KC_ISS_SF KC_BIT(15)
#define KC_ISS_S1PTW KC_BIT(7)
#define KC_ISS_WNR KC_BIT(6)
#define KC_ISS_FSC KC_GENMASK(5, 0)
#define KC_FSC_TYPE KC_GENMASK(5, 2)
#define KC_FSC_TYPE_TRANSLATION 0x1u	/* FSC 0b0001LL: translation fault, level LL */

/* HPFAR_EL2.FIPA holds IPA[47:12] in bits [43:4]. */
#define KC_HPFAR_FIPA KC_GENMASK(43, 4)
#define KC_HPFAR_TO_IPA(h) (KC_FIELD_GET(KC_HPFAR_FIPA, (h)) << KC_PAGE_SHIFT)
#define KC_IPA_TO_HPFAR(ipa) KC_FIELD_PREP(KC_HPFAR_FIPA, (ipa) >> KC_PAGE_SHIFT)

#define KC_PAGE_MASK (KC_PAGE_SIZE - 1)

#endif /* KCORE_BITS_H */
