/*
 * VM and vCPU state machines of kcore/core/vm.c, vcpu.c and boot.c, with NCPU host CPUs making
 * hypercalls on one VM (NVCPU vCPUs, at most NPAGES pages) concurrently. Every hypercall is
 * "lock the VM; check; apply; unlock" as in the C; vcpu_run drops the lock while the vCPU runs
 * (its RUNNING state gives the running CPU the vCPU) and takes it again at the exit.
 * Properties (assertions): a running vCPU's VM stays ACTIVE (never DYING/FREE) until the exit;
 * no vCPU runs on two CPUs; a VM goes FREE only with no page left; pages are reclaimed only
 * from a DYING VM; only a VERIFIED/ACTIVE VM runs.
 * Mutants (-D): NO_RUNNING_CHECK (vm_destroy ignores running vCPUs), NO_READY_CHECK
 * (vcpu_begin_run does not require READY).
 */
#ifndef NCPU
#define NCPU 2
#endif
#define NVCPU 2
#define NPAGES 2
#define FREE 0
#define CREATED 1
#define VERIFIED 2
#define ACTIVE 3
#define DYING 4
#define VFREE 0
#define READY 1
#define RUNNING 2

#ifdef NO_READY_CHECK
#define READY_GUARD
#else
#define READY_GUARD && vstate[i] == READY
#endif
#ifdef NO_RUNNING_CHECK
#define RUNNING_GUARD
#else
#define RUNNING_GUARD && !r
#endif

byte vm = FREE;
byte pages = 0;
byte vmlock = 0;
byte vcpu_count = 0;
byte vstate[NVCPU];
byte running_on[NVCPU];

inline lock(me) { atomic { vmlock == 0 -> vmlock = me + 1 } }
inline unlock(me) { assert(vmlock == me + 1); vmlock = 0 }
inline any_running(r) { r = (vstate[0] == RUNNING || vstate[1] == RUNNING) }
inline teardown() {
	assert(vm == DYING && pages == 0);
	vm = FREE; vcpu_count = 0; vstate[0] = VFREE; vstate[1] = VFREE
}

proctype cpu(byte me)
{
	byte i;
	bit r;
end:	do
	:: lock(me); if :: vm == FREE -> vm = CREATED :: else fi; unlock(me)	/* vm_create */
	:: lock(me);								/* vcpu_create */
	   if :: vm == CREATED && vcpu_count < NVCPU -> vstate[vcpu_count] = READY; vcpu_count++
	      :: else fi; unlock(me)
	:: lock(me); if :: vm == CREATED -> vm = VERIFIED :: else fi; unlock(me)	/* boot_verify */
	:: lock(me);					/* boot_load_page (CREATED), vcpu_map_fault (ACTIVE) */
	   if :: (vm == CREATED || vm == ACTIVE) && pages < NPAGES -> pages++ :: else fi; unlock(me)
	:: i = 0; if :: i = 1 :: skip fi;					/* vcpu_run(i) */
	   lock(me);
	   if
	   :: (vm == VERIFIED || vm == ACTIVE) && i < vcpu_count READY_GUARD -> vm = ACTIVE; vstate[i] = RUNNING; assert(running_on[i] == 0); running_on[i] = me + 1;
	         unlock(me);
	         /* the guest runs: no lock held */
	         assert(vm == ACTIVE && running_on[i] == me + 1);
	         lock(me);			/* vcpu_handle_exit: KC_BUG_ON(vm_lock(vmid) != KC_OK) */
	         assert(vm == ACTIVE);
	         vstate[i] = READY; running_on[i] = 0; unlock(me)
	   :: else -> unlock(me)
	   fi
	:: lock(me);								/* vm_destroy */
	   any_running(r);
	   if
	   :: vm != FREE && vm != DYING RUNNING_GUARD -> vm = DYING; if :: pages == 0 -> teardown() :: else fi
	   :: else fi; unlock(me)
	:: lock(me);								/* vm_reclaim */
	   if :: vm == DYING && pages > 0 -> pages--; if :: pages == 0 -> teardown() :: else fi
	      :: else fi; unlock(me)
	od
}

init
{
	byte c;
	atomic { c = 0; do :: c < NCPU -> run cpu(c); c++ :: else -> break od }
}
