/*
 * The exhaustive ownership transition test: for every state a page P can be in,
 * every transition is attempted through kcore's real interfaces (hypercalls,
 * guest HVCs, host accesses through the model's TLB). Each must give exactly
 * the expected result; a refused one must leave every bit of state unchanged.
 */
#include <string.h>

#include "fixture.h"

#define FAULT (-1000) /* a host access that faulted */

enum pstate {
	S_NONE,			/* not RAM */
	S_NONE_MAPPED,		/* not RAM, mapped as device in the host's stage-2 */
	S_KCORE,		/* a pool page */
	S_HOST,
	S_HOST_MAPPED,
	S_B,			/* loaded into VM B's image */
	S_A,			/* VM A's image page 1, A active */
	S_A_SHARED,
	S_A_SHARED_MAPPED,
	S_A_DYING,
	S_A_SHARED_MAPPED_DYING,
	S_HOST_A_DYING,
	S_B_A_DYING,
	S_START_COUNT,
	/* Reached only as results. */
	S_A_SHARED2 = S_START_COUNT,
	S_A_SHARED2_MAPPED,
	S_HOST_MAPPED_A_DYING,
	S_SAME,			/* refused, or allowed without any change of state */
};

enum trans { T_DONATE_B, T_SHARE_A, T_UNSHARE_A, T_RECLAIM_A, T_HOST_READ, T_HOST_WRITE, T_COUNT };

static const char *const trans_names[T_COUNT] = {
	"donate to B", "A shares", "A unshares", "reclaim from A", "host reads", "host writes",
};

enum owner_class { O_NONE, O_KCORE, O_HOST, O_A, O_B };

struct abs_state {
	enum owner_class owner;
	uint32_t share_count;
	bool host_mapped;
	bool a_dying;
};

static const struct abs_state abs_of[] = {
	[S_NONE] = { O_NONE, 0, false, false },
	[S_NONE_MAPPED] = { O_NONE, 0, true, false },
	[S_KCORE] = { O_KCORE, 0, false, false },
	[S_HOST] = { O_HOST, 0, false, false },
	[S_HOST_MAPPED] = { O_HOST, 0, true, false },
	[S_B] = { O_B, 0, false, false },
	[S_A] = { O_A, 0, false, false },
	[S_A_SHARED] = { O_A, 1, false, false },
	[S_A_SHARED_MAPPED] = { O_A, 1, true, false },
	[S_A_DYING] = { O_A, 0, false, true },
	[S_A_SHARED_MAPPED_DYING] = { O_A, 1, true, true },
	[S_HOST_A_DYING] = { O_HOST, 0, false, true },
	[S_B_A_DYING] = { O_B, 0, false, true },
	[S_A_SHARED2] = { O_A, 2, false, false },
	[S_A_SHARED2_MAPPED] = { O_A, 2, true, false },
	[S_HOST_MAPPED_A_DYING] = { O_HOST, 0, true, true },
};

struct expect {
	int64_t ret;
	enum pstate next;
};

#define OK_TO(s) { KC_OK, s }
#define REFUSED(e) { e, S_SAME }
#define SAME_OK { KC_OK, S_SAME }

