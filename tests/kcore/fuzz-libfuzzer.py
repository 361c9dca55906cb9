#!/usr/bin/env python3
"""fuzz-libfuzzer.py: the 'fuzz' suite: builds the hypercall fuzz target (fuzz-hvc.c) with clang,
libFuzzer, ASan and UBSan, and runs it for a bounded time from the seed corpus in the tree.

It fails if clang or libFuzzer is missing (naming the Debian packages), if the build fails, or
if the fuzzer finds an input that crashes kcore, breaks an invariant or trips a sanitizer; the
input is then kept and the message says how to replay it and add it as a regression seed.
Inputs the fuzzer finds interesting are kept in OUT/corpus between runs (the build directory).

usage: fuzz-libfuzzer.py --out DIR --corpus DIR --header FILE --secret FILE
                         --inc DIR... --src FILE... [--obj FILE...]
environment: CLANG (default clang), KCORE_FUZZ_SECONDS (default 60)
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile

PACKAGES = "clang libclang-rt-14-dev"
FLAGS = ["-std=gnu11", "-g", "-O1", "-fsanitize=fuzzer,address,undefined",
         "-fno-sanitize-recover=undefined", "-fno-omit-frame-pointer", "-DKCORE_LIBFUZZER",
         "-D_GNU_SOURCE", "-Wall", "-Wextra", "-Wno-unused-parameter", "-Werror"]


def fail(msg):
    print(f"fuzz: {msg}", file=sys.stderr)
    sys.exit(1)


def find_clang():
    clang = os.environ.get("CLANG", "clang")
    path = shutil.which(clang)
    if path is None:
        fail(f"'{clang}' not found: the fuzz suite needs clang and libFuzzer; install the "
             f"Debian packages {PACKAGES} (packaging/install-deps --test installs them)")
    with tempfile.TemporaryDirectory() as tmp:
        probe = os.path.join(tmp, "probe.c")
        with open(probe, "w") as f:
            f.write("#include <stddef.h>\n#include <stdint.h>\n"
                    "int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) "
                    "{ (void)d; (void)n; return 0; }\n")
        p = subprocess.run([path, "-fsanitize=fuzzer,address,undefined", probe, "-o",
                            os.path.join(tmp, "probe")], capture_output=True, text=True)
        if p.returncode != 0:
            fail(f"{path} cannot link -fsanitize=fuzzer (libFuzzer's runtime is missing): "
                 f"install the Debian packages {PACKAGES}\n{p.stderr.strip()}")
    return path


def build(clang, args, exe):
    """Compile when the command or an input changed since the last build."""
    defs = [f'-DKC_TEST_SECRET_KEY="{args.secret}"']
    incs = [f"-I{d}" for d in args.inc + [os.path.dirname(os.path.abspath(args.header))]]
    cmd = [clang] + FLAGS + defs + incs + args.src + args.obj + ["-o", exe]
    stamp = exe + ".cmd"
    inputs = args.src + args.obj + [args.header]
    fresh = (os.path.exists(exe) and os.path.exists(stamp) and open(stamp).read() == repr(cmd)
             and all(os.path.getmtime(i) <= os.path.getmtime(exe) for i in inputs))
    if fresh:
        return
    print("fuzz: building " + exe, flush=True)
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        fail(f"clang could not build the fuzz target:\n{' '.join(cmd)}\n{p.stderr}")
    with open(stamp, "w") as f:
        f.write(repr(cmd))


def report_crash(exe, artifacts, corpus, log):
    found = sorted(os.listdir(artifacts)) if os.path.isdir(artifacts) else []
    print(log[-6000:], file=sys.stderr)
    if not found:
        fail("the fuzzer failed without leaving an input (see its output above)")
    why = [l for l in log.splitlines()
           if re.search(r"breached|panic|^model:|ERROR: |runtime error|check failed", l)][:5]
    lines = [f"the fuzzer found {len(found)} input(s) that break kcore or the harness:"]
    lines += ["  " + l for l in why]
    for name in found:
        path = os.path.join(artifacts, name)
        lines += [f"  {path}",
                  f"    replay: {exe} {path}   (or with the gcc build: kcore/kcore-fuzz-hvc -v {path})",
                  f"    after the fix, keep it as a regression seed: "
                  f"cp {path} {corpus}/regress-<what-it-found>"]
    fail("\n".join(lines))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--header", required=True)
    ap.add_argument("--secret", required=True)
    ap.add_argument("--inc", nargs="+", default=[])
    ap.add_argument("--src", nargs="+", default=[])
    ap.add_argument("--obj", nargs="*", default=[])
    args = ap.parse_args()
    args.corpus = os.path.normpath(args.corpus)
    seconds = int(os.environ.get("KCORE_FUZZ_SECONDS", "60"))

    clang = find_clang()
    os.makedirs(args.out, exist_ok=True)
    exe = os.path.join(args.out, "kcore-fuzz-hvc-libfuzzer")
    build(clang, args, exe)

    work = os.path.join(args.out, "corpus")
    artifacts = os.path.join(args.out, "artifacts")
    shutil.rmtree(artifacts, ignore_errors=True)
    os.makedirs(work, exist_ok=True)
    os.makedirs(artifacts)
    cmd = [exe, f"-max_total_time={seconds}", "-timeout=10", "-rss_limit_mb=2048",
           "-max_len=4096", "-print_final_stats=1", f"-artifact_prefix={artifacts}/", work,
           args.corpus]
    print("fuzz: " + " ".join(cmd), flush=True)
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                       env=dict(os.environ, ASAN_OPTIONS="abort_on_error=0:detect_leaks=1"))
    if p.returncode != 0:
        report_crash(exe, artifacts, args.corpus, p.stdout)
    stats = dict(re.findall(r"^stat::(\w+):\s+(\d+)", p.stdout, re.M))
    cov = re.findall(r"cov: (\d+) ft: (\d+) corp: (\d+)", p.stdout)
    print(f"fuzz: no crash in {stats.get('number_of_executed_units', '?')} inputs "
          f"({stats.get('average_exec_per_sec', '?')}/s, {seconds} s); "
          f"coverage {cov[-1][0] if cov else '?'} edges, {cov[-1][1] if cov else '?'} features, "
          f"corpus {len(os.listdir(work))} kept in {work}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
