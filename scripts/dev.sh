#!/usr/bin/env bash
# One entry point for a fresh Debian 12 machine: installs what is missing (apt-get, as root),
# configures, builds, and runs the demo or the tests.
#
#   bash scripts/dev.sh demo [s4seg demo flags...]   deps + build + `s4seg demo`
#   bash scripts/dev.sh test [ctest flags...]        deps + build + the whole test suite
#   bash scripts/dev.sh deps | build                 the individual steps
#
# Environment: BUILD_DIR (default build), CMAKE_ARGS (extra configure flags), JOBS (default nproc).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_DIR="${BUILD_DIR:-$ROOT/build}"
JOBS="${JOBS:-$(nproc)}"
# python3 checks the CLI's JSON output in the tests; SWIG, a JDK, Mono and Go build and test the
# bindings; libgloo-dev gives the CPU data-parallel backend (c10d Gloo).
PACKAGES=(cmake g++ make pkg-config libtorch-dev libspng-dev libturbojpeg0-dev zlib1g-dev libcmocka-dev python3
          swig default-jdk-headless mono-mcs mono-runtime golang-go nlohmann-json3-dev python3-torchvision
          libgloo-dev)

deps() {
  local missing=()
  for p in "${PACKAGES[@]}"; do
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

build() {
  cmake -S "$ROOT" -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release ${CMAKE_ARGS:-}
  cmake --build "$BUILD_DIR" -j "$JOBS"
}

cmd="${1:-}"
[ $# -gt 0 ] && shift
case "$cmd" in
  deps) deps ;;
  build) deps; build ;;
  demo) deps; build; "$BUILD_DIR/samples/cli/s4seg" demo "$@" ;;
  # Tests run one at a time: each training test already uses every core, and two at once
  # oversubscribe OpenMP (seen: 10x slower).
  test) deps; build; cd "$BUILD_DIR" && ctest --output-on-failure "$@" ;;
  *) echo "usage: bash scripts/dev.sh demo|test|deps|build [args...]" >&2; exit 2 ;;
esac
