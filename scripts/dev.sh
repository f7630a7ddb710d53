#!/usr/bin/env bash
# One entry point for a fresh Debian 12 machine: installs what is missing (apt-get and pip, as
# root), configures, builds, and runs the demo or the tests, against one or both LibTorch lines.
#
#   bash scripts/dev.sh demo [s4seg demo flags...]   deps + library and CLI + `s4seg demo`
#   bash scripts/dev.sh test [ctest flags...]        deps + everything + the whole test suite
#   bash scripts/dev.sh deps | build                 the individual steps
#
# The two LibTorch lines (S4SEG_TORCH):
#   debian  Debian's libtorch-dev (1.13, CPU only), in $BUILD_DIR (default build/).
#   pip     the LibTorch inside PyPI's torch wheel (torch==$S4SEG_PIP_TORCH, CUDA 13, NCCL), installed
#           into a virtual environment in $PIP_BUILD_DIR/venv (default build-pip/), built with
#           CUDA and NCCL on against the CUDA toolkit (nvcc) of the machine.
#   both    debian, then pip.
# Default: both for `test`, debian for everything else.
#
# Environment: S4SEG_TORCH, BUILD_DIR, PIP_BUILD_DIR, CMAKE_ARGS (extra configure flags), JOBS
# (default nproc), CUDA_HOME (the CUDA toolkit for the pip line, default /usr/local/cuda).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_DIR="${BUILD_DIR:-$ROOT/build}"
PIP_BUILD_DIR="${PIP_BUILD_DIR:-$ROOT/build-pip}"
JOBS="${JOBS:-$(nproc)}"
# The newest torch release PyPI served that builds and links here (its wheel is built with CUDA
# 13.2: 2.15.0+cu132), and the torchvision the bench reference takes its ResNet from.
S4SEG_PIP_TORCH="${S4SEG_PIP_TORCH:-2.15.0}"
S4SEG_PIP_TORCHVISION="${S4SEG_PIP_TORCHVISION:-0.29.2}"
CUDA_HOME="${CUDA_HOME:-/usr/local/cuda}"

# What the library and the CLI need (the demo); libgloo-dev gives the CPU data-parallel backend.
# Debian's LibTorch does its matrix products through the libblas.so.3 alternative, which is the
# netlib reference BLAS unless an optimised one is installed: libopenblas0-pthread takes it over
# (measured: rc2l's step 34 s → 3.6 s, css's 8.5 s → 2.0 s; docs/performance.md).
LIBRARY_PACKAGES=(cmake g++ make pkg-config libtorch-dev libspng-dev libturbojpeg0-dev zlib1g-dev
                  nlohmann-json3-dev libgloo-dev libopenblas0-pthread)
# What the tests add: CMocka; python3 checks the CLI's JSON output and, with torchvision, writes
# torch.save files; SWIG, a JDK, Mono and Go build and test the bindings; python3-venv holds the
# pip line's torch.
TEST_PACKAGES=(libcmocka-dev python3 python3-torchvision python3-venv swig default-jdk-headless mono-mcs
               mono-runtime golang-go)

apt_install() {
  local missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "dev.sh: installing ${missing[*]}" >&2
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "dev.sh: need root (or sudo) to install: ${missing[*]}" >&2; exit 1; }
    sudo="sudo"
  fi
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
}

# The pip line's torch, in a virtual environment of Debian's python3 inside the build folder; pip
# runs only when the pinned version is not there yet.
pip_torch() {
  local venv="$PIP_BUILD_DIR/venv"
  mkdir -p "$PIP_BUILD_DIR"
  [ -x "$venv/bin/python" ] || /usr/bin/python3 -m venv "$venv"
  if ! "$venv/bin/python" -c "import sys, torch, torchvision
sys.exit(torch.__version__.split('+')[0] != '$S4SEG_PIP_TORCH' or torchvision.__version__.split('+')[0] != '$S4SEG_PIP_TORCHVISION')" 2>/dev/null; then
    echo "dev.sh: pip install torch==$S4SEG_PIP_TORCH torchvision==$S4SEG_PIP_TORCHVISION into $venv" >&2
    "$venv/bin/pip" install -q --disable-pip-version-check "torch==$S4SEG_PIP_TORCH" "torchvision==$S4SEG_PIP_TORCHVISION"
  fi
}

