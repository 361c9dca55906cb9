/*
 * kcore-image-run: boot kcore on the model machine with a given image key, load an image file
 * and its signature file through the real hypercalls, and run the VM if kcore accepts it.
 * test-sign.py drives it with kcore-sign's output. Prints one line per step:
 *   verify KC_OK | verify KC_EBADMSG | ...
 *   run KC_EXIT_MMIO ipa=0x... data=0x...   (the guest echoes its image's first and last words)
 *   run KC_EXIT_IRQ                          (or: run KC_EPERM, when the VM was refused)
 * Exit 0 when every step ran (whatever kcore answered), 1 on a harness problem, 2 on usage.
 */
#include <stdlib.h>
#include <string.h>

#include "fixture.h"

unsigned int test_failures;

#define FIRST_PAGE 64u	 /* host pages used for the image start here */
#define MAX_PAGES 600u	 /* and stay below the pool */
#define PAD_BYTE 0xa5u	 /* the rest of the last page: kcore must not hash it */
#define MMIO_OUT UINT64_C(0x09000000)

static const char *code_name(int64_t code)
{
	static const struct {
		int64_t code;
		const char *name;
	} names[] = {
		{ KC_OK, "KC_OK" },	    { KC_EPERM, "KC_EPERM" },	{ KC_ENOENT, "KC_ENOENT" },
		{ KC_ENOMEM, "KC_ENOMEM" }, { KC_EBUSY, "KC_EBUSY" },	{ KC_EEXIST, "KC_EEXIST" },
		{ KC_EINVAL, "KC_EINVAL" }, { KC_ENOSPC, "KC_ENOSPC" }, { KC_ERANGE, "KC_ERANGE" },
		{ KC_ENOSYS, "KC_ENOSYS" }, { KC_EBADMSG, "KC_EBADMSG" },
	};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (names[i].code == code) {
			return names[i].name;
		}
	}
	return "(unknown code)";
}

static int parse_key(const char *hex, uint8_t key[KC_PUBKEY_BYTES])
{
	unsigned int i, byte;

	if (strlen(hex) != 2 * KC_PUBKEY_BYTES) {
		return -1;
	}
	for (i = 0; i < KC_PUBKEY_BYTES; i++) {
		if (sscanf(hex + 2 * i, "%2x", &byte) != 1) {
			return -1;
		}
		key[i] = (uint8_t)byte;
	}
	return 0;
}

static uint8_t *slurp(const char *path, size_t max, size_t *ret_len)
{
	uint8_t *buf = malloc(max + 1);
	FILE *f = fopen(path, "rb");
	size_t n;

	if (buf == NULL || f == NULL) {
		perror(path);
		exit(1);
	}
	n = fread(buf, 1, max + 1, f);
	fclose(f);
	if (n > max) {
		fprintf(stderr, "%s: more than %zu bytes, too large for this model\n", path, max);
		exit(1);
	}
	*ret_len = n;
	return buf;
}

/* The image into host pages FIRST_PAGE.., through the host's stage-2, the last page padded. */
static uint32_t host_put_image(const uint8_t *image, size_t len)
{
	uint32_t pages = (uint32_t)((len + KC_PAGE_SIZE - 1) / KC_PAGE_SIZE), p;
	uint8_t page[KC_PAGE_SIZE];
	uint64_t off, word;

	for (p = 0; p < pages; p++) {
		memset(page, PAD_BYTE, sizeof(page));
		off = (uint64_t)p * KC_PAGE_SIZE;
		memcpy(page, image + off, len - off < KC_PAGE_SIZE ? len - off : KC_PAGE_SIZE);
		for (off = 0; off < KC_PAGE_SIZE; off += 8) {
			memcpy(&word, page + off, 8);
			if (model_host_write(fx_pa(FIRST_PAGE + p) + off, word) != MODEL_OK) {
				fprintf(stderr, "host write to page %u faulted\n", FIRST_PAGE + p);
				exit(1);
			}
		}
	}
	return pages;
}

static int64_t create_and_verify(size_t len, uint32_t pages, const uint8_t sig[KC_SIG_BYTES],
				 uint64_t *ret_vmid)
{
	struct hc_result r = hc(KC_HC_VM_CREATE, FX_QUOTA, 0, 0);
	uint32_t p;

	if (r.ret != KC_OK || hc(KC_HC_VCPU_CREATE, r.x[1], 0, 0).ret != KC_OK ||
	    hc(KC_HC_VM_SET_BOOT, r.x[1], FX_IMAGE_IPA, len).ret != KC_OK) {
		fprintf(stderr, "could not create the VM\n");
		exit(1);
	}
	for (p = 0; p < pages; p++) {
		if (hc(KC_HC_VM_LOAD_PAGE, r.x[1], p, fx_pfn(FIRST_PAGE + p)).ret != KC_OK) {
			fprintf(stderr, "could not load image page %u\n", p);
			exit(1);
		}
	}
	*ret_vmid = r.x[1];
	return fx_verify(r.x[1], sig);
}

/* The guest writes its image's first and last 8-byte words to MMIO, then waits. */
static void run_guest(uint64_t vmid, size_t len)
{
	uint64_t last = FX_IMAGE_IPA + ((len - 1) & ~UINT64_C(7));
	const struct model_op prog[] = {
		{ MOP_LDR, 1, 3, FX_IMAGE_IPA }, { MOP_STR, 1, 3, MMIO_OUT },
		{ MOP_LDR, 2, 3, last },	 { MOP_STR, 2, 3, MMIO_OUT + 8 },
		{ MOP_YIELD, 0, 0, 0 },
	};
	struct hc_result r;
	unsigned int i;

	model_guest_program((uint32_t)vmid, 0, FX_IMAGE_IPA, prog, 5);
	for (i = 0; i < 3; i++) {
		r = fx_run(vmid, 0);
		if (r.ret != KC_OK) {
			printf("run %s\n", code_name(r.ret));
			return;
		}
		if (r.x[KC_EXIT_REG_CLASS] == KC_EXIT_IRQ) {
			printf("run KC_EXIT_IRQ\n");
			return;
		}
		printf("run %s ipa=0x%llx data=0x%016llx\n",
		       r.x[KC_EXIT_REG_CLASS] == KC_EXIT_MMIO ? "KC_EXIT_MMIO" : "(other exit)",
		       (unsigned long long)r.x[KC_EXIT_REG_IPA],
		       (unsigned long long)r.x[KC_EXIT_REG_DATA]);
	}
}

int main(int argc, char **argv)
{
	uint8_t key[KC_PUBKEY_BYTES], *image, *sig;
	size_t len, sig_len;
	uint64_t vmid = 0;
	int64_t ret;

	if (argc != 4 || parse_key(argv[1], key) < 0) {
		fprintf(stderr, "usage: %s PUBKEY_HEX IMAGE SIG\n", argv[0]);
		return 2;
	}
	image = slurp(argv[2], (size_t)MAX_PAGES * KC_PAGE_SIZE, &len);
	sig = slurp(argv[3], KC_SIG_BYTES, &sig_len);
	if (len == 0 || sig_len != KC_SIG_BYTES) {
		fprintf(stderr, "an empty image or a signature that is not 64 bytes\n");
		return 1;
	}
	if (model_boot(key) != KC_OK) {
		fprintf(stderr, "kcore_init failed\n");
		return 1;
	}
	ret = create_and_verify(len, host_put_image(image, len), sig, &vmid);
	printf("verify %s\n", code_name(ret));
	run_guest(vmid, len);
	free(image);
	free(sig);
	return inv_check("image-run") == 0 && test_failures == 0 ? 0 : 1;
}
