/*
 * WP target: kcore/core/pool.c itself (#included unchanged), with its contracts below.
 * pool_inv is the pool's well-formedness (sizes, alignment, reservations within the page
 * area); every proved function requires it, and those that write the pool ensure it. The page
 * area is pages [ROOT_AREA, ROOT_AREA + pool.pages) after pool.base; bit k of the bitmap says
 * page k of the page area is handed out.
 * pool_init's loop has its invariant inside kcore/core/pool.c. NOT here: pool_alloc (its search
 * loop, and the cross-quota sum its KC_BUG_ON needs; see proofs/README.md). pool_free's effect is stated per bitmap
 * word (z3/cvc5 do not prove the per-bit form over x & ~(1 << b)).
 */
#include "seam.h"
#include "helpers.h"
#include "bits-facts.h"
#include "pool.c"	/* kcore/core/pool.c (or a mutant copy), found through -I */

#define POOL_WORDS (KC_POOL_PAGES_MAX / 64)
/* After the call the pool lock is free, every other lock as before. */
#define POOL_UNLOCKED ensures !held(kc_locks, &pool.lock); \
    ensures \forall arch_lock_t *o; o != &pool.lock ==> (held(kc_locks, o) <==> held(\old(kc_locks), o));
/* Page k of the page area is handed out: the C expression of pool_bit, as a macro (WP's simplifier
 * then sees the bit test itself). */
#define bit(k) ((pool.bitmap[(k) / 64] & (uint64_t)(1 << ((k) % 64))) != 0)
/*@
  logic integer root_area = KC_S2_ROOT_PAGES * (KC_VMS_MAX + 1);
  // The page area's first address (pool_page_area()).
  logic integer area{L} = pool.base.pa + root_area * 4096;
  // The pool fits in the address space (no wrap in pool_page_area/pool_contains), the root area is
  // aligned as pool_init checks, and reservations never exceed the page area.
  predicate pool_inv{L} = 0 < pool.pages <= KC_POOL_PAGES_MAX && pool.reserved <= pool.pages &&
    pool.base.pa % (KC_S2_ROOT_PAGES * 4096) == 0 &&
    pool.base.pa + (root_area + pool.pages) * 4096 <= 0xffffffffffffffff;
  // Every bitmap word but w is unchanged.
  predicate words_same{L1,L2}(integer w) = \forall integer i; 0 <= i < POOL_WORDS && i != w ==>
    \at(pool.bitmap[i], L1) == \at(pool.bitmap[i], L2);
  predicate geometry_same{L1,L2} = \at(pool.base.pa, L1) == \at(pool.base.pa, L2) &&
    \at(pool.pages, L1) == \at(pool.pages, L2) && \at(pool.reserved, L1) == \at(pool.reserved, L2);
*/

/* Any base and size: a pool that is too small or too big, misaligned or wrapping the address
 * space is refused; else the pool is well-formed, empty and unreserved. */
/*@ assigns pool.base, pool.pages, pool.reserved, pool.bitmap[0 .. POOL_WORDS - 1];
    ensures \result == KC_OK || \result == KC_EINVAL;
    ensures \result == KC_OK <==> root_area < pages && pages - root_area <= KC_POOL_PAGES_MAX &&
      base.pa % (KC_S2_ROOT_PAGES * 4096) == 0 && base.pa + pages * 4096 <= 0xffffffffffffffff;
    ensures \result == KC_OK ==> pool_inv && pool.reserved == 0 && pool.base.pa == base.pa &&
      pool.pages == pages - root_area;
    ensures \result == KC_OK ==> \forall integer w; 0 <= w < POOL_WORDS ==> pool.bitmap[w] == 0;
*/
int pool_init(kc_pa_t base, uint64_t pages);

/*@ requires pool_inv;
    assigns \nothing;
    ensures \result.pa == area;
*/
static kc_pa_t pool_page_area(void);

/*@ requires pool_inv;
    assigns \nothing;
    ensures \result <==> pool.base.pa <= pa.pa && pa.pa - pool.base.pa < (root_area + pool.pages) * 4096;
*/
bool pool_contains(kc_pa_t pa);

/*@ requires pool_inv && vmid <= KC_VMS_MAX;
    assigns \nothing;
    ensures \result.pa == pool.base.pa + vmid * KC_S2_ROOT_PAGES * 4096;
    ensures pool.base.pa <= \result.pa && \result.pa + KC_S2_ROOT_PAGES * 4096 <= area;
*/
kc_pa_t pool_root(uint32_t vmid);

/*@ assigns \nothing;
    ensures \result == pool.reserved;
*/
uint64_t pool_reserved_pages(void);

/*@ requires pool_inv && \valid(quota) && \separated(quota, &pool) && !held(kc_locks, &pool.lock);
    assigns pool.reserved, quota->limit, quota->used, kc_locks;
    ensures reserve_inv: pool_inv;
    ensures \result == KC_OK <==> pages <= \old(pool.pages - pool.reserved);
    ensures \result == KC_OK ==> pool.reserved == \old(pool.reserved) + pages &&
      quota->limit == pages && quota->used == 0;
    ensures \result != KC_OK ==> \result == KC_ENOSPC && pool.reserved == \old(pool.reserved) &&
      quota->limit == \old(quota->limit) && quota->used == \old(quota->used);
    POOL_UNLOCKED
*/
int pool_reserve(struct kc_quota *quota, uint64_t pages);

/*@ requires pool_inv && \valid(quota) && \separated(quota, &pool) && !held(kc_locks, &pool.lock);
    requires quota->used == 0 && quota->limit <= pool.reserved;
    assigns pool.reserved, quota->limit, kc_locks;
    ensures pool_inv;
    ensures pool.reserved == \old(pool.reserved) - \old(quota->limit) && quota->limit == 0;
    POOL_UNLOCKED
*/
void pool_unreserve(struct kc_quota *quota);

/*@ requires idx < KC_POOL_PAGES_MAX;
    assigns \nothing;
    ensures \result <==> bit(idx);
*/
static bool pool_bit(uint64_t idx);

/*@ requires pool_inv && \valid(quota) && \separated(quota, &pool) && !held(kc_locks, &pool.lock);
    requires area <= pa.pa && pa.pa - pool.base.pa < (root_area + pool.pages) * 4096;
    requires bit((pa.pa - area) / 4096) && quota->used > 0;
    assigns pool.bitmap[0 .. POOL_WORDS - 1], quota->used, kc_locks;
    ensures pool_inv && geometry_same{Pre,Post};
    ensures 0 <= (pa.pa - area) / 4096 < pool.pages;
    // Exactly the freed page's bit is cleared: word k/64 loses bit k%64, every other word is kept.
    ensures pool.bitmap[(pa.pa - area) / 4096 / 64] ==
      (\old(pool.bitmap[(pa.pa - area) / 4096 / 64]) & (uint64_t)~(uint64_t)(1 << ((pa.pa - area) / 4096 % 64)));
    ensures words_same{Pre,Post}((pa.pa - area) / 4096 / 64);
    ensures quota->used == \old(quota->used) - 1;
    POOL_UNLOCKED
*/
void pool_free(struct kc_quota *quota, kc_pa_t pa);
