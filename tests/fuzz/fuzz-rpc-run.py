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
import re
import shutil
import subprocess
import sys
import tempfile

PACKAGES = "clang libclang-rt-14-dev"
FLAGS = ["-std=gnu17", "-g", "-O1", "-fsanitize=fuzzer,address,undefined",
         "-fno-sanitize-recover=undefined", "-fno-omit-frame-pointer", "-D_GNU_SOURCE",
         "-Wall", "-Wextra", "-Wno-unused-parameter"]
STANDS_IN_FOR = ("main.c", "server.c")


def fail(msg):
    print(f"fuzz-rpc: {msg}", file=sys.stderr)
    sys.exit(1)


def find_clang():
    clang = os.environ.get("CLANG", "clang")
    path = shutil.which(clang)
    if path is None:
        fail(f"'{clang}' not found: the fuzz suite needs clang and libFuzzer; install the Debian "
             f"packages {PACKAGES} (packaging/install-deps --test installs them)")
    with tempfile.TemporaryDirectory() as tmp:
        probe = os.path.join(tmp, "probe.c")
        with open(probe, "w") as f:
            f.write("#include <stddef.h>\n#include <stdint.h>\n"
                    "int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) "
                    "{ (void)d; (void)n; return 0; }\n")
        p = subprocess.run([path, "-fsanitize=fuzzer,address,undefined", probe, "-o",
                            os.path.join(tmp, "probe")], capture_output=True, text=True)
        if p.returncode != 0:
            fail(f"{path} cannot link -fsanitize=fuzzer (libFuzzer's runtime is missing): install "
                 f"the Debian packages {PACKAGES}\n{p.stderr.strip()}")
    return path


def pkg_flags(*what):
    p = subprocess.run(["pkg-config", *what, "json-c", "libevent"], capture_output=True, text=True)
    if p.returncode != 0:
        fail(f"pkg-config {' '.join(what)} json-c libevent failed: {p.stderr.strip()}")
    return p.stdout.split()


def build(clang, a, exe):
    """Compile when the command or an input changed since the last build."""
    srcs = sorted(s for s in glob.glob(os.path.join(a.hostd_src, "*.c"))
                  if os.path.basename(s) not in STANDS_IN_FOR)
    defs = [f'-DSEKVM_VERSION="{a.version}"', '-DSEKVM_GUEST_DIR="/nonexistent/guest"',
            f'-DHOSTD_API_JSON="{a.api_json}"']
    incs = [f"-I{a.hostd_src}", f"-I{a.unit_inc}"]
    cmd = ([clang] + FLAGS + defs + incs + pkg_flags("--cflags") + srcs + [a.api_spec, a.target]
           + ["-o", exe] + pkg_flags("--libs"))
    inputs = srcs + [a.api_spec, a.target] + glob.glob(os.path.join(a.hostd_src, "*.h")) + \
        glob.glob(os.path.join(a.unit_inc, "*.h"))
    stamp = exe + ".cmd"
    fresh = (os.path.exists(exe) and os.path.exists(stamp) and open(stamp).read() == repr(cmd)
             and all(os.path.getmtime(i) <= os.path.getmtime(exe) for i in inputs))
    if fresh:
        return
    print(f"fuzz-rpc: building {exe} with {clang}", flush=True)
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        fail(f"clang could not build the fuzz target:\n{' '.join(cmd)}\n{p.stderr}")
    with open(stamp, "w") as f:
        f.write(repr(cmd))


def report_crash(exe, artifacts, log):
    found = sorted(os.listdir(artifacts)) if os.path.isdir(artifacts) else []
    print(log[-8000:], file=sys.stderr)
    if not found:
        fail("the fuzzer failed without leaving an input (see its output above)")
    why = [l for l in log.splitlines()
           if re.search(r"^fuzz-rpc: |^hostd: bug|ERROR: |runtime error|SUMMARY", l)][:6]
    lines = [f"the fuzzer found {len(found)} input(s) that break hostd or the target's checks:"]
    lines += ["  " + l for l in why]
    lines += [f"  kept: {os.path.join(artifacts, f)}" for f in found]
    lines += ["replay one (printing hostd's replies):",
              f"  FUZZ_RPC_VERBOSE=1 {exe} {os.path.join(artifacts, found[0])}",
              "once fixed, keep it as a regression seed: copy it into tests/fuzz/corpus-rpc/"]
    fail("\n".join(lines))


def main():
    ap = argparse.ArgumentParser()
    for opt in ("out", "hostd-src", "api-spec", "api-json", "unit-inc", "target", "corpus", "dict",
                "version"):
        ap.add_argument("--" + opt, required=True)
    a = ap.parse_args()
    seconds = int(os.environ.get("FUZZ_RPC_SECONDS", "60"))
    os.makedirs(a.out, exist_ok=True)
    clang = find_clang()
    exe = os.path.join(a.out, "fuzz-rpc")
    build(clang, a, exe)

    corpus = os.path.join(a.out, "corpus")
    artifacts = os.path.join(a.out, "artifacts")
    os.makedirs(corpus, exist_ok=True)
    shutil.rmtree(artifacts, ignore_errors=True)
    os.makedirs(artifacts)
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
        report_crash(exe, artifacts, log)
    stats = [l for l in log.splitlines() if l.startswith(("stat::number_of_executed_units",
                                                          "stat::peak_rss_mb", "Done "))]
    cov = [l for l in log.splitlines() if "cov:" in l][-1:]
    print("\n".join(stats + cov))
    print(f"fuzz-rpc: no finding in {seconds} s; corpus kept in {corpus}")


if __name__ == "__main__":
    main()
