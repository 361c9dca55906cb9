#!/usr/bin/env python3
"""Run one EL2 scenario: kcore at EL2 under qemu-system-aarch64 (TCG), the test host at EL1.

usage: run-el2.py --qemu QEMU --kcore kcore-el2.bin --host el2-host.bin --tests el2-tests.h
                  --test NAME [--timeout S] [--smp N] [--icount] [--gdb]
       run-el2.py --missing PACKAGE...      (the cross tools are not installed: fail, say which)

Passes when the console shows "EL2-TEST PASS NAME" and QEMU then exits (the host powers off
through PSCI). Fails at once on "EL2-TEST FAIL", a kcore PANIC, QEMU exiting without a PASS, or
the deadline; the whole console is printed in every case. No sleeps: it waits on the console.
--gdb starts QEMU halted with its gdbstub on :1234 and no deadline (see docs/el2.md).
--icount runs QEMU with -icount shift=0 (one instruction per virtual ns), which makes the PMU's
instruction counter count: the benchmark scenarios need it.
"""
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'lib'))
import qemurun  # noqa: E402


def scenario_number(header, name):
    text = open(header).read()
    for num, nm in re.findall(r'[XB]\((\d+),\s*(\w+)\)', text):
        if nm == name:
            return int(num)
    sys.exit('run-el2.py: no scenario %r in %s' % (name, header))


def main():
    ap = qemurun.arg_parser('EL2_TIMEOUT', 60)
    ap.add_argument('--host')
    ap.add_argument('--tests')
    ap.add_argument('--test')
    ap.add_argument('--icount', action='store_true')
    ap.add_argument('--gdb', action='store_true')
    a = qemurun.parse_args(ap, 'el2')
    num = scenario_number(a.tests, a.test)
    cmd = [a.qemu, '-M', 'virt,virtualization=on,gic-version=3', '-cpu', 'cortex-a72',
           '-smp', str(a.smp), '-m', '256', '-accel', 'tcg', '-display', 'none',
           '-serial', 'stdio', '-monitor', 'none', '-no-reboot',
           '-kernel', a.kcore,
           '-device', 'loader,file=%s,addr=0x44000000,force-raw=on' % a.host,
           '-device', 'loader,addr=0x43fff000,data=%d,data-len=4' % num]
    if a.icount:
        cmd += ['-icount', 'shift=0']
    if a.gdb:
        cmd += ['-s', '-S']
        print(' '.join(cmd))
        return subprocess.call(cmd)

    def judge(line):
        if line.startswith('EL2-TEST PASS ' + a.test):
            return 'pass'
        if line.startswith('EL2-TEST FAIL') or 'PANIC' in line:
            return line
        return None

    ok, why, console, rc, elapsed, _ = qemurun.run(cmd, a.timeout, judge)
    print('\n'.join(console))
    print('--- %s: %s' % (' '.join(cmd), 'QEMU exit %d after %.2f s' % (rc, elapsed)))
    if ok:
        print('el2 %s: PASS' % a.test)
        return 0
    print('el2 %s: FAIL: %s' % (a.test, why))
    return 1


if __name__ == '__main__':
    sys.exit(main())
