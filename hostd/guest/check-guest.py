#!/usr/bin/env python3
"""Boots the default guest as hostd does and checks marker, console shell, powerdown and reboot."""

import argparse
import json
import os
import platform
import re
import selectors
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time

MARKER = re.compile(rb"SEKVM-GUEST-UP kernel=(\S+) arch=(\S+)\r?\n")
SHELL_BANNER = b"built-in shell (ash)"
DEADLINE = 60.0  # seconds per wait; TCG boots take 2-7 s, so this only catches hangs


class CheckFailed(Exception):
    pass


def qemu_argv(args, rundir):
    """The command line hostd uses for the default guest."""
    guest = args.guest
    if args.arch == "amd64":
        head = ["qemu-system-x86_64", "-M", args.machine or "pc"]
    else:
        # virt's default CPU is 32-bit; pauth-impdef keeps TCG's pointer authentication cheap.
        head = ["qemu-system-aarch64", "-M", args.machine or "virt", "-cpu", "max,pauth-impdef=on"]
    return head + [
        "-accel", "tcg", "-nodefaults", "-no-user-config", "-display", "none",
        "-m", "256", "-smp", "1",
        "-kernel", os.path.join(guest, "kernel"),
        "-initrd", os.path.join(guest, "initramfs.cpio.gz"),
        "-append", args.append,
        "-chardev", f"socket,id=ser0,path={rundir}/SER.sock,server=on,wait=off",
        "-serial", "chardev:ser0",
        "-qmp", f"unix:{rundir}/QMP.sock,server=on,wait=off",
        "-no-shutdown", "-S",
    ]


