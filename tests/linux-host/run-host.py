#!/usr/bin/env python3
"""Boot Debian's arm64 kernel as the host on kcore (EL2) under qemu-system-aarch64, TCG.

usage: run-host.py --qemu QEMU --kcore kcore-el2.bin --kernel Image --initrd initramfs.cpio.gz
                   [--smp N] [--timeout S] [--bench ROUNDS] [--direct] [--interactive]

QEMU loads kcore as its -kernel (entered at EL2 with x0 = the DTB), the initramfs with -initrd
(QEMU records it in /chosen) and the Linux Image at HOST_BASE with a loader device; kcore finds it
through kcore.host= on the command line, checks its header, reserves its own memory in the DTB
and enters the kernel at EL1 behind the host stage-2.

The test passes when the initramfs (tests/linux-host/rootfs/init) reports every check in CHECKS
ok, prints LINUX-HOST-DONE, and QEMU then exits 0 (the kernel powered off through PSCI, which
kcore forwards). It fails at once on a failed check, a kernel panic or a kcore PANIC. The console
is always printed. --direct boots the same kernel without kcore (QEMU's own boot at EL2, with
kvm-arm.mode=none) for the benchmark; only LINUX-HOST-DONE is required then. --bench ROUNDS has
the initramfs time ROUNDS gzip runs. --interactive gives the console to the terminal (Ctrl-a x
quits QEMU).
"""
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'lib'))
import qemurun  # noqa: E402

HOST_BASE = 0x40800000  # 2 MiB aligned, above kcore's image and pool
CHECKS = ['cpus-online', 'started-at-el1', 'no-kvm', 'kcore-node', 'kcore-reserved',
          'kcore-not-ram', 'devmem-device', 'kcore-memory-faults',
          # kserv and a protected guest from user space (kserv-run)
          'kserv-loaded', 'kserv-sysfs', 'kserv-device', 'kserv-vm-create',
          'kserv-tampered-image-refused', 'kserv-vm-destroy-unverified', 'kserv-image-verified',
          'kserv-shared-page-readable', 'kserv-unshared-page-faults', 'kserv-guest-done',
          'kserv-guest-memory-faults', 'kserv-teardown', 'kserv-no-mapping-outlives-page']


def qemu_cmd(a):
    cmd = [a.qemu, '-M', 'virt,virtualization=on,gic-version=3', '-cpu', 'cortex-a72',
           '-smp', str(a.smp), '-m', '1G', '-accel', 'tcg', '-display', 'none',
           '-monitor', 'none', '-no-reboot', '-initrd', a.initrd,
           '-serial', 'mon:stdio' if a.interactive else 'stdio']
    append = 'console=ttyAMA0 panic=-1 linuxhost.cpus=%d' % a.smp
    if a.bench:
        append += ' linuxhost.bench=%d' % a.bench
    if a.interactive:
        append += ' linuxhost.shell=1'
    if a.direct:
        cmd += ['-kernel', a.kernel, '-append', append + ' kvm-arm.mode=none']
    else:
        cmd += ['-kernel', a.kcore, '-append', append + ' kcore.host=0x%x' % HOST_BASE,
                '-device', 'loader,file=%s,addr=0x%x,force-raw=on' % (a.kernel, HOST_BASE)]
    return cmd


def main():
    ap = qemurun.arg_parser('LINUX_HOST_TIMEOUT', 240, qemu='qemu-system-aarch64',
                            description='Boot Linux as the host on kcore under QEMU.')
    ap.add_argument('--kernel', required=False)
    ap.add_argument('--initrd', required=False)
    ap.add_argument('--bench', type=int, default=0)
    ap.add_argument('--direct', action='store_true')
    ap.add_argument('--interactive', action='store_true')
    a = qemurun.parse_args(ap, 'linux-host')
    for what in ('kernel', 'initrd') + (() if a.direct else ('kcore',)):
        if not getattr(a, what) or not os.path.isfile(getattr(a, what)):
            ap.error('--%s FILE is required and must exist' % what)
    cmd = qemu_cmd(a)
    if a.interactive:
        print(' '.join(cmd), flush=True)
        return subprocess.call(cmd)

    seen, marks, start = set(), {}, time.monotonic()

    def judge(line):
        for mark in ('LINUX-HOST-UP', 'LINUX-HOST-DONE'):
            if line.startswith(mark):
                marks.setdefault(mark, time.monotonic() - start)
        if line.startswith('LINUX-HOST-CHECK ok '):
            seen.add(line.split()[2])
        elif line.startswith('LINUX-HOST-CHECK FAIL') and not a.direct:
            return line
        elif 'Kernel panic' in line or 'kcore: PANIC' in line:
            return line
        if line.startswith('LINUX-HOST-DONE'):
            missing = [] if a.direct else [c for c in CHECKS if c not in seen]
            return 'pass' if not missing else 'checks not reported ok: ' + ' '.join(missing)
        return None

    ok, why, console, rc, elapsed, _ = qemurun.run(cmd, a.timeout, judge)
    print('\n'.join(console))
    print('--- %s: QEMU exit %d after %.2f s' % (' '.join(cmd), rc, elapsed))
    for mark, t in sorted(marks.items(), key=lambda kv: kv[1]):
        print('linux-host: %s after %.2f s' % (mark, t))
    if ok:
        print('linux-host: PASS (%d checks ok)' % len(seen))
        return 0
    print('linux-host: FAIL: %s' % why)
    return 1


if __name__ == '__main__':
    sys.exit(main())
