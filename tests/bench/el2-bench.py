#!/usr/bin/env python3
"""Instructions kcore executes at EL2 per null hypercall, world switch and stage-2 fault.

usage: el2-bench.py RUN-EL2 [run-el2.py arguments...]

Runs the test host's `bench` scenario under QEMU TCG with -icount shift=0, where the PMU's
INST_RETIRED event counts, filtered to EL2 only (PMEVTYPER: NSH set, P and U set). The host reads
the counter around each hypercall, 51 times each; the counts are deterministic for a given
build. Prints the medians and each one's ratio to the null hypercall. Never gates.
"""
import re
import subprocess
import sys

WHAT = [
    ('null-hypercall', 'null hypercall (KC_HC_VERSION)'),
    ('world-switch-round-trip', 'VCPU_RUN -> guest -> MMIO exit -> host'),
    ('stage2-fault-exit', 'VCPU_RUN -> guest -> stage-2 fault exit'),
    ('stage2-fault-map', 'KC_HC_VM_MAP answering the fault'),
]


def main():
    cmd = [sys.executable] + sys.argv[1:] + ['--test', 'bench', '--icount', '--smp', '1']
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    found = {m.group(1): [int(x) for x in m.group(2, 3, 4, 5)]
             for m in re.finditer(r'EL2-BENCH (\S+) median (\d+) min (\d+) max (\d+) n (\d+)',
                                  proc.stdout)}
    if proc.returncode != 0 or any(k not in found for k, _ in WHAT):
        print(proc.stdout)
        print('el2-bench: the bench scenario failed')
        return 1
    base = found['null-hypercall'][0]
    print('EL2 instructions (PMU INST_RETIRED at EL2 only, QEMU -icount, cortex-a72 model)')
    print('%-26s %8s %8s %8s %4s %9s  %s' % ('what', 'median', 'min', 'max', 'n', 'x null', ''))
    for key, text in WHAT:
        med, lo, hi, n = found[key]
        print('%-26s %8d %8d %8d %4d %9.2f  %s' % (key, med, lo, hi, n, med / base, text))
    fault = found['stage2-fault-exit'][0] + found['stage2-fault-map'][0]
    print('%-26s %8d %8s %8s %4s %9.2f  %s' % ('stage2-fault-handled', fault, '', '', '',
                                               fault / base, 'exit + map'))
    return 0


if __name__ == '__main__':
    sys.exit(main())
