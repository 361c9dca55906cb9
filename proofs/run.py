#!/usr/bin/env python3
"""Run kcore's machine-checked proofs and print ONE table (component, goals, proved, time).

  run.py            every in-scope proof; exit 1 if any goal is unproved, any Admitted/axiom
                    slips into the Coq files, or any check finds a violation
  run.py --mutants  the mutation table: each mutant must be caught by WP, Coq, Spin or the VRM
                    checker; exit 1 if one is not
Exit 1, naming the Debian packages, if a tool is not installed (packaging/install-deps --test
installs them): a proof that did not run is never reported as passed. Writes only a scratch
directory (--work, default a temporary one) and ~/.why3.conf (through setup-why3.sh).
What is in scope and what is not: proofs/README.md.
"""
import argparse, os, re, shutil, subprocess, sys, tempfile, time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, '..'))
CORE = os.path.join(ROOT, 'kcore', 'core')
sys.dont_write_bytecode = True  # nothing written into the source tree
sys.path.insert(0, os.path.join(HERE, "vrm"))
import check as vrm  # noqa: E402

# Per-goal SMT timeout: generous, because CI's 2 cores may be busy and a timeout is a failure.
WP_TIMEOUT = os.environ.get('KC_WP_TIMEOUT', '30')
RETRY_TIMEOUT = '90'
HELPERS = ['kc_pa', 'kc_ipa', 'kc_page_aligned']
TIES = ['tie_pte_addr', 'tie_pte_normal', 'tie_pte_device', 'tie_page_down', 'tie_ipa_limit',
        'tie_normal_memattr', 'tie_normal_sh', 'tie_device_memattr', 'tie_device_xn', 'tie_normal_xn',
        'tie_normal_ap', 'tie_normal_af_page_valid']
