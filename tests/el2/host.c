/*
 * The EL1 test host: an untrusted host kernel in miniature. It drives kcore's hypercall ABI
 * (protocols/kcore-abi.h) as kserv would, serves its guests' MMIO, and attacks kcore. Each
 * scenario ends with "EL2-TEST PASS <name>" or "EL2-TEST FAIL <name>: why", then powers off.
 * It runs with its MMU off, so every access is Device-nGnRnE: plain loads and stores only.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>

#include "kcore-abi.h"
#include "el2-tests.h"

#define UART 0x09000000u
#define PAGE 4096u
#define ALLOC_BASE 0x46000000u	/* pages the host gives to guests (below QEMU's DTB) */
#define ALLOC_PER_CPU 0x800000u	/* each CPU hands out its own share: no locks needed */
#define CPUS 4u
#define PSCI_CPU_ON 0xc4000003u
#define PSCI_SYSTEM_OFF 0x84000008u
#define EC_DABT_CUR 0x25u
#define FSC_SEA 0x10u

void host_main(uint64_t dtb);
void host_secondary_main(uint64_t idx);
void host_exception(void);
void host_call(uint64_t x[18]);
uint64_t host_smc(uint64_t fn, uint64_t a1, uint64_t a2, uint64_t a3);
extern char host_secondary_entry[];
extern const uint8_t guest_image[], guest_image_end[], guest_sig[];

static const char *test_name = "?";

/* The compiler's struct copies and zeroing call these. */
void *memcpy(void *dst, const void *src, __SIZE_TYPE__ n);
void *memset(void *dst, int c, __SIZE_TYPE__ n);

void *memcpy(void *dst, const void *src, __SIZE_TYPE__ n)
{
	uint8_t *d = dst;
	const uint8_t *s = src;

	while (n--) {
		*d++ = *s++;
	}
	return dst;
}

void *memset(void *dst, int c, __SIZE_TYPE__ n)
{
	uint8_t *d = dst;

	while (n--) {
		*d++ = (uint8_t)c;
	}
	return dst;
}

/* ---- console ---- */

static void putc_raw(char c)
{
	while (*(volatile uint32_t *)(UART + 0x18) & (1u << 5)) {
	}
	*(volatile uint32_t *)UART = (uint8_t)c;
}

