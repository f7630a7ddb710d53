#!/usr/bin/env bash
# End-to-end test of the `s4seg` program on a dataset it writes itself in the list-file layout:
# synth → train (supervised, then semi-supervised with validation) → eval --json → predict →
# pseudo-label, plus the exit-code contract (usage 2, failure 1).
# usage: test_cli.sh S4SEG_BINARY
set -uo pipefail
S4SEG="$1"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
failures=0
checks=0
check() {  # check NAME EXPECTED_RC ACTUAL_RC
  checks=$((checks + 1))
  if [ "$2" != "$3" ]; then echo "FAIL: $1 (exit $3, expected $2)"; failures=$((failures + 1)); else echo "ok: $1"; fi
}
# The tiny model every training check uses (seconds on a CPU).
TINY=(--backbone resnet18 --device cpu --set model.width=8 --set model.aspp_channels=16 --set model.low_level_channels=8)

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
assert r["zero_iou_classes"] == [c for c, v in enumerate(r["iou"]) if v == 0.0], r
PY
check "eval JSON has miou, pixel_accuracy, iou in range, and names the classes at IoU 0" 0 $?

"$S4SEG" predict --model "$WORK/m.s4seg" --device cpu --out "$WORK/pred" "$WORK/data/images/val_00000.png" >/dev/null
check "predict succeeds" 0 $?
[ -s "$WORK/pred/val_00000.png" ] && [ -s "$WORK/pred/val_00000_overlay.png" ]; check "predict writes labels and overlay" 0 $?

# Semi-supervised: 8 labeled lines, the other 16 training images as an image-only unlabeled list.
head -n 8 "$WORK/data/train.txt" >"$WORK/data/labeled.txt"
tail -n +9 "$WORK/data/train.txt" | awk '{ print $1 }' >"$WORK/data/unlabeled.txt"
"$S4SEG" train --root "$WORK/data" --labeled "$WORK/data/labeled.txt" --unlabeled "$WORK/data/unlabeled.txt" \
  --val "$WORK/data/val.txt" --eval-every 10 --method fixmatch --classes 3 --iters 20 --batch 4 --crop 48 "${TINY[@]}" \
  --set train.unlabeled_batch_size=4 --set train.log_every=5 --out "$WORK/semi.s4seg" >"$WORK/semi.out" 2>"$WORK/semi.err"
check "train --unlabeled --val succeeds" 0 $?
grep -q "best mIoU [0-9.]* at iteration [0-9]*" "$WORK/semi.out" && grep -q "final mIoU" "$WORK/semi.out"
check "train --val prints the final and best mIoU" 0 $?
[ -s "$WORK/semi.s4seg" ] && [ -s "$WORK/semi.best.s4seg" ]; check "train --val writes MODEL and MODEL.best" 0 $?
grep -q "iter 20/20 .*unsup .*keep " "$WORK/semi.err"; check "semi-supervised progress shows loss terms and keep ratio" 0 $?
"$S4SEG" eval --model "$WORK/semi.best.s4seg" --root "$WORK/data" --list "$WORK/data/val.txt" --device cpu --json >/dev/null
check "the best model loads" 0 $?
"$S4SEG" train --root "$WORK/data" --labeled "$WORK/data/labeled.txt" --eval-every 5 --classes 3 --out "$WORK/x" \
  >/dev/null 2>&1
check "--eval-every without --val exits 2" 2 $?

# Pseudo-labels of the validation images (masks in the list are ignored).
"$S4SEG" pseudo-label --model "$WORK/semi.s4seg" --root "$WORK/data" --list "$WORK/data/val.txt" --device cpu \
  --set pseudo.threshold=0.5 --out "$WORK/pl" >"$WORK/pl.out" 2>"$WORK/pl.err"
check "pseudo-label succeeds" 0 $?
missing=0
for i in 0 1 2 3 4 5 6 7; do
  for kind in label conf overlay; do [ -s "$WORK/pl/val_0000${i}_${kind}.png" ] || missing=$((missing + 1)); done
done
[ "$missing" -eq 0 ]; check "pseudo-label writes label, conf and overlay PNGs per image" 0 $?
python3 -m json.tool "$WORK/pl/summary.json" >/dev/null; check "summary.json is valid JSON" 0 $?
python3 - "$WORK/pl/summary.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
assert s["images"] == 8 and s["model"].endswith("semi.s4seg") and isinstance(s["filter"], str), s
assert len(s["classes"]) == 3, s
for c in s["classes"]:
    assert 0 <= c["kept"] <= c["predicted"], c
    assert c["keep_ratio"] is None or 0.0 <= c["keep_ratio"] <= 1.0, c
