/* The platform as the device tree describes it (libfdt): RAM, CPUs, PSCI, PL011, GIC, bootargs. */
#include <libfdt.h>

#include "el2.h"
#include "kcore-abi.h"

static uint64_t read_cells(const fdt32_t *p, int n)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < n; i++) {
		v = (v << 32) | fdt32_ld(&p[i]);
	}
	return v;
}

/* The i-th (address, size) pair of a node's reg, with the parent's cell counts. */
static int dt_reg(const void *dtb, int node, int i, uint64_t *ret_addr, uint64_t *ret_size)
{
	int parent = fdt_parent_offset(dtb, node);
	int ac = fdt_address_cells(dtb, parent);
	int sc = fdt_size_cells(dtb, parent);
	const fdt32_t *reg;
	int len;

	if (parent < 0 || ac < 1 || ac > 2 || sc < 0 || sc > 2) {
		return -FDT_ERR_BADNCELLS;
	}
	reg = fdt_getprop(dtb, node, "reg", &len);
	if (reg == NULL || len < (i + 1) * (ac + sc) * 4) {
		return -FDT_ERR_NOTFOUND;
	}
	reg += i * (ac + sc);
	*ret_addr = read_cells(reg, ac);
	*ret_size = read_cells(reg + ac, sc);
	return 0;
}

static int dt_memory(const void *dtb)
{
	int node, i;
	uint64_t base, size;

	for (node = fdt_node_offset_by_prop_value(dtb, -1, "device_type", "memory", 7); node >= 0;
	     node = fdt_node_offset_by_prop_value(dtb, node, "device_type", "memory", 7)) {
		for (i = 0; dt_reg(dtb, node, i, &base, &size) == 0; i++) {
			if (el2_plat.mem_count < EL2_MEM_RANGES_MAX && size != 0) {
				el2_plat.mem[el2_plat.mem_count].base = base;
				el2_plat.mem[el2_plat.mem_count].size = size;
				el2_plat.mem_count++;
			}
		}
	}
	return el2_plat.mem_count ? 0 : -FDT_ERR_NOTFOUND;
}

/* CPUs in device-tree order, with the boot CPU moved to index 0. */
static int dt_cpus(const void *dtb)
{
	int cpus = fdt_path_offset(dtb, "/cpus");
	uint64_t self = read_sysreg(mpidr_el1) & UINT64_C(0xff00ffffff);
	uint64_t mpidr, unused, t;
	const char *type;
	unsigned int i, n = 0;
	int node;

	if (cpus < 0) {
		return cpus;
	}
	fdt_for_each_subnode(node, dtb, cpus) {
		type = fdt_getprop(dtb, node, "device_type", NULL);
		if (type == NULL || type[0] != 'c' || type[1] != 'p' || type[2] != 'u' || type[3] != 0 ||
		    dt_reg(dtb, node, 0, &mpidr, &unused) != 0 ||
		    n == EL2_CPUS_MAX) {
			continue;
		}
		el2_plat.cpu_mpidr[n++] = mpidr;
	}
	for (i = 0; i < n; i++) {
		if (el2_plat.cpu_mpidr[i] == self) {
			t = el2_plat.cpu_mpidr[0];
			el2_plat.cpu_mpidr[0] = self;
			el2_plat.cpu_mpidr[i] = t;
			el2_plat.cpu_count = n;
			return 0;
		}
	}
	return -FDT_ERR_NOTFOUND;
}

static int dt_devices(const void *dtb)
{
	uint64_t size;
	const char *method;
	int node;

	node = fdt_node_offset_by_compatible(dtb, -1, "arm,pl011");
	if (node < 0 || dt_reg(dtb, node, 0, &el2_plat.uart_base, &size) != 0) {
		return -FDT_ERR_NOTFOUND;
	}
	node = fdt_node_offset_by_compatible(dtb, -1, "arm,gic-v3");
	el2_plat.gic_v3 = node >= 0;
	if (node < 0) {
		node = fdt_node_offset_by_compatible(dtb, -1, "arm,cortex-a15-gic");
	}
	if (node < 0 || dt_reg(dtb, node, 0, &el2_plat.gicd_base, &size) != 0 ||
	    dt_reg(dtb, node, 1, &el2_plat.gicr_base, &size) != 0) {
		return -FDT_ERR_NOTFOUND;
	}
	node = fdt_node_offset_by_compatible(dtb, -1, "arm,psci-0.2");
	if (node < 0) {
		node = fdt_node_offset_by_compatible(dtb, -1, "arm,psci");
	}
	method = node >= 0 ? fdt_getprop(dtb, node, "method", NULL) : NULL;
	el2_plat.psci_smc = method != NULL && method[0] == 's' && method[1] == 'm' &&
			    method[2] == 'c' && method[3] == 0;
	return el2_plat.psci_smc ? 0 : -FDT_ERR_NOTFOUND;
}

static uint64_t parse_hex(const char *s)
{
	uint64_t v = 0;
	int d;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		s += 2;
	}
	for (;; s++) {
		d = *s >= '0' && *s <= '9' ? *s - '0' :
		    *s >= 'a' && *s <= 'f' ? *s - 'a' + 10 : *s >= 'A' && *s <= 'F' ? *s - 'A' + 10 : -1;
		if (d < 0) {
			return v;
		}
		v = v * 16u + (uint64_t)d;
	}
}

