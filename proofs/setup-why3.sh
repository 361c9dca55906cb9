#!/bin/sh
# Register cvc5 with Why3 1.5.1 (which has no detection entry for it) -- idempotent.
# Why: Why3 1.5 drives cvc5 with the cvc4 driver, whose "(set-logic ALL_SUPPORTED)" cvc5 rejects,
# so every goal ends "Failed / Unknown error". Fix (docs/reference proofs.md section 1.2): derive a
# driver with "(set-logic ALL)" and an absolute import path, and add a [prover] section.
# Writes only $HOME/.why3.conf and $SEKVM_WHY3_DIR (default $HOME/.cache/sekvm-why3).
set -eu
for t in why3 z3 cvc5; do
	command -v "$t" >/dev/null || { echo "setup-why3: $t not installed (apt-get install frama-c-base why3 z3 cvc5)" >&2; exit 1; }
done
DRV_DIR=${SEKVM_WHY3_DIR:-$HOME/.cache/sekvm-why3}
CONF=$HOME/.why3.conf
mkdir -p "$DRV_DIR"
sed -e 's/(set-logic ALL_SUPPORTED)/(set-logic ALL)/' \
    -e 's|import "cvc4_16.gen"|import "/usr/share/why3/drivers/cvc4_16.gen"|' \
    /usr/share/why3/drivers/cvc4_17.drv > "$DRV_DIR/cvc5.drv.tmp"
mv "$DRV_DIR/cvc5.drv.tmp" "$DRV_DIR/cvc5.drv"
VER=$(cvc5 --version | sed -n 's/^This is cvc5 version \([^ ]*\).*/\1/p')
if [ -f "$CONF" ] && grep -q "^driver = \"$DRV_DIR/cvc5.drv\"" "$CONF" && grep -q "^version = \"$VER\"" "$CONF" \
   && grep -q 'shortcut = "z3"' "$CONF"; then
	exit 0	# already set up
fi
why3 config detect >/dev/null 2>&1
# drop an earlier hand-made cvc5 section so the step can be re-run
awk 'BEGIN{RS="";ORS="\n\n"} !/\[prover\]/ || !/shortcut = "cvc5"/' "$CONF" > "$CONF.tmp" && mv "$CONF.tmp" "$CONF"
cat >> "$CONF" <<EOT

[prover]
command = "cvc5 --stats --tlimit-per=%t000 --lang=smt2 %f"
command_steps = "cvc5 --stats --rlimit=%S --lang=smt2 %f"
driver = "$DRV_DIR/cvc5.drv"
editor = ""
in_place = false
interactive = false
name = "CVC5"
shortcut = "cvc5"
version = "$VER"
EOT
why3 config list-provers | grep -q CVC5 || { echo "setup-why3: cvc5 not registered" >&2; exit 1; }
