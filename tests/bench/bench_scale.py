#!/usr/bin/env python3
"""Benchmark: hostd at scale. Its resident memory (VmRSS) idle, with 1,000 defined VMs, and with 50
of them running; and how long a hostd started after `kill -9` of the last one takes to take over 50
running VMs. Prints a table; never gates.

The VMs are the bundled default guest under TCG with 96 MiB, the smallest it boots with (with 64
MiB its kernel prints nothing), booted to its marker line before anything is measured: 50 idle
guests take about 12 GiB of the machine's 24 and little CPU once booted. Re-adoption is measured
twice: until vm.list answers with all 50 running (hostd reports adopted VMs as running at once,
before QEMU has answered), and until hostd has logged that it re-adopted each one (its QMP
query-status answered), which is when the VM takes requests again.

usage: bench_scale.py HOSTD GUEST_DIR [RUNNING] [DEFINED] [RESTARTS]
"""
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
import harness  # noqa: E402

MEMORY_MIB = 96
BOOT_DEADLINE_S = 900
ADOPT_DEADLINE_S = 120
POLL_S = 0.005  # polling interval of the timed waits, each bounded by a deadline


def rss_mib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for pid {pid}")


def wait_booted(vms, deadline_s=BOOT_DEADLINE_S):
    """Until every guest printed its marker (read from the console logs QEMU writes)."""
    deadline = time.monotonic() + deadline_s
    left = {vm["name"]: vm["console_log"] for vm in vms}
    while left:
        for name, log in list(left.items()):
            try:
                with open(log, "rb") as f:
                    if harness.MARKER in f.read():
                        del left[name]
            except FileNotFoundError:
                pass
        if left and time.monotonic() > deadline:
            raise TimeoutError(f"{len(left)} guests did not boot within {deadline_s} s")
        if left:
            time.sleep(0.5)  # polling the console logs, bounded by the deadline


def restart_after_kill9(root, n_running):
    """kill -9 the hostd of root, start another, time the take-over. Returns (hostd, s_list, s_log)."""
    log_path = os.path.join(root, "hostd.log")
    before = os.path.getsize(log_path)
    h = harness.Hostd(root=root)
    # As Hostd.start, but polling the socket every POLL_S instead of every 20 ms.
    h.log = open(log_path, "ab")
    t0 = time.monotonic()
    h.proc = subprocess.Popen([harness.HOSTD, "--state-dir", h.state, "--runtime-dir", h.run,
                               "--socket", h.sock, "--guest-dir", harness.GUEST_DIR, "--accel", "tcg"],
                              stdout=h.log, stderr=h.log, stdin=subprocess.DEVNULL)
    deadline = t0 + ADOPT_DEADLINE_S
    while True:
        try:
            c = h.client()
            break
        except OSError:
            if h.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"hostd did not come back (exit status {h.proc.returncode})")
            time.sleep(POLL_S)
    t_list = t_log = None
    while t_list is None or t_log is None:
        now = time.monotonic()
        if now > deadline:
            raise TimeoutError(f"the {n_running} VMs were not taken over within {ADOPT_DEADLINE_S} s")
        if t_list is None:
            running = sum(vm["state"] == "running" for vm in c.call("vm.list")["vms"])
            if running == n_running:
                t_list = time.monotonic() - t0
        if t_log is None:
            with open(log_path, "rb") as f:
                f.seek(before)
                adopted = len(re.findall(rb"re-adopted QEMU pid", f.read()))
            if adopted == n_running:
                t_log = time.monotonic() - t0
        time.sleep(POLL_S)
    return h, t_list, t_log


def main():
    hostd_bin, guest = sys.argv[1:3]
    n_running = int(sys.argv[3]) if len(sys.argv) > 3 else 50
    n_defined = int(sys.argv[4]) if len(sys.argv) > 4 else 1000
    restarts = int(sys.argv[5]) if len(sys.argv) > 5 else 3
    harness.HOSTD, harness.GUEST_DIR = hostd_bin, guest
    root = tempfile.mkdtemp(prefix="sekvm-bench-scale-")
    rows, h = [], harness.Hostd(root=root).start("--accel", "tcg")
    try:
        c = h.client()
        rows.append(("idle, no VM", rss_mib(h.proc.pid)))
        t0 = time.monotonic()
        vms = [c.call("vm.create", {"name": f"vm-{i:04d}", "memory_mib": MEMORY_MIB}) for i in range(n_defined)]
        t_define = time.monotonic() - t0
        rows.append((f"{n_defined} defined, none running", rss_mib(h.proc.pid)))
        t0 = time.monotonic()
        for vm in vms[:n_running]:
            c.call("vm.start", {"vm": vm["name"]})
        t_start = time.monotonic() - t0
        wait_booted(vms[:n_running])
        t_boot = time.monotonic() - t0
        rows.append((f"{n_defined} defined, {n_running} running", rss_mib(h.proc.pid)))
        qemu_rss = sum(rss_mib(vm["pid"]) for vm in c.call("vm.list")["vms"] if "pid" in vm)
        timings = []
        for _ in range(restarts):
            for client in h.clients:
                client.close()
            h.proc.send_signal(signal.SIGKILL)
            h.proc.wait()
            h.log.close()
            h, t_list, t_log = restart_after_kill9(root, n_running)
            timings.append((t_list, t_log))
        rows.append((f"{n_defined} defined, {n_running} re-adopted after kill -9", rss_mib(h.proc.pid)))
    finally:
        h.cleanup(remove=False)
        shutil.rmtree(root, ignore_errors=True)

    def ms(values):
        return (f"{statistics.median(values) * 1000:8.1f} ms "
                f"({min(values) * 1000:.1f}-{max(values) * 1000:.1f})")

    print(f"hostd at scale: {os.path.basename(hostd_bin)} ({hostd_bin}), TCG guests of {MEMORY_MIB} MiB")
    print(f"  defining {n_defined} VMs: {t_define:.2f} s; starting {n_running}: {t_start:.2f} s "
          f"(replies), {t_boot:.1f} s until every guest booted; their QEMUs: {qemu_rss / 1024:.1f} GiB RSS")
    print()
    print(f"  {'hostd state':<46} {'VmRSS':>10}")
    for what, mib in rows:
        print(f"  {what:<46} {mib:7.1f} MiB")
    print()
    print(f"  kill -9, start hostd, {n_running} running VMs ({restarts} runs: median (min-max))")
    print(f"  {'until vm.list shows all running':<46} {ms([t for t, _ in timings])}")
    print(f"  {'until all re-adopted (QMP status known, log)':<46} {ms([t for _, t in timings])}")


if __name__ == "__main__":
    main()
