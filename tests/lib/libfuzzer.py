"""What the libFuzzer runners share (tests/fuzz/fuzz-rpc-run.py, tests/kcore/fuzz-libfuzzer.py):
a clang that can link libFuzzer, a rebuild only when the command or an input changed, and the
report of what the fuzzer found. Each function takes the runner's name for its messages."""
import os
import re
import subprocess
import sys
import tempfile
import shutil

PACKAGES = "clang libclang-rt-14-dev"


def fail(name, msg):
    print(f"{name}: {msg}", file=sys.stderr)
    sys.exit(1)


def find_clang(name):
    """The clang to use ($CLANG or clang), after checking it links -fsanitize=fuzzer."""
    clang = os.environ.get("CLANG", "clang")
    path = shutil.which(clang)
    if path is None:
        fail(name, f"'{clang}' not found: the fuzz suite needs clang and libFuzzer; install the "
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
            fail(name, f"{path} cannot link -fsanitize=fuzzer (libFuzzer's runtime is missing): "
                       f"install the Debian packages {PACKAGES}\n{p.stderr.strip()}")
    return path


def build(name, cmd, inputs, exe):
    """Run the compile command cmd (which writes exe) unless exe is newer than every input and
    was made by the same command."""
    stamp = exe + ".cmd"
    fresh = (os.path.exists(exe) and os.path.exists(stamp) and open(stamp).read() == repr(cmd)
             and all(os.path.getmtime(i) <= os.path.getmtime(exe) for i in inputs))
    if fresh:
        return
    print(f"{name}: building {exe} with {cmd[0]}", flush=True)
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        fail(name, f"clang could not build the fuzz target:\n{' '.join(cmd)}\n{p.stderr}")
    with open(stamp, "w") as f:
        f.write(repr(cmd))


def report_findings(name, what, artifacts, log, why_pattern, per_input):
    """The fuzzer failed: print the end of its log and, for each input it kept, the lines
    per_input(path) returns (how to replay it, how to keep it as a regression seed); exit 1."""
    found = sorted(os.listdir(artifacts)) if os.path.isdir(artifacts) else []
    print(log[-8000:], file=sys.stderr)
    if not found:
        fail(name, "the fuzzer failed without leaving an input (see its output above)")
    why = [l for l in log.splitlines() if re.search(why_pattern, l)][:6]
    lines = [f"the fuzzer found {len(found)} input(s) that break {what}:"]
    lines += ["  " + l for l in why]
    for f in found:
        lines += per_input(os.path.join(artifacts, f))
    fail(name, "\n".join(lines))


def fresh_dirs(out):
    """OUT/corpus (kept between runs) and an empty OUT/artifacts."""
    corpus, artifacts = os.path.join(out, "corpus"), os.path.join(out, "artifacts")
    os.makedirs(corpus, exist_ok=True)
    shutil.rmtree(artifacts, ignore_errors=True)
    os.makedirs(artifacts)
    return corpus, artifacts