class Guest:
    """One QEMU process with its serial and QMP sockets, read through one selector."""

    def __init__(self, argv, rundir, log):
        self.log = log
        self.t0 = time.monotonic()
        self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stderr=subprocess.PIPE)
        self.serial = self._connect(f"{rundir}/SER.sock")
        self.qmp = self._connect(f"{rundir}/QMP.sock")
        self.sel = selectors.DefaultSelector()
        self.sel.register(self.serial, selectors.EVENT_READ, "serial")
        self.sel.register(self.qmp, selectors.EVENT_READ, "qmp")
        self.out = b""  # all serial output so far
        self.qmp_buf = b""
        self.greeting = None
        self.events = []  # (monotonic time, event)
        self.replies = {}
        self.next_id = 0
        self.wait_for(lambda: self.greeting, "the QMP greeting")
        self.command("qmp_capabilities")

    def _connect(self, path):
        # QEMU creates its listening sockets while starting; the wait ends when they exist.
        deadline = time.monotonic() + DEADLINE
        while True:
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                s.connect(path)
                s.setblocking(False)
                return s
            except (FileNotFoundError, ConnectionRefusedError):
                s.close()
            if time.monotonic() > deadline:
                raise CheckFailed(f"QEMU did not create {path}")
            try:
                self.proc.wait(0.005)
                raise CheckFailed(f"QEMU exited: {self.proc.stderr.read().decode().strip()}")
            except subprocess.TimeoutExpired:
                pass

    def pump(self, timeout):
        for key, _ in self.sel.select(timeout):
            data = key.fileobj.recv(65536)
            if not data:
                self.sel.unregister(key.fileobj)
            elif key.data == "serial":
                self.out += data
                self.log.write(data)
                self.log.flush()
            else:
                self._qmp_input(data)

    def _qmp_input(self, data):
        self.qmp_buf += data
        while b"\n" in self.qmp_buf:
            line, self.qmp_buf = self.qmp_buf.split(b"\n", 1)
            msg = json.loads(line)
            if "event" in msg:
                self.events.append((time.monotonic(), msg))
            elif "QMP" in msg:
                self.greeting = msg
            else:
                self.replies[msg.get("id")] = msg

    def wait_for(self, cond, what):
        """Read both sockets until cond() holds; returns the time it first held."""
        end = time.monotonic() + DEADLINE
        while not cond():
            left = end - time.monotonic()
            if left <= 0:
                raise CheckFailed(f"timed out after {DEADLINE:.0f} s waiting for {what}")
            if not self.sel.get_map():
                raise CheckFailed(f"QEMU closed its sockets while we waited for {what}")
            self.pump(left)
        return time.monotonic()

    def command(self, name, **arguments):
        self.next_id += 1
        cid = self.next_id
        msg = {"execute": name, "id": cid}
        if arguments:
            msg["arguments"] = arguments
        self.qmp.sendall(json.dumps(msg).encode() + b"\n")
        self.wait_for(lambda: cid in self.replies, f"the reply to {name}")
        reply = self.replies.pop(cid)
        if "error" in reply:
            raise CheckFailed(f"{name}: {reply['error']}")
        return reply["return"]

    def type(self, text):
        self.serial.sendall(text.encode())

    def markers(self, since=0):
        return list(MARKER.finditer(self.out, since))

    def wait_event(self, name, since_index, what):
        def find():
            return next((te for te in self.events[since_index:] if te[1]["event"] == name), None)
        self.wait_for(find, what)
        return find()

    def quit(self):
        self.command("quit")
        self.proc.wait(DEADLINE)
        err = self.proc.stderr.read().decode().strip()
        if err:
            print(f"  QEMU stderr: {err}")

    def close(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        for s in (self.serial, self.qmp):
            s.close()
        self.log.close()


def boot(args, rundir, logname):
    log = open(os.path.join(args.logdir, logname), "wb")
    g = Guest(qemu_argv(args, rundir), rundir, log)
    g.command("cont")
    t = g.wait_for(g.markers, "the SEKVM-GUEST-UP marker")
    return g, t - g.t0


def check_typed(g, line, expect):
    """Type a line into the console; returns the seconds until the regex expect shows up."""
    start = len(g.out)
    t0 = time.monotonic()
    g.type(line + "\n")
    pattern = re.compile(expect)
    t = g.wait_for(lambda: pattern.search(g.out, start), f"{expect!r} after typing {line!r}")
    return t - t0


def check_event(g, action, name):
    """Run action(); returns (seconds until the QMP event name, its data, its time).

    The event must say the guest caused it."""
    n = len(g.events)
    t0 = time.monotonic()
    action()
    t, ev = g.wait_event(name, n, f"the {name} event")
    if ev.get("data", {}).get("guest") is not True:
        raise CheckFailed(f"{name} was not caused by the guest: {ev}")
    return t - t0, ev["data"], t


def check_stays_alive(g):
    status = g.command("query-status")["status"]
    if status != "shutdown":
        raise CheckFailed(f"with -no-shutdown QEMU should wait in state shutdown, not {status}")


def run_series(args, rundir):
    times = []
    for i in range(args.runs):
        g, t_marker = boot(args, rundir, f"run{i + 1}.log")
        try:
            m = g.markers()
            if len(m) != 1:
                raise CheckFailed(f"expected one marker line, saw {len(m)}")
            t_echo = check_typed(g, "echo hello-$((6*7))", rb"hello-42")
            t_off, data, _ = check_event(g, lambda: g.command("system_powerdown"), "SHUTDOWN")
            check_stays_alive(g)
            marker = m[0].group(0).decode().strip()
            print(f"run {i + 1}: launch->marker {t_marker:.2f} s [{marker}]; "
                  f"echo->hello-42 {t_echo:.2f} s; system_powerdown->SHUTDOWN {t_off:.2f} s "
                  f"(guest=true, reason={data.get('reason')})", flush=True)
            times.append(t_marker)
            g.quit()
        finally:
            g.close()
    return times


def run_console_and_reboot(args, rundir):
    tty = "ttyS0" if args.arch == "amd64" else "ttyAMA0"
    g, _ = boot(args, rundir, "reboot.log")
    try:
        check_typed(g, "tty", rb"/dev/" + tty.encode() + rb"\r?\n")
        print(f"console: the shell's controlling tty is /dev/{tty}")
        banners = g.out.count(SHELL_BANNER)
        g.type("exit\n")
        g.wait_for(lambda: g.out.count(SHELL_BANNER) > banners, "a new shell after exit")
        check_typed(g, "echo again-$((6*7))", rb"again-42")
        print("console: exit -> a new shell is respawned and answers")
        start = len(g.out)
        t_reset, data, at_reset = check_event(g, lambda: g.type("reboot\n"), "RESET")
        t_again = g.wait_for(lambda: g.markers(start), "the marker after reboot") - at_reset
        print(f"reboot: typed reboot->RESET {t_reset:.2f} s "
              f"(guest=true, reason={data.get('reason')}); RESET->marker {t_again:.2f} s",
              flush=True)
        check_typed(g, "echo hello-$((6*7))", rb"hello-42")
        t_off, data, _ = check_event(g, lambda: g.type("poweroff\n"), "SHUTDOWN")
        check_stays_alive(g)
        print(f"poweroff: typed poweroff->SHUTDOWN {t_off:.2f} s "
              f"(guest=true, reason={data.get('reason')})")
        g.quit()
    finally:
        g.close()


def main():
    host = {"x86_64": "amd64", "aarch64": "arm64"}.get(platform.machine(), platform.machine())
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("guest", help="directory holding kernel and initramfs.cpio.gz")
    p.add_argument("--arch", default=host, choices=["amd64", "arm64"])
    p.add_argument("--append", help="kernel command line (default: console=<tty> panic=-1)")
    p.add_argument("--machine", help="QEMU -M value (default: pc, or virt on arm64)")
    p.add_argument("--runs", type=int, default=5, help="boots in the timing series (default 5)")
    p.add_argument("--logdir", help="keep the serial logs here")
    p.add_argument("--no-reboot-check", action="store_true",
                   help="only the timing series, not the console, reboot and poweroff checks")
    args = p.parse_args()
    tty = "ttyS0" if args.arch == "amd64" else "ttyAMA0"
    args.append = args.append or f"console={tty} panic=-1"
    rundir = tempfile.mkdtemp(prefix="sekvm-guest-check.")
    args.logdir = args.logdir or rundir
    os.makedirs(args.logdir, exist_ok=True)
    argv = qemu_argv(args, "RUNDIR")
    print("command:", " ".join(f"'{a}'" if " " in a else a for a in argv), flush=True)
    try:
        times = run_series(args, rundir)
        if times:
            print(f"launch->marker over {len(times)} runs: median {statistics.median(times):.2f} s "
                  f"(min {min(times):.2f}, max {max(times):.2f})")
        if not args.no_reboot_check:
            run_console_and_reboot(args, rundir)
    except CheckFailed as e:
        print(f"FAIL: {e} (serial logs in {args.logdir})", file=sys.stderr)
        return 1
    finally:
        if args.logdir != rundir:
            shutil.rmtree(rundir, ignore_errors=True)
    print("PASS")
    return 0


if __name__ == "__main__":
    sys.exit(main())