assert sum(c["predicted"] for c in s["classes"]) == s["predicted"] == 8 * 48 * 48, s
assert 0 <= s["kept"] <= s["predicted"] and 0.0 <= s["keep_ratio"] <= 1.0, s
PY
check "summary.json per-class kept <= predicted" 0 $?
"$S4SEG" pseudo-label --model "$WORK/missing.s4seg" --root "$WORK/data" --list "$WORK/data/val.txt" \
  --out "$WORK/pl2" 2>"$WORK/err.txt"
check "pseudo-label with a missing model exits 1" 1 $?
grep -q "IO.*missing.s4seg" "$WORK/err.txt"; check "pseudo-label names the missing model and the IO status" 0 $?
"$S4SEG" pseudo-label --model "$WORK/semi.s4seg" --root "$WORK/data" --list "$WORK/data/val.txt" >/dev/null 2>&1
check "pseudo-label without --out exits 2" 2 $?
printf 'images/val_00000.png\n# a comment\n%s/data/images/val_00000.png masks/val_00000.png\n' "$WORK" >"$WORK/dup.txt"
"$S4SEG" pseudo-label --model "$WORK/semi.s4seg" --root "$WORK/data" --list "$WORK/dup.txt" --out "$WORK/pl3" \
  2>"$WORK/err.txt"
check "pseudo-label with two images of one stem exits 1" 1 $?
grep -q "val_00000" "$WORK/err.txt" && [ ! -e "$WORK/pl3" ]; check "the shared stem is named and nothing is written" 0 $?

"$S4SEG" info --keys >"$WORK/info.txt"; check "info --keys" 0 $?
grep -q "model.backbone" "$WORK/info.txt" && grep -q "cuda" "$WORK/info.txt"; check "info lists keys and CUDA status" 0 $?
grep -q "^methods:" "$WORK/info.txt" && grep -Eq "^  rrn +\+unlabeled +two co-trained" "$WORK/info.txt" &&
  grep -Eq "^  supervised +labeled " "$WORK/info.txt"; check "info lists the registry's methods" 0 $?
"$S4SEG" train --root "$WORK/data" --labeled "$WORK/data/train.txt" --classes 3 --method nope --out "$WORK/x" 2>"$WORK/err.txt"
check "an unknown --method exits 1" 1 $?
grep -q "registered method: supervised, fixmatch, pcr, css, rrn, rc2l" "$WORK/err.txt"
check "an unknown --method names the registered ones" 0 $?
"$S4SEG" demo --method supervised >/dev/null 2>"$WORK/err.txt"; check "demo --method supervised exits 2" 2 $?
grep -q "fixmatch, pcr, css, rrn, rc2l" "$WORK/err.txt"; check "demo names the methods that use unlabeled images" 0 $?
"$S4SEG" train --root="$WORK/data" --labeled "$WORK/data/train.txt" --classes=3 --iters=abc --out "$WORK/x" 2>"$WORK/err.txt"
check "--name=value options reach their checks (getopt_long)" 2 $?
grep -q -- "--iters: 'abc' is not an integer" "$WORK/err.txt"; check "a bad --name=value is named" 0 $?
"$S4SEG" info --bogus >/dev/null 2>&1; check "an unknown option exits 2" 2 $?
"$S4SEG" info --keys=1 >/dev/null 2>&1; check "a flag given a value exits 2" 2 $?

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

# Class names travel with the model; a decode cache and prefetching change nothing visible but speed.
"$S4SEG" train --root "$WORK/data" --labeled "$WORK/data/train.txt" --classes 3 --iters 10 --batch 4 --crop 48 "${TINY[@]}" \
  --cache-mb 1 --set train.prefetch=3 --set "model.class_names=sky,road,car" --out "$WORK/named.s4seg" >/dev/null 2>&1