LEMMAS = 'every lemma'  # property filter: all lemmas of the wrapper, and exactly one goal each
# (component, wrapper, functions, property filter[, per-goal timeout]). Every goal of these must be
# proved.
WP_JOBS = [
    ('WP descriptors: s2.c helpers, bits.h layouts', 'descr_wp.c',
     HELPERS + ['s2_entry', 's2_index', 's2_is_table', 's2_next', 's2_vttbr'] + TIES, None),
    ('WP ownership: mem.c (INV-1/2/3 kept)', 'mem_wp.c',
     ['mem_page_locked', 'mem_pfn_to_pa', 'check_page_owned_by_locked', 'host_unmap_locked',
      'vm_page_at_locked', 'check_host_may_map_locked', 'mem_vm_share_host', 'mem_host_fault',
      'mem_page_get', 'mem_host_s2', 'mem_host_vttbr'], None),
    ('WP page moves: mem.c donate/unshare/reclaim (INV-1/2 kept, INV-5)', 'mem_wp.c',
     ['mem_host_donate_vm', 'mem_vm_unshare_host', 'mem_host_reclaim_vm'], None),
    # Every lemma of the wrapper (the mem.c proofs above use them): INV-3, and the step lemmas
    # that carry INV-1/INV-1r/INV-2 across donate and reclaim.
    ('WP lemmas: inv ==> INV-3, steps keep INV-1/1r/2', 'mem_wp.c', None, LEMMAS),
    ('WP page pool: pool.c (pool_inv kept, quotas, exact free)', 'pool_wp.c',
     ['pool_init', 'pool_page_area', 'pool_contains', 'pool_root', 'pool_reserved_pages',
      'pool_reserve', 'pool_unreserve', 'pool_bit', 'pool_free'], None),
    ('WP stage-2: s2.c walk/prepare/map/unmap over page-table memory (s2_wf kept)', 's2_wp.c',
     ['s2_leaf_entry', 's2_leaf', 's2_ensure_table', 's2_prepare', 's2_map_commit', 's2_unmap'], None),
    ('WP lemmas: stage-2 model (a leaf store, a table link keep walks and s2_wf)', 's2_wp.c', None, LEMMAS),
    ('WP VM lifecycle: vm.c (vm_inv, ownership inv kept, vCPU scrub)', 'vm_wp.c',
     ['vm_peek', 'vm_lock', 'vm_unlock', 'vcpu_regs_zero', 'vcpu_clear', 'vm_clear_locked', 'vm_init',
      'vm_any_vcpu_running_locked', 'vcpu_create', 'vm_claim', 'vm_create'], None),
    ('WP lemmas: VM table steps, a stage-2 emptied keeps INV-1/1r/2', 'vm_wp.c', None, LEMMAS),
    ('WP boot: mem.c mem_init establishes inv (pool and image pages are kcore\'s)', 'vm_wp.c',
     ['ram_range_first', 'mem_init'], None),
    ('WP vCPUs: vcpu.c exits, PSCI, reset scrub, MMIO completion (run_inv, inv kept)', 'vcpu_wp.c',
     ['vcpu_lookup_locked', 'vcpu_power_on', 'vcpu_boot_locked', 'vcpu_reset', 'vcpu_apply_pending',
      'exit_info', 'vcpu_reg', 'vcpu_exit_mmio', 'vcpu_exit_abort', 'psci_target_locked',
      'psci_cpu_on_locked', 'psci_affinity_info_locked', 'psci_implemented', 'vcpu_psci_locked',
      'mmio_extend', 'vcpu_mmio_complete'], None),
    ('WP lemmas: vCPU table views, mem.c state kept keeps inv', 'vcpu_wp.c', None, LEMMAS),
    # The one job with its own per-goal timeout: boot_set_region's INV-2 goal takes cvc5 44 s on
    # an idle machine (the frame of its four 64-bit stores), so 30 s would always mean a rerun.
    ('WP boot images: boot.c region, key (KC_HC_VM_SET_BOOT keeps inv, vm_inv, run_inv)', 'boot_wp.c',
     ['boot_init', 'boot_pages', 'boot_region_valid', 'boot_set_region'], None, '60'),
]
# Functions attempted but not (fully) proved yet, and why; every other kcore/core function
# without an entry here is "not yet attempted".
NOT_YET = {
    's2_init': 'contract USED by vm_wp.c (vm_claim, mem_init), not proved: needs a ghost "make the vmid live" step '
               'in s2.c and arch_page_zero tied to the page-table memory pte()',
    's2_destroy': 'contract USED by vm_wp.c, not proved: needs a ghost "make the vmid dead" step in s2.c '
                  'before pool_free, and loop invariants',
    's2_free_level2': 'loop over table entries: needs loop invariants over the pool ghost state',
    'vm_teardown_locked': 'contract written (vm_wp.c), goals time out (s2_cleared through s2_destroy, the '
                          'slot frame); after a teardown INV-1r needs "page_count = pages owned", a '
                          'counting invariant WP cannot carry without induction',
    'vm_destroy': 'contract written (vm_wp.c); depends on vm_teardown_locked (above)',
    'vm_reclaim': 'depends on vm_teardown_locked (above) and mem_host_reclaim_vm (proved)',
    'vcpu_guest_call_locked': 'contract written (vcpu_wp.c) and USED by vcpu_handle_exit; not proved: '
                              'after the PSCI and share/unshare branches merge, the goals inv1 and '
                              'vcpus_ok_but time out (the frame of the x0..x3 stores against mem.c\'s state)',
    'vcpu_handle_exit': 'contract written (vcpu_wp.c); not attempted until vcpu_guest_call_locked is proved',
    'vcpu_start_locked': 'contract written (vcpu_wp.c): READY -> RUNNING keeps inv, vm_inv, run_inv; '
                         'not proved: INV-1/INV-1r and the table invariants time out after the stores '
                         'to the VM and vCPU records (they share WP\'s 32-bit memory chunk with '
                         'mem.pages[].gfn); next: state mem_kept and per-slot frames, conclude by lemmas',
    'vcpu_begin_run': 'contract written (vcpu_wp.c); with vcpu_start_locked\'s contract assumed, 4 of 92 '
                      'goals time out (INV-1, INV-2, vm_inv, run_inv across the stores to the caller\'s '
                      'outputs) and 2 assigns goals',
    'vcpu_run': 'contract and loop invariant written (vcpu_wp.c, vcpu.c); depends on vcpu_begin_run and '
                'vcpu_handle_exit (above)',
    'vcpu_map_fault': 'contract written (vcpu_wp.c); not proved: vm_inv, free_owns_nothing and run_inv '
                      'time out after mem_host_donate_vm, whose assigns havocs mem.pages in the 32-bit '
                      'memory chunk the VM table\'s fields share; donate\'s vm_ok precondition is proved '
                      'with a lemma "a live slot is vm_ok" (53 of 56 goals then), which is left out: '
                      'in the wrapper it slows vcpu_mmio_complete\'s vm_inv goal past 30 s',
    'pool_alloc': 'contract USED (assumed) by s2_wp.c for s2_ensure_table; not proved: its search loop '
                  'needs loop invariants (ACSL inside pool.c), the zeroing must be tied to pte(), and its '
                  'KC_BUG_ON(idx == pool.pages) needs the cross-quota sum (used <= reserved <= pages)',
}
DEFAULT_REASON = {
    'vm.c': 'not yet attempted (VM/vCPU state machine: modelled in Spin, vmstate.pml)',
    'vcpu.c': 'not yet attempted',
    'boot.c': 'not yet attempted (the loading and the signature check: boot_load_page donates as '
              'vcpu_map_fault does, and the kc_sig_* seam needs contracts)',
    'hvc.c': 'not yet attempted (dispatcher; the Eva harness, proofs/eva, still has alarms)',
    's2.c': 'not yet attempted',
    'mem.c': 'not yet attempted',
}


