#!/usr/bin/env python3
"""VRM wDRF conditions (kcore-facts.md 2.7) checked on kcore's own sources, lexically.

Usage: check.py [--core DIR] [--arch DIR] [--json]
Each check prints one line "VRM <condition>: <checked> checked, <violations> violations" and the
violations. Exit 1 if any violation. This is a lexical checker over the kcore/core coding rules
(CONVENTIONS.md rules 6 and 8: one lock/unlock exit per function, straight-line transitions);
what it does not see is listed in docs/proofs.md.
"""
import argparse, json, os, re, sys

# DRF-Kernel: every shared global of kcore/core and the lock that guards it.
GUARDS = {
    'mem': ('mem.lock', r'\bmem\.(?!lock\b)(\w+)'),
    'pool': ('pool.lock', r'\bpool\.(?!lock\b)(\w+)'),
    'vm': ('vm lock', r'\b(?:vm|locked\.vm|vm\.vm)->(?!lock\b)(\w+)'),
}
# Fields written once at boot (kcore_init, one CPU, before any other CPU enters kcore) and only
# read afterwards: reading them needs no lock.
WRITE_ONCE = {'mem': {'ram_base', 'ram_pages'}, 'pool': {'base', 'pages'}, 'vm': {'vmid'}}
# Functions that run only at boot on one CPU (kcore_init), or only while no CPU is in kcore
# (the accessors the model's invariant checker and tests use; their header says so).
BOOT = {'mem_init', 'pool_init', 'vm_init', 'vm_clear_locked', 'boot_init'}
QUIESCENT = {'mem_host_vttbr': 'host_s2 root/vmid are write-once at boot',
             'mem_host_s2': 'returns an address only',
             'pool_reserved_pages': 'tests only, read while nothing runs',
             'vm_peek': 'invariant checker only, read while nothing runs'}
# A RUNNING vCPU's registers belong to the CPU running it (docs/kcore.md): vcpu->regs needs no lock
# in the run loop. Recorded as an ownership transfer, not as a lock.
OWNERSHIP_TRANSFER = {'vcpu_run': 'RUNNING vCPU: regs owned by the running CPU'}

FUNC_RE = re.compile(r'^(?:static\s+)?(?:inline\s+)?[\w\s\*]+?\b(\w+)\s*\(([^;{]*)\)\s*$', re.M)


def functions(path):
    """(name, params, body lines with numbers) for every function definition in a C file."""
    text = open(path).read()
    lines = text.split('\n')
    out = []
    i = 0
    while i < len(lines):
        m = re.match(r'^(?:static\s+)?(?:inline\s+)?(?:const\s+)?[\w\*\s]+?\b(\w+)\s*\((.*)$', lines[i])
        if m and not lines[i].startswith((' ', '\t', '#', '/', '*')) and not lines[i].rstrip().endswith(';'):
            name = m.group(1)
            sig = lines[i]
            j = i
            while '{' not in lines[j] and not lines[j].rstrip().endswith(';'):
                j += 1
                sig += lines[j]
            if lines[j].rstrip().endswith(';'):
                i = j + 1
                continue
            depth = 0
            body = []
            k = j
            while True:
                depth += lines[k].count('{') - lines[k].count('}')
                body.append((k + 1, lines[k]))
                if depth == 0 and k > j or (depth == 0 and '}' in lines[k] and k >= j):
                    break
                k += 1
            out.append((name, sig, body))
            i = k + 1
        else:
            i += 1
    return out


def strip_comment(line):
    line = re.sub(r'/\*.*?\*/', '', line)
    return line.split('//')[0]


