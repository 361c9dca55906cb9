// SPDX-License-Identifier: GPL-2.0
/*
 * kserv: the host kernel's side of kcore. It finds kcore (/hypervisor, compatible
 * "sekvm,kcore"), reports its ABI version and features in /sys/kernel/kcore, and serves
 * /dev/kcore to user space (hostd): create a protected VM, give it a signed image and memory,
 * run its vCPUs, tear it down. Every call is an SMCCC HVC into kcore (protocols/kcore-abi.h);
 * kserv is untrusted by design: kcore checks everything it passes.
 */
#include <linux/arm-smccc.h>
#include <linux/fs.h>
#include <linux/highmem.h>
#include <linux/kobject.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/of.h>
#include <linux/rwsem.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/sysfs.h>
#include <linux/uaccess.h>

#include "kcore-abi.h"
#include "kserv.h"

#define KSERV_VMS_MAX 16

/* One page the host gave a VM, and where the VM sees it. */
struct kserv_page {
	struct page *page;
	u64 ipa;
};

/*
 * A VM of one open file. Every ioctl on it holds `use` for reading (taken with a trylock while
 * the file's lock is held, so the VM cannot go away under it); destroy takes it for writing, and
 * fails with EBUSY while any call is in, as kcore's own destroy does while a vCPU runs.
 */
struct kserv_vm {
	u64 vmid;
	u32 vcpus;
	u64 max_pages;			/* image + fault pages */
	struct rw_semaphore use;
	struct mutex lock;		/* guards npages and pages */
	u64 npages;
	struct kserv_page *pages;
};

/* What one open /dev/kcore owns: its VMs die when it is closed. */
struct kserv_file {
	struct mutex lock;		/* guards vms, and the mmap check against them */
	struct address_space *mapping;	/* where user mappings of VM pages live (kserv_mmap) */
	struct kserv_vm *vms[KSERV_VMS_MAX];
};

static u32 kcore_version;

static long kc_call(u64 fn, u64 a1, u64 a2, u64 a3, struct arm_smccc_1_2_regs *res)
{
	struct arm_smccc_1_2_regs args = { .a0 = fn, .a1 = a1, .a2 = a2, .a3 = a3 };

	arm_smccc_1_2_hvc(&args, res);
	return (long)res->a0;
}

/* kcore's status codes are negative errnos already (kcore-abi.h). */
static long kc_simple(u64 fn, u64 a1, u64 a2, u64 a3)
{
	struct arm_smccc_1_2_regs res;

	return kc_call(fn, a1, a2, a3, &res);
}

static int vm_record(struct kserv_vm *vm, struct page *page, u64 ipa)
{
	int r = -ENOMEM;

	mutex_lock(&vm->lock);
	if (vm->npages < vm->max_pages) {
		vm->pages[vm->npages].page = page;
		vm->pages[vm->npages].ipa = ipa;
		vm->npages++;
		r = 0;
	}
	mutex_unlock(&vm->lock);
	return r;
}

/*
 * Free a page that was the VM's (or was about to be): first every user mapping of it made
 * through kserv_mmap goes, so nobody keeps a way into a page the kernel reuses.
 */
static void page_release(struct kserv_file *f, struct page *page)
{
	unmap_mapping_range(f->mapping, (loff_t)page_to_pfn(page) << PAGE_SHIFT, PAGE_SIZE, 1);
	__free_page(page);
}

/* Drop a recorded page that kcore never took (the call that would give it failed), and free it. */
static void vm_forget(struct kserv_file *f, struct kserv_vm *vm, struct page *page)
{
	u64 i;

	mutex_lock(&vm->lock);
	for (i = 0; i < vm->npages; i++) {
		if (vm->pages[i].page == page) {
			vm->pages[i] = vm->pages[--vm->npages];
			break;
		}
	}
	mutex_unlock(&vm->lock);
	page_release(f, page);
}

/*
 * Take every page of a VM kcore has destroyed back: kcore unmaps, zeroes and cleans each one
 * before the host owns it again. A page kcore does not give back is never freed (the host
 * touching it would fault), only reported. Frees the VM; nothing else may use it.
 */
