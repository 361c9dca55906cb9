/* Helpers shared by the kcore tests. */
#include "fixture.h"

#include <sodium/crypto_sign_ed25519.h>
#include <stdlib.h>
#include <string.h>

#include "keyfile.h"
/* kc_test_pk, printed by `kcore-sign pubkey-c` from tests/kcore/testkey.pub at build time. */
#include "kcore-testkey.h"

/*
 * The test key pair was made by `kcore-sign keygen` and is kept in the tree (it guards
 * nothing); the secret half is read from KC_TEST_SECRET_KEY with kcore-sign's own parser.
 */
static const uint8_t *fx_test_sk(void)
{
	static uint8_t sk[KEYFILE_SECRET_BYTES];
	static bool loaded;
	const char *why = NULL;

	if (!loaded) {
		if (keyfile_read(KC_TEST_SECRET_KEY, KEYFILE_SECRET, sk, &why) < 0) {
			fprintf(stderr, "%s: %s\n", KC_TEST_SECRET_KEY, why);
			abort();
		}
		if (memcmp(sk + 32, kc_test_pk, sizeof(kc_test_pk)) != 0) {
			fprintf(stderr, "%s: not the secret half of kcore-testkey.h\n",
				KC_TEST_SECRET_KEY);
			abort();
		}
		loaded = true;
	}
	return sk;
}

void fx_boot(void)
{
	CHECK_EQ(model_boot(kc_test_pk), KC_OK);
}

struct hc_result hc(uint64_t fn, uint64_t a1, uint64_t a2, uint64_t a3)
{
	struct kc_regs regs;
	struct hc_result r;

	memset(&regs, 0, sizeof(regs));
	regs.x[0] = fn;
	regs.x[1] = a1;
	regs.x[2] = a2;
	regs.x[3] = a3;
	model_hvc(&regs);
	r.ret = (int64_t)regs.x[0];
	memcpy(r.x, regs.x, sizeof(r.x));
	return r;
}

uint64_t fx_pa(uint32_t idx)
{
	return MODEL_RAM_BASE + (uint64_t)idx * KC_PAGE_SIZE;
}

uint64_t fx_pfn(uint32_t idx)
{
	return fx_pa(idx) >> KC_PAGE_SHIFT;
}

void fx_fill(uint32_t first, uint32_t pages, uint64_t seed)
{
	uint64_t off;

	for (off = 0; off < (uint64_t)pages * KC_PAGE_SIZE; off += 8) {
		CHECK_EQ(model_host_write(fx_pa(first) + off, seed * 0x9e3779b97f4a7c15ull + off), MODEL_OK);
	}
}

void fx_sign(uint32_t first, uint64_t bytes, uint8_t sig[KC_SIG_BYTES])
{
	crypto_sign_ed25519ph_state st;
	uint8_t buf[KC_PAGE_SIZE];
	uint64_t done, len, i;

	crypto_sign_ed25519ph_init(&st);
	for (done = 0; done < bytes; done += len) {
		len = bytes - done < KC_PAGE_SIZE ? bytes - done : KC_PAGE_SIZE;
		for (i = 0; i < KC_PAGE_SIZE; i += 8) {
			uint64_t v = model_phys_read64(fx_pa(first) + done + i);
			memcpy(buf + i, &v, 8);
		}
		crypto_sign_ed25519ph_update(&st, buf, len);
	}
	fx_sign_state(&st, sig);
}

void fx_sign_state(crypto_sign_ed25519ph_state *st, uint8_t sig[KC_SIG_BYTES])
{
	crypto_sign_ed25519ph_final_create(st, sig, NULL, fx_test_sk());
}

int64_t fx_verify(uint64_t vmid, const uint8_t sig[KC_SIG_BYTES])
{
	struct kc_regs regs;

	memset(&regs, 0, sizeof(regs));
	regs.x[0] = KC_HC_VM_VERIFY;
	regs.x[1] = vmid;
	memcpy(&regs.x[2], sig, KC_SIG_BYTES); /* little-endian host: bytes in register order */
	model_hvc(&regs);
	return (int64_t)regs.x[0];
}

uint64_t fx_vm_created(uint32_t vcpus, uint64_t image_bytes)
{
	struct hc_result r = hc(KC_HC_VM_CREATE, FX_QUOTA, 0, 0);
	uint32_t i;

	CHECK_EQ(r.ret, KC_OK);
	for (i = 0; i < vcpus; i++) {
		CHECK_EQ(hc(KC_HC_VCPU_CREATE, r.x[1], 0, 0).ret, KC_OK);
	}
	CHECK_EQ(hc(KC_HC_VM_SET_BOOT, r.x[1], FX_IMAGE_IPA, image_bytes).ret, KC_OK);
	return r.x[1];
}

uint64_t fx_vm_verified(uint32_t first, uint32_t pages, uint32_t vcpus)
{
	uint64_t bytes = (uint64_t)pages * KC_PAGE_SIZE - 100u; /* a partial last page */
	uint8_t sig[KC_SIG_BYTES];
	uint64_t vmid;
	uint32_t i;

	fx_fill(first, pages, first);
	fx_sign(first, bytes, sig);
	vmid = fx_vm_created(vcpus, bytes);
	for (i = 0; i < pages; i++) {
		CHECK_EQ(hc(KC_HC_VM_LOAD_PAGE, vmid, i, fx_pfn(first + i)).ret, KC_OK);
	}
	CHECK_EQ(fx_verify(vmid, sig), KC_OK);
	return vmid;
}

struct hc_result fx_run(uint64_t vmid, uint64_t vcpu)
{
	return hc(KC_HC_VCPU_RUN, vmid, vcpu, 0);
}