def drf_walk(core, visit):
    """Walk every function with the set of locks held on each line; visit(file, line, name, held, text)."""
    for fn in sorted(os.listdir(core)):
        if not fn.endswith('.c'):
            continue
        for name, sig, body in functions(os.path.join(core, fn)):
            held = set()
            if name.endswith('_locked'):
                held.add('mem' if fn == 'mem.c' else 'vm')	# mem.c's helpers: the host lock
            if 'struct kc_vm_locked' in sig:
                held.add('vm')	# the token type: callers hold the VM lock (checked at call sites)
            if re.search(r'kc_assert_lock_held\(&mem\.lock\)', ''.join(l for _, l in body)):
                held.add('mem')
            lines = [(n, strip_comment(l)) for n, l in body]
            for idx, (n, l) in enumerate(lines):
                nxt = next((x for _, x in lines[idx + 1:] if x.strip()), '')
                early = 'return' in nxt
                for g, pat in (('mem', r'arch_lock\(&mem\.lock\)'), ('pool', r'arch_lock\(&pool\.lock\)'),
                               ('vm', r'arch_lock\(&vm->lock\)|vm_lock\(')):
                    if re.search(pat, l):
                        held.add(g)
                visit(fn, n, name, sig, frozenset(held), l)
                for g, pat in (('mem', r'arch_unlock\(&mem\.lock\)'), ('pool', r'arch_unlock\(&pool\.lock\)'),
                               ('vm', r'arch_unlock\(&vm->lock\)|vm_unlock\(')):
                    if re.search(pat, l) and not early:
                        held.discard(g)


def check_drf(core):
    """DRF-Kernel: each access to a shared global happens with its lock held, either in the
    function itself or, for a helper that needs it, at every call site of that helper."""
    checked = [0]
    needs = {}	# helper -> {(lock, where)}
    def access(fn, n, name, sig, held, l):
        if name in BOOT or name in QUIESCENT or name in OWNERSHIP_TRANSFER:
            return
        for g, (lock, pat) in GUARDS.items():
            for m in re.finditer(pat, l):
                checked[0] += 1
                if g in held or m.group(1) in WRITE_ONCE[g]:
                    continue
                needs.setdefault(name, set()).add((g, f'{fn}:{n} {g}.{m.group(1)}'))
    drf_walk(core, access)
    bad = []
    callers = {}
    def calls(fn, n, name, sig, held, l):
        for m in re.finditer(r'\b(\w+)\s*\(', l):
            callee = m.group(1)
            if callee in needs and callee != name:
                callers.setdefault(callee, []).append((fn, n, name, held))
    drf_walk(core, calls)
    # a helper's needs pass to its callers until a caller holds the lock (a fixed point)
    changed = True
    while changed:
        changed = False
        for callee, sites in list(callers.items()):
            for fn, n, name, held in sites:
                for g, where in needs.get(callee, ()):
                    checked[0] += 1
                    if g in held:
                        continue
                    if name in BOOT or name in QUIESCENT:
                        continue
                    if (g, where) not in needs.setdefault(name, set()):
                        needs[name].add((g, where))
                        changed = True
    # a *_locked helper (CONVENTIONS rule 9) is called only with its lock held
    lock_of = {}
    for fn in sorted(os.listdir(core)):
        if fn.endswith('.c'):
            for name, sig, body in functions(os.path.join(core, fn)):
                if name.endswith('_locked'):
                    lock_of[name] = 'mem' if fn == 'mem.c' else 'vm'
    def locked_calls(fn, n, name, sig, held, l):
        for m in re.finditer(r'\b(\w+_locked)\s*\(', l):
            callee = m.group(1)
            if callee not in lock_of or callee == name:
                continue
            checked[0] += 1
            if lock_of[callee] not in held and name not in BOOT:
                bad.append(f'{fn}:{n}: {name} calls {callee} without {GUARDS[lock_of[callee]][0]}')
    drf_walk(core, locked_calls)
    # public entry points (not static) must need nothing: report what is left there
    for fn in sorted(os.listdir(core)):
        if not fn.endswith('.c'):
            continue
        for name, sig, body in functions(os.path.join(core, fn)):
            if not sig.startswith('static') and needs.get(name) and name not in callers:
                for g, where in sorted(needs[name]):
                    bad.append(f'{name} (entry point) reaches {where} without {GUARDS[g][0]}')
    return checked[0], bad