def run(cmd, cwd=None, timeout=900):
    t = time.time()
    p = subprocess.run(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                       timeout=timeout)
    return p.returncode, p.stdout, time.time() - t


def lemma_names(wrapper):
    src = re.sub(r'//[^\n]*', '', open(os.path.join(HERE, 'wp', wrapper)).read())
    return re.findall(r'\blemma\s+(\w+)\s*\{', src)


def wp(wrapper, fcts, prop, core=CORE, timeout=WP_TIMEOUT):
    want = None
    if prop == LEMMAS:
        want = lemma_names(wrapper)
        prop = ','.join(want)
    cmd = ['frama-c', '-cpp-extra-args=-include ' + os.path.join(HERE, 'wp', 'prelude.h') +
           f' -I{core} -I{ROOT}/kcore/include -I{ROOT}/protocols -I{HERE}/wp',
           # cvc5 first: it proves the mem.c goals in about 3 s at most, while z3 often runs to
           # the timeout on them before giving up (measured: 44 s instead of 102 s for
           # mem_host_donate_vm). z3 stays the fallback (it proves most bit-level goals).
           '-wp', '-wp-rte', '-wp-prover', 'cvc5,z3', '-wp-par', '2', '-wp-timeout', str(timeout),
           '-wp-warn-key', 'pedantic-assigns=inactive']
    if fcts:
        cmd += ['-wp-fct', ','.join(fcts)]
    if prop:
        cmd += ['-wp-prop', prop]
    cmd.append(os.path.join(HERE, 'wp', wrapper))
    rc, out, dt = run(cmd)
    m = re.search(r'Proved goals:\s+(\d+)\s*/\s*(\d+)', out)
    failed = re.findall(r'\[wp\] \[(?:Failed|Timeout|Unknown)\] Goal (\S+)', out)
    if rc != 0 or not m:
        return 0, 1, dt, [f'frama-c exit {rc}: ' + ' | '.join(out.strip().split('\n')[-3:])]
    if want is not None and int(m.group(2)) != len(want):
        failed.append(f'{len(want)} lemmas in {wrapper} but {m.group(2)} goals')
    return int(m.group(2)), int(m.group(1)), dt, failed


