/*
 * Bit-level facts about kcore's descriptor encodings that z3/cvc5 (through Why3 1.5 / WP 25)
 * cannot prove (proofs.md section 1.5 item 5). Each axiom here is a lemma of the same name in
 * proofs/model/Bits.v, proved in Coq over Z with Z.land/Z.lor/Z.shiftl/Z.shiftr (the same
 * mathematical operators WP uses for &, |, <<, >> on integers). run.py checks that every axiom
 * name below has a Qed-closed Coq lemma. They are NOT hardware assumptions.
 * The literal constants are tied to bits.h's macros by the WP goals of tie_* in descr_wp.c
 * (0xfffffffff000 = KC_PTE_ADDR, 0x7ff = KC_PTE_PAGE_NORMAL, 0x400000000004c7 = KC_PTE_PAGE_DEVICE).
 */
#ifndef KC_WP_BITS_FACTS_H
#define KC_WP_BITS_FACTS_H
/*@ axiomatic KcBitsFacts {
  axiom bits_addr_of_normal: \forall integer x; 0 <= x ==>
    (((x & 0xfffffffff000) | 0x7ff) & 0xfffffffff000) == (x & 0xfffffffff000);
  axiom bits_addr_of_device: \forall integer x; 0 <= x ==>
    (((x & 0xfffffffff000) | 0x400000000004c7) & 0xfffffffff000) == (x & 0xfffffffff000);
  axiom bits_valid_of_normal: \forall integer x; 0 <= x ==>
    (((x & 0xfffffffff000) | 0x7ff) & 1) == 1;
  axiom bits_valid_of_device: \forall integer x; 0 <= x ==>
    (((x & 0xfffffffff000) | 0x400000000004c7) & 1) == 1;
  axiom bits_addr_aligned_id: \forall integer x; 0 <= x < 0x1000000000000 && x % 4096 == 0 ==>
    (x & 0xfffffffff000) == x;
  axiom bits_addr_range: \forall integer x; 0 <= x ==>
    0 <= (x & 0xfffffffff000) < 0x1000000000000 && (x & 0xfffffffff000) % 4096 == 0;
  axiom bits_page_down: \forall integer x; 0 <= x < 0x10000000000000000 ==>
    (x & 0xfffffffffffff000) % 4096 == 0 && 0 <= (x & 0xfffffffffffff000) <= x &&
    x - (x & 0xfffffffffffff000) < 4096;
  axiom bits_desc_normal: \forall integer x; 0 <= x < 0x1000000000000 && x % 4096 == 0 ==>
    (((x & 0xfffffffff000) | 0x7ff) & 0xfffffffff000) == x && (((x & 0xfffffffff000) | 0x7ff) & 1) == 1;
  axiom bits_desc_device: \forall integer x; 0 <= x < 0x1000000000000 && x % 4096 == 0 ==>
    (((x & 0xfffffffff000) | 0x400000000004c7) & 0xfffffffff000) == x &&
    (((x & 0xfffffffff000) | 0x400000000004c7) & 1) == 1;
  axiom bits_desc_table: \forall integer x; 0 <= x < 0x1000000000000 && x % 4096 == 0 ==>
    (((x & 0xfffffffff000) | 3) & 0xfffffffff000) == x && (((x & 0xfffffffff000) | 3) & 3) == 3;
  axiom bits_low12: \forall integer x; 0 <= x ==> (x & 4095) == x % 4096;
  axiom bits_low13: \forall integer x; 0 <= x ==> (x & 8191) == x % 8192;
  axiom bits_shr21: \forall integer x; 0 <= x ==> (x >> 21) == x / 2097152;
  axiom bits_shr30: \forall integer x; 0 <= x ==> (x >> 30) == x / 1073741824;
  axiom bits_mask511: \forall integer x; 0 <= x ==> (x & 511) == x % 512;
  axiom bits_mask1023: \forall integer x; 0 <= x ==> (x & 1023) == x % 1024;
  axiom bits_shr12: \forall integer x; 0 <= x ==> (x >> 12) == x / 4096;
  axiom bits_land_bound: \forall integer x, c; 0 <= x && 0 <= c ==> 0 <= (x & c) <= c;
  axiom bits_shl8: \forall integer s; 0 <= s <= 3 ==> 8 <= (8 << s) <= 64 && (s <= 2 ==> (8 << s) <= 32);
  axiom bits_shl12: \forall integer x; 0 <= x ==> (x << 12) == x * 4096;
} */
#endif
