/*
 * kcore's boot on Armv8-A: its own EL2 stage-1 map (written once, before the MMU is on), the
 * platform from the device tree, the portable core's start, every CPU brought to EL2 through
 * PSCI, and the host started at EL1 behind its stage-2.
 */
#include "el2.h"
#include "kcore-testkey.h"


struct el2_cpu el2_cpus[EL2_CPUS_MAX];
struct el2_platform el2_plat;
uint64_t el2_pool_end;
uint64_t __stack_chk_guard;

/* Stacks (entry.S indexes them by CPU) and kcore's stage-1 level-1 table. */
__attribute__((aligned(16))) uint8_t el2_stacks[EL2_CPUS_MAX][EL2_STACK_SIZE];
__attribute__((aligned(4096))) uint64_t el2_pt_l1[512];

/* Stage-1 block descriptors at level 1 (1 GiB), EL2 regime (Arm ARM D8.3). */
#define S1_BLOCK 0x1u
#define S1_ATTRIDX(n) ((uint64_t)(n) << 2)
#define S1_SH_INNER (UINT64_C(3) << 8)
#define S1_AF (UINT64_C(1) << 10)
#define S1_XN (UINT64_C(1) << 54)
#define S1_GIB (UINT64_C(1) << 30)
/* kcore maps PA [0, 4 GiB) once: the first GiB (the virt board's devices) as Device-nGnRE,
 * the next three as normal memory. RAM outside that window is refused at boot. */
#define EL2_MAP_LIMIT (4 * S1_GIB)

/* Runs with the MMU off, on the boot CPU only; nothing ever writes these entries again. */
void el2_mmu_tables(void);
void el2_mmu_tables(void)
{
	uint64_t i;

	el2_pt_l1[0] = S1_BLOCK | S1_ATTRIDX(1) | S1_AF | S1_XN;
	for (i = 1; i < EL2_MAP_LIMIT / S1_GIB; i++) {
		el2_pt_l1[i] = (i * S1_GIB) | S1_BLOCK | S1_ATTRIDX(0) | S1_SH_INNER | S1_AF;
	}
	__asm__ volatile("dsb sy" : : : "memory");
}

static uint64_t el2_now_us(void)
{
	uint64_t freq = read_sysreg(cntfrq_el0);

	return freq ? read_sysreg(cntpct_el0) / (freq / 1000000u) : 0;
}

static uint64_t stack_top(unsigned int idx)
{
	return (uint64_t)&el2_stacks[idx][EL2_STACK_SIZE];
}

/* What a CPU needs before it first runs the host (and again after a guest ran on it). */
void el2_host_setup_cpu(void)
{
	write_sysreg(vtcr_el2, EL2_VTCR);
	write_sysreg(vttbr_el2, el2_host_vttbr);
	write_sysreg(hcr_el2, EL2_HCR_HOST);
	write_sysreg(cptr_el2, EL2_CPTR);
	write_sysreg(hstr_el2, 0);
	write_sysreg(mdcr_el2, (read_sysreg(pmcr_el0) >> 11) & 0x1f); /* HPMN = PMCR_EL0.N */
	write_sysreg(cnthctl_el2, 3);	/* EL1PCTEN | EL1PCEN: the host owns the physical timer */
	write_sysreg(cntvoff_el2, 0);
	write_sysreg(vpidr_el2, read_sysreg(midr_el1));
	write_sysreg(vmpidr_el2, read_sysreg(mpidr_el1));
	if (el2_plat.gic_v3) {
		write_sysreg(S3_4_C12_C9_5, 0xf); /* ICC_SRE_EL2: Enable | SRE | DIB | DFB */
	}
	isb();
	/* Reference sequence #6: nothing cached for VMID 0 from before survives. */
	__asm__ volatile("tlbi vmalls12e1\n\tdsb nsh\n\tisb" : : : "memory");
}

/* A parked CPU waits in kcore until the host's PSCI CPU_ON names it, then enters the host. */
static _Noreturn void el2_park(struct el2_cpu *cpu)
{
	uint64_t entry;

	cpu->on_entry = 0;
	__asm__ volatile("dmb ish" : : : "memory");
	cpu->state = EL2_CPU_PARKED;
	while ((entry = __atomic_load_n(&cpu->on_entry, __ATOMIC_ACQUIRE)) == 0) {
		__asm__ volatile("wfe" : : : "memory");
	}
	cpu->state = EL2_CPU_HOST;
	write_sysreg(sctlr_el1, EL1_SCTLR_RESET);
	el2_host_setup_cpu();
	el2_eret_host(entry, cpu->on_ctx, stack_top(cpu->idx));
}

void el2_cpu_park_self(void);
void el2_cpu_park_self(void)
{
	el2_park(el2_this_cpu());
}

