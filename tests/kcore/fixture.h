/* Helpers shared by the kcore tests: boot the model, make hypercalls, build signed VMs. */
#ifndef KCORE_TEST_FIXTURE_H
#define KCORE_TEST_FIXTURE_H

#include <sodium/crypto_sign_ed25519.h>
#include <stddef.h>
#include <stdint.h>

#include "harness.h"
#include "kcore-abi.h"
#include "mem.h"
#include "model.h"
#include "vm.h"

#define FX_IMAGE_IPA KC_IPA_RAM_BASE
#define FX_QUOTA 8u

struct hc_result {
	int64_t ret;
	uint64_t x[5];
};

/* Reset the model and boot kcore with the test key. */
void fx_boot(void);
struct hc_result hc(uint64_t fn, uint64_t a1, uint64_t a2, uint64_t a3);
/* Physical address and page frame number of RAM page idx. */
uint64_t fx_pa(uint32_t idx);
uint64_t fx_pfn(uint32_t idx);

/* Fill host pages [first, first + pages) with content derived from seed, through the host's stage-2. */
void fx_fill(uint32_t first, uint32_t pages, uint64_t seed);
/* Ed25519ph signature, with the test key, of `bytes` bytes of host pages from first. */
void fx_sign(uint32_t first, uint64_t bytes, uint8_t sig[KC_SIG_BYTES]);
/* Finish an Ed25519ph signature, with the test key, of what was hashed into st. */
void fx_sign_state(crypto_sign_ed25519ph_state *st, uint8_t sig[KC_SIG_BYTES]);
int64_t fx_verify(uint64_t vmid, const uint8_t sig[KC_SIG_BYTES]);
/* A CREATED VM with vcpus vCPUs and its image region set, nothing loaded. */
uint64_t fx_vm_created(uint32_t vcpus, uint64_t image_bytes);
/* A VERIFIED VM whose image is host pages [first, first + pages), filled and signed. */
uint64_t fx_vm_verified(uint32_t first, uint32_t pages, uint32_t vcpus);
/* Run a vCPU; the exit info is in x[1..4]. */
struct hc_result fx_run(uint64_t vmid, uint64_t vcpu);

/* The invariant checker (inv.c): INV-1..5 over the whole machine; returns the number of breaches. */
unsigned int inv_check(const char *where);

#endif /* KCORE_TEST_FIXTURE_H */
