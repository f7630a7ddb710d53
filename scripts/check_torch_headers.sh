#!/bin/bash
# Compiles (syntax only, no objects, no linking) every library, C API and unit-test source against
# another LibTorch's headers with the CUDA, NCCL and Gloo code paths switched on. It checks the
# LibTorch 2.x and CUDA branches on a machine whose own build has only Debian's CPU LibTorch 1.13.
#
#   bash scripts/check_torch_headers.sh LIBTORCH_INCLUDE [CUDA_INCLUDE]
#
# LIBTORCH_INCLUDE: a LibTorch's include/ folder (the one holding ATen/, c10/ and torch/).
# CUDA_INCLUDE: the CUDA toolkit's include/ folder (cuda_runtime_api.h, nccl.h); default
# /usr/local/cuda/include. The Gloo headers come from the system (Debian: libgloo-dev).
# Prints one line per failing file with its first error and exits 1 if any failed.
set -u
if [ $# -lt 1 ] || [ ! -f "$1/torch/csrc/api/include/torch/version.h" ]; then
  echo "usage: $0 LIBTORCH_INCLUDE [CUDA_INCLUDE]  (LIBTORCH_INCLUDE must hold torch/csrc/api/include/torch/version.h)" >&2
  exit 2
fi
torch_include=$(cd "$1" && pwd)
cuda_include=${2:-/usr/local/cuda/include}
if [ ! -f "$cuda_include/cuda_runtime_api.h" ]; then
  echo "$cuda_include has no cuda_runtime_api.h: pass the CUDA toolkit's include folder" >&2
  exit 2
fi
# A LibTorch installed into /usr/include (Debian's) is already on the compiler's path; naming it
# with -isystem would break the C library's #include_next.
torch_system_dir=$torch_include
[ "$torch_include" = /usr/include ] && torch_system_dir=""
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# A LibTorch built without CUDA lacks this generated header; its one macro only marks a shared build.
mkdir -p "$work/shim/c10/cuda/impl"
if [ ! -f "$torch_include/c10/cuda/impl/cuda_cmake_macros.h" ]; then
  printf '#pragma once\n#define C10_CUDA_BUILD_SHARED_LIBS\n' > "$work/shim/c10/cuda/impl/cuda_cmake_macros.h"
fi

version=$(sed -n 's/^#define TORCH_VERSION_\(MAJOR\|MINOR\|PATCH\) \([0-9]*\)$/\2/p' "$torch_include/torch/csrc/api/include/torch/version.h" | paste -sd.)
echo "checking against LibTorch $version headers in $torch_include, CUDA headers in $cuda_include"

check_one() {
  local f=$1 log torch_isystem=()
  [ -n "$torch_system_dir" ] && torch_isystem=(-isystem "$torch_system_dir")
  log="$work/$(echo "$f" | tr / _).log"
  if ! g++ -fsyntax-only -std=c++17 -D_GLIBCXX_USE_CXX11_ABI=1 -Wall -Wextra -Wno-unused-parameter \
      -DS4SEG_BUILDING_LIBRARY -DUSE_DISTRIBUTED -DUSE_C10D_GLOO -DS4SEG_WITH_GLOO -DUSE_C10D_NCCL -DS4SEG_WITH_NCCL \
      -DS4SEG_WITH_CUDA -DS4SEG_TEST_DATA_DIR='"/nonexistent"' \
      -I"$root/capi/include" -I"$root/impl" -I"$root/capi/src" -I"$root/tests/unit" \
      "${torch_isystem[@]}" -isystem "$work/shim" -isystem "$torch_include/torch/csrc/api/include" \
      -isystem "$cuda_include" "$root/$f" > "$log" 2>&1; then
    echo "FAILED $f: $(grep -m1 'error' "$log")"
    return 1
  fi
  if grep -q "warning" "$log"; then echo "warning $f: $(grep -m1 'warning' "$log")"; fi
  return 0
}
export -f check_one
export root work torch_include torch_system_dir cuda_include

cd "$root"
files=$(ls impl/*/*.cpp capi/src/*.cpp tests/unit/*.cpp)
count=$(echo "$files" | wc -l)
if echo "$files" | xargs -P "$(nproc)" -n1 bash -c 'check_one "$0"'; then
  echo "all $count sources compile against LibTorch $version"
else
  echo "some of the $count sources do not compile against LibTorch $version" >&2
  exit 1
fi