def check_nbm(arch):
    """No-Barrier-Misuse: a full barrier right after the acquire and right before the release."""
    path = os.path.join(arch, 'arch.c') if arch else ''
    if not path or not os.path.exists(path):
        return 0, [], 'no arch implementation to check'
    fns = {n: [strip_comment(l) for _, l in b] for n, _, b in functions(path)}
    bad = []
    barrier_fn = fns.get('el2_barrier', [])
    if not any('dsb' in l for l in barrier_fn):
        bad.append('arch.c: el2_barrier has no DSB')
    lock = [l.strip() for l in fns.get('arch_lock', []) if l.strip()]
    try:
        end_asm = max(i for i, l in enumerate(lock) if l.startswith(':') and 'memory' in l)
        if not lock[end_asm + 1].startswith('el2_barrier()'):
            bad.append('arch.c: arch_lock: the acquire is not followed at once by the barrier')
    except ValueError:
        bad.append('arch.c: arch_lock: acquire not found')
    unlock = [l.strip() for l in fns.get('arch_unlock', []) if l.strip()]
    rel = [i for i, l in enumerate(unlock) if 'stlr' in l]
    if not rel or not unlock[rel[0] - 1].startswith('el2_barrier()'):
        bad.append('arch.c: arch_unlock: the release is not preceded at once by the barrier')
    return 2, bad, ''


UNMAP_SEQ = ['arch_pte_store(entry, 0)', 'arch_dsb_ishst()', 'arch_s2_context_enter(', 'arch_tlbi_ipas2e1is(',
             'arch_dsb_ish()', 'arch_tlbi_vmalle1is()', 'arch_dsb_ish()', 'arch_isb()', 'arch_s2_context_exit()']
SEAM_CALL = re.compile(r'\b(arch_(?:pte_store|dsb_ishst|dsb_ish|isb|s2_context_enter|s2_context_exit|tlbi_\w+))\s*\(')


def seam_calls(body):
    out = []
    for n, l in body:
        l = strip_comment(l)
        for m in SEAM_CALL.finditer(l):
            start = m.start()
            out.append((n, l[start:].strip().rstrip(';')))
    return out