static void put_num(uint64_t v, unsigned int base)
{
	char buf[24];
	int n = 0;

	do {
		buf[n++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	while (n) {
		putc_raw(buf[--n]);
	}
}

static void say(const char *fmt, ...)
{
	va_list ap;
	int64_t v;

	va_start(ap, fmt);
	for (; *fmt; fmt++) {
		if (*fmt != '%') {
			putc_raw(*fmt);
			continue;
		}
		switch (*++fmt) {
		case 's': for (const char *s = va_arg(ap, const char *); *s; s++) putc_raw(*s); break;
		case 'x': put_num(va_arg(ap, uint64_t), 16); break;
		case 'u': put_num(va_arg(ap, uint64_t), 10); break;
		case 'd':
			v = va_arg(ap, int64_t);
			if (v < 0) {
				putc_raw('-');
				v = -v;
			}
			put_num((uint64_t)v, 10);
			break;
		default: putc_raw('?'); break;
		}
	}
	va_end(ap);
}

static _Noreturn void power_off(void)
{
	host_smc(PSCI_SYSTEM_OFF, 0, 0, 0);
	for (;;) {
	}
}

static _Noreturn void fail(const char *why, uint64_t a, uint64_t b)
{
	say("EL2-TEST FAIL %s: %s (%x, %x)\n", test_name, why, a, b);
	power_off();
}

#define CHECK(cond, a, b)                                      \
	do {                                                   \
		if (!(cond)) {                                 \
			fail(#cond, (uint64_t)(a), (uint64_t)(b)); \
		}                                              \
	} while (0)

static uint64_t now_us(void)
{
	uint64_t c, f;

	__asm__ volatile("mrs %0, cntpct_el0" : "=r"(c));
	__asm__ volatile("mrs %0, cntfrq_el0" : "=r"(f));
	return c / (f / 1000000u);
}

/* ---- exceptions: an abort is recorded per CPU and the instruction skipped ---- */

static unsigned int cpu_idx(void)
{
	uint64_t m;

	__asm__ volatile("mrs %0, mpidr_el1" : "=r"(m));
	return (unsigned int)(m & 0xff);
}

static volatile uint64_t abort_count[CPUS], abort_esr[CPUS], abort_far[CPUS];

void host_exception(void)
{
	uint64_t esr, far, elr;
	unsigned int c = cpu_idx();

	__asm__ volatile("mrs %0, esr_el1" : "=r"(esr));
	__asm__ volatile("mrs %0, far_el1" : "=r"(far));
	__asm__ volatile("mrs %0, elr_el1" : "=r"(elr));
	if ((esr >> 26) != EC_DABT_CUR) {
		say("EL2-TEST FAIL %s: unexpected exception ESR %x ELR %x FAR %x\n", test_name, esr,
		    elr, far);
		power_off();
	}
	abort_count[c]++;
	abort_esr[c] = esr;
	abort_far[c] = far;
	__asm__ volatile("msr elr_el1, %0" : : "r"(elr + 4));
}

/* Read or write one word; true if it raised the synchronous external abort kcore injects. */
static bool probe(uint64_t addr, bool write, uint64_t *val)
{
	unsigned int c = cpu_idx();
	uint64_t before = abort_count[c], v = 0;

	if (write) {
		__asm__ volatile("str %0, [%1]" : : "r"(*val), "r"(addr) : "memory");
	} else {
		__asm__ volatile("ldr %0, [%1]" : "=r"(v) : "r"(addr) : "memory");
		*val = v;
	}
	if (abort_count[c] == before) {
		return false;
	}
	CHECK((abort_esr[c] >> 26) == EC_DABT_CUR && (abort_esr[c] & 0x3f) == FSC_SEA,
	      abort_esr[c], addr);
	CHECK(abort_far[c] == addr, abort_far[c], addr);
	CHECK(((abort_esr[c] >> 6) & 1) == write, abort_esr[c], write);
	return true;
}

/* ---- hypercalls ---- */

struct call {
	uint64_t x[18];
};

static int64_t kc(uint64_t fn, uint64_t a1, uint64_t a2, uint64_t a3, struct call *ret)
{
	struct call c = { { fn, a1, a2, a3 } };

	host_call(c.x);
	if (ret) {
		*ret = c;
	}
	return (int64_t)c.x[0];
}

/* ---- pages the host owns and hands out ---- */

static uint64_t next_page[CPUS];

static uint64_t alloc_page(void)
{
	unsigned int c = cpu_idx();
	uint64_t base = ALLOC_BASE + c * ALLOC_PER_CPU, p;

	if (next_page[c] == 0) {
		next_page[c] = base;
	}
	p = next_page[c];
	CHECK(p < base + ALLOC_PER_CPU, p, c);
	next_page[c] += PAGE;
	for (uint32_t i = 0; i < PAGE; i += 8) {
		*(volatile uint64_t *)(p + i) = 0;
	}
	return p;
}

static bool page_is_zero(uint64_t pa)
{
	for (uint32_t i = 0; i < PAGE; i += 8) {
		if (*(volatile uint64_t *)(pa + i) != 0) {
			return false;
		}
	}
	return true;
}

/* ---- a protected VM as the host sees it ---- */

#define VM_PAGES_MAX 128u

/*
 * What the host knows of each vCPU: the pages given at its faults (vCPU 0 also has the image)
 * and its console line. Each vCPU runs on one CPU at a time, so each record has one writer.
 */
struct vm_vcpu {
	uint64_t npages;
	uint64_t pa[VM_PAGES_MAX];
	uint64_t ipa[VM_PAGES_MAX];
	char line[128];
	unsigned int len;
	char log[512];		/* lines of a vCPU on another CPU, printed by CPU 0 afterwards */
	unsigned int log_len;
};

struct vm {
	uint64_t vmid;
	uint64_t mode;
	uint64_t nvcpus;
	struct vm_vcpu v[CPUS];
};

static void vm_record(struct vm *vm, uint64_t vcpu, uint64_t ipa, uint64_t pa)
{
	struct vm_vcpu *v = &vm->v[vcpu];

	CHECK(v->npages < VM_PAGES_MAX, v->npages, vcpu);
	v->ipa[v->npages] = ipa;
	v->pa[v->npages] = pa;
	v->npages++;
}

static uint64_t vm_npages(const struct vm *vm)
{
	uint64_t n = 0;

	for (unsigned int c = 0; c < CPUS; c++) {
		n += vm->v[c].npages;
	}
	return n;
}

static uint64_t vm_pa_of(const struct vm *vm, uint64_t ipa)
{
	for (unsigned int c = 0; c < CPUS; c++) {
		const struct vm_vcpu *v = &vm->v[c];

		for (uint64_t i = 0; i < v->npages; i++) {
			if (v->ipa[i] == (ipa & ~(uint64_t)(PAGE - 1))) {
				return v->pa[i] | (ipa & (PAGE - 1));
			}
		}
	}
	fail("no page at this IPA", ipa, 0);
}

static uint64_t sig_word(const uint8_t *sig, unsigned int w)
{
	uint64_t v = 0;

	for (unsigned int i = 0; i < 8; i++) {
		v |= (uint64_t)sig[w * 8 + i] << (8 * i);
	}
	return v;
}

/* Create (with `nvcpus` vCPUs), load and verify: returns KC_HC_VM_VERIFY's status. `flip`
 * changes one image byte. */
static int64_t vm_build_smp(struct vm *vm, int64_t flip, uint64_t nvcpus)
{
	uint64_t size = (uint64_t)(guest_image_end - guest_image);
	struct call r;
	uint64_t i, p;
	int64_t s;

	CHECK(kc(KC_HC_VM_CREATE, 8, 0, 0, &r) == KC_OK, r.x[0], 0);
	vm->vmid = r.x[1];
	vm->nvcpus = nvcpus;
	for (i = 0; i < nvcpus; i++) {
		CHECK(kc(KC_HC_VCPU_CREATE, vm->vmid, 0, 0, &r) == KC_OK && r.x[1] == i, r.x[0], r.x[1]);
	}
	CHECK(kc(KC_HC_VM_SET_BOOT, vm->vmid, GUEST_IMAGE_IPA, size, 0) == KC_OK, vm->vmid, size);
	for (i = 0; i * PAGE < size; i++) {
		p = alloc_page();
		for (uint64_t b = 0; b < PAGE && i * PAGE + b < size; b++) {
			*(volatile uint8_t *)(p + b) = guest_image[i * PAGE + b];
		}
		if (flip >= 0 && (uint64_t)flip / PAGE == i) {
			*(volatile uint8_t *)(p + (uint64_t)flip % PAGE) ^= 1;
		}
		s = kc(KC_HC_VM_LOAD_PAGE, vm->vmid, i, p / PAGE, 0);
		CHECK(s == KC_OK, s, p);
		vm_record(vm, 0, GUEST_IMAGE_IPA + i * PAGE, p);
	}
	struct call v = { { KC_HC_VM_VERIFY, vm->vmid } };
	for (i = 0; i < 8; i++) {
		v.x[2 + i] = sig_word(guest_sig, (unsigned int)i);
	}
	host_call(v.x);
	return (int64_t)v.x[0];
}

static int64_t vm_build(struct vm *vm, int64_t flip)
{
	return vm_build_smp(vm, flip, 1);
}

/* A guest's console: CPU 0 prints each line at once, other CPUs keep theirs for later. */
static void guest_putc(struct vm *vm, uint64_t vcpu, char c)
{
	struct vm_vcpu *v = &vm->v[vcpu];

	if (c == '\n' || v->len == sizeof(v->line) - 1) {
		v->line[v->len] = 0;
		if (cpu_idx() == 0) {
			say("guest %u: %s\n", vm->vmid, v->line);
		} else {
			for (unsigned int i = 0; i <= v->len && v->log_len < sizeof(v->log) - 1; i++) {
				v->log[v->log_len++] = i < v->len ? v->line[i] : '\n';
			}
		}
		v->len = 0;
		if (c == '\n') {
			return;
		}
	}
	v->line[v->len++] = c;
}

/* What a scenario does when the guest reports through its control block. */
struct vm_hooks {
	void (*shared)(struct vm *vm, uint64_t ipa);
	void (*unshared)(struct vm *vm, uint64_t ipa);
	void (*secret)(struct vm *vm, const struct call *exit);
	uint64_t (*fault_page)(struct vm *vm, uint64_t ipa);	/* default: a fresh page */
};

/*
 * Run one vCPU, serving its faults and MMIO, until an exit only the caller can answer: the
 * guest writing GUEST_CTL_DONE (returns 0, *ret_data = the value), or a PSCI exit (returns its
 * class, *ret_data = the vCPU switched on for KC_EXIT_CPU_ON).
 */
static uint64_t vm_run_vcpu(struct vm *vm, uint64_t vcpu, const struct vm_hooks *h,
			    uint64_t *ret_data)
{
	struct call r;
	uint64_t cls, ipa, flags, data, pa;
	int64_t s;

	for (unsigned int n = 0; n < 100000; n++) {
		s = kc(KC_HC_VCPU_RUN, vm->vmid, vcpu, 0, &r);
		CHECK(s == KC_OK, s, n);
		cls = r.x[KC_EXIT_REG_CLASS];
		ipa = r.x[KC_EXIT_REG_IPA];
		flags = r.x[KC_EXIT_REG_FLAGS];
		data = r.x[KC_EXIT_REG_DATA];
		if (cls == KC_EXIT_IRQ) {
			continue;
		}
		if (cls >= KC_EXIT_CPU_ON && cls <= KC_EXIT_SYSTEM_RESET) {
			*ret_data = data;
			return cls;
		}
		if (cls == KC_EXIT_MEM_FAULT) {
			CHECK((ipa & (PAGE - 1)) == 0 && flags == 0 && data == 0, ipa, flags);
			pa = h && h->fault_page ? h->fault_page(vm, ipa) : alloc_page();
			s = kc(KC_HC_VM_MAP, vm->vmid, vcpu, pa / PAGE, 0);
			if (s == KC_EEXIST) {
				continue; /* another vCPU's fault on the same page was answered first */
			}
			CHECK(s == KC_OK, s, ipa);
			vm_record(vm, vcpu, ipa, pa);
			continue;
		}
		CHECK(cls == KC_EXIT_MMIO, cls, ipa);
		if (!(flags & KC_EXIT_FLAG_WRITE)) {
			data = ipa == GUEST_CTL_MODE ? vm->mode : 0; /* the UART's FR: never full */
			CHECK(kc(KC_HC_MMIO_COMPLETE, vm->vmid, vcpu, data, 0) == KC_OK, ipa, data);
		} else if (ipa == GUEST_UART) {
			guest_putc(vm, vcpu, (char)data);
		} else if (ipa == GUEST_CTL_DONE) {
			*ret_data = data;
			return 0;
		} else if (ipa == GUEST_CTL_SHARED && h && h->shared) {
			h->shared(vm, data);
		} else if (ipa == GUEST_CTL_UNSHARED && h && h->unshared) {
			h->unshared(vm, data);
		} else if (ipa == GUEST_CTL_SECRET && h && h->secret) {
			h->secret(vm, &r);
		}
	}
	fail("guest did not finish", vm->vmid, vcpu);
}

/* Run vCPU 0 of a one-vCPU guest until it writes GUEST_CTL_DONE; returns the value it wrote. */
static uint64_t vm_run(struct vm *vm, const struct vm_hooks *h)
{
	uint64_t data = 0, cls = vm_run_vcpu(vm, 0, h, &data);

	CHECK(cls == 0, cls, data);
	return data;
}

/* Destroy and take every page back: each must come back zeroed. */
static void vm_teardown(struct vm *vm)
{
	struct call r;
	uint64_t i, left;

	uint64_t n = vm_npages(vm);

	CHECK(kc(KC_HC_VM_DESTROY, vm->vmid, 0, 0, &r) == KC_OK, r.x[0], vm->vmid);
	left = r.x[1];
	CHECK(left == n, left, n);
	for (unsigned int c = 0; c < CPUS; c++) {
		for (i = 0; i < vm->v[c].npages; i++) {
			CHECK(kc(KC_HC_VM_RECLAIM, vm->vmid, vm->v[c].pa[i] / PAGE, 0, &r) == KC_OK,
			      r.x[0], i);
			CHECK(r.x[1] == --left, r.x[1], i);
		}
	}
	for (unsigned int c = 0; c < CPUS; c++) {
		for (i = 0; i < vm->v[c].npages; i++) {
			CHECK(page_is_zero(vm->v[c].pa[i]), vm->v[c].pa[i], i);
		}
	}
	say("host: vm %u torn down, %u pages back and zeroed\n", vm->vmid, n);
}

/* ---- secondary CPUs ---- */

/* A job for a secondary CPU: fn(arg)'s result lands in cpu_result, cpu_busy drops to 0. */
typedef uint64_t (*cpu_fn_t)(uint64_t arg);

static volatile uint64_t cpu_up[CPUS];
static cpu_fn_t volatile cpu_fn[CPUS];
static volatile uint64_t cpu_arg[CPUS], cpu_result[CPUS], cpu_busy[CPUS];

void host_secondary_main(uint64_t idx)
{
	cpu_fn_t fn;

	say("host: cpu %u up at EL1\n", idx);
	cpu_up[idx] = 1;
	for (;;) {
		while ((fn = cpu_fn[idx]) == 0) {
		}
		cpu_fn[idx] = 0;
		cpu_result[idx] = fn(cpu_arg[idx]);
		cpu_busy[idx] = 0;
	}
}

static void cpu_start_job(unsigned int i, cpu_fn_t fn, uint64_t arg)
{
	CHECK(i > 0 && i < CPUS && cpu_up[i] && !cpu_busy[i], i, cpu_busy[i]);
	cpu_busy[i] = 1;
	cpu_arg[i] = arg;
	cpu_fn[i] = fn;
}

static uint64_t cpu_wait_job(unsigned int i)
{
	uint64_t deadline = now_us() + 10000000u;

	while (cpu_busy[i]) {
		CHECK(now_us() < deadline, i, 0);
	}
	return cpu_result[i];
}

static uint64_t probe_job(uint64_t addr)
{
	uint64_t v;

	return probe(addr, false, &v);
}

static void start_cpus(void)
{
	uint64_t deadline;

	for (unsigned int i = 1; i < CPUS; i++) {
		int64_t r = (int64_t)host_smc(PSCI_CPU_ON, 0x80000000u | i, (uint64_t)host_secondary_entry, i);
		CHECK(r == 0, r, i);
		deadline = now_us() + 5000000u;
		while (!cpu_up[i]) {
			CHECK(now_us() < deadline, i, 0);
		}
	}
	CHECK((int64_t)host_smc(PSCI_CPU_ON, 0x80000001u, (uint64_t)host_secondary_entry, 1) == -4, 1, 0);
}

/* Probe `addr` on CPU i; true if it aborted. */
static bool probe_on(unsigned int i, uint64_t addr)
{
	if (i == 0) {
		return probe_job(addr);
	}
	cpu_start_job(i, probe_job, addr);
	return cpu_wait_job(i);
}

/* ---- scenarios ---- */

/* ---- the device tree kcore passed on, read by a minimal walk of its structure block ---- */

#define FDT_BEGIN_NODE 1u
#define FDT_END_NODE 2u
#define FDT_PROP 3u
#define FDT_NOP 4u

struct dt_kcore {
	uint64_t base, size;	/* reg of /reserved-memory/kcore@... */
	bool no_map;
	bool hypervisor;	/* /hypervisor is compatible "sekvm,kcore" */
};

static uint32_t be32(uint64_t addr)
{
	return __builtin_bswap32(*(volatile uint32_t *)addr);
}

static bool str_is(uint64_t addr, const char *s)
{
	for (; *s; s++, addr++) {
		if (*(volatile char *)addr != *s) {
			return false;
		}
	}
	return true;
}

static struct dt_kcore dtb_kcore(uint64_t dtb)
{
	uint64_t p = dtb + be32(dtb + 8), strings = dtb + be32(dtb + 12), node = 0, name, len;
	struct dt_kcore k = { 0 };
	uint32_t tok;

	while ((tok = be32(p)) != 9u /* FDT_END */) {
		p += 4;
		if (tok == FDT_BEGIN_NODE) {
			node = p;
			while (*(volatile char *)p) {
				p++;
			}
			p = (p + 4) & ~UINT64_C(3);
		} else if (tok == FDT_PROP) {
			len = be32(p);
			name = strings + be32(p + 4);
			if (str_is(node, "kcore@") && str_is(name, "reg\0") && len == 16) {
				k.base = (uint64_t)be32(p + 8) << 32 | be32(p + 12);
				k.size = (uint64_t)be32(p + 16) << 32 | be32(p + 20);
			} else if (str_is(node, "kcore@") && str_is(name, "no-map\0")) {
				k.no_map = true;
			} else if (str_is(node, "hypervisor\0") && str_is(name, "compatible\0")) {
				k.hypervisor = str_is(p + 8, "sekvm,kcore\0");
			}
			p = (p + 8 + len + 3) & ~UINT64_C(3);
		} else {
			CHECK(tok == FDT_END_NODE || tok == FDT_NOP, tok, p);
		}
	}
	return k;
}

static void test_boot(uint64_t dtb)
{
	struct call r;

	CHECK(kc(KC_HC_VERSION, 0, 0, 0, &r) == KC_OK, r.x[0], 0);
	say("host: kcore ABI %u.%u\n", r.x[1] >> 16, r.x[1] & 0xffff);
	CHECK(r.x[1] == KC_ABI_VERSION, r.x[1], KC_ABI_VERSION);
	CHECK(kc(KC_HC_FEATURES, KC_HC_VM_CREATE, 0, 0, 0) == KC_OK, 0, 0);
	CHECK(kc(KC_HC_FEATURES, KC_GC_MEM_SHARE, 0, 0, 0) == KC_ENOSYS, 0, 0);
	CHECK(kc(KC_FN(0x01ff), 0, 0, 0, 0) == KC_ENOSYS, 0, 0);
	CHECK(kc(0x12345678, 0, 0, 0, 0) == KC_SMCCC_NOT_SUPPORTED, 0, 0);
	/* The DTB kcore passed on reserves kcore's memory (no-map) and says kcore is there. */
	struct dt_kcore k = dtb_kcore(dtb);
	say("host: DTB reserves %x+%x for kcore (no-map %u), /hypervisor %u\n", k.base, k.size,
	    k.no_map, k.hypervisor);
	CHECK(k.base == 0x40000000u && k.size > 0x200000u && k.no_map, k.base, k.size);
	CHECK(k.hypervisor, 0, 0);
}

static uint64_t dtb_reserved_end(uint64_t dtb)
{
	struct dt_kcore k = dtb_kcore(dtb);

	CHECK(k.size != 0, k.base, 0);
	return k.base + k.size;
}

static void test_kcore_memory(uint64_t dtb)
{
	uint64_t end = dtb_reserved_end(dtb), v = 0x4141414141414141u;
	const uint64_t targets[] = { 0x40080000u, 0x40081000u, end - PAGE, end - 8 };

	for (unsigned int i = 0; i < 4; i++) {
		CHECK(probe(targets[i], false, &v), targets[i], 0);
		v = 0x4141414141414141u;
		CHECK(probe(targets[i], true, &v), targets[i], 1);
		say("host: read and write of kcore memory at %x: synchronous external abort\n",
		    targets[i]);
	}
	/* The host's own memory right after kcore's is fine. */
	v = 7;
	CHECK(!probe(end, true, &v) && !probe(end, false, &v) && v == 7, end, v);
}

static void test_smp(uint64_t dtb)
{
	start_cpus();
	/* Each CPU faults kcore memory on its own, and kcore stays up. */
	for (unsigned int i = 1; i < CPUS; i++) {
		CHECK(probe_on(i, 0x40080000u), i, 0);
	}
	say("host: %u CPUs at EL1, kcore memory refused on each\n", CPUS);
}

static void full_shared(struct vm *vm, uint64_t ipa)
{
	const volatile char *p = (const volatile char *)vm_pa_of(vm, ipa);
	char buf[64];
	unsigned int i;

	for (i = 0; i < sizeof(buf) - 1 && p[i]; i++) {
		buf[i] = p[i];
	}
	buf[i] = 0;
	say("host: guest shared IPA %x, it reads \"%s\"\n", ipa, buf);
	CHECK(buf[0] == 's' && buf[1] == 'h', buf[0], buf[1]);
}

static void full_unshared(struct vm *vm, uint64_t ipa)
{
	uint64_t v;

	CHECK(probe(vm_pa_of(vm, ipa), false, &v), ipa, 0);
	say("host: after unshare the page aborts\n");
}

static void test_vm_lifecycle(uint64_t dtb)
{
	static struct vm vm;
	const struct vm_hooks h = { .shared = full_shared, .unshared = full_unshared };
	int64_t s;

	s = vm_build(&vm, -1);
	CHECK(s == KC_OK, s, 0);
	say("host: vm %u verified (%u image pages)\n", vm.vmid, vm_npages(&vm));
	CHECK(vm_run(&vm, &h) == 0, 0, 0);
	vm_teardown(&vm);
	/* The vmid is free again: a second VM runs too. */
	static struct vm again;
	CHECK(vm_build(&again, -1) == KC_OK, 0, 0);
	CHECK(vm_run(&again, &h) == 0, 0, 0);
	vm_teardown(&again);
}

static void test_donated_page(uint64_t dtb)
{
	static struct vm vm;
	uint64_t v = 0x4242424242424242u;

	CHECK(vm_build(&vm, -1) == KC_OK, 0, 0);
	/* An image page (loaded, not yet run) and a page mapped on a fault, after a run. */
	CHECK(probe(vm.v[0].pa[0], false, &v), vm.v[0].pa[0], 0);
	CHECK(probe(vm.v[0].pa[0], true, &v), vm.v[0].pa[0], 1);
	CHECK(vm_run(&vm, 0) == 0, 0, 0);
	uint64_t last = vm.v[0].pa[vm.v[0].npages - 1];
	CHECK(probe(last, false, &v), last, 0);
	CHECK(probe(last, true, &v), last, 1);
	say("host: reads and writes of donated pages abort\n");
	vm_teardown(&vm);
}

static void test_page_in_two_vms(uint64_t dtb)
{
	static struct vm a, b;
	struct call r;

	CHECK(vm_build(&a, -1) == KC_OK, 0, 0);
	CHECK(kc(KC_HC_VM_CREATE, 8, 0, 0, &r) == KC_OK, r.x[0], 0);
	b.vmid = r.x[1];
	CHECK(kc(KC_HC_VM_SET_BOOT, b.vmid, GUEST_IMAGE_IPA, PAGE, 0) == KC_OK, 0, 0);
	/* A's image page, offered to B: refused, A keeps it. */
	CHECK(kc(KC_HC_VM_LOAD_PAGE, b.vmid, 0, a.v[0].pa[0] / PAGE, 0) == KC_EPERM, 0, 0);
	/* The same fresh page twice into one VM's image: the second is refused. */
	uint64_t p = alloc_page();
	CHECK(kc(KC_HC_VM_LOAD_PAGE, b.vmid, 0, p / PAGE, 0) == KC_OK, 0, 0);
	vm_record(&b, 0, GUEST_IMAGE_IPA, p);
	CHECK(kc(KC_HC_VM_LOAD_PAGE, b.vmid, 0, p / PAGE, 0) != KC_OK, 0, 0);
	CHECK(vm_run(&a, 0) == 0, 0, 0);
	say("host: one page cannot go to two VMs\n");
	vm_teardown(&a);
	vm_teardown(&b);
}

static void test_image_changed(uint64_t dtb)
{
	static struct vm vm;
	struct call r;
	uint64_t size = (uint64_t)(guest_image_end - guest_image);
	int64_t s;

	s = vm_build(&vm, (int64_t)(size / 2));
	CHECK(s == KC_EBADMSG, s, 0);
	CHECK(kc(KC_HC_VCPU_RUN, vm.vmid, 0, 0, &r) == KC_EPERM, r.x[0], 0);
	say("host: changed image refused (%d), its vCPU cannot run\n", s);
	vm_teardown(&vm);
}

/* Guest B writes a secret into a page; guest A then asks for a page and must not get B's. */
static uint64_t secret_pa;

static void note_secret(struct vm *vm, uint64_t ipa)
{
	secret_pa = vm_pa_of(vm, ipa);
}

static uint64_t offer_secret_page(struct vm *vm, uint64_t ipa)
{
	struct call r;

	/* B's page is refused for A; A gets a fresh one instead. */
	CHECK(kc(KC_HC_VM_MAP, vm->vmid, 0, secret_pa / PAGE, &r) == KC_EPERM, r.x[0], secret_pa);
	return alloc_page();
}

static void test_guest_reads_other_vm(uint64_t dtb)
{
	static struct vm a, b;
	const struct vm_hooks hb = { .shared = note_secret };
	const struct vm_hooks ha = { .fault_page = offer_secret_page };
	uint64_t v;

	CHECK(vm_build(&b, -1) == KC_OK, 0, 0);
	b.mode = GUEST_MODE_SECRET;
	CHECK(vm_run(&b, &hb) == 0, 0, 0);
	CHECK(secret_pa != 0, 0, 0);
	CHECK(probe(secret_pa, false, &v), secret_pa, 0);
	CHECK(vm_build(&a, -1) == KC_OK, 0, 0);
	a.mode = GUEST_MODE_READ;
	v = vm_run(&a, &ha);
	CHECK(v != GUEST_SECRET_WORD, v, 0);
	say("host: guest A read %x from its fresh page, not B's secret\n", v);
	vm_teardown(&a);
	vm_teardown(&b);
}

static void check_secret_exit(struct vm *vm, const struct call *r)
{
	/* x1..x4 are the exit; x5..x17 are still the host's own zeros; x4 holds only w5. */
	CHECK(r->x[KC_EXIT_REG_CLASS] == KC_EXIT_MMIO, r->x[1], 0);
	CHECK(r->x[KC_EXIT_REG_FLAGS] == (KC_EXIT_FLAG_WRITE | (2u << KC_EXIT_SIZE_SHIFT)),
	      r->x[3], 0);
	CHECK(r->x[KC_EXIT_REG_DATA] == (GUEST_SECRET_WORD & 0xffffffffu), r->x[4], 0);
	for (unsigned int i = 5; i < 18; i++) {
		CHECK(r->x[i] == 0, i, r->x[i]);
	}
	say("host: MMIO exit shows w5 = %x and nothing else\n", r->x[4]);
	vm->mode = 99; /* seen */
}

static void test_exit_hides_registers(uint64_t dtb)
{
	static struct vm vm;
	const struct vm_hooks h = { .secret = check_secret_exit };

	CHECK(vm_build(&vm, -1) == KC_OK, 0, 0);
	CHECK(vm_run(&vm, &h) == 0, 0, 0);
	CHECK(vm.mode == 99, vm.mode, 0);
	vm_teardown(&vm);
}

static void any_cpu_shared(struct vm *vm, uint64_t ipa)
{
	uint64_t pa = vm_pa_of(vm, ipa);

	/* Every CPU reads it, so every CPU's TLB may hold the host's mapping. */
	for (unsigned int i = 0; i < CPUS; i++) {
		CHECK(!probe_on(i, pa), i, pa);
	}
}

static void any_cpu_unshared(struct vm *vm, uint64_t ipa)
{
	uint64_t pa = vm_pa_of(vm, ipa);

	for (unsigned int i = 0; i < CPUS; i++) {
		CHECK(probe_on(i, pa), i, pa);
	}
	say("host: unshared page aborts on all %u CPUs\n", CPUS);
}

static void test_unshared_any_cpu(uint64_t dtb)
{
	static struct vm vm;
	const struct vm_hooks h = { .shared = any_cpu_shared, .unshared = any_cpu_unshared };

	start_cpus();
	CHECK(vm_build(&vm, -1) == KC_OK, 0, 0);
	CHECK(vm_run(&vm, &h) == 0, 0, 0);
	vm_teardown(&vm);
}

static void test_hostile_hypercalls(uint64_t dtb)
{
	static const uint64_t vals[] = {
		0, 1, 2, 8, 9, 0xff, 0x1000, 0x40000000u, 0x40080000u, 0x402d6000u, 0x9000000u,
		0xfffffffffffff000u, 0xffffffffffffffffu, 0x8000000000000000u, 1ull << 40,
		(1ull << 40) - PAGE, 0x40080u, 0x48000u,
	};
	const unsigned int n = sizeof(vals) / sizeof(vals[0]);
	struct call r;
	uint64_t calls = 0, fn;

	/* A live VM (vmid 1, among the values) so the calls reach past the id check. */
	CHECK(kc(KC_HC_VM_CREATE, 8, 0, 0, &r) == KC_OK && r.x[1] == 1, r.x[0], r.x[1]);
	for (fn = KC_HC_FIRST; fn <= KC_HC_LAST + 1; fn++) {
		if (fn == KC_HC_VM_CREATE) {
			continue; /* would succeed and hold a slot; covered by vm tests */
		}
		for (unsigned int a = 0; a < n; a++) {
			for (unsigned int b = 0; b < n; b += 3) {
				for (unsigned int c = 0; c < n; c += 5) {
					kc(fn, vals[a], vals[b], vals[c], &r);
					calls++;
				}
			}
		}
	}
	fn = (uint64_t)kc(KC_HC_VM_DESTROY, 1, 0, 0, &r);
	CHECK(fn == KC_OK || fn == (uint64_t)KC_ENOENT, fn, r.x[1]);
	CHECK(fn != KC_OK || r.x[1] == 0, fn, r.x[1]);
	/* Upper bits set in the function id, and the guest's calls from the host. */
	CHECK(kc(KC_HC_VERSION | (1ull << 32), 0, 0, 0, 0) == KC_SMCCC_NOT_SUPPORTED, 0, 0);
	CHECK(kc(KC_GC_MEM_SHARE, 0x40000000u, 0, 0, 0) == KC_ENOSYS, 0, 0);
	CHECK(kc(KC_HC_VERSION, 0, 0, 0, &r) == KC_OK && r.x[1] == KC_ABI_VERSION, r.x[0], 0);
	say("host: %u hostile hypercalls answered, kcore still up\n", calls);
	/* And a full VM life still works afterwards. */
	test_vm_lifecycle(dtb);
}

/* One guest on all CPUs: vCPU 0 here, each vCPU it switches on (PSCI CPU_ON) on its own CPU. */
static struct vm smp_vm;

static uint64_t run_vcpu_job(uint64_t vcpu)
{
	uint64_t data = 0, cls = vm_run_vcpu(&smp_vm, vcpu, 0, &data);

	return cls == 0 ? 0x100u | data : cls; /* GUEST_CTL_DONE from a secondary is a failure */
}

static bool has_text(const char *s, const char *needle)
{
	for (; *s; s++) {
		unsigned int i = 0;

		while (needle[i] && s[i] == needle[i]) {
			i++;
		}
		if (!needle[i]) {
			return true;
		}
	}
	return false;
}

static void test_vm_smp(uint64_t dtb)
{
	struct vm *vm = &smp_vm;
	uint64_t cls, data = 0, on = 0;
	char hello[] = "hello from protected vCPU ?";
	struct call r;

	start_cpus();
	CHECK(vm_build_smp(vm, -1, CPUS) == KC_OK, 0, 0);
	vm->mode = GUEST_MODE_SMP;
	/* A secondary is off until the guest switches it on. */
	CHECK(kc(KC_HC_VCPU_RUN, vm->vmid, 1, 0, &r) == KC_OK, r.x[0], 0);
	CHECK(r.x[KC_EXIT_REG_CLASS] == KC_EXIT_VCPU_OFF, r.x[KC_EXIT_REG_CLASS], 1);
	while ((cls = vm_run_vcpu(vm, 0, 0, &data)) == KC_EXIT_CPU_ON) {
		CHECK(data > 0 && data < CPUS && !(on & (UINT64_C(1) << data)), data, on);
		on |= UINT64_C(1) << data;
		say("host: the guest switched on vCPU %u: it runs on cpu %u\n", data, data);
		cpu_start_job((unsigned int)data, run_vcpu_job, data);
	}
	CHECK(cls == KC_EXIT_SYSTEM_OFF, cls, data);
	CHECK(on == 0xe, on, 0);
	for (unsigned int i = 1; i < CPUS; i++) {
		cls = cpu_wait_job(i);
		CHECK(cls == KC_EXIT_VCPU_OFF, i, cls);
		vm->v[i].log[vm->v[i].log_len] = 0;
		say("guest %u vCPU %u (cpu %u): %s", vm->vmid, i, i, vm->v[i].log);
		hello[sizeof(hello) - 2] = (char)('0' + i);
		CHECK(has_text(vm->v[i].log, hello), i, vm->v[i].log_len);
	}
	/* Switched off for good: no vCPU runs again. */
	for (unsigned int i = 0; i < CPUS; i++) {
		CHECK(kc(KC_HC_VCPU_RUN, vm->vmid, i, 0, &r) == KC_OK, r.x[0], i);
		CHECK(r.x[KC_EXIT_REG_CLASS] == KC_EXIT_SYSTEM_OFF, r.x[KC_EXIT_REG_CLASS], i);
	}
	say("host: %u vCPUs ran on %u CPUs, switched off by the guest, then the whole VM\n", CPUS,
	    CPUS);
	vm_teardown(vm);
}

/* ---- benchmark: instructions executed at EL2, counted by the PMU (QEMU -icount) ---- */

#define BENCH_RUNS 51u
#define PMEVTYPER_EL2_ONLY ((1ull << 31) | (1ull << 30) | (1ull << 27)) /* not EL1, not EL0; EL2 */
#define PMU_INST_RETIRED 0x08u

static void pmu_start(void)
{
	__asm__ volatile("msr pmevtyper0_el0, %0" : : "r"(PMEVTYPER_EL2_ONLY | PMU_INST_RETIRED));
	__asm__ volatile("msr pmcntenset_el0, %0" : : "r"(1ull));
	__asm__ volatile("msr pmcr_el0, %0; isb" : : "r"(3ull)); /* E, and reset the counters */
}

static uint64_t pmu_read(void)
{
	uint64_t v;

	__asm__ volatile("isb; mrs %0, pmevcntr0_el0" : "=r"(v));
	return v;
}

struct sample {
	uint64_t v[BENCH_RUNS];
	unsigned int n;
};

static void sample_add(struct sample *s, uint64_t v)
{
	if (s->n < BENCH_RUNS) {
		s->v[s->n++] = v;
	}
}

static void sample_print(const char *what, struct sample *s)
{
	CHECK(s->n == BENCH_RUNS, s->n, 0);
	for (unsigned int i = 1; i < s->n; i++) { /* insertion sort: 51 values */
		for (unsigned int j = i; j > 0 && s->v[j - 1] > s->v[j]; j--) {
			uint64_t t = s->v[j];

			s->v[j] = s->v[j - 1];
			s->v[j - 1] = t;
		}
	}
	say("EL2-BENCH %s median %u min %u max %u n %u\n", what, s->v[s->n / 2], s->v[0],
	    s->v[s->n - 1], s->n);
}

/* One hypercall, and the EL2 instructions it took. */
static uint64_t kc_counted(uint64_t fn, uint64_t a1, uint64_t a2, uint64_t a3, struct call *r,
			   int64_t *ret)
{
	uint64_t before = pmu_read();

	*ret = kc(fn, a1, a2, a3, r);
	return pmu_read() - before;
}

static void test_bench(uint64_t dtb)
{
	static struct vm vm;
	static struct sample null_call, round_trip, fault_run, fault_map;
	struct call r;
	uint64_t n, cls, pa;
	int64_t s;

	pmu_start();
	n = kc_counted(KC_HC_VERSION, 0, 0, 0, &r, &s);
	CHECK(n > 0, n, 0); /* 0: the PMU does not count instructions (QEMU needs -icount) */
	n = pmu_read();
	for (volatile unsigned int i = 0; i < 1000; i++) {
	}
	CHECK(pmu_read() == n, pmu_read(), n); /* EL1's own instructions are not counted */
	for (unsigned int i = 0; i < BENCH_RUNS; i++) {
		sample_add(&null_call, kc_counted(KC_HC_VERSION, 0, 0, 0, &r, &s));
	}
	CHECK(vm_build(&vm, -1) == KC_OK, 0, 0);
	vm.mode = GUEST_MODE_BENCH;
	while (round_trip.n < BENCH_RUNS) {
		n = kc_counted(KC_HC_VCPU_RUN, vm.vmid, 0, 0, &r, &s);
		CHECK(s == KC_OK, s, 0);
		cls = r.x[KC_EXIT_REG_CLASS];
		if (cls == KC_EXIT_MEM_FAULT) {
			pa = alloc_page();
			sample_add(&fault_run, n);
			sample_add(&fault_map, kc_counted(KC_HC_VM_MAP, vm.vmid, 0, pa / PAGE, &r, &s));
			CHECK(s == KC_OK, s, pa);
			vm_record(&vm, 0, r.x[KC_EXIT_REG_IPA], pa);
		} else if (cls == KC_EXIT_MMIO && r.x[KC_EXIT_REG_IPA] == GUEST_CTL_TICK) {
			sample_add(&round_trip, n);
		} else if (cls == KC_EXIT_MMIO && !(r.x[KC_EXIT_REG_FLAGS] & KC_EXIT_FLAG_WRITE)) {
			CHECK(kc(KC_HC_MMIO_COMPLETE, vm.vmid, 0, vm.mode, 0) == KC_OK, 0, 0);
		} else {
			CHECK(cls == KC_EXIT_IRQ || cls == KC_EXIT_MMIO, cls, r.x[KC_EXIT_REG_IPA]);
		}
	}
	sample_print("null-hypercall", &null_call);
	sample_print("world-switch-round-trip", &round_trip);
	sample_print("stage2-fault-exit", &fault_run);
	sample_print("stage2-fault-map", &fault_map);
	vm_teardown(&vm);
}

#define X(n, name) case n: test_name = #name; test_##name(dtb); break;

void host_main(uint64_t dtb)
{
	uint32_t which = *(volatile uint32_t *)EL2_TEST_SELECT;

	say("host: EL1 up on cpu 0, DTB %x, test %u\n", dtb, which);
	switch (which) {
		EL2_TESTS(X)
		EL2_BENCHES(X)
	default:
		fail("unknown test number", which, 0);
	}
	say("EL2-TEST PASS %s\n", test_name);
	power_off();
}
