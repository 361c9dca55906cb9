/*
 * The three libsodium utility routines the Ed25519 code calls, so that
 * libsodium's utils.o (mmap, mlock, malloc, randombytes, pthread) is not
 * linked into kcore. Same contracts as libsodium's own (utils.c).
 */
#include <stddef.h>
#include <stdint.h>

void sodium_memzero(void *pnt, size_t len);
int sodium_is_zero(const unsigned char *n, size_t nlen);
int sodium_memcmp(const void *b1_, const void *b2_, size_t len);

void sodium_memzero(void *pnt, size_t len)
{
	volatile unsigned char *p = (volatile unsigned char *)pnt;
	size_t i;

	for (i = 0; i < len; i++) {
		p[i] = 0;
	}
}

/* 1 if all bytes are zero, in time independent of the contents. */
int sodium_is_zero(const unsigned char *n, size_t nlen)
{
	volatile unsigned char d = 0u;
	size_t i;

	for (i = 0; i < nlen; i++) {
		d |= n[i];
	}
	return 1 & ((d - 1) >> 8);
}

/* 0 if equal, -1 if not, in time independent of the contents. */
int sodium_memcmp(const void *b1_, const void *b2_, size_t len)
{
	const volatile unsigned char *b1 = (const volatile unsigned char *)b1_;
	const volatile unsigned char *b2 = (const volatile unsigned char *)b2_;
	volatile unsigned char d = 0u;
	size_t i;

	for (i = 0; i < len; i++) {
		d |= b1[i] ^ b2[i];
	}
	return (1 & ((d - 1) >> 8)) - 1;
}
