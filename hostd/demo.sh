#!/usr/bin/env bash
# The Quick start's main job: run hostd on a private directory, boot the bundled default guest
# with vmctl, show what it prints on its serial console, then shut it down cleanly.
# usage: demo.sh HOSTD VMCTL GUEST_DIR WORKDIR   (run by 'meson compile -C build demo')
set -euo pipefail

hostd=$1 vmctl=$2 guest=$3 work=$4
rm -rf "$work"
mkdir -p "$work"
export SEKVM_SOCKET=$work/hostd.sock

bold='' plain=''
if [ -t 1 ]; then bold=$'\033[1m' plain=$'\033[0m'; fi
say() { printf '\n%s$ %s%s\n' "$bold" "$*" "$plain"; }
step() { say "vmctl ${*:2}"; "$@"; }

"$hostd" --state-dir "$work/state" --runtime-dir "$work/run" --socket "$SEKVM_SOCKET" \
	--guest-dir "$guest" 2>"$work/hostd.log" &
hostd_pid=$!
cleanup() {
	"$vmctl" stop demo >/dev/null 2>&1 || true
	kill "$hostd_pid" 2>/dev/null && wait "$hostd_pid" 2>/dev/null || true
}
trap cleanup EXIT

# Wait until hostd answers (or has died), with a deadline: no fixed sleeps.
for _ in $(seq 300); do
	"$vmctl" host >/dev/null 2>&1 && break
	kill -0 "$hostd_pid" 2>/dev/null || { cat "$work/hostd.log" >&2; exit 1; }
	sleep 0.1 # poll interval until hostd listens, bounded by the loop
done

step "$vmctl" host
step "$vmctl" create demo
step "$vmctl" start demo
say "vmctl console demo --read-only    # until the guest says it is up"
# The console replays what the guest printed since QEMU started, then follows it live; sed
# stops reading at the marker line, which ends vmctl too.
timeout 120 "$vmctl" console demo --read-only 2>/dev/null | sed -n '/SEKVM-GUEST-UP/{p;q};p' || true
step "$vmctl" list
step "$vmctl" shutdown demo --wait
step "$vmctl" list
step "$vmctl" delete demo
printf '\nhostd log: %s/hostd.log\n' "$work"