static long vm_reclaim_all(struct kserv_file *f, struct kserv_vm *vm)
{
	struct arm_smccc_1_2_regs res;
	long r, back = 0;
	u64 i;

	for (i = 0; i < vm->npages; i++) {
		r = kc_call(KC_HC_VM_RECLAIM, vm->vmid, page_to_pfn(vm->pages[i].page), 0, &res);
		if (r == 0) {
			page_release(f, vm->pages[i].page);
			back++;
		} else {
			pr_err("kserv: vm %llu: page %lx not reclaimed (%ld), leaked\n", vm->vmid,
			       page_to_pfn(vm->pages[i].page), r);
		}
	}
	kvfree(vm->pages);
	kfree(vm);
	return back;
}

/* KC_HC_VM_DESTROY, then every page back; the VM is freed unless kcore refused. */
static long vm_teardown(struct kserv_file *f, struct kserv_vm *vm)
{
	long r = kc_simple(KC_HC_VM_DESTROY, vm->vmid, 0, 0);

	if (r < 0 && r != KC_EPERM) { /* EPERM: already DYING */
		pr_err("kserv: vm %llu: destroy failed (%ld); its %llu pages stay with it\n",
		       vm->vmid, r, vm->npages);
		return r;
	}
	return vm_reclaim_all(f, vm);
}

static int vm_slot(struct kserv_file *f, u64 vmid)
{
	int i;

	for (i = 0; i < KSERV_VMS_MAX; i++) {
		if (f->vms[i] && f->vms[i]->vmid == vmid)
			return i;
	}
	return -ENOENT;
}

/* The file's VM `vmid`, in use until vm_put; ENOENT, or EBUSY while it is being destroyed. */
static struct kserv_vm *vm_get(struct kserv_file *f, u64 vmid)
{
	struct kserv_vm *vm;
	int slot;

	mutex_lock(&f->lock);
	slot = vm_slot(f, vmid);
	vm = slot < 0 ? ERR_PTR(-ENOENT) : f->vms[slot];
	if (!IS_ERR(vm) && !down_read_trylock(&vm->use))
		vm = ERR_PTR(-EBUSY);
	mutex_unlock(&f->lock);
	return vm;
}

static void vm_put(struct kserv_vm *vm)
{
	up_read(&vm->use);
}

static long ioc_vm_create(struct kserv_file *f, struct kserv_vm_create __user *uarg)
{
	struct arm_smccc_1_2_regs res;
	struct kserv_vm_create a;
	struct kserv_vm *vm;
	long r;
	int slot, i;

	if (copy_from_user(&a, uarg, sizeof(a)))
		return -EFAULT;
	if (a.vcpus == 0 || a.vcpus > KC_VM_VCPUS_MAX || a.reserved != 0 || a.mem_pages == 0 ||
	    a.mem_pages > (1u << 20))
		return -EINVAL;
	vm = kzalloc(sizeof(*vm), GFP_KERNEL);
	if (!vm)
		return -ENOMEM;
	mutex_init(&vm->lock);
	init_rwsem(&vm->use);
	vm->vcpus = a.vcpus;
	vm->max_pages = a.mem_pages + KC_IMAGE_PAGES_MAX;
	vm->pages = kvcalloc(vm->max_pages, sizeof(*vm->pages), GFP_KERNEL);
	if (!vm->pages) {
		kfree(vm);
		return -ENOMEM;
	}
	/* Stage-2 tables: one level-3 table per 2 MiB, plus the upper levels. */
	r = kc_call(KC_HC_VM_CREATE, 4 + vm->max_pages / 256, 0, 0, &res);
	if (r < 0)
		goto free;
	vm->vmid = res.a1;
	for (i = 0; i < a.vcpus && r == 0; i++)
		r = kc_simple(KC_HC_VCPU_CREATE, vm->vmid, 0, 0);
	a.vmid = vm->vmid;
	if (r == 0 && copy_to_user(uarg, &a, sizeof(a)))
		r = -EFAULT;
	mutex_lock(&f->lock);
	for (slot = 0; slot < KSERV_VMS_MAX && f->vms[slot]; slot++)
		;
	if (r == 0 && slot == KSERV_VMS_MAX)
		r = -ENOSPC;
	if (r == 0)
		f->vms[slot] = vm;
	mutex_unlock(&f->lock);
	if (r == 0)
		return 0;
	vm_teardown(f, vm); /* a VM kcore will not destroy stays allocated, and is reported */
	return r;
free:
	kvfree(vm->pages);
	kfree(vm);
	return r;
}

