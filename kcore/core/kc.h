/* Common definitions for kcore/core: fixed-width types, the seam, bit layouts and checks. */
#ifndef KCORE_KC_H
#define KCORE_KC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kcore/arch.h"
#include "bits.h"
#include "config.h"

/* A broken internal invariant (never a host or guest mistake): stop the machine. */
#define KC_BUG_ON(cond)                                 \
	do {                                            \
		if (cond) {                             \
			arch_panic("BUG: " #cond);      \
		}                                       \
	} while (0)

#define kc_assert_lock_held(lock) KC_BUG_ON(!arch_lock_held(lock))

static inline bool kc_page_aligned(uint64_t addr)
{
	return (addr & KC_PAGE_MASK) == 0;
}

#endif /* KCORE_KC_H */