def coq(vfile, workdir):
    src = open(vfile).read()
    bad = [w for w in ('Admitted', 'admit', 'Axiom', 'Parameter', 'Hypothesis', 'Conjecture')
           if re.search(r'\b' + w + r'\b', re.sub(r'\(\*.*?\*\)', '', src, flags=re.S))]
    goals = len(re.findall(r'^\s*(?:Lemma|Theorem)\s', src, re.M))
    dst = os.path.join(workdir, os.path.basename(vfile))
    shutil.copy(vfile, dst)
    rc, out, dt = run(['coqc', os.path.basename(vfile)], cwd=workdir)
    problems = [f'uses {w}' for w in bad]
    if rc != 0:
        problems.append('coqc: ' + ' | '.join(out.strip().split('\n')[-2:]))
    for line in out.split('\n'):
        if line.startswith('Axioms:'):
            problems.append('Print Assumptions lists axioms')
    return goals, (0 if problems else goals), dt, problems


def bits_tie():
    """Every axiom of bits-facts.h is a Qed lemma of the same name in Bits.v."""
    axioms = re.findall(r'axiom\s+(\w+)\s*:', open(os.path.join(HERE, 'wp', 'bits-facts.h')).read())
    v = open(os.path.join(HERE, 'model', 'Bits.v')).read()
    missing = [a for a in axioms if not re.search(r'Lemma\s+' + a + r'\b', v)]
    return len(axioms), len(axioms) - len(missing), 0.0, [f'axiom {a} has no Coq lemma' for a in missing]


def spin(model, ncpu, defines=(), workdir=None):
    d = tempfile.mkdtemp(dir=workdir)
    shutil.copy(os.path.join(HERE, 'spin', model), d)
    t = time.time()
    rc, out, _ = run(['spin', '-a', f'-DNCPU={ncpu}'] + list(defines) + [model], cwd=d)
    if rc != 0:
        return False, 'spin: ' + out.strip()[-200:], time.time() - t
    rc, out, _ = run(['gcc', '-O2', '-DSAFETY', '-o', 'pan', 'pan.c'], cwd=d)
    if rc != 0:
        return False, 'gcc: ' + out.strip()[-200:], time.time() - t
    rc, out, _ = run(['./pan', '-m2000000'], cwd=d)
    m = re.search(r'errors: (\d+)', out)
    states = re.search(r'(\d+) states, stored', out)
    viol = re.search(r'(assertion violated .*?)\s*\(at depth (\d+)\)', out)
    ok = rc == 0 and m is not None and m.group(1) == '0' and 'max search depth too small' not in out
    info = f'{states.group(1) if states else "?"} states' + (f'; {viol.group(1)} at depth {viol.group(2)}'
                                                              if viol else '')
    return ok, info, time.time() - t


def all_functions():
    out = []
    for fn in sorted(os.listdir(CORE)):
        if fn.endswith('.c'):
            for name, sig, body in vrm.functions(os.path.join(CORE, fn)):
                out.append((fn, name))
    return out


def table(rows, headers):
    w = [max(len(str(r[i])) for r in rows + [headers]) for i in range(len(headers))]
    line = '+'.join('-' * (x + 2) for x in w)
    print(line)
    print('|'.join(f' {str(h):<{w[i]}} ' for i, h in enumerate(headers)))
    print(line)
    for r in rows:
        print('|'.join(f' {str(c):<{w[i]}} ' for i, c in enumerate(r)))
    print(line)


def need_tools(tools):
    missing = [t for t in tools if shutil.which(t) is None]
    if missing:
        print('proofs: FAILED, not installed: ' + ', '.join(missing) +
              ' (packaging/install-deps --test installs frama-c-base why3 z3 cvc5 cvc4 coq'
              ' libcoq-stdpp spin)')
        sys.exit(1)


def setup_why3():
    rc, out, _ = run(['sh', os.path.join(HERE, 'setup-why3.sh')])
    if rc != 0:
        print(out)
        sys.exit(1)