static long vm_load(struct kserv_file *f, struct kserv_vm *vm, const struct kserv_vm_load *a)
{
	struct arm_smccc_1_2_regs args = { 0 }, res;
	struct page *page;
	u64 i, n, len;
	long r;
	void *p;

	if (a->size == 0 || a->size > (u64)KC_IMAGE_PAGES_MAX * PAGE_SIZE)
		return -EINVAL;
	r = kc_simple(KC_HC_VM_SET_BOOT, vm->vmid, a->ipa, a->size);
	n = DIV_ROUND_UP(a->size, PAGE_SIZE);
	for (i = 0; i < n && r == 0; i++) {
		page = alloc_page(GFP_KERNEL | __GFP_ZERO);
		if (!page)
			return -ENOMEM;
		len = min_t(u64, PAGE_SIZE, a->size - i * PAGE_SIZE);
		p = kmap_local_page(page);
		r = copy_from_user(p, u64_to_user_ptr(a->image + i * PAGE_SIZE), len) ? -EFAULT : 0;
		kunmap_local(p);
		if (r == 0)
			r = vm_record(vm, page, a->ipa + i * PAGE_SIZE);
		if (r != 0) {
			__free_page(page);
			break;
		}
		/* Once loaded the page is the VM's: the host must never touch it again. */
		r = kc_simple(KC_HC_VM_LOAD_PAGE, vm->vmid, i, page_to_pfn(page));
		if (r != 0)
			vm_forget(f, vm, page);
	}
	if (r != 0)
		return r;
	args.a0 = KC_HC_VM_VERIFY;
	args.a1 = vm->vmid;
	for (i = 0; i < 8; i++)
		memcpy(&(&args.a2)[i], &a->sig[i * 8], 8);
	arm_smccc_1_2_hvc(&args, &res);
	return (long)res.a0;
}

/* A fresh zeroed page at the faulting IPA; EEXIST (another vCPU's fault came first) is fine. */
static long vcpu_fault(struct kserv_file *f, struct kserv_vm *vm, u64 vcpu, u64 ipa)
{
	struct page *page = alloc_page(GFP_KERNEL | __GFP_ZERO);
	long r;

	if (!page)
		return -ENOMEM;
	r = vm_record(vm, page, ipa);
	if (r < 0) {
		__free_page(page);
		return r;
	}
	r = kc_simple(KC_HC_VM_MAP, vm->vmid, vcpu, page_to_pfn(page));
	if (r < 0)
		vm_forget(f, vm, page);
	return r == KC_EEXIST ? 0 : r;
}

static long vcpu_run(struct kserv_file *f, struct kserv_vm *vm, struct kserv_vcpu_run *a)
{
	struct arm_smccc_1_2_regs res;
	long r;

	for (;;) {
		r = kc_call(KC_HC_VCPU_RUN, vm->vmid, a->vcpu, 0, &res);
		if (r < 0)
			return r;
		if (res.a1 == KC_EXIT_MEM_FAULT) {
			r = vcpu_fault(f, vm, a->vcpu, res.a2);
			if (r < 0)
				return r;
			continue;
		}
		if (res.a1 != KC_EXIT_IRQ)
			break;
		if (signal_pending(current))
			return -EINTR;
		cond_resched();
	}
	a->exit_class = res.a1;
	a->ipa = res.a2;
	a->flags = res.a3;
	a->data = res.a4;
	return 0;
}

static long vm_pfn(struct kserv_vm *vm, struct kserv_vm_pfn *a)
{
	long r = -ENOENT;
	u64 i;

	mutex_lock(&vm->lock);
	for (i = 0; i < vm->npages; i++) {
		if (vm->pages[i].ipa == (a->ipa & PAGE_MASK)) {
			a->pfn = page_to_pfn(vm->pages[i].page);
			r = 0;
		}
	}
	mutex_unlock(&vm->lock);
	return r;
}