static const struct expect table[S_START_COUNT][T_COUNT] = {
	/*                        donate B            A shares               A unshares           reclaim A               host read              host write */
	[S_NONE] = { REFUSED(KC_EPERM), REFUSED(KC_ENOENT), REFUSED(KC_ENOENT), REFUSED(KC_EPERM), OK_TO(S_NONE_MAPPED), OK_TO(S_NONE_MAPPED) },
	[S_NONE_MAPPED] = { REFUSED(KC_EPERM), REFUSED(KC_ENOENT), REFUSED(KC_ENOENT), REFUSED(KC_EPERM), SAME_OK, SAME_OK },
	[S_KCORE] = { REFUSED(KC_EPERM), REFUSED(KC_ENOENT), REFUSED(KC_ENOENT), REFUSED(KC_EPERM), REFUSED(FAULT), REFUSED(FAULT) },
	[S_HOST] = { OK_TO(S_B), REFUSED(KC_ENOENT), REFUSED(KC_ENOENT), REFUSED(KC_EPERM), OK_TO(S_HOST_MAPPED), OK_TO(S_HOST_MAPPED) },
	[S_HOST_MAPPED] = { OK_TO(S_B), REFUSED(KC_ENOENT), REFUSED(KC_ENOENT), REFUSED(KC_EPERM), SAME_OK, SAME_OK },
	[S_B] = { REFUSED(KC_EEXIST), REFUSED(KC_ENOENT), REFUSED(KC_ENOENT), REFUSED(KC_EPERM), REFUSED(FAULT), REFUSED(FAULT) },
	[S_A] = { REFUSED(KC_EPERM), OK_TO(S_A_SHARED), REFUSED(KC_EPERM), REFUSED(KC_EPERM), REFUSED(FAULT), REFUSED(FAULT) },
	[S_A_SHARED] = { REFUSED(KC_EPERM), OK_TO(S_A_SHARED2), OK_TO(S_A), REFUSED(KC_EPERM), OK_TO(S_A_SHARED_MAPPED), OK_TO(S_A_SHARED_MAPPED) },
	[S_A_SHARED_MAPPED] = { REFUSED(KC_EPERM), OK_TO(S_A_SHARED2_MAPPED), OK_TO(S_A), REFUSED(KC_EPERM), SAME_OK, SAME_OK },
	[S_A_DYING] = { REFUSED(KC_EPERM), REFUSED(KC_EPERM), REFUSED(KC_EPERM), OK_TO(S_HOST_A_DYING), REFUSED(FAULT), REFUSED(FAULT) },
	[S_A_SHARED_MAPPED_DYING] = { REFUSED(KC_EPERM), REFUSED(KC_EPERM), REFUSED(KC_EPERM), OK_TO(S_HOST_A_DYING), SAME_OK, SAME_OK },
	[S_HOST_A_DYING] = { OK_TO(S_B_A_DYING), REFUSED(KC_EPERM), REFUSED(KC_EPERM), REFUSED(KC_EPERM), OK_TO(S_HOST_MAPPED_A_DYING), OK_TO(S_HOST_MAPPED_A_DYING) },
	[S_B_A_DYING] = { REFUSED(KC_EEXIST), REFUSED(KC_EPERM), REFUSED(KC_EPERM), REFUSED(KC_EPERM), REFUSED(FAULT), REFUSED(FAULT) },
};

/* The cast of one case: VM A (anchor page + maybe P), VM B (anchor + a free slot 1), page P. */
#define A_FIRST 100u
#define B_ANCHOR 110u
#define P_HOST 200u
#define IPA_P (FX_IMAGE_IPA + KC_PAGE_SIZE)

static uint64_t vm_a, vm_b, p_pa;

static int64_t guest_a_call(uint64_t fn)
{
	const struct model_op prog[] = {
		{ MOP_MOV, 0, 0, fn }, { MOP_MOV, 1, 0, IPA_P }, { MOP_HVC, 0, 0, 0 }, { MOP_YIELD, 0, 0, 0 },
	};
	struct hc_result r;

	model_guest_program((uint32_t)vm_a, 0, model_guest_regs((uint32_t)vm_a, 0)->pc, prog, 4);
	r = fx_run(vm_a, 0);
	if (r.ret != KC_OK) {
		return r.ret;
	}
	CHECK_EQ(r.x[KC_EXIT_REG_CLASS], KC_EXIT_IRQ);
	return (int64_t)model_guest_regs((uint32_t)vm_a, 0)->x[0];
}

static int64_t host_access(bool write)
{
	uint64_t v = 0;
	int r = write ? model_host_write(p_pa, 0x1234) : model_host_read(p_pa, &v);

	return r == MODEL_OK ? KC_OK : FAULT;
}