def proofs(work):
    rows, details, failed = [], [], False
    in_scope = set()
    for name, wrapper, fcts, prop, *job_timeout in WP_JOBS:
        timeout = job_timeout[0] if job_timeout else WP_TIMEOUT
        goals, proved, dt, bad = wp(wrapper, fcts, prop, timeout=timeout)
        if goals != proved and goals > 0:
            # A goal that ran out of time on a loaded machine gets one more run with a longer
            # timeout (a resource limit, not a weaker check); a goal that is false fails both.
            details.append(f'{name}: {goals - proved} goal(s) unproved at {timeout}s, run again at '
                           f'{RETRY_TIMEOUT}s: ' + ', '.join(bad[:3]))
            goals, proved, dt2, bad = wp(wrapper, fcts, prop, timeout=RETRY_TIMEOUT)
            dt += dt2
        rows.append((name, goals, proved, f'{dt:.1f}s', 'ok' if goals == proved and not bad else 'FAIL'))
        if goals != proved or bad:
            failed = True
            details += [f'{name}: {b}' for b in bad]
        if fcts and not prop:
            in_scope.update(fcts)
    for label, fn in (('Coq bit facts (Bits.v), the WP bit axioms', fn_bits := 'Bits.v'),
                      ('Coq model: inv + noninterference (Kcore.v)', 'Kcore.v')):
        goals, proved, dt, bad = coq(os.path.join(HERE, 'model', fn), work)
        rows.append((label, goals, proved, f'{dt:.1f}s', 'ok' if not bad else 'FAIL'))
        if bad:
            failed = True
            details += [f'{fn}: {b}' for b in bad]
    goals, proved, dt, bad = bits_tie()
    rows.append(('WP bit axioms = Coq lemma names', goals, proved, f'{dt:.1f}s', 'ok' if not bad else 'FAIL'))
    failed |= bool(bad)
    details += bad
    for model, cpus in (('bbm.pml', (2, 3, 4)), ('vmstate.pml', (2, 3))):
        t = time.time()
        ok_n, infos = 0, []
        for n in cpus:
            ok, info, _ = spin(model, n, workdir=work)
            ok_n += ok
            infos.append(f'NCPU={n}: {info}')
            if not ok:
                details.append(f'Spin {model} NCPU={n}: {info}')
        rows.append((f'Spin {model} (NCPU {cpus[0]}-{cpus[-1]})', len(cpus), ok_n, f'{time.time() - t:.1f}s',
                     'ok' if ok_n == len(cpus) else 'FAIL'))
        failed |= ok_n != len(cpus)
    t = time.time()
    for name, c, b, note in vrm_results(CORE):
        rows.append((f'VRM {name}', c, c - len(b) if c else 0, f'{time.time() - t:.1f}s',
                     'ok' if not b else 'FAIL') if not note else (f'VRM {name}', 0, 0, '0.0s', 'not yet: ' + note))
        failed |= bool(b)
        details += [f'VRM {name}: {x}' for x in b]
    rows.append(('VRM Weak-Memory-Isolation', '-', '-', '-', 'by INV-3: WP lemma inv ==> INV-3 + Coq obs_indist'))
    table(rows, ('component', 'goals', 'proved', 'time', 'status'))
    print('\nkcore/core functions NOT yet covered (outside the pass/fail above; see proofs/README.md):')
    cov = []
    for fn, name in all_functions():
        if name in in_scope:
            continue
        cov.append((fn, name, NOT_YET.get(name, DEFAULT_REASON.get(fn, 'not yet attempted'))))
    table(cov, ('file', 'function', 'not yet: reason'))
    total = len(all_functions())
    print(f'\nkcore/core: {len(in_scope & set(n for _, n in all_functions()))} of {total} functions proved '
          f'with WP (-wp-rte), {len(cov)} not yet covered.')
    for d in details:
        print('  ' + d)
    print('proofs: ' + ('FAILED' if failed else 'all in-scope goals proved, no violation'))
    return 1 if failed else 0


