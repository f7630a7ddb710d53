#!/usr/bin/env bash
# Benchmark (not a test): for each LibTorch line, runs the plain-PyTorch reference
# (bench/reference/fixmatch_reference.py) in fp32 and in bf16 on that line's torch, then that line's
# `s4seg bench`, with the same model, batch sizes, crop and step counts, one after another on this
# machine, and prints a table of s4seg images/s ÷ reference images/s per line and case.
#
#   bash bench/side_by_side.sh [--gpu] [--lines debian,pip] [--device D] [--s4seg PATH] [--warmup N]
#                              [--steps N] [--cases LIST] [--infer-batch N] [--threads N] [--read-every N]
#                              [--work DIR] [--no-reference] [--no-s4seg]
#
# Lines (scripts/dev.sh builds both):
#   debian  Debian's torch 1.13 (/usr/bin/python3) and s4seg in build/
#   pip     the pip line's torch (build-pip/venv/bin/python) and s4seg in build-pip/
# Default: every line whose s4seg is built (pip only with --gpu: Debian's LibTorch has no CUDA).
# --s4seg PATH and PYTHON=... replace the s4seg and the Python of a single line.
#
# Presets (every value can be overridden by the options above):
#   default  CPU, the project's benchmark model: resnet18, model.width 16, output stride 8, ASPP 64,
#            low-level 24, 4 classes, crop 64, batch 4 + 8 unlabeled, inference batch 8, 2 threads,
#            s4seg reads the loss every step (a CPU gains nothing from queueing steps).
#   --gpu    CUDA: resnet101, width 64, output stride 16, ASPP 256, low-level 48, 21 classes, crop 513,
#            batch 8 + 8 unlabeled, inference batch 32; s4seg's supervised and fixmatch steps read the
#            loss once per timed run (--read-every = --steps: train.read_every), where the reference
#            calls loss.item() every step as the official codebases do.
# The JSON lines of each run stay in the work folder (--work, default a new /tmp/s4seg-sbs.*), one
# subfolder per line: ref-fp32.jsonl, ref-bf16.jsonl, s4seg.jsonl.
# The FLOP convention (tflops column) is documented at the top of fixmatch_reference.py.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
s4seg_override=${S4SEG:-}
lines=""
gpu=0

device=cpu backbone=resnet18 width=16 os=8 aspp=64 low=24 classes=4 crop=64 batch=4 ubatch=8
infer_batch=8 threads=2 warmup=3 steps=20 cases=supervised,fixmatch,infer read_every=1
work="" run_ref=1 run_s4seg=1
args=("$@")
for a in "${args[@]}"; do  # the preset first, so that explicit options win whatever their order
  if [ "$a" = --gpu ]; then
    gpu=1 device=cuda backbone=resnet101 width=64 os=16 aspp=256 low=48 classes=21 crop=513 batch=8 ubatch=8
    infer_batch=32 threads=0 warmup=5 steps=20 read_every=""
  fi
done
while [ $# -gt 0 ]; do
  case "$1" in
    --gpu) shift ;;
    --device) device=$2; shift 2 ;;
    --s4seg) s4seg_override=$2; shift 2 ;;
    --lines) lines=${2//,/ }; shift 2 ;;
    --warmup) warmup=$2; shift 2 ;;
    --steps) steps=$2; shift 2 ;;
    --cases) cases=$2; shift 2 ;;
    --infer-batch) infer_batch=$2; shift 2 ;;
    --threads) threads=$2; shift 2 ;;
    --read-every) read_every=$2; shift 2 ;;
    --work) work=$2; shift 2 ;;
    --no-reference) run_ref=0; shift ;;
    --no-s4seg) run_s4seg=0; shift ;;
    -h|--help) sed -n '2,29p' "$0"; exit 0 ;;
    *) echo "side_by_side.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
[ -n "$read_every" ] || read_every=$steps  # the --gpu preset: once per timed run
[ -n "$work" ] || work=$(mktemp -d /tmp/s4seg-sbs.XXXXXX)
mkdir -p "$work"

line_python() { if [ "$1" = pip ]; then echo "$root/build-pip/venv/bin/python"; else echo /usr/bin/python3; fi; }
line_s4seg() { if [ "$1" = pip ]; then echo "$root/build-pip/samples/cli/s4seg"; else echo "$root/build/samples/cli/s4seg"; fi; }
if [ -z "$lines" ]; then
  for l in debian pip; do
    [ "$gpu" = 1 ] && [ "$l" = debian ] && continue
    [ -x "$(line_s4seg "$l")" ] && lines="$lines $l"
  done
  [ -n "$lines" ] || lines=debian
fi
count=$(echo $lines | wc -w)
if [ "$count" -gt 1 ] && { [ -n "$s4seg_override" ] || [ -n "${PYTHON:-}" ]; }; then
  echo "side_by_side.sh: --s4seg and PYTHON name one line's programs: pass --lines too" >&2
  exit 2
fi

common=(--device "$device" --backbone "$backbone" --crop "$crop" --batch "$batch" --unlabeled-batch "$ubatch"
        --cases "$cases" --warmup "$warmup" --steps "$steps" --infer-batch "$infer_batch" --classes "$classes")