def check_bbm(core):
    """Transactional-Page-Table / BBM: every stage-2 store in core is one of three recognised
    patterns, each followed by its barriers; at most one translation change per stage-2 per
    critical section of mem.c."""
    checked, bad = 0, []
    for fn in sorted(os.listdir(core)):
        if not fn.endswith('.c'):
            continue
        for name, sig, body in functions(os.path.join(core, fn)):
            calls = seam_calls(body)
            text = ''.join(strip_comment(l) for _, l in body)
            for i, (n, c) in enumerate(calls):
                if not c.startswith('arch_pte_store('):
                    continue
                checked += 1
                seq = [x for _, x in calls[i:i + len(UNMAP_SEQ)]]
                if c.startswith('arch_pte_store(entry, 0)'):
                    ok = len(seq) == len(UNMAP_SEQ) and all(s.startswith(p) for s, p in zip(seq, UNMAP_SEQ)) \
                        and re.search(r'KC_BUG_ON\(!\(arch_pte_load\(entry\) & KC_PTE_VALID\)\)', text)
                    if not ok:
                        bad.append(f'{fn}:{n}: {name}: valid->invalid store without the full sequence '
                                   f'{" ; ".join(p.rstrip("(") for p in UNMAP_SEQ)} (got {" ; ".join(seq)})')
                elif 'KC_PTE_TABLE_DESC' in c:
                    before = calls[i - 1][1] if i > 0 else ''
                    after = calls[i + 1][1] if i + 1 < len(calls) else ''
                    if not (before.startswith('arch_dsb_ishst') and after.startswith('arch_dsb_ishst')
                            and 'KC_BUG_ON(desc & KC_PTE_VALID)' in text and 'pool_alloc(' in text):
                        bad.append(f'{fn}:{n}: {name}: table link without DSB ISHST before and after, '
                                   f'or into a valid entry, or of a table not from pool_alloc (zeroed)')
                else:
                    after = calls[i + 1][1] if i + 1 < len(calls) else ''
                    if not (after.startswith('arch_dsb_ishst')
                            and re.search(r'KC_BUG_ON\(arch_pte_load\(entry\) & KC_PTE_VALID\)', text)):
                        bad.append(f'{fn}:{n}: {name}: leaf store not checked invalid->valid or not followed '
                                   f'by DSB ISHST')
            # the whole-VMID flush before tables are freed
            if name == 's2_destroy':
                checked += 1
                seq = [x for _, x in calls]
                want = ['arch_s2_context_enter(', 'arch_dsb_ish()', 'arch_tlbi_vmalls12e1is()', 'arch_dsb_ish()',
                        'arch_isb()', 'arch_s2_context_exit()']
                if not (len(seq) >= len(want) and all(s.startswith(p) for s, p in zip(seq, want))):
                    bad.append(f'{fn}: s2_destroy: tables freed without DSB; TLBI VMALLS12E1IS; DSB; ISB first')
            # Transactional-Page-Table: per critical section, one change per stage-2
            if fn == 'mem.c':
                lines = [strip_comment(l) for _, l in body]
                changes = {}
                for l in lines:
                    m = re.search(r'\b(s2_map_commit|s2_unmap|host_unmap_locked)\s*\(\s*(&?[\w.>-]+)?', l)
                    if m:
                        target = 'host' if m.group(1) == 'host_unmap_locked' or 'host_s2' in (m.group(2) or '') \
                            else (m.group(2) or '')
                        changes[target] = changes.get(target, 0) + 1
                if changes:
                    checked += 1
                    for t, k in changes.items():
                        if k > 1:
                            bad.append(f'mem.c: {name}: {k} translation changes of one stage-2 ({t}) '
                                       f'in one critical section')
    return checked, bad


def check_wokm(core):
    """Write-Once-Kernel-Mapping, core side: kcore/core writes no EL2 (kcore's own) table entry:
    its only PTE stores are to stage-2 tables in s2.c."""
    checked, bad = 0, []
    for fn in sorted(os.listdir(core)):
        if not fn.endswith('.c'):
            continue
        for n, l in enumerate(open(os.path.join(core, fn)), 1):
            l = strip_comment(l)
            if 'arch_pte_store(' in l:
                checked += 1
                if fn != 's2.c':
                    bad.append(f'{fn}:{n}: a PTE store outside the stage-2 module')
            if re.search(r'\bel2_|TTBR0_EL2|ttbr0_el2', l):
                checked += 1
                bad.append(f'{fn}:{n}: kcore/core touches an EL2 translation register or table')
    return checked, bad


def main():
    ap = argparse.ArgumentParser()
    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.normpath(os.path.join(here, '..', '..'))
    ap.add_argument('--core', default=os.path.join(root, 'kcore', 'core'))
    ap.add_argument('--arch', default=os.path.join(root, 'kcore', 'arch', 'aarch64'))
    ap.add_argument('--json', action='store_true')
    a = ap.parse_args()
    results = []
    c, b = check_drf(a.core)
    results.append(('DRF-Kernel', c, b, ''))
    c, b, why = check_nbm(a.arch)
    results.append(('No-Barrier-Misuse', c, b, why))
    c, b = check_bbm(a.core)
    results.append(('Transactional-Page-Table+BBM', c, b, ''))
    c, b = check_wokm(a.core)
    results.append(('Write-Once-Kernel-Mapping (core side)', c, b, ''))
    if a.json:
        print(json.dumps([{'name': n, 'checked': c, 'violations': b, 'note': w} for n, c, b, w in results]))
    else:
        for n, c, b, w in results:
            print(f'VRM {n}: {c} checked, {len(b)} violations' + (f' ({w})' if w else ''))
            for x in b:
                print('  ' + x)
    sys.exit(1 if any(b for _, _, b, _ in results) else 0)


if __name__ == '__main__':
    main()