def vrm_results(core, arch=os.path.join(ROOT, 'kcore', 'arch', 'aarch64')):
    out = []
    c, b = vrm.check_drf(core)
    out.append(('DRF-Kernel', c, b, ''))
    c, b, why = vrm.check_nbm(arch)
    out.append(('No-Barrier-Misuse', c, b, why))
    c, b = vrm.check_bbm(core)
    out.append(('Transactional-Page-Table + BBM', c, b, ''))
    c, b = vrm.check_wokm(core)
    out.append(('Write-Once-Kernel-Mapping (core side)', c, b, ''))
    return out


# Mutants: (name, file, original text, replacement, checkers). A checker is one of
# ('wp', wrapper, functions, property), ('coq', file, original, replacement), ('spin', model, define),
# ('vrm',). The original text must exist, so a code change that removes it is noticed.
MUTANTS = [
    ('ownership check removed (host may map any page)', 'mem.c',
     'if (page->owner == KC_OWNER_HOST ||', 'if (1 ||',
     [('wp', 'mem_wp.c', ['check_host_may_map_locked'], 'host_map_allowed'),
      ('coq', 'Kcore.v', "      if own_eqb (owner k p) Host || (is_vm (owner k p) && negb (Nat.eqb (share k p) 0)) then",
       "      if true then")]),
    ('TLBI IPAS2E1IS removed from s2_unmap', 's2.c', '\tarch_tlbi_ipas2e1is(ipa);\n', '',
     [('vrm',), ('spin', 'bbm.pml', '-DNO_TLBI_IPA')]),
    ('DSB ISHST after the invalidating store removed', 's2.c',
     '\tarch_pte_store(entry, 0);\n\tarch_dsb_ishst();\n', '\tarch_pte_store(entry, 0);\n',
     [('vrm',), ('spin', 'bbm.pml', '-DNO_DSB_ST')]),
    ('DSB ISH after the TLBI removed', 's2.c',
     '\tarch_tlbi_ipas2e1is(ipa);\n\tarch_dsb_ish();\n', '\tarch_tlbi_ipas2e1is(ipa);\n',
     [('vrm',), ('spin', 'bbm.pml', '-DNO_DSB_IPA')]),
    ('host unmap removed from donate (INV-2)', 'mem.c',
     '\thost_unmap_locked(pa);\n\tpage->owner = (uint16_t)vm.vm->vmid;\n',
     '\tpage->owner = (uint16_t)vm.vm->vmid;\n',
     [('wp', 'mem_wp.c', ['mem_host_donate_vm'], 'donate_step_s2')]),
    ('pool_reserve capacity check removed (over-reservation)', 'pool.c',
     '\tif (pages > pool.pages - pool.reserved) {\n', '\tif (false) {\n',
     [('wp', 'pool_wp.c', ['pool_reserve'], 'reserve_inv')]),
    ('a vCPU that is off may run (power check removed)', 'vcpu.c',
     '\tif (vcpu->power == KC_VCPU_OFF) {\n', '\tif (false) {\n',
     [('spin', 'vmstate.pml', '-DNO_POWER_CHECK')]),
    ('scrub removed from reclaim (arch_page_zero)', 'mem.c', '\tarch_page_zero(pa);\n', '',
     [('wp', 'mem_wp.c', ['mem_host_reclaim_vm'], 'reclaim_scrubs'),
      ('coq', 'Kcore.v', 'mem := upd (mem s) p 0 |}', 'mem := mem s |}')]),
    ('vCPU register scrub emptied (registers survive the VM and a reset)', 'vm.h',
     '\t\tregs->x[r] = 0;\n', '',
     [('wp', 'vm_wp.c', ['vcpu_regs_zero', 'vcpu_clear'], None)]),
    ('an MMIO read shows the host a guest register (exit data leak)', 'vcpu.c',
     '\tuint64_t data = 0;\n', '\tuint64_t data = vcpu->regs.x[0];\n',
     [('wp', 'vcpu_wp.c', ['vcpu_exit_mmio'], None)]),
    ('RAM range check that wraps at 2^64 (boot accepts RAM past the IPA space)', 'mem.c',
     '\t    info->ram_pages > KC_RAM_PAGES_MAX || info->ram_base.pa > KC_IPA_LIMIT ||\n'
     '\t    info->ram_pages * KC_PAGE_SIZE > KC_IPA_LIMIT - info->ram_base.pa) {\n',
     '\t    info->ram_pages > KC_RAM_PAGES_MAX ||\n'
     '\t    info->ram_base.pa + info->ram_pages * KC_PAGE_SIZE > KC_IPA_LIMIT) {\n',
     [('wp', 'vm_wp.c', ['mem_init'], 'ram_range_ram_ok')]),
    ('image page count that wraps (2^64 - 1 bytes counted as 0 pages)', 'boot.c',
     '\treturn bytes / KC_PAGE_SIZE + (bytes % KC_PAGE_SIZE != 0u ? 1u : 0u);\n',
     '\treturn (bytes + KC_PAGE_SIZE - 1u) / KC_PAGE_SIZE;\n',
     [('wp', 'boot_wp.c', ['boot_pages'], None)]),
    ('valid bit check removed from s2_leaf (an invalid entry read as a mapping)', 's2.c',
     '\treturn (desc & KC_PTE_VALID) ? desc : 0;\n', '\treturn desc;\n',
     [('wp', 's2_wp.c', ['s2_leaf'], None)]),
]


