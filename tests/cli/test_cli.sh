#!/usr/bin/env bash
# End-to-end test of the `s4seg` program on a dataset it writes itself in the list-file layout:
# synth → train → eval --json → predict, plus the exit-code contract (usage 2, failure 1).
# usage: test_cli.sh S4SEG_BINARY
set -uo pipefail
S4SEG="$1"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
failures=0
check() {  # check NAME EXPECTED_RC ACTUAL_RC
  if [ "$2" != "$3" ]; then echo "FAIL: $1 (exit $3, expected $2)"; failures=$((failures + 1)); else echo "ok: $1"; fi
}

"$S4SEG" synth --out "$WORK/data" --train 24 --val 8 --size 48 --classes 3 >/dev/null; check "synth writes a dataset" 0 $?
[ "$(wc -l < "$WORK/data/train.txt")" -eq 24 ] && [ -f "$WORK/data/masks/val_00007.png" ]; check "synth list and files exist" 0 $?

"$S4SEG" train --root "$WORK/data" --labeled "$WORK/data/train.txt" --classes 3 --iters 20 --batch 4 --crop 48 \
  --backbone resnet18 --device cpu --set model.width=8 --set model.aspp_channels=16 --set model.low_level_channels=8 \
  --set train.log_every=5 --out "$WORK/m.s4seg" >"$WORK/train.out" 2>"$WORK/train.err"
check "train saves a model" 0 $?
grep -q "iter 20/20" "$WORK/train.err"; check "train prints progress lines" 0 $?

"$S4SEG" eval --model "$WORK/m.s4seg" --root "$WORK/data" --list "$WORK/data/val.txt" --device cpu --json >"$WORK/eval.json"
check "eval --json succeeds" 0 $?
[ "$(wc -l < "$WORK/eval.json")" -eq 1 ]; check "eval --json prints exactly one line" 0 $?
python3 - "$WORK/eval.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
assert 0.0 <= r["miou"] <= 1.0, r
assert 0.0 <= r["pixel_accuracy"] <= 1.0, r
assert len(r["iou"]) == 3 and r["num_classes"] == 3 and r["samples"] == 8, r
assert all(v is None or 0.0 <= v <= 1.0 for v in r["iou"]), r
PY
check "eval JSON has miou, pixel_accuracy, iou in range" 0 $?

"$S4SEG" predict --model "$WORK/m.s4seg" --device cpu --out "$WORK/pred" "$WORK/data/images/val_00000.png" >/dev/null
check "predict succeeds" 0 $?
[ -s "$WORK/pred/val_00000.png" ] && [ -s "$WORK/pred/val_00000_overlay.png" ]; check "predict writes labels and overlay" 0 $?

"$S4SEG" info --keys >"$WORK/info.txt"; check "info --keys" 0 $?
grep -q "model.backbone" "$WORK/info.txt" && grep -q "cuda" "$WORK/info.txt"; check "info lists keys and CUDA status" 0 $?

# The exit-code contract.
"$S4SEG" frobnicate >/dev/null 2>&1; check "unknown command exits 2" 2 $?
"$S4SEG" train --root "$WORK/data" >/dev/null 2>&1; check "missing required flag exits 2" 2 $?
"$S4SEG" train --root "$WORK/data" --labeled x --classes abc --out y >/dev/null 2>&1; check "non-numeric number exits 2" 2 $?
"$S4SEG" eval --model "$WORK/missing.s4seg" --root "$WORK/data" --list "$WORK/data/val.txt" 2>"$WORK/err.txt"
check "missing model exits 1" 1 $?
grep -q "IO" "$WORK/err.txt"; check "missing model names the IO status" 0 $?
head -c 100 "$WORK/m.s4seg" >"$WORK/trunc.s4seg"
"$S4SEG" eval --model "$WORK/trunc.s4seg" --root "$WORK/data" --list "$WORK/data/val.txt" 2>"$WORK/err.txt"
check "truncated model exits 1" 1 $?
grep -q "FORMAT" "$WORK/err.txt"; check "truncated model names the FORMAT status" 0 $?
"$S4SEG" train --root "$WORK/data" --labeled "$WORK/data/train.txt" --classes 3 --set model.nope=1 --out "$WORK/x" 2>"$WORK/err.txt"
check "unknown --set key exits 1" 1 $?
grep -q "model.nope" "$WORK/err.txt"; check "unknown key is named" 0 $?

passed=$(( 19 - failures ))
echo "cli: ${passed} passed, ${failures} failed"
[ "$failures" -eq 0 ]
