"""Run QEMU with its serial console on stdout and judge it line by line, with a deadline.

Used by tests/el2/run-el2.py and tests/linux-host/run-host.py. No sleeps: it waits on the
console pipe. `judge(line)` returns None to go on, 'pass' once the run has what it needs (QEMU
must still exit 0 by itself), or a failure reason to stop at once.
"""
import argparse
import os
import select
import subprocess
import sys
import time


def missing(what, packages):
    """The suite cannot run here: say which Debian packages would make it run; exit status 1."""
    print('%s: cannot build or run: install the Debian packages: %s' % (what, ' '.join(packages)))
    print('(arm64 ones need: dpkg --add-architecture arm64 && apt-get update)')
    return 1


def arg_parser(timeout_env, timeout_default, qemu=None, **kwargs):
    """An ArgumentParser with the options every runner takes: --missing PACKAGE... (what meson
    passes when the suite cannot be built here; see parse_args), --qemu, --kcore, --smp N and
    --timeout S, whose default is the environment variable timeout_env or timeout_default."""
    ap = argparse.ArgumentParser(**kwargs)
    ap.add_argument('--missing', nargs='+', help=argparse.SUPPRESS)
    ap.add_argument('--qemu', default=qemu)
    ap.add_argument('--kcore')
    ap.add_argument('--smp', type=int, default=4)
    ap.add_argument('--timeout', type=float,
                    default=float(os.environ.get(timeout_env, timeout_default)))
    return ap


def parse_args(ap, what):
    """ap's arguments; with --missing, missing()'s message and exit status 1 instead."""
    a = ap.parse_args()
    if a.missing:
        sys.exit(missing(what, a.missing))
    return a


def run(cmd, timeout, judge):
    """Returns (ok, why, console lines, QEMU exit status, seconds, seconds to first 'pass')."""
    start = time.monotonic()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            stdin=subprocess.DEVNULL)
    console, buf = [], b''
    verdict, why, passed_at = None, None, None
    deadline = start + timeout
    while why is None:
        left = deadline - time.monotonic()
        if left <= 0:
            why = 'no result within %.0f s' % timeout
            break
        ready, _, _ = select.select([proc.stdout], [], [], left)
        if not ready:
            continue
        chunk = os.read(proc.stdout.fileno(), 65536)
        if not chunk:
            break  # QEMU exited
        buf += chunk
        while b'\n' in buf and why is None:
            line, buf = buf.split(b'\n', 1)
            line = line.decode('utf-8', 'replace').rstrip('\r')
            console.append(line)
            v = judge(line)
            if v == 'pass':
                verdict = v
                passed_at = passed_at or time.monotonic() - start
            elif v is not None:
                why = v
    if buf:
        console.append(buf.decode('utf-8', 'replace'))
    if proc.poll() is None:
        proc.kill()
    rc = proc.wait()
    elapsed = time.monotonic() - start
    if why is None and verdict != 'pass':
        why = 'QEMU exited (%d) before the run passed' % rc
    elif why is None and rc != 0:
        why = 'QEMU exited with status %d' % rc
    return why is None, why, console, rc, elapsed, passed_at