def mutants(work):
    rows, missed = [], False
    for name, fn, old, new, checkers in MUTANTS:
        core = os.path.join(work, 'core-' + str(abs(hash(name))))
        shutil.copytree(CORE, core)
        src = open(os.path.join(core, fn)).read()
        if old not in src:
            rows.append((name, '-', 'TARGET TEXT NOT FOUND in ' + fn, '-'))
            missed = True
            continue
        open(os.path.join(core, fn), 'w').write(src.replace(old, new, 1))
        for ch in checkers:
            t = time.time()
            if ch[0] == 'wp':
                goals, proved, _, bad = wp(ch[1], ch[2], ch[3], core=core, timeout=5)
                caught = proved < goals
                how = f'WP {ch[3] or "all goals of " + ",".join(ch[2])}: {proved}/{goals} proved'
            elif ch[0] == 'coq':
                d = tempfile.mkdtemp(dir=work)
                v = open(os.path.join(HERE, 'model', ch[1])).read()
                if ch[2] not in v:
                    rows.append((name, 'Coq', 'TARGET TEXT NOT FOUND in ' + ch[1], '-'))
                    missed = True
                    continue
                open(os.path.join(d, ch[1]), 'w').write(v.replace(ch[2], ch[3], 1))
                rc, out, _ = run(['coqc', ch[1]], cwd=d)
                caught = rc != 0
                err = re.search(r'\(in proof (\w+)\)', out)
                how = 'Coq: ' + (f'{err.group(1)} no longer proves' if err else
                                 (out.strip().split('\n')[-1][:60] if rc else 'still proves'))
            elif ch[0] == 'spin':
                ok, info, _ = spin(ch[1], 2, [ch[2]], workdir=work)
                caught = not ok
                how = f'Spin {ch[1]} {ch[2]} NCPU=2: {info}'
            else:
                res = vrm_results(core)
                viol = [x for _, _, b, _ in res for x in b]
                caught = bool(viol)
                how = 'VRM: ' + (viol[0].split(':', 2)[-1].strip()[:70] if viol else 'no violation')
            rows.append((name, ch[0].upper(), 'caught' if caught else 'MISSED', f'{time.time() - t:.1f}s', how))
            missed |= not caught
    table(rows, ('mutant', 'checker', 'result', 'time', 'how'))
    print('mutants: ' + ('SOME MISSED' if missed else 'every mutant caught'))
    return 1 if missed else 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--mutants', action='store_true')
    ap.add_argument('--work')
    a = ap.parse_args()
    need_tools(['frama-c', 'why3', 'z3', 'cvc5', 'coqc', 'spin', 'gcc'])
    setup_why3()
    work = a.work or tempfile.mkdtemp(prefix='kc-proofs-')
    os.makedirs(work, exist_ok=True)
    try:
        sys.exit(mutants(work) if a.mutants else proofs(work))
    finally:
        if not a.work:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == '__main__':
    main()