# configure LINE DIR WHAT: WHAT is "all" (tests and bindings) or "cli" (the library and the CLI).
configure() {
  local line=$1 dir=$2 what=$3 flags=()
  [ "$what" = cli ] && flags+=(-DS4SEG_BUILD_TESTS=OFF -DS4SEG_BUILD_BINDINGS=OFF)
  [ "$what" = all ] && flags+=(-DS4SEG_BUILD_TESTS=ON -DS4SEG_BUILD_BINDINGS=ON)
  if [ "$line" = pip ]; then
    local py="$PIP_BUILD_DIR/venv/bin/python" site prefix
    [ -x "$CUDA_HOME/bin/nvcc" ] || { echo "dev.sh: the pip line needs the CUDA toolkit: no $CUDA_HOME/bin/nvcc (set CUDA_HOME)" >&2; exit 1; }
    export PATH="$CUDA_HOME/bin:$PATH"
    site=$("$py" -c "import sysconfig; print(sysconfig.get_paths()['purelib'])")
    prefix=$("$py" -c "import torch.utils; print(torch.utils.cmake_prefix_path)" 2>/dev/null)
    # No CUDA code of s4seg's own is compiled: one architecture keeps TorchConfig quiet.
    export TORCH_CUDA_ARCH_LIST="${TORCH_CUDA_ARCH_LIST:-9.0}"
    # CMAKE_LIBRARY_PATH: the wheel's libraries before Debian's libtorch.so and libc10.so.
    flags+=(-DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_LIBRARY_PATH="$site/torch/lib" -DCUDAToolkit_ROOT="$CUDA_HOME" -DS4SEG_REQUIRE_CUDA=ON
            -DS4SEG_NCCL_INCLUDE_DIR="$site/nvidia/nccl/include")
  fi
  cmake -S "$ROOT" -B "$dir" -DCMAKE_BUILD_TYPE=Release "${flags[@]}" ${CMAKE_ARGS:-}
}

# prepare LINE WHAT: installs what LINE needs for WHAT, configures and builds into PREPARED_DIR.
prepare() {
  local line=$1 what=$2 dir="$BUILD_DIR"
  apt_install "${LIBRARY_PACKAGES[@]}"
  [ "$what" = all ] && apt_install "${TEST_PACKAGES[@]}"
  if [ "$line" = pip ]; then
    apt_install python3-venv
    dir="$PIP_BUILD_DIR"
    pip_torch
  fi
  configure "$line" "$dir" "$what"
  if [ "$what" = cli ]; then
    cmake --build "$dir" -j "$JOBS" --target s4seg_cli
  else
    cmake --build "$dir" -j "$JOBS"
  fi
  PREPARED_DIR="$dir"
}

lines() {
  case "${S4SEG_TORCH:-$1}" in
    debian) echo debian ;;
    pip) echo pip ;;
    both) echo debian pip ;;
    *) echo "dev.sh: S4SEG_TORCH must be debian, pip or both (got '${S4SEG_TORCH}')" >&2; exit 2 ;;
  esac
}

cmd="${1:-}"
[ $# -gt 0 ] && shift
case "$cmd" in
  deps) apt_install "${LIBRARY_PACKAGES[@]}" "${TEST_PACKAGES[@]}"
        for line in $(lines debian); do [ "$line" = pip ] && pip_torch; done; true ;;
  build) for line in $(lines debian); do prepare "$line" all; done ;;
  demo) [ "$(lines debian)" = "debian pip" ] && { echo "dev.sh: demo runs one line: S4SEG_TORCH=debian or pip" >&2; exit 2; }
        prepare "$(lines debian)" cli
        "$PREPARED_DIR/samples/cli/s4seg" demo "$@" ;;
  # Tests run one at a time: each training test already uses every core, and two at once
  # oversubscribe OpenMP (seen: 10x slower).
  # Both lines run even when the first fails; the exit status says whether every line passed.
  test) failed=""
        for line in $(lines both); do
          prepare "$line" all
          echo "dev.sh: ctest on the $line line ($PREPARED_DIR)" >&2
          (cd "$PREPARED_DIR" && ctest --output-on-failure "$@") || failed="$failed $line"
        done
        [ -z "$failed" ] || { echo "dev.sh: tests failed on the line(s):$failed" >&2; exit 1; } ;;
  *) echo "usage: [S4SEG_TORCH=debian|pip|both] bash scripts/dev.sh demo|test|deps|build [args...]" >&2; exit 2 ;;
esac
