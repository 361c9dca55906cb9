/*
 * Force-included (-include) before every kcore/core file that Frama-C 25 reads.
 * Parsing shims only, no semantics: Frama-C 25 (Debian 12) parses neither the C11
 * keyword _Noreturn nor _Static_assert. gcc still checks every _Static_assert when it
 * builds kcore, so dropping them here loses nothing.
 */
#define _Noreturn __attribute__((__noreturn__))
#define _Static_assert(cond, msg) struct kc_wp_static_assert_checked_by_gcc