void el2_secondary_main(unsigned int idx)
{
	struct el2_cpu *cpu = &el2_cpus[idx];

	write_sysreg(tpidr_el2, (uint64_t)cpu);
	el2_log("kcore: cpu %u at EL2 (MPIDR %lx), parked\n", idx, read_sysreg(mpidr_el1));
	el2_park(cpu);
}

#define PSCI_CPU_ON_64 0xc4000003u

static void el2_start_secondaries(void)
{
	uint64_t deadline, r;
	unsigned int i;

	for (i = 1; i < el2_plat.cpu_count; i++) {
		el2_cpus[i].idx = i;
		el2_cpus[i].mpidr = el2_plat.cpu_mpidr[i];
		__asm__ volatile("dsb ish" : : : "memory");
		r = el2_smc(PSCI_CPU_ON_64, el2_plat.cpu_mpidr[i], (uint64_t)el2_secondary_entry, i);
		if (r != 0) {
			el2_log("kcore: PSCI CPU_ON of cpu %u failed (%ld)\n", i, (int64_t)r);
			continue;
		}
		deadline = el2_now_us() + 2000000u;
		while (el2_cpus[i].state != EL2_CPU_PARKED && el2_now_us() < deadline) {
		}
		if (el2_cpus[i].state != EL2_CPU_PARKED) {
			el2_log("kcore: cpu %u did not reach EL2 in 2 s\n", i);
		}
	}
}

static unsigned int el2_cpus_parked(void)
{
	unsigned int i, n = 0;

	for (i = 1; i < el2_plat.cpu_count; i++) {
		n += el2_cpus[i].state == EL2_CPU_PARKED;
	}
	return n;
}

/*
 * The portable core's view: all of RAM, in which kcore's own memory (from RAM's start, where the
 * boot chain loads it, to the end of its image) and the pool after it are KC_OWNER_KCORE.
 */
static int el2_core_init(void)
{
	struct kc_boot_info info;
	uint64_t ram_base = el2_plat.mem[0].base, pool_base, pool_pages, ram_end, pages, i;

	pool_base = ((uint64_t)__kcore_end + 0x1fffu) & ~UINT64_C(0x1fff);
	pool_pages = KC_S2_ROOT_PAGES * (KC_VMS_MAX + 1u) + KC_POOL_PAGES_MAX;
	ram_end = ram_base + el2_plat.mem[0].size;
	pages = (ram_end - ram_base) / KC_PAGE_SIZE;
	if (pages > KC_RAM_PAGES_MAX) {
		el2_log("kcore: RAM above %lx is not managed (KC_RAM_PAGES_MAX)\n",
			ram_base + KC_RAM_PAGES_MAX * KC_PAGE_SIZE);
		pages = KC_RAM_PAGES_MAX;
	}
	info.ram_base = kc_pa(ram_base);
	info.ram_pages = pages;
	info.pool_base = kc_pa(pool_base);
	info.pool_pages = pool_pages;
	info.kcore_base = kc_pa(ram_base);
	info.kcore_pages = (pool_base - ram_base) / KC_PAGE_SIZE;
	/* One level-3 table per 2 MiB of RAM, one level-2 per GiB, and room for device pages. */
	info.host_quota = pages / 512u + pages / (512u * 512u) + 34u;
	for (i = 0; i < KC_PUBKEY_BYTES; i++) {
		info.image_pubkey[i] = kc_test_pk[i];
	}
	el2_pool_end = pool_base + pool_pages * KC_PAGE_SIZE;
	el2_log("kcore: image %lx-%lx, pool %lx (%lu pages), host RAM %lx-%lx\n",
		(uint64_t)__kcore_start, (uint64_t)__kcore_end, pool_base, pool_pages, el2_pool_end,
		ram_base + pages * KC_PAGE_SIZE);
	return kcore_init(&info);
}

/* The header of a Linux arm64 Image (Documentation/arch/arm64/booting.rst). */
struct arm64_image_header {
	uint32_t code0, code1;
	uint64_t text_offset, image_size, flags, res2, res3, res4;
	uint32_t magic, res5;
};

#define ARM64_IMAGE_MAGIC 0x644d5241u	/* "ARM\x64" */
#define ARM64_IMAGE_FLAG_BE UINT64_C(1)
#define ARM64_IMAGE_PAGE_SIZE(f) (((f) >> 1) & 3u)	/* 0 unspecified, 1 4K */

/*
 * The host entry must lie in the host's RAM. A Linux Image there must be little-endian, for 4K
 * pages or any, text_offset bytes above a 2 MiB boundary and end inside RAM; it is then entered
 * by the boot protocol (x0 = DTB, x1-x3 = 0, MMU off, EL1h, DAIF masked), as any other payload.
 * Neither may overlap the device tree [dtb, dtb_end).
 */