static void setup(enum pstate s)
{
	bool a_has_p = s == S_A || s == S_A_SHARED || s == S_A_SHARED_MAPPED || s == S_A_DYING ||
		       s == S_A_SHARED_MAPPED_DYING;
	uint64_t left;

	fx_boot();
	p_pa = a_has_p ? fx_pa(A_FIRST + 1) : fx_pa(P_HOST);
	if (s == S_NONE || s == S_NONE_MAPPED) {
		p_pa = UINT64_C(0x10000000);
	} else if (s == S_KCORE) {
		p_pa = MODEL_POOL_BASE + (MODEL_POOL_PAGES - 1u) * KC_PAGE_SIZE;
	}
	vm_a = fx_vm_verified(A_FIRST, a_has_p ? 2 : 1, 1);
	CHECK_EQ(fx_run(vm_a, 0).x[KC_EXIT_REG_CLASS], KC_EXIT_IRQ); /* A is ACTIVE */
	vm_b = fx_vm_created(0, 2 * KC_PAGE_SIZE);
	CHECK_EQ(hc(KC_HC_VM_LOAD_PAGE, vm_b, 0, fx_pfn(B_ANCHOR)).ret, KC_OK);
	if (s == S_B || s == S_B_A_DYING) {
		CHECK_EQ(hc(KC_HC_VM_LOAD_PAGE, vm_b, 1, p_pa >> KC_PAGE_SHIFT).ret, KC_OK);
	}
	if (s == S_A_SHARED || s == S_A_SHARED_MAPPED || s == S_A_SHARED_MAPPED_DYING) {
		CHECK_EQ(guest_a_call(KC_GC_MEM_SHARE), KC_OK);
	}
	if (s == S_NONE_MAPPED || s == S_HOST_MAPPED || s == S_A_SHARED_MAPPED ||
	    s == S_A_SHARED_MAPPED_DYING) {
		CHECK_EQ(host_access(false), KC_OK);
	}
	if (s == S_A_DYING || s == S_A_SHARED_MAPPED_DYING || s == S_HOST_A_DYING || s == S_B_A_DYING) {
		left = hc(KC_HC_VM_DESTROY, vm_a, 0, 0).x[1];
		CHECK_EQ(left, a_has_p ? 2 : 1);
	}
}

static int64_t apply(enum trans t)
{
	switch (t) {
	case T_DONATE_B: return hc(KC_HC_VM_LOAD_PAGE, vm_b, 1, p_pa >> KC_PAGE_SHIFT).ret;
	case T_SHARE_A: return guest_a_call(KC_GC_MEM_SHARE);
	case T_UNSHARE_A: return guest_a_call(KC_GC_MEM_UNSHARE);
	case T_RECLAIM_A: return hc(KC_HC_VM_RECLAIM, vm_a, p_pa >> KC_PAGE_SHIFT, 0).ret;
	case T_HOST_READ: return host_access(false);
	case T_HOST_WRITE: return host_access(true);
	case T_COUNT: break;
	}
	return 0;
}

/* Everything about P that any transition could change. */
struct snapshot {
	struct kc_page page;
	uint64_t host_leaf, a_leaf, b_leaf;
	uint64_t a_pages, b_pages;
	enum kc_vm_state a_state, b_state;
	uint64_t content[KC_PAGE_SIZE / 8];
};

static void snap(struct snapshot *s)
{
	uint32_t i;

	memset(s, 0, sizeof(*s));
	s->page = mem_page_get(kc_pa(p_pa));
	s->host_leaf = model_walk(mem_host_s2()->root.pa, p_pa);
	s->a_leaf = model_walk(vm_peek((uint32_t)vm_a)->s2.root.pa, IPA_P);
	s->b_leaf = model_walk(vm_peek((uint32_t)vm_b)->s2.root.pa, IPA_P);
	s->a_pages = vm_peek((uint32_t)vm_a)->page_count;
	s->b_pages = vm_peek((uint32_t)vm_b)->page_count;
	s->a_state = vm_peek((uint32_t)vm_a)->state;
	s->b_state = vm_peek((uint32_t)vm_b)->state;
	for (i = 0; model_is_ram(p_pa) && i < KC_PAGE_SIZE / 8; i++) {
		s->content[i] = model_phys_read64(p_pa + i * 8u);
	}
}