/* The ioctls on one VM: copy the argument in, hold the VM, do it, copy the result out. */
static long ioc_on_vm(struct kserv_file *f, unsigned int cmd, void __user *uarg)
{
	union {
		struct kserv_vm_load load;
		struct kserv_vcpu_run run;
		struct kserv_mmio_complete mmio;
		struct kserv_vm_pfn pfn;
	} a;
	size_t size = _IOC_SIZE(cmd);
	struct kserv_vm *vm;
	long r;

	BUILD_BUG_ON(offsetof(struct kserv_vm_load, vmid) != 0 ||
		     offsetof(struct kserv_vcpu_run, vmid) != 0 ||
		     offsetof(struct kserv_mmio_complete, vmid) != 0 ||
		     offsetof(struct kserv_vm_pfn, vmid) != 0);
	if (size > sizeof(a) || copy_from_user(&a, uarg, size))
		return -EFAULT;
	vm = vm_get(f, a.load.vmid); /* vmid is first in each */
	if (IS_ERR(vm))
		return PTR_ERR(vm);
	switch (cmd) {
	case KSERV_VM_LOAD:
		r = vm_load(f, vm, &a.load);
		break;
	case KSERV_VCPU_RUN:
		r = vcpu_run(f, vm, &a.run);
		break;
	case KSERV_MMIO_COMPLETE:
		r = kc_simple(KC_HC_MMIO_COMPLETE, vm->vmid, a.mmio.vcpu, a.mmio.value);
		break;
	default:
		r = vm_pfn(vm, &a.pfn);
		break;
	}
	vm_put(vm);
	if (r == 0 && (_IOC_DIR(cmd) & _IOC_READ) && copy_to_user(uarg, &a, size))
		r = -EFAULT;
	return r;
}

/*
 * Out of the table only once kcore has destroyed it; EBUSY while another call (a running
 * vCPU) holds it.
 */
static long ioc_vm_destroy(struct kserv_file *f, u64 __user *uarg)
{
	struct kserv_vm *vm;
	u64 vmid;
	long r;
	int slot;

	if (get_user(vmid, uarg))
		return -EFAULT;
	mutex_lock(&f->lock);
	slot = vm_slot(f, vmid);
	vm = slot < 0 ? NULL : f->vms[slot];
	r = !vm ? -ENOENT : down_write_trylock(&vm->use) ? 0 : -EBUSY;
	if (r == 0) {
		r = kc_simple(KC_HC_VM_DESTROY, vm->vmid, 0, 0);
		if (r == 0)
			f->vms[slot] = NULL;
		else
			up_write(&vm->use);
	}
	mutex_unlock(&f->lock);
	return r < 0 ? r : vm_reclaim_all(f, vm);
}

static long kserv_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct kserv_file *f = file->private_data;
	void __user *uarg = (void __user *)arg;

	switch (cmd) {
	case KSERV_VM_CREATE: return ioc_vm_create(f, uarg);
	case KSERV_VM_DESTROY: return ioc_vm_destroy(f, uarg);
	case KSERV_VM_LOAD:
	case KSERV_VCPU_RUN:
	case KSERV_MMIO_COMPLETE:
	case KSERV_VM_PFN: return ioc_on_vm(f, cmd, uarg);
	default: return -ENOTTY;
	}
}

/*
 * mmap of a page this file gave one of its VMs, by PFN (offset = pfn << PAGE_SHIFT). A host
 * kernel can always do this; the point is that kcore then refuses the access (the process gets
 * SIGBUS) unless the guest shared the page. The linux-host test uses it as the attack. The
 * check and the mapping happen under the VM's lock, and page_release unmaps every such mapping
 * before a page is freed, so no mapping outlives the page.
 */
static int kserv_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct kserv_file *f = file->private_data;
	unsigned long pfn = vma->vm_pgoff;
	struct kserv_vm *vm;
	int i, r = -EPERM;
	u64 j;

	if (vma->vm_end - vma->vm_start != PAGE_SIZE)
		return -EINVAL;
	mutex_lock(&f->lock);
	for (i = 0; i < KSERV_VMS_MAX && r == -EPERM; i++) {
		vm = f->vms[i];
		if (!vm)
			continue;
		mutex_lock(&vm->lock);
		for (j = 0; j < vm->npages && r == -EPERM; j++) {
			if (page_to_pfn(vm->pages[j].page) == pfn)
				r = remap_pfn_range(vma, vma->vm_start, pfn, PAGE_SIZE, vma->vm_page_prot);
		}
		mutex_unlock(&vm->lock);
	}
	mutex_unlock(&f->lock);
	return r;
}

static int kserv_open(struct inode *inode, struct file *file)
{
	struct kserv_file *f = kzalloc(sizeof(*f), GFP_KERNEL);

	if (!f)
		return -ENOMEM;
	mutex_init(&f->lock);
	f->mapping = file->f_mapping;
	file->private_data = f;
	return 0;
}

static int kserv_release(struct inode *inode, struct file *file)
{
	struct kserv_file *f = file->private_data;
	int i;

	/* The last reference is gone, so no call is in flight: every VM goes. */
	for (i = 0; i < KSERV_VMS_MAX; i++) {
		if (f->vms[i])
			vm_teardown(f, f->vms[i]);
	}
	kfree(f);
	return 0;
}

