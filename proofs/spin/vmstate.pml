/*
 * VM and vCPU state machines of kcore/core/vm.c, vcpu.c and boot.c, with NCPU host CPUs making
 * hypercalls on one VM (NVCPU vCPUs, at most NPAGES pages) concurrently. Every hypercall is
 * "lock the VM; check; apply; unlock" as in the C; vcpu_run drops the lock while the vCPU runs
 * (its RUNNING state gives the running CPU the vCPU) and takes it again at the exit.
 * The guest's PSCI power state is modelled too: vCPU 0 is switched on at verify, an exit may be
 * the guest's CPU_ON of another vCPU, CPU_OFF of itself or SYSTEM_OFF of the VM.
 * Properties (assertions): a running vCPU's VM stays ACTIVE (never DYING/FREE) until the exit;
 * no vCPU runs on two CPUs; a VM goes FREE only with no page left; pages are reclaimed only
 * from a DYING VM; only a VERIFIED/ACTIVE VM runs; only a switched-on vCPU runs; CPU_ON never
 * writes a vCPU that is running (vcpu_power_on's KC_BUG_ON); after SYSTEM_OFF no vCPU enters.
 * Mutants (-D): NO_RUNNING_CHECK (vm_destroy ignores running vCPUs), NO_READY_CHECK
 * (vcpu_begin_run does not require READY), NO_POWER_CHECK (vcpu_begin_run runs an OFF vCPU).
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
#define OFF 0
#define ON_PENDING 1
#define ON 2

#ifdef NO_READY_CHECK
#define READY_GUARD
#else
#define READY_GUARD && vstate[i] == READY
#endif
#ifdef NO_POWER_CHECK
#define POWER_GUARD
#else
#define POWER_GUARD && power[i] != OFF
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
byte power[NVCPU];
bit sysoff = 0;

inline lock(me) { atomic { vmlock == 0 -> vmlock = me + 1 } }
inline unlock(me) { assert(vmlock == me + 1); vmlock = 0 }
inline any_running(r) { r = (vstate[0] == RUNNING || vstate[1] == RUNNING) }
inline teardown() {
	assert(vm == DYING && pages == 0);
	vm = FREE; vcpu_count = 0; vstate[0] = VFREE; vstate[1] = VFREE;
	power[0] = OFF; power[1] = OFF; sysoff = 0
}

proctype cpu(byte me)
{
	byte i, j;
	bit r;
end:	do
	:: lock(me); if :: vm == FREE -> vm = CREATED :: else fi; unlock(me)	/* vm_create */
	:: lock(me);								/* vcpu_create */
	   if :: vm == CREATED && vcpu_count < NVCPU -> vstate[vcpu_count] = READY; vcpu_count++
	      :: else fi; unlock(me)
	:: lock(me);								/* boot_verify */
	   if :: vm == CREATED -> vm = VERIFIED; if :: vcpu_count > 0 -> power[0] = ON_PENDING :: else fi
	      :: else fi; unlock(me)
	:: lock(me);					/* boot_load_page (CREATED), vcpu_map_fault (ACTIVE) */
	   if :: (vm == CREATED || vm == ACTIVE) && pages < NPAGES -> pages++ :: else fi; unlock(me)
	:: i = 0; if :: i = 1 :: skip fi;					/* vcpu_run(i) */
	   lock(me);
	   if
	   :: (vm == VERIFIED || vm == ACTIVE) && i < vcpu_count && !sysoff READY_GUARD POWER_GUARD ->
	         vm = ACTIVE; vstate[i] = RUNNING; assert(running_on[i] == 0); running_on[i] = me + 1;
	         if :: power[i] == ON_PENDING -> power[i] = ON :: else fi	/* starts from reset */
	         unlock(me);
	         /* the guest runs: no lock held */
	         assert(vm == ACTIVE && running_on[i] == me + 1 && power[i] == ON);
	         lock(me);			/* vcpu_handle_exit: KC_BUG_ON(vm_lock(vmid) != KC_OK) */
	         assert(vm == ACTIVE);
	         if					/* what the exit was */
	         :: skip				/* MMIO, fault, IRQ, ... */
	         :: j = 1 - i;				/* PSCI CPU_ON of the other vCPU */
	            if :: j < vcpu_count && power[j] == OFF -> assert(vstate[j] != RUNNING); power[j] = ON_PENDING
	               :: else fi
	         :: power[i] = OFF			/* PSCI CPU_OFF */
	         :: sysoff = 1				/* PSCI SYSTEM_OFF */
	         fi;
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
