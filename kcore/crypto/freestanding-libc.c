/* The C runtime symbols kcore plus libsodium's Ed25519 objects need without a libc (EL2 image). */
#include <stddef.h>
#include <stdint.h>

#include "kcore/arch.h"

void *memset(void *s, int c, size_t n);
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
_Noreturn void abort(void);
_Noreturn void __stack_chk_fail(void);

void *memset(void *s, int c, size_t n)
{
	unsigned char *p = s;

	while (n-- > 0) {
		*p++ = (unsigned char)c;
	}
	return s;
}

void *memcpy(void *dst, const void *src, size_t n)
{
	return memmove(dst, src, n);
}

void *memmove(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	if (d < s) {
		while (n-- > 0) {
			*d++ = *s++;
		}
	} else {
		while (n-- > 0) {
			d[n] = s[n];
		}
	}
	return dst;
}

_Noreturn void abort(void)
{
	arch_panic("abort() in a library");
}

_Noreturn void __stack_chk_fail(void)
{
	arch_panic("stack protector");
}
