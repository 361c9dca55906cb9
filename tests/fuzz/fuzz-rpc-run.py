#!/usr/bin/env python3
"""fuzz-rpc-run.py: the 'fuzz' suite's hostd-fuzz-rpc test. Builds tests/fuzz/fuzz-rpc.c and the
hostd sources it needs (all of hostd/*.c but main.c and server.c, which the target stands in for)
with clang, libFuzzer, ASan and UBSan, then fuzzes for a bounded time from the seed corpus.

hostd's own library is built by the project's compiler (gcc), whose objects libFuzzer cannot
instrument, hence this separate build. It fails if clang or libFuzzer is missing (naming the
Debian packages), if the build fails, or if the fuzzer finds an input that crashes hostd, trips a
sanitizer, leaks, or breaks one of the target's checks; the input is kept and the message says how
to replay it. Inputs that reached new code are kept in OUT/corpus between runs.

usage: fuzz-rpc-run.py --out DIR --hostd-src DIR --api-spec FILE --api-json FILE --unit-inc DIR
                       --target FILE --corpus DIR --dict FILE --version VERSION
environment: CLANG (default clang), FUZZ_RPC_SECONDS (default 60)
"""
import argparse
import glob
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import libfuzzer  # noqa: E402

NAME = "fuzz-rpc"
FLAGS = ["-std=gnu17", "-g", "-O1", "-fsanitize=fuzzer,address,undefined",
         "-fno-sanitize-recover=undefined", "-fno-omit-frame-pointer", "-D_GNU_SOURCE",
         "-Wall", "-Wextra", "-Wno-unused-parameter"]
STANDS_IN_FOR = ("main.c", "server.c")


def fail(msg):
    libfuzzer.fail(NAME, msg)


def pkg_flags(*what):
    p = subprocess.run(["pkg-config", *what, "json-c", "libevent"], capture_output=True, text=True)
    if p.returncode != 0:
        fail(f"pkg-config {' '.join(what)} json-c libevent failed: {p.stderr.strip()}")
    return p.stdout.split()


def build(clang, a, exe):
    srcs = sorted(s for s in glob.glob(os.path.join(a.hostd_src, "*.c"))
                  if os.path.basename(s) not in STANDS_IN_FOR)
    defs = [f'-DSEKVM_VERSION="{a.version}"', '-DSEKVM_GUEST_DIR="/nonexistent/guest"',
            f'-DHOSTD_API_JSON="{a.api_json}"']
    incs = [f"-I{a.hostd_src}", f"-I{a.unit_inc}"]
    cmd = ([clang] + FLAGS + defs + incs + pkg_flags("--cflags") + srcs + [a.api_spec, a.target]
           + ["-o", exe] + pkg_flags("--libs"))
    inputs = srcs + [a.api_spec, a.target] + glob.glob(os.path.join(a.hostd_src, "*.h")) + \
        glob.glob(os.path.join(a.unit_inc, "*.h"))
    libfuzzer.build(NAME, cmd, inputs, exe)


def replay_hint(exe):
    return lambda path: [f"  kept: {path}",
                         f"  replay it (printing hostd's replies): FUZZ_RPC_VERBOSE=1 {exe} {path}",
                         "  once fixed, keep it as a regression seed: copy it into tests/fuzz/corpus-rpc/"]


def main():
    ap = argparse.ArgumentParser()
    for opt in ("out", "hostd-src", "api-spec", "api-json", "unit-inc", "target", "corpus", "dict",
                "version"):
        ap.add_argument("--" + opt, required=True)
    a = ap.parse_args()
    seconds = int(os.environ.get("FUZZ_RPC_SECONDS", "60"))
    os.makedirs(a.out, exist_ok=True)
    clang = libfuzzer.find_clang(NAME)
    exe = os.path.join(a.out, "fuzz-rpc")
    build(clang, a, exe)
    corpus, artifacts = libfuzzer.fresh_dirs(a.out)
    env = dict(os.environ, TMPDIR=a.out,
               # A small quarantine keeps the process small: every vm.start forks it.
               ASAN_OPTIONS="quarantine_size_mb=16:malloc_context_size=10:detect_leaks=1",
               UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1")
    cmd = [exe, f"-max_total_time={seconds}", "-timeout=30", "-rss_limit_mb=2048",
           f"-dict={a.dict}", f"-artifact_prefix={artifacts}/", "-print_final_stats=1",
           corpus, a.corpus]
    print("fuzz-rpc: " + " ".join(cmd), flush=True)
    p = subprocess.run(cmd, env=env, capture_output=True, text=True, errors="replace")
    log = p.stdout + p.stderr
    if p.returncode != 0:
        libfuzzer.report_findings(NAME, "hostd or the target's checks", artifacts, log,
                                  r"^fuzz-rpc: |^hostd: bug|ERROR: |runtime error|SUMMARY",
                                  replay_hint(exe))
    stats = [l for l in log.splitlines() if l.startswith(("stat::number_of_executed_units",
                                                          "stat::peak_rss_mb", "Done "))]
    cov = [l for l in log.splitlines() if "cov:" in l][-1:]
    print("\n".join(stats + cov))
    print(f"fuzz-rpc: no finding in {seconds} s; corpus kept in {corpus}")


if __name__ == "__main__":
    main()