echo "settings: ${common[*]} width $width output_stride $os aspp $aspp low_level $low threads $threads" >&2
echo "lines: $lines; work folder: $work" >&2

status=0
for line in $lines; do
  py=${PYTHON:-$(line_python "$line")}
  s4seg=${s4seg_override:-$(line_s4seg "$line")}
  out="$work/$line"
  mkdir -p "$out"
  "$py" -c "import torch; print(torch.__version__)" > "$out/torch-version.txt" 2>/dev/null || true
  if [ "$run_ref" = 1 ]; then
    for precision in fp32 bf16; do
      echo "== $line: reference $precision ($py)" >&2
      ref_threads=()
      [ "$threads" -gt 0 ] && ref_threads=(--threads "$threads")
      if ! "$py" "$here/reference/fixmatch_reference.py" "${common[@]}" --width "$width" --output-stride "$os" \
          --aspp-channels "$aspp" --low-level-channels "$low" --precision "$precision" "${ref_threads[@]}" \
          > "$out/ref-$precision.jsonl"; then
        echo "side_by_side.sh: the $line $precision reference failed" >&2
        status=1
      fi
    done
  fi
  if [ "$run_s4seg" = 1 ]; then
    echo "== $line: s4seg bench ($s4seg)" >&2
    s4_threads=()
    [ "$threads" -gt 0 ] && s4_threads=(--set "train.threads=$threads")
    if ! "$s4seg" bench "${common[@]}" --set "model.width=$width" --set "model.output_stride=$os" \
        --set "model.aspp_channels=$aspp" --set "model.low_level_channels=$low" --read-every "$read_every" "${s4_threads[@]}" \
        > "$out/s4seg.jsonl"; then
      echo "side_by_side.sh: the $line s4seg bench failed" >&2
      status=1
    fi
  fi
done

python3 - "$work" $lines <<'EOF'
import json, os, sys

work, lines = sys.argv[1], sys.argv[2:]

def load(line, name):
    rows = {}
    path = os.path.join(work, line, name)
    if os.path.exists(path):
        for text in open(path):
            text = text.strip()
            if text.startswith("{"):
                try:
                    r = json.loads(text)
                except ValueError:
                    continue
                rows[r.get("case")] = r
    return rows

def torch_version(line):
    path = os.path.join(work, line, "torch-version.txt")
    return open(path).read().strip() or None if os.path.exists(path) else None

def fmt(v, digits=1):
    return "-" if v is None else f"{v:.{digits}f}"

def ratio(a, b):
    return "-" if a is None or b is None or b == 0 else f"{a / b:.2f}x"

order = ["train/supervised", "train/fixmatch", "infer/batch1", "infer/batch1_cuda_graph", "infer/batchN",
         "infer/batchN_cuda_graph"]
head = ["line", "case", "s4seg img/s", "ref-fp32 img/s", "ref-bf16 img/s", "s4seg/fp32", "s4seg/bf16",
        "s4seg ms", "fp32 ms", "bf16 ms", "s4seg MiB", "fp32 MiB", "bf16 MiB", "s4seg TFLOP/s"]
rows = []
for line in lines:
    runs = {"s4seg": load(line, "s4seg.jsonl"), "ref-fp32": load(line, "ref-fp32.jsonl"),
            "ref-bf16": load(line, "ref-bf16.jsonl")}
    cases = [c for c in order if any(c in r for r in runs.values())]
    cases += sorted({c for r in runs.values() for c in r} - set(cases))

    def num(run, case, key):
        # s4seg's CUDA-graph inference rows (on CUDA only) compare with the reference's plain ones.
        if run != "s4seg" and case.endswith("_cuda_graph"):
            case = case[: -len("_cuda_graph")]
        r = runs[run].get(case)
        return None if r is None or r.get(key) is None else float(r[key])

    version = torch_version(line)
    label = f"{line} (torch {version})" if version else line
    for c in cases:
        s, f, b = (num(k, c, "images_per_s") for k in ("s4seg", "ref-fp32", "ref-bf16"))
        rows.append([label, c, fmt(s), fmt(f), fmt(b), ratio(s, f), ratio(s, b),
                     *(fmt(num(k, c, "ms_per_step")) for k in ("s4seg", "ref-fp32", "ref-bf16")),
                     *(fmt(num(k, c, "peak_memory_mb"), 0) for k in ("s4seg", "ref-fp32", "ref-bf16")),
                     fmt(num("s4seg", c, "tflops"), 4)])
widths = [max(len(str(x)) for x in col) for col in zip(head, *rows)]
fmt_row = lambda cells: "  ".join(str(x).rjust(w) if i > 1 else str(x).ljust(w) for i, (x, w) in enumerate(zip(cells, widths)))
print(fmt_row(head))
for r in rows:
    print(fmt_row(r))
print("ratio = s4seg images/s / reference images/s (> 1: s4seg faster); img/s counts labeled + unlabeled "
      "images for training, the batch for inference")
EOF
exit $status