static const struct file_operations kserv_fops = {
	.owner = THIS_MODULE,
	.open = kserv_open,
	.release = kserv_release,
	.unlocked_ioctl = kserv_ioctl,
	.mmap = kserv_mmap,
};

static struct miscdevice kserv_dev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "kcore",
	.fops = &kserv_fops,
	.mode = 0600,
};

/* ---- /sys/kernel/kcore ---- */

static const struct {
	u32 fn;
	const char *name;
} host_calls[] = {
	{ KC_HC_VERSION, "version" },	     { KC_HC_FEATURES, "features" },
	{ KC_HC_VM_CREATE, "vm_create" },    { KC_HC_VM_DESTROY, "vm_destroy" },
	{ KC_HC_VCPU_CREATE, "vcpu_create" }, { KC_HC_VM_SET_BOOT, "vm_set_boot" },
	{ KC_HC_VM_LOAD_PAGE, "vm_load_page" }, { KC_HC_VM_VERIFY, "vm_verify" },
	{ KC_HC_VM_MAP, "vm_map" },	     { KC_HC_VCPU_RUN, "vcpu_run" },
	{ KC_HC_MMIO_COMPLETE, "mmio_complete" }, { KC_HC_VM_RECLAIM, "vm_reclaim" },
};

static ssize_t version_show(struct kobject *k, struct kobj_attribute *a, char *buf)
{
	return sysfs_emit(buf, "%u.%u\n", kcore_version >> 16, kcore_version & 0xffff);
}

static ssize_t features_show(struct kobject *k, struct kobj_attribute *a, char *buf)
{
	int i, n = 0;

	for (i = 0; i < ARRAY_SIZE(host_calls); i++) {
		if (kc_simple(KC_HC_FEATURES, host_calls[i].fn, 0, 0) == 0)
			n += sysfs_emit_at(buf, n, "%s%s", n ? " " : "", host_calls[i].name);
	}
	return n + sysfs_emit_at(buf, n, "\n");
}

static struct kobj_attribute version_attr = __ATTR_RO(version);
static struct kobj_attribute features_attr = __ATTR_RO(features);
static struct attribute *kserv_attrs[] = { &version_attr.attr, &features_attr.attr, NULL };
static const struct attribute_group kserv_group = { .attrs = kserv_attrs };
static struct kobject *kserv_kobj;

static int __init kserv_init(void)
{
	struct device_node *np = of_find_compatible_node(NULL, NULL, "sekvm,kcore");
	struct arm_smccc_1_2_regs res;
	int r;

	BUILD_BUG_ON(PAGE_SHIFT != KC_PAGE_SHIFT); /* kcore's frame numbers are 4 KiB pages */
	if (!np) {
		pr_info("kserv: no kcore here (no /hypervisor compatible \"sekvm,kcore\")\n");
		return -ENODEV;
	}
	of_node_put(np);
	if (kc_call(KC_HC_VERSION, 0, 0, 0, &res) != 0 || res.a1 >> 16 != KC_ABI_VERSION_MAJOR ||
	    (res.a1 & 0xffff) < KC_ABI_VERSION_MINOR) {
		pr_err("kserv: kcore ABI %lu.%lu, need %u.%u\n", res.a1 >> 16, res.a1 & 0xffff,
		       KC_ABI_VERSION_MAJOR, KC_ABI_VERSION_MINOR);
		return -ENODEV;
	}
	kcore_version = (u32)res.a1;
	kserv_kobj = kobject_create_and_add("kcore", kernel_kobj);
	if (!kserv_kobj)
		return -ENOMEM;
	r = sysfs_create_group(kserv_kobj, &kserv_group);
	if (r == 0)
		r = misc_register(&kserv_dev);
	if (r != 0) {
		kobject_put(kserv_kobj);
		return r;
	}
	pr_info("kserv: kcore ABI %u.%u, /dev/kcore ready\n", kcore_version >> 16,
		kcore_version & 0xffff);
	return 0;
}

static void __exit kserv_exit(void)
{
	misc_deregister(&kserv_dev);
	kobject_put(kserv_kobj);
}

module_init(kserv_init);
module_exit(kserv_exit);
MODULE_DESCRIPTION("sekvm kserv: the host's interface to kcore");
MODULE_LICENSE("GPL");