/* kcore.host=ADDR in /chosen/bootargs: where the host's EL1 image starts. */
static void dt_bootargs(const void *dtb)
{
	static const char key[] = "kcore.host=";
	const char *args = NULL;
	int chosen = fdt_path_offset(dtb, "/chosen");
	unsigned int i;

	el2_plat.host_entry = EL2_HOST_ENTRY_DEFAULT;
	if (chosen >= 0) {
		args = fdt_getprop(dtb, chosen, "bootargs", NULL);
	}
	for (; args != NULL && *args; args++) {
		for (i = 0; key[i] && args[i] == key[i]; i++) {
		}
		if (key[i] == 0) {
			el2_plat.host_entry = parse_hex(args + i);
			return;
		}
	}
}

int el2_dt_parse(const void *dtb)
{
	int r;

	if (dtb == NULL || fdt_check_header(dtb) != 0) {
		return -FDT_ERR_BADMAGIC;
	}
	r = dt_memory(dtb);
	if (r == 0) {
		r = dt_cpus(dtb);
	}
	if (r == 0) {
		r = dt_devices(dtb);
	}
	dt_bootargs(dtb);
	return r;
}

uint64_t el2_dt_size(const void *dtb)
{
	return fdt_totalsize(dtb);
}

/* "kcore@<addr in hex>": a node name with its unit address. */
static void unit_name(char buf[24], uint64_t addr)
{
	static const char prefix[] = "kcore@";
	char digits[16];
	unsigned int n = 0, i;

	for (i = 0; prefix[i]; i++) {
		buf[i] = prefix[i];
	}
	do {
		digits[n++] = "0123456789abcdef"[addr & 0xfu];
		addr >>= 4;
	} while (addr != 0);
	while (n > 0) {
		buf[i++] = digits[--n];
	}
	buf[i] = 0;
}

/* The child `name` of `parent`, added if missing. */
static int dt_node(void *dtb, int parent, const char *name)
{
	int node = fdt_subnode_offset(dtb, parent, name);

	return node >= 0 ? node : fdt_add_subnode(dtb, parent, name);
}

/*
 * What the host learns from the device tree it is given: kcore's memory is not for it (a no-map
 * /reserved-memory node, so Linux keeps it out of its linear map and /dev/mem; not a
 * /memreserve/ entry, which Linux 6.1 applies first and which then makes the no-map fail), and
 * kcore is here (/hypervisor, compatible "sekvm,kcore"). The tree grows in place by
 * EL2_DT_GROWTH bytes; the host reserves the DTB by its new size.
 */
int el2_dt_publish(void *dtb, uint64_t base, uint64_t size)
{
	char name[24];
	int r, rsv, node, hyp;

	/* /reserved-memory must use the root's cell sizes (Linux ignores it otherwise). */
	int ac = fdt_address_cells(dtb, 0), sc = fdt_size_cells(dtb, 0);

	if (ac < 1 || ac > 2 || sc < 1 || sc > 2 || (ac == 1 && (base >> 32) != 0) ||
	    (sc == 1 && (size >> 32) != 0)) {
		return -FDT_ERR_BADNCELLS;
	}
	r = fdt_open_into(dtb, dtb, (int)fdt_totalsize(dtb) + EL2_DT_GROWTH);
	rsv = r == 0 ? fdt_subnode_offset(dtb, 0, "reserved-memory") : r;
	if (rsv == -FDT_ERR_NOTFOUND) {
		rsv = fdt_add_subnode(dtb, 0, "reserved-memory");
		r = rsv < 0 ? rsv : fdt_setprop_u32(dtb, rsv, "#address-cells", (uint32_t)ac);
		r = r ? r : fdt_setprop_u32(dtb, rsv, "#size-cells", (uint32_t)sc);
		r = r ? r : fdt_setprop(dtb, rsv, "ranges", NULL, 0);
		rsv = r ? r : rsv;
	} else if (rsv >= 0 && (fdt_address_cells(dtb, rsv) != ac || fdt_size_cells(dtb, rsv) != sc)) {
		return -FDT_ERR_BADNCELLS; /* the firmware's node is broken already */
	}
	if (rsv < 0) {
		return rsv;
	}
	unit_name(name, base);
	node = dt_node(dtb, rsv, name);
	if (node < 0) {
		return node;
	}
	r = ac == 2 ? fdt_setprop_u64(dtb, node, "reg", base)
		    : fdt_setprop_u32(dtb, node, "reg", (uint32_t)base);
	r = r ? r : sc == 2 ? fdt_appendprop_u64(dtb, node, "reg", size)
			    : fdt_appendprop_u32(dtb, node, "reg", (uint32_t)size);
	r = r ? r : fdt_setprop(dtb, node, "no-map", NULL, 0);
	hyp = r ? r : dt_node(dtb, 0, "hypervisor");
	if (hyp < 0) {
		return hyp;
	}
	r = fdt_setprop_string(dtb, hyp, "compatible", "sekvm,kcore");
	r = r ? r : fdt_setprop_string(dtb, hyp, "method", "hvc");
	r = r ? r : fdt_setprop_u32(dtb, hyp, "sekvm,abi-version", KC_ABI_VERSION);
	return r ? r : fdt_pack(dtb);
}
