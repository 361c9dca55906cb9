#!/usr/bin/env python3
"""kcore-bench.py: instructions per hypercall of kcore on the model machine, counted by
valgrind's callgrind (deterministic: the same build gives the same figures), and how VM teardown
grows with VM size. Prints tables; never gates (a meson benchmark).

Each scenario is one run of kcore-bench (tests/bench/kcore-bench.c) under callgrind, collecting
only inside the hypercalls it measures. Two figures per call:
  kcore   kcore's own instructions (kcore/core and the Ed25519 code): everything under
          kcore_host_hvc except the calls into the arch_* seam;
  +model  including the model machine's seam (TLB and BBM model, event log, page zeroing), which
          on hardware is a barrier, a TLBI, a store or a DC loop each.
"seam calls" counts those arch_* calls (barriers, TLBIs, PTE loads/stores, locks, page ops).

usage: kcore-bench.py KCORE_BENCH
"""
import concurrent.futures
import os
import shutil
import subprocess
import sys
import tempfile

CALLS = [  # (label, phase, n, baseline phase or None)
    ("KC_HC_VERSION (null call)", "version", 1000, None),
    ("KC_HC_VM_MAP after a stage-2 fault", "map", 64, None),
    ("KC_GC_MEM_SHARE (guest HVC)", "share", 32, "share-base"),
    ("KC_GC_MEM_UNSHARE (host had mapped it)", "unshare", 32, "unshare-base"),
    ("KC_HC_VCPU_RUN -> exit -> host", "run", 256, None),
]
SIZES = [16, 64, 256, 512]  # VM pages; the model has 768 host pages, so no 1024


def parse(path):
    """(calls into kcore_host_hvc: inclusive Ir, arch_* calls from kcore: inclusive Ir, count)."""
    fl = fn = cfn = None
    fn_file, pending = {}, None
    hvc = seam = seam_calls = 0
    with open(path) as f:
        for line in f:
            if line.startswith("fl="):
                fl = line[3:].strip()
            elif line.startswith("fn="):
                fn = line[3:].strip()
                fn_file[fn] = fl
            elif line.startswith("cfn="):
                cfn = line[4:].strip()
            elif line.startswith("calls="):
                pending = (cfn, int(line[6:].split()[0]))
            elif pending and line[:1].isdigit():
                callee, count = pending
                cost = int(line.split()[1])
                pending = None
                if callee == "kcore_host_hvc":
                    hvc += cost
                elif callee.startswith("arch_") and "/kcore/core/" in (fn_file.get(fn) or ""):
                    seam += cost
                    seam_calls += count
    return hvc, seam, seam_calls


def measure(bench, tmp, phase, n):
    out = os.path.join(tmp, f"cg.{phase}.{n}")
    cmd = ["valgrind", "--tool=callgrind", "--toggle-collect=bench_measured_hvc",
           "--compress-strings=no", "--compress-pos=no", f"--callgrind-out-file={out}",
           bench, phase, str(n)]
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit(f"kcore-bench: {' '.join(cmd)} exited {p.returncode}:\n{p.stdout}{p.stderr}")
    hvc, seam, calls = parse(out)
    if hvc == 0:
        sys.exit(f"kcore-bench: nothing collected for {phase} {n} (is bench_measured_hvc inlined?)")
    return {"kcore": (hvc - seam) / n, "model": hvc / n, "seam": calls / n}


def main():
    bench = sys.argv[1]
    if shutil.which("valgrind") is None:
        sys.exit("kcore-bench: valgrind not found: install the Debian package 'valgrind'")
    jobs = [(p, n) for _, p, n, base in CALLS for p in ([p] + ([base] if base else []))]
    jobs += [(p, s) for s in SIZES for p in ("verify", "destroy", "reclaim")]
    with tempfile.TemporaryDirectory(prefix="kcore-bench.") as tmp:
        with concurrent.futures.ThreadPoolExecutor(os.cpu_count() or 1) as pool:
            futs = {job: pool.submit(measure, bench, tmp, *job) for job in jobs}
            r = {job: fut.result() for job, fut in futs.items()}

    print("kcore on the model machine: instructions per call (callgrind, deterministic)")
    print("kcore = kcore's own code; +model = with the model's arch_* seam; seam calls = arch_* calls\n")
    print(f"{'call':<42}{'n':>6}{'kcore':>10}{'+model':>10}{'seam calls':>12}")
    for label, phase, n, base in CALLS:
        m = dict(r[(phase, n)])
        if base:  # the same guest run without the HVC, subtracted
            m = {k: m[k] - r[(base, n)][k] for k in m}
        print(f"{label:<42}{n:>6}{m['kcore']:>10.0f}{m['model']:>10.0f}{m['seam']:>12.1f}")
    print("  (share/unshare: a guest run with the call minus the same run with a MOV for the HVC)\n")

    print("VM teardown: KC_HC_VM_DESTROY, then KC_HC_VM_RECLAIM of every page (unmap, zero, clean)")
    print(f"{'pages':>6}{'destroy':>10}{'reclaim/page':>14}{'teardown/page':>15}"
          f"{'+model/page':>13}{'seam/page':>11}{'verify/page':>13}")
    for s in SIZES:
        d, rc, v = r[("destroy", s)], r[("reclaim", s)], r[("verify", s)]
        # measure() divided by n = pages; destroy and verify are one call each
        destroy, reclaim = d["kcore"] * s, rc["kcore"]
        per_page = (destroy + reclaim * s) / s
        model_page = (d["model"] * s + rc["model"] * s) / s
        seam_page = (d["seam"] * s + rc["seam"] * s) / s
        print(f"{s:>6}{destroy:>10.0f}{reclaim:>14.0f}{per_page:>15.0f}{model_page:>13.0f}"
              f"{seam_page:>11.1f}{v['kcore']:>13.0f}")
    print("  (the model has 768 host pages, so the largest VM is 512 pages, not 1024;"
          " verify/page: Ed25519ph over the image, kcore only)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
