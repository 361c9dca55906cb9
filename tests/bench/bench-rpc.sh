#!/usr/bin/env bash
# Benchmark: hostd's request round trip. Starts a private hostd, defines one VM, runs bench-rpc.
# usage: bench-rpc.sh HOSTD BENCH_RPC [CALLS]
set -euo pipefail
hostd=$1 bench=$2 calls=${3:-20000}
work=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; rm -rf "$work"' EXIT
"$hostd" --state-dir "$work/s" --runtime-dir "$work/r" --socket "$work/h.sock" 2>"$work/log" &
pid=$!
python3 - "$work/h.sock" <<'PY'
import socket, sys, time
deadline = time.monotonic() + 30
while True:
    try:
        s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); break
    except OSError:
        if time.monotonic() > deadline: raise
        time.sleep(0.02)  # poll until hostd listens, bounded by the deadline
s.sendall(b'{"jsonrpc":"2.0","id":1,"method":"vm.create","params":{"name":"bench","kernel":"/bin/true"}}\n')
assert b'"result"' in s.recv(65536)
PY
"$bench" "$work/h.sock" "$calls"
