#!/usr/bin/env bash
# Benchmark (not a test): trains `supervised` on a few labeled synthetic scenes and each
# semi-supervised method on the same labeled scenes plus the unlabeled rest, with the same model,
# iterations and seed, and prints one mIoU table (last iteration and best on the validation set)
# with each run's wall time.
#
#   bash bench/semi_methods.sh [--s4seg PATH] [--labeled N] [--total N] [--iters N] [--methods "a b"]
#                              [--work DIR] [--set KEY=VALUE ...]
# A method may carry its own settings: "css@css.unsup_loss=hard,pseudo.soft_threshold=0.9" runs
# css with those keys and names its row after the whole spec.
set -euo pipefail

s4seg=build/samples/cli/s4seg
labeled=4
total=96
val=48
iters=1000
methods="supervised fixmatch pcr css css@css.unsup_loss=hard rrn@rrn.d_lr=0.001 supervised@model.head=mask,train.lr=0.01 rc2l@train.lr=0.01"
work=$(mktemp -d /tmp/s4seg-bench.XXXXXX)
extra=()
while [ $# -gt 0 ]; do
  case "$1" in
    --s4seg) s4seg=$2; shift 2 ;;
    --labeled) labeled=$2; shift 2 ;;
    --total) total=$2; shift 2 ;;
    --iters) iters=$2; shift 2 ;;
    --methods) methods=$2; shift 2 ;;
    --work) work=$2; shift 2 ;;
    --set) extra+=(--set "$2"); shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done

# The model and schedule the demo uses (small enough for 2 CPU cores).
common=(--classes 4 --iters "$iters" --batch 4 --crop 64 --backbone resnet18
        --set model.width=16 --set model.output_stride=8 --set model.aspp_channels=64
        --set model.low_level_channels=24 --set train.lr=0.05 --set train.scale_min=0.75
        --set train.scale_max=1.5 --set train.unlabeled_batch_size=8 --set train.log_every=50
        --set train.seed=0 --set strong.hue=0.05 --device cpu
        --set model.queries=16 --set model.mask_hidden=64 --set model.mask_layers=2 --set model.mask_heads=4
        --set model.mask_ffn=128 --set model.discriminator_width=16)
# The mask head (rc2l, and supervised@model.head=mask: its labeled-only baseline with the same
# model and set loss) and the discriminators (rrn) are reduced for CPU too; the mask models train
# at lr 0.01 (at 0.05 SGD does not converge with the transformer decoder).
# strong.hue: the synthetic classes differ partly by hue, so the strong view shifts hue less than
# the library default (0.25, for natural images), as the demo does.

mkdir -p "$work"
"$s4seg" synth --out "$work/data" --train "$total" --val "$val" --size 64 --classes 4 --seed 11 > /dev/null
head -n "$labeled" "$work/data/train.txt" > "$work/data/labeled.txt"
tail -n +"$((labeled + 1))" "$work/data/train.txt" > "$work/data/unlabeled.txt"

printf '%s labeled + %s unlabeled synthetic scenes (64x64, 4 classes), %s validation, %s iterations\n' \
  "$labeled" "$((total - labeled))" "$val" "$iters"
rows=()
sup_last=""
for m in $methods; do
  name=${m%%@*}
  args=("${common[@]}" --root "$work/data" --labeled "$work/data/labeled.txt" --val "$work/data/val.txt"
        --eval-every "$((iters / 6))" --method "$name" --out "$work/$m.s4seg" "${extra[@]}")
  if [ "$name" != "$m" ]; then
    IFS=',' read -ra own <<< "${m#*@}"
    for kv in "${own[@]}"; do args+=(--set "$kv"); done
  fi
  [ "$name" != supervised ] && args+=(--unlabeled "$work/data/unlabeled.txt")
  start=$(date +%s.%N)
  "$s4seg" train "${args[@]}" > "$work/$m.log" 2>&1 || { echo "$m failed; see $work/$m.log" >&2; tail -5 "$work/$m.log" >&2; exit 1; }
  end=$(date +%s.%N)
  last=$(sed -n 's/^final mIoU \([0-9.]*\).*/\1/p' "$work/$m.log" | tail -1)
  best=$(sed -n 's/^best mIoU \([0-9.]*\) at iteration \([0-9]*\).*/\1 \2/p' "$work/$m.log" | tail -1)
  secs=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.0f", b - a }')
  [ "$m" = supervised ] && sup_last=$last
  rows+=("$m|$last|${best% *}|${best#* }|$secs")
done

printf '\n| method | mIoU (last) | vs supervised | best mIoU | best at | time (s) |\n|---|---|---|---|---|---|\n'
for r in "${rows[@]}"; do
  IFS='|' read -r m last best at secs <<< "$r"
  if [ -n "$sup_last" ]; then diff=$(awk -v a="$last" -v b="$sup_last" 'BEGIN { printf "%+.4f", a - b }'); else diff="-"; fi
  printf '| %s | %s | %s | %s | %s | %s |\n' "$m" "$last" "$diff" "$best" "$at" "$secs"
done
echo "logs and models in $work"
