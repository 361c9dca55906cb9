#!/usr/bin/env python3
"""Debian's arm64 kernel as the host on kcore, against the same kernel without kcore.

usage: linux-host-bench.py RUN-HOST [run-host.py arguments...] [--runs N] [--rounds R]

Boots the linux-host initramfs N times (default 3) on kcore and N times directly (QEMU's own
boot at EL2 with kvm-arm.mode=none; same QEMU, machine, CPUs and memory), each timing R gzip -9
runs of busybox inside the host (default 20). Prints the medians of the time from QEMU's start
to the LINUX-HOST-UP line and of the CPU-bound task, and the kcore/direct ratios. Wall-clock
figures under TCG on a shared machine: compare them within one run of this command. Never gates.
"""
import re
import statistics
import subprocess
import sys


def one(cmd):
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    up = re.search(r'linux-host: LINUX-HOST-UP after ([\d.]+) s', proc.stdout)
    task = re.search(r'LINUX-HOST-BENCH cpu-task-ms (\d+)', proc.stdout)
    if proc.returncode != 0 or not up or not task:
        print(proc.stdout[-4000:])
        sys.exit('linux-host-bench: a run failed: ' + ' '.join(cmd))
    return float(up.group(1)), int(task.group(1)) / 1000.0


def main():
    args, runs, rounds = sys.argv[1:], 3, 20
    for opt in ('--runs', '--rounds'):
        if opt in args:
            i = args.index(opt)
            val = int(args[i + 1])
            runs, rounds = (val, rounds) if opt == '--runs' else (runs, val)
            del args[i:i + 2]
    base = [sys.executable] + args + ['--bench', str(rounds)]
    res = {'kcore': [], 'direct': []}
    for i in range(runs):  # interleaved, so drift in the machine's load hits both alike
        res['kcore'].append(one(base))
        res['direct'].append(one(base + ['--direct']))
    med = {k: (statistics.median(u for u, _ in v), statistics.median(t for _, t in v))
           for k, v in res.items()}
    print('Linux host boot and a CPU-bound task, %d runs each, medians (QEMU TCG, -smp 4, 1 GiB)'
          % runs)
    print('%-8s %14s %22s' % ('', 'boot to UP (s)', 'gzip -9 x%d (s)' % rounds))
    for k in ('direct', 'kcore'):
        print('%-8s %14.2f %22.2f' % (k, med[k][0], med[k][1]))
    print('%-8s %14.3f %22.3f' % ('ratio', med['kcore'][0] / med['direct'][0],
                                  med['kcore'][1] / med['direct'][1]))
    return 0


if __name__ == '__main__':
    sys.exit(main())