/* P's state, abstracted, must be `want`; the VMs' tables must agree with the owner. */
static void check_abs(enum pstate want, const char *when)
{
	const struct abs_state *w = &abs_of[want];
	struct snapshot s;
	enum owner_class owner;

	snap(&s);
	owner = s.page.owner == KC_OWNER_NONE	 ? O_NONE
		: s.page.owner == KC_OWNER_KCORE ? O_KCORE
		: s.page.owner == KC_OWNER_HOST	 ? O_HOST
		: s.page.owner == vm_a		 ? O_A
		: s.page.owner == vm_b		 ? O_B
						 : O_NONE;
	if (owner != w->owner || s.page.share_count != w->share_count ||
	    (s.host_leaf != 0) != w->host_mapped || (s.a_state == KC_VM_DYING) != w->a_dying ||
	    (s.a_leaf != 0 && (s.a_leaf & KC_PTE_ADDR) == p_pa) != (owner == O_A) ||
	    (s.b_leaf != 0 && (s.b_leaf & KC_PTE_ADDR) == p_pa) != (owner == O_B)) {
		fprintf(stderr, "%s: state %d expected, got owner %d shares %u host %d a_dying %d\n",
			when, (int)want, (int)owner, s.page.share_count, s.host_leaf != 0,
			s.a_state == KC_VM_DYING);
		test_failures++;
	}
}

static void test_every_transition_from_every_state(void)
{
	struct snapshot before, after;
	const struct expect *e;
	char where[96];
	unsigned int s, t;
	int64_t ret;

	for (s = 0; s < S_START_COUNT; s++) {
		for (t = 0; t < T_COUNT; t++) {
			e = &table[s][t];
			snprintf(where, sizeof(where), "state %u, %s", s, trans_names[t]);
			setup((enum pstate)s);
			check_abs((enum pstate)s, where);
			snap(&before);
			ret = apply((enum trans)t);
			if (ret != e->ret) {
				fprintf(stderr, "%s: returned %lld, expected %lld\n", where, (long long)ret,
					(long long)e->ret);
				test_failures++;
			}
			if (e->next == S_SAME) {
				snap(&after);
				if (t == T_HOST_WRITE && ret == KC_OK) {
					memcpy(after.content, before.content, sizeof(after.content));
				}
				if (memcmp(&before, &after, sizeof(before)) != 0) {
					fprintf(stderr, "%s: state changed\n", where);
					test_failures++;
				}
			} else {
				check_abs(e->next, where);
			}
			if (t == T_RECLAIM_A && ret == KC_OK) {
				CHECK(model_page_is_zero(p_pa) && model_page_clean(p_pa));
			}
			(void)inv_check(where);
		}
	}
}

/* The last page of a dying VM frees its id; only then can the id be reused. */
static void test_vmid_reused_only_after_scrub(void)
{
	uint64_t vm, again;

	fx_boot();
	vm = fx_vm_verified(A_FIRST, 2, 1);
	CHECK_EQ(hc(KC_HC_VM_DESTROY, vm, 0, 0).x[1], 2);
	CHECK_EQ(hc(KC_HC_VCPU_CREATE, vm, 0, 0).ret, KC_EPERM);
	CHECK_EQ(hc(KC_HC_VM_RECLAIM, vm, fx_pfn(A_FIRST), 0).x[1], 1);
	/* The lowest free id is handed out: a dying id is not free. */
	again = hc(KC_HC_VM_CREATE, FX_QUOTA, 0, 0).x[1];
	CHECK(again != vm);
	CHECK_EQ(hc(KC_HC_VM_RECLAIM, vm, fx_pfn(A_FIRST + 1), 0).ret, KC_OK);
	CHECK_EQ(vm_peek((uint32_t)vm)->state, KC_VM_FREE);
	CHECK(model_page_is_zero(fx_pa(A_FIRST)) && model_page_is_zero(fx_pa(A_FIRST + 1)));
	CHECK_EQ(hc(KC_HC_VM_RECLAIM, vm, fx_pfn(A_FIRST), 0).ret, KC_ENOENT);
	CHECK_EQ(hc(KC_HC_VM_CREATE, FX_QUOTA, 0, 0).x[1], vm);
	inv_check("vmid reuse");
}

const struct test_case tests_ownership[] = {
	{ "every transition from every state", test_every_transition_from_every_state },
	{ "vmid reused only after scrub", test_vmid_reused_only_after_scrub },
	{ NULL, NULL },
};
