/* Build-time sizes of kcore's fixed tables; a platform build may override them with -D. */
#ifndef KCORE_CONFIG_H
#define KCORE_CONFIG_H

#ifndef KC_VMS_MAX
#define KC_VMS_MAX 8u		/* vmids 1..KC_VMS_MAX; 0 is the host */
#endif

#ifndef KC_RAM_PAGES_MAX
#define KC_RAM_PAGES_MAX 4096u	/* entries in the ownership table */
#endif

#ifndef KC_POOL_PAGES_MAX
#define KC_POOL_PAGES_MAX 1024u	/* kcore's page pool for stage-2 tables */
#endif
/* A preprocessor check, not _Static_assert: it also holds for the sizes the proofs pass with -D. */
#if KC_POOL_PAGES_MAX == 0 || KC_POOL_PAGES_MAX % 64 != 0
#error "KC_POOL_PAGES_MAX must be a positive multiple of 64: pool.c's bitmap is whole words"
#endif

#define KC_HOST_VMID 0u
/* Guest calls handled inside one KC_HC_VCPU_RUN before kcore returns to the host. */
#define KC_RUN_GUEST_CALLS_MAX 16u

#endif /* KCORE_CONFIG_H */