static bool host_image_ok(uint64_t entry, uint64_t host_base, uint64_t ram_end, uint64_t dtb,
			  uint64_t dtb_end)
{
	const volatile struct arm64_image_header *h = (const volatile void *)entry;
	uint64_t base;

	if (entry < host_base || entry + sizeof(*h) > ram_end || (entry & 3u) != 0) {
		el2_log("kcore: host entry %lx is not in the host's RAM %lx-%lx\n", entry, host_base,
			ram_end);
		return false;
	}
	if (h->magic != ARM64_IMAGE_MAGIC) {
		return true; /* a bare-metal payload */
	}
	base = entry - h->text_offset;
	if ((h->flags & ARM64_IMAGE_FLAG_BE) || ARM64_IMAGE_PAGE_SIZE(h->flags) > 1u ||
	    h->text_offset > entry || base < host_base || (base & 0x1fffffu) != 0 ||
	    h->image_size > ram_end - entry) { /* image_size counts from the Image's start */
		el2_log("kcore: the Linux Image at %lx cannot boot here (text_offset %lx, size %lx, "
			"flags %lx)\n", entry, h->text_offset, h->image_size, h->flags);
		return false;
	}
	if (entry < dtb_end && entry + (h->image_size ? h->image_size : sizeof(*h)) > dtb) {
		el2_log("kcore: the Linux Image at %lx overlaps the DTB %lx-%lx\n", entry, dtb,
			dtb_end);
		return false;
	}
	el2_log("kcore: host is a Linux Image, %lu KiB\n", h->image_size / 1024u);
	return true;
}

void el2_main(uint64_t dtb)
{
	struct el2_cpu *cpu = &el2_cpus[0];
	uint64_t reserved_end, ram_end, dtb_end;
	int r;

	write_sysreg(tpidr_el2, (uint64_t)cpu);
	__stack_chk_guard = read_sysreg(cntpct_el0) * UINT64_C(0x9e3779b97f4a7c15) ^ 0xff0a00;
	r = el2_dt_parse((const void *)dtb);
	el2_uart_init(el2_plat.uart_base ? el2_plat.uart_base : 0x09000000u);
	if (r < 0) {
		el2_log("kcore: no usable device tree at %lx (%d)\n", dtb, r);
		el2_system_off();
	}
	cpu->mpidr = read_sysreg(mpidr_el1);
	el2_log("kcore: EL2 on cpu 0 (MPIDR %lx), DTB %lx, %u CPUs, RAM %lx+%lx, UART %lx, GICv%u %lx\n",
		cpu->mpidr, dtb, el2_plat.cpu_count, el2_plat.mem[0].base, el2_plat.mem[0].size,
		el2_plat.uart_base, el2_plat.gic_v3 ? 3u : 2u, el2_plat.gicd_base);
	if (el2_plat.mem[0].base + el2_plat.mem[0].size > EL2_MAP_LIMIT ||
	    (uint64_t)__kcore_start < el2_plat.mem[0].base ||
	    (uint64_t)__kcore_end > el2_plat.mem[0].base + el2_plat.mem[0].size) {
		el2_log("kcore: RAM must hold kcore and end below %lx\n", EL2_MAP_LIMIT);
		el2_system_off();
	}
	r = el2_core_init();
	if (r < 0) {
		el2_log("kcore: core init failed (%d)\n", r);
		el2_system_off();
	}
	/* The host must not be told it may use kcore's image or pool. */
	reserved_end = el2_pool_end;
	ram_end = el2_plat.mem[0].base + el2_plat.mem[0].size;
	dtb_end = dtb + el2_dt_size((const void *)dtb) + EL2_DT_GROWTH; /* it grows in place */
	if (dtb < reserved_end || dtb_end > ram_end) {
		el2_log("kcore: the DTB %lx-%lx must lie in the host's RAM %lx-%lx\n", dtb, dtb_end,
			reserved_end, ram_end);
		el2_system_off();
	}
	r = el2_dt_publish((void *)dtb, el2_plat.mem[0].base, reserved_end - el2_plat.mem[0].base);
	if (r < 0) {
		el2_log("kcore: cannot reserve kcore's memory in the DTB (%d)\n", r);
		el2_system_off();
	}
	if (!host_image_ok(el2_plat.host_entry, reserved_end, ram_end, dtb, dtb_end)) {
		el2_system_off();
	}
	el2_start_secondaries();
	el2_log("kcore: core ready, %u secondary CPUs parked; host at %lx\n", el2_cpus_parked(),
		el2_plat.host_entry);
	cpu->state = EL2_CPU_HOST;
	write_sysreg(sctlr_el1, EL1_SCTLR_RESET);
	el2_host_setup_cpu();
	el2_eret_host(el2_plat.host_entry, dtb, stack_top(0));
}
