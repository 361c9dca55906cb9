/* kcore's entry points, called by the EL2 exception vectors (kcore/arch) or by the model machine. */
#ifndef KCORE_KCORE_H
#define KCORE_KCORE_H

#include <stdint.h>

#include "arch.h"

/* What the trusted boot chain tells kcore; the public key is never taken from the host later. */
struct kc_boot_info {
	kc_pa_t ram_base;		/* page aligned */
	uint64_t ram_pages;		/* at most KC_RAM_PAGES_MAX */
	kc_pa_t pool_base;		/* kcore's page pool, inside RAM, 8 KiB aligned */
	uint64_t pool_pages;		/* at most KC_POOL_PAGES_MAX */
	kc_pa_t kcore_base;		/* kcore's own image, data and stacks, when inside RAM */
	uint64_t kcore_pages;		/* 0 if none of it is in RAM */
	uint64_t host_quota;		/* pool pages reserved for the host's stage-2 */
	uint8_t image_pubkey[32];	/* Ed25519 key that signs protected VM images */
};

/* SMCCC register file of a call: x0..x17 in, x0..x4 out. */
struct kc_regs {
	uint64_t x[18];
};

/* Returns 0, or a negative KC_E* code if the boot info is unusable. */
int kcore_init(const struct kc_boot_info *info);
/* A host HVC: dispatches on regs->x[0] and writes the results into regs. */
void kcore_host_hvc(struct kc_regs *regs);
/* A host stage-2 abort at the address in HPFAR/FAR: 0 if now mapped, KC_EPERM to inject a fault. */
int kcore_host_abort(uint64_t esr, uint64_t far, uint64_t hpfar);

#endif /* KCORE_KCORE_H */
