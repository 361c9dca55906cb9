/* kcore's debug console: a PL011 driven by polling, and a small printf for EL2 log lines. */
#include <stdarg.h>

#include "el2.h"

#define PL011_DR 0x00
#define PL011_FR 0x18
#define PL011_FR_TXFF (1u << 5)

static volatile uint8_t *uart;
static arch_lock_t uart_lock;

void el2_uart_init(uint64_t base)
{
	uart = (volatile uint8_t *)base;
}

static void uart_putc(char c)
{
	if (uart == 0) {
		return;
	}
	while (*(volatile uint32_t *)(uart + PL011_FR) & PL011_FR_TXFF) {
	}
	*(volatile uint32_t *)(uart + PL011_DR) = (uint32_t)(unsigned char)c;
}

static void put_str(const char *s)
{
	while (*s) {
		uart_putc(*s++);
	}
}

static void put_num(uint64_t v, unsigned int base, int width)
{
	char buf[24];
	int n = 0;

	do {
		buf[n++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v != 0);
	while (n < width) {
		buf[n++] = '0';
	}
	while (n > 0) {
		uart_putc(buf[--n]);
	}
}

/* %s %c %d %u %x %lx %llx (and 0-padded widths, %016lx); one line per call, never interleaved. */
static void vlog(const char *fmt, va_list ap)
{
	int width, lng;
	int64_t sv;

	for (; *fmt; fmt++) {
		if (*fmt != '%') {
			if (*fmt == '\n') {
				uart_putc('\r');
			}
			uart_putc(*fmt);
			continue;
		}
		fmt++;
		width = 0;
		lng = 0;
		while (*fmt >= '0' && *fmt <= '9') {
			width = width * 10 + (*fmt++ - '0');
		}
		while (*fmt == 'l') {
			lng = 1;
			fmt++;
		}
		switch (*fmt) {
		case 's': put_str(va_arg(ap, const char *)); break;
		case 'c': uart_putc((char)va_arg(ap, int)); break;
		case 'x': put_num(lng ? va_arg(ap, uint64_t) : va_arg(ap, unsigned int), 16, width); break;
		case 'u': put_num(lng ? va_arg(ap, uint64_t) : va_arg(ap, unsigned int), 10, width); break;
		case 'd':
			sv = lng ? va_arg(ap, int64_t) : va_arg(ap, int);
			if (sv < 0) {
				uart_putc('-');
				sv = -sv;
			}
			put_num((uint64_t)sv, 10, width);
			break;
		case '%': uart_putc('%'); break;
		default: uart_putc('?'); break;
		}
	}
}

void el2_log(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	arch_lock(&uart_lock);
	vlog(fmt, ap);
	arch_unlock(&uart_lock);
	va_end(ap);
}
