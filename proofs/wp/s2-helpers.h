/*
 * Contracts of s2.c's descriptor helpers (static functions: include this after "s2.c").
 * descr_wp.c proves them; s2_wp.c uses them.
 */
#ifndef KC_WP_S2_HELPERS_H
#define KC_WP_S2_HELPERS_H
/*@ requires table.pa + idx * 8 <= 0xffffffffffffffff;
    assigns \nothing;
    ensures \result.pa == table.pa + idx * 8;
*/
static kc_pa_t s2_entry(kc_pa_t table, uint64_t idx);

/*@ requires (shift == 12 || shift == 21 || shift == 30) && (entries == 512 || entries == 1024);
    assigns \nothing;
    ensures entries == 512 ==> 0 <= \result < 512;
    ensures entries == 1024 ==> 0 <= \result < 1024;
    ensures shift == 12 && entries == 512 ==> \result == (ipa.ipa / 4096) % 512;
    ensures shift == 21 && entries == 512 ==> \result == (ipa.ipa / 2097152) % 512;
    ensures shift == 30 && entries == 1024 ==> \result == (ipa.ipa / 1073741824) % 1024;
*/
static uint64_t s2_index(kc_ipa_t ipa, unsigned int shift, uint64_t entries);

/* The valid bit and the table/page type bit (Arm ARM D8.3.1: bits[1:0] = 0b11). */
/*@ assigns \nothing;
    ensures \result <==> (desc & 3) == 3;
*/
static bool s2_is_table(uint64_t desc);

/* The output address: bits [47:12] (Arm ARM D8.3.2), page aligned, below 2^48. */
/*@ assigns \nothing;
    ensures \result.pa == (desc & 0xfffffffff000);
*/
static kc_pa_t s2_next(uint64_t desc);

#endif