check "train --cache-mb with class names succeeds" 0 $?
"$S4SEG" eval --model "$WORK/named.s4seg" --root "$WORK/data" --list "$WORK/data/val.txt" --device cpu >"$WORK/named.txt"
grep -q "^1 .* road " "$WORK/named.txt"; check "eval prints the model's class names" 0 $?
"$S4SEG" train --root "$WORK/data" --labeled "$WORK/data/train.txt" --layout nope --classes 3 --out "$WORK/x" >/dev/null 2>&1
check "unknown --layout exits 2" 2 $?
"$S4SEG" train --root "$WORK/data" --labeled "$WORK/data/train.txt" --out "$WORK/x" >/dev/null 2>&1
check "--classes missing without --layout exits 2" 2 $?
"$S4SEG" train --layout voc --root "$WORK/no-such-voc" --labeled train --out "$WORK/x" 2>"$WORK/err.txt"
check "a missing VOC folder exits 1" 1 $?
grep -q "IO" "$WORK/err.txt"; check "a missing VOC folder names the IO status" 0 $?

# bench: one JSON line per case with positive figures.
"$S4SEG" bench --device cpu --backbone resnet18 --classes 3 --crop 32 --batch 2 --unlabeled-batch 2 \
  --cases supervised,fixmatch,pcr,rrn,infer --warmup 1 --steps 2 --infer-batch 2 --read-every 2 --set model.width=8 \
  --set model.aspp_channels=16 --set model.low_level_channels=8 >"$WORK/bench.jsonl"
check "bench succeeds" 0 $?
python3 - "$WORK/bench.jsonl" <<'PY'
import json, sys
rows = [json.loads(line) for line in open(sys.argv[1])]
assert [r["case"] for r in rows] == ["train/supervised", "train/fixmatch", "train/pcr", "train/rrn", "infer/batch1",
                                     "infer/batchN"], rows
for r in rows:
    assert r["impl"] == "s4seg" and r["device"] == "cpu" and r["steps"] == 2, r
    for key in ("ms_per_step", "images_per_s", "peak_memory_mb", "gflops_per_image", "tflops"):
        assert r[key] > 0, (key, r)
assert rows[1]["unlabeled_batch"] == 2 and rows[0]["unlabeled_batch"] == 0, rows
assert abs(rows[0]["gflops_per_image"] - rows[5]["gflops_per_image"]) < 1e-9, rows
assert [r["read_every"] for r in rows] == [2, 2, 2, 1, 1, 1], rows  # rrn reads every step
PY
check "bench prints one JSON line per case with positive figures" 0 $?
"$S4SEG" bench --cases nope >/dev/null 2>&1; check "bench with an unknown case exits 2" 2 $?
# Data parallel: two local Gloo ranks; rank 0 alone validates, prints and writes the model.
"$S4SEG" train --root "$WORK/data" --labeled "$WORK/data/train.txt" --val "$WORK/data/val.txt" --classes 3 --iters 6 \
  --batch 2 --crop 48 --nproc 2 --set train.log_every=3 --set train.threads=1 "${TINY[@]}" --out "$WORK/dp.s4seg" \
  >"$WORK/dp.txt" 2>&1
check "train --nproc 2 succeeds" 0 $?
[ -f "$WORK/dp.s4seg" ] && [ "$(grep -c '^saved .*dp.s4seg$' "$WORK/dp.txt")" -eq 1 ] && grep -q "^final mIoU" "$WORK/dp.txt"
check "train --nproc 2 saves and reports once (rank 0)" 0 $?
"$S4SEG" train --root "$WORK/data" --labeled x --classes 3 --out y --nproc 2 --rank 0 >/dev/null 2>&1
check "--nproc with --rank exits 2" 2 $?
"$S4SEG" train --root "$WORK/data" --labeled x --classes 3 --out y --rank 1 >/dev/null 2>&1
check "--rank without --world-size exits 2" 2 $?
"$S4SEG" train --root "$WORK/data" --labeled "$WORK/data/train.txt" --classes 3 --iters 2 --batch 2 --crop 48 "${TINY[@]}" \
  --rank 1 --world-size 2 --master 127.0.0.1:1 --set dist.timeout=1 --out "$WORK/lonely.s4seg" >/dev/null 2>"$WORK/err.txt"
check "a rank whose master never answers exits 1" 1 $?
grep -q "IO" "$WORK/err.txt"; check "... naming the IO status" 0 $?

passed=$(( checks - failures ))
echo "cli: ${passed} passed, ${failures} failed"
[ "$failures" -eq 0 ]
