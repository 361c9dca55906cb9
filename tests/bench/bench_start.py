#!/usr/bin/env python3
"""Benchmark: start latency. `vmctl start` until the guest's marker line on the console, against
launching the same QEMU command line directly (serial on a pipe). Prints medians and the ratio.

usage: bench_start.py HOSTD VMCTL GUEST_DIR [RUNS]
"""
import os
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
import harness  # noqa: E402

MARKER = b"SEKVM-GUEST-UP"


def read_to_marker(pipe, what):
    buf = b""
    while MARKER not in buf:
        chunk = os.read(pipe.fileno(), 65536)
        if not chunk:
            raise RuntimeError(f"{what} ended before the marker")
        buf += chunk


def direct(qemu_argv):
    """The same machine, launched by hand with the serial port on stdout."""
    t0 = time.monotonic()
    p = subprocess.Popen(qemu_argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
    read_to_marker(p.stdout, "QEMU")
    elapsed = time.monotonic() - t0
    p.kill()
    p.wait()
    return elapsed


def via_vmctl(vmctl, sock):
    env = dict(os.environ, SEKVM_SOCKET=sock)
    t0 = time.monotonic()
    subprocess.run([vmctl, "start", "b"], env=env, check=True, stdout=subprocess.DEVNULL)
    con = subprocess.Popen([vmctl, "console", "b", "--read-only"], env=env, stdout=subprocess.PIPE)
    read_to_marker(con.stdout, "the console")
    elapsed = time.monotonic() - t0
    con.kill()
    con.wait()
    subprocess.run([vmctl, "stop", "b"], env=env, check=True, stdout=subprocess.DEVNULL)
    return elapsed


def main():
    hostd_bin, vmctl, guest = sys.argv[1:4]
    runs = int(sys.argv[4]) if len(sys.argv) > 4 else 5
    harness.HOSTD, harness.GUEST_DIR = hostd_bin, guest
    h = harness.Hostd().start("--accel", "tcg")
    try:
        vm = h.call("vm.create", {"name": "b"})
        argv = ["qemu-system-x86_64", "-machine", "pc", "-accel", "tcg", "-m", str(vm["memory_mib"]),
                "-smp", "1", "-nodefaults", "-no-user-config", "-display", "none", "-serial", "stdio",
                "-kernel", vm["kernel"], "-initrd", vm["initrd"], "-append", vm["cmdline"]]
        a = [via_vmctl(vmctl, h.sock) for _ in range(runs)]
        b = [direct(argv) for _ in range(runs)]
    finally:
        h.cleanup()
    ma, mb = statistics.median(a), statistics.median(b)
    print(f"start → guest marker, TCG, {runs} runs each (median, min-max):")
    print(f"  vmctl start via hostd : {ma:.3f} s ({min(a):.3f}-{max(a):.3f})")
    print(f"  QEMU launched directly: {mb:.3f} s ({min(b):.3f}-{max(b):.3f})")
    print(f"  ratio hostd/direct    : {ma / mb:.3f}")


if __name__ == "__main__":
    main()
