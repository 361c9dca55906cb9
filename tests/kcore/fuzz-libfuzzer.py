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
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import libfuzzer  # noqa: E402

NAME = "fuzz"
FLAGS = ["-std=gnu11", "-g", "-O1", "-fsanitize=fuzzer,address,undefined",
         "-fno-sanitize-recover=undefined", "-fno-omit-frame-pointer", "-DKCORE_LIBFUZZER",
         "-D_GNU_SOURCE", "-Wall", "-Wextra", "-Wno-unused-parameter", "-Werror"]


def build(clang, args, exe):
    defs = [f'-DKC_TEST_SECRET_KEY="{args.secret}"']
    incs = [f"-I{d}" for d in args.inc + [os.path.dirname(os.path.abspath(args.header))]]
    cmd = [clang] + FLAGS + defs + incs + args.src + args.obj + ["-o", exe]
    libfuzzer.build(NAME, cmd, args.src + args.obj + [args.header], exe)


def replay_hint(exe, corpus):
    return lambda path: [
        f"  {path}",
        f"    replay: {exe} {path}   (or with the gcc build: kcore/kcore-fuzz-hvc -v {path})",
        f"    after the fix, keep it as a regression seed: cp {path} {corpus}/regress-<what-it-found>"]


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

    clang = libfuzzer.find_clang(NAME)
    os.makedirs(args.out, exist_ok=True)
    exe = os.path.join(args.out, "kcore-fuzz-hvc-libfuzzer")
    build(clang, args, exe)
    work, artifacts = libfuzzer.fresh_dirs(args.out)
    cmd = [exe, f"-max_total_time={seconds}", "-timeout=10", "-rss_limit_mb=2048",
           "-max_len=4096", "-print_final_stats=1", f"-artifact_prefix={artifacts}/", work,
           args.corpus]
    print("fuzz: " + " ".join(cmd), flush=True)
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                       env=dict(os.environ, ASAN_OPTIONS="abort_on_error=0:detect_leaks=1"))
    if p.returncode != 0:
        libfuzzer.report_findings(NAME, "kcore or the harness", artifacts, p.stdout,
                                  r"breached|panic|^model:|ERROR: |runtime error|check failed",
                                  replay_hint(exe, args.corpus))
    stats = dict(re.findall(r"^stat::(\w+):\s+(\d+)", p.stdout, re.M))
    cov = re.findall(r"cov: (\d+) ft: (\d+) corp: (\d+)", p.stdout)
    print(f"fuzz: no crash in {stats.get('number_of_executed_units', '?')} inputs "
          f"({stats.get('average_exec_per_sec', '?')}/s, {seconds} s); "
          f"coverage {cov[-1][0] if cov else '?'} edges, {cov[-1][1] if cov else '?'} features, "
          f"corpus {len(os.listdir(work))} kept in {work}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
