#!/usr/bin/env bash
# Installs a built s4seg into a temporary prefix, then builds and runs consumer.c twice:
#   1. with `cc $(pkg-config --cflags --libs s4seg)`;
#   2. as a CMake project using find_package(s4seg) and s4seg::s4seg.
#
# Usage: test_install.sh BUILD_DIR INSTALL_TEST_DIR
# Optional environment (tests/CMakeLists.txt sets these):
#   S4SEG_TEST_CC            C compiler (default: cc)
#   S4SEG_TEST_CMAKE         cmake program (default: cmake)
#   S4SEG_TEST_CONFIG        build configuration for multi-config generators (default: none)
#   S4SEG_TEST_PREFIX_PATH   :-separated prefixes the CMake consumer also needs (e.g. LibTorch)
#   S4SEG_TEST_TORCH_DIR     Torch_DIR for the CMake consumer, when s4seg's package config needs it
#   S4SEG_TEST_LIBRARY_PATH  :-separated folders of libraries s4seg depends on (e.g. LibTorch's lib)
#   S4SEG_TEST_TMP           parent folder of the temporary prefix (default: $TMPDIR or /tmp)
#   S4SEG_TEST_KEEP          when set, the temporary folder is kept for inspection
set -euo pipefail

name=install_pkgconfig
fail() {
  echo "$name: FAIL: $*" >&2
  exit 1
}
step() { echo "$name: $*"; }

[ $# -eq 2 ] || fail "usage: $0 BUILD_DIR INSTALL_TEST_DIR"
build_dir=$1
test_dir=$2
cc=${S4SEG_TEST_CC:-cc}
cmake_cmd=${S4SEG_TEST_CMAKE:-cmake}
config=${S4SEG_TEST_CONFIG:-}
extra_prefix=${S4SEG_TEST_PREFIX_PATH:-}
extra_prefix=${extra_prefix//:/;} # CMake lists use ';'
torch_dir=${S4SEG_TEST_TORCH_DIR:-}
extra_libs=${S4SEG_TEST_LIBRARY_PATH:-}

[ -d "$build_dir" ] || fail "build folder $build_dir does not exist"
[ -f "$test_dir/consumer.c" ] || fail "$test_dir/consumer.c not found"
[ -f "$test_dir/cmake_consumer/CMakeLists.txt" ] || fail "$test_dir/cmake_consumer/CMakeLists.txt not found"
command -v pkg-config >/dev/null || fail "pkg-config is not installed"

tmp_parent=${S4SEG_TEST_TMP:-${TMPDIR:-/tmp}}
mkdir -p "$tmp_parent"
tmp=$(mktemp -d "$tmp_parent/s4seg-install-XXXXXX") || fail "cannot create a temporary folder in $tmp_parent"
cleanup() {
  if [ -n "${S4SEG_TEST_KEEP:-}" ]; then
    echo "$name: keeping $tmp"
  else
    rm -rf "$tmp"
  fi
}
trap cleanup EXIT
prefix=$tmp/prefix

# 1. Install ---------------------------------------------------------------------------------
step "installing $build_dir into $prefix"
install_args=(--install "$build_dir" --prefix "$prefix")
if [ -n "$config" ]; then install_args+=(--config "$config"); fi
"$cmake_cmd" "${install_args[@]}" >"$tmp/install.log" 2>&1 || {
  cat "$tmp/install.log" >&2
  fail "cmake --install failed"
}

header=$(find "$prefix" -path '*/include/s4seg/s4seg.h' | head -n 1)
[ -n "$header" ] || fail "s4seg/s4seg.h was not installed under $prefix/include"
pc_file=$(find "$prefix" -name s4seg.pc | head -n 1)
[ -n "$pc_file" ] || fail "s4seg.pc was not installed under $prefix (expected in <libdir>/pkgconfig)"
step "found $pc_file"

# 2. pkg-config consumer ---------------------------------------------------------------------
export PKG_CONFIG_PATH
PKG_CONFIG_PATH=$(dirname "$pc_file")
pkg-config --exists --print-errors s4seg || fail "pkg-config cannot read $pc_file"
cflags=$(pkg-config --cflags s4seg) || fail "pkg-config --cflags s4seg failed"
libs=$(pkg-config --libs s4seg) || fail "pkg-config --libs s4seg failed"
libdir=$(pkg-config --variable=libdir s4seg)
includedir=$(pkg-config --variable=includedir s4seg)
modversion=$(pkg-config --modversion s4seg)
# A static-style link line must name LibTorch (Libs.private).
pkg-config --libs --static s4seg | grep -q -- "-ltorch" || fail "Libs.private of s4seg.pc does not name LibTorch"
step "cflags: $cflags"
step "libs:   $libs"
case "$includedir" in
  "$prefix"/*) ;;
  *) fail "s4seg.pc points at includedir '$includedir', outside the install prefix $prefix; the .pc file must follow the prefix given to cmake --install (e.g. prefix=\${pcfiledir}/../..)" ;;
esac
case "$libdir" in
  "$prefix"/*) ;;
  *) fail "s4seg.pc points at libdir '$libdir', outside the install prefix $prefix" ;;
esac
ls "$libdir"/libs4seg.* >/dev/null 2>&1 || fail "no libs4seg.* in the pkg-config libdir $libdir"

runtime_path=$libdir${extra_libs:+:$extra_libs}${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}

step "compiling consumer.c with pkg-config flags"
# shellcheck disable=SC2086  # pkg-config output is a list of flags
LD_LIBRARY_PATH=$runtime_path "$cc" -std=c99 -Wall -Wextra -Werror $cflags "$test_dir/consumer.c" -o "$tmp/consumer" $libs \
  >"$tmp/cc.log" 2>&1 || {
  cat "$tmp/cc.log" >&2
  fail "compiling consumer.c with \`$cc \$(pkg-config --cflags --libs s4seg)\` failed"
}

step "running the pkg-config consumer"
LD_LIBRARY_PATH=$runtime_path "$tmp/consumer" >"$tmp/run.log" 2>&1 || {
  cat "$tmp/run.log" >&2
  fail "the pkg-config consumer exited with an error"
}
cat "$tmp/run.log"
grep -q '^labels: [1-9][0-9]*$' "$tmp/run.log" || fail "the pkg-config consumer did not print its label count"
grep -q "^s4seg $modversion " "$tmp/run.log" ||
  fail "pkg-config --modversion ($modversion) differs from s4seg_version() printed by the consumer"

# 3. CMake consumer --------------------------------------------------------------------------
step "configuring the CMake consumer with find_package(s4seg)"
prefix_path=$prefix${extra_prefix:+;$extra_prefix}
"$cmake_cmd" -S "$test_dir/cmake_consumer" -B "$tmp/cmake-build" \
  "-DCMAKE_PREFIX_PATH=$prefix_path" "-DCMAKE_C_COMPILER=$cc" ${config:+"-DCMAKE_BUILD_TYPE=$config"} \
  ${torch_dir:+"-DTorch_DIR=$torch_dir"} \
  >"$tmp/cmake-configure.log" 2>&1 || {
  cat "$tmp/cmake-configure.log" >&2
  fail "configuring tests/install/cmake_consumer (find_package(s4seg)) failed"
}
build_args=(--build "$tmp/cmake-build")
if [ -n "$config" ]; then build_args+=(--config "$config"); fi
LD_LIBRARY_PATH=$runtime_path "$cmake_cmd" "${build_args[@]}" >"$tmp/cmake-build.log" 2>&1 || {
  cat "$tmp/cmake-build.log" >&2
  fail "building the CMake consumer against s4seg::s4seg failed"
}
consumer=$(find "$tmp/cmake-build" -type f -name consumer -perm -u+x | head -n 1)
[ -n "$consumer" ] || fail "the CMake consumer executable was not built"

step "running the CMake consumer"
LD_LIBRARY_PATH=$runtime_path "$consumer" >"$tmp/cmake-run.log" 2>&1 || {
  cat "$tmp/cmake-run.log" >&2
  fail "the CMake consumer exited with an error"
}
cat "$tmp/cmake-run.log"
grep -q '^labels: [1-9][0-9]*$' "$tmp/cmake-run.log" || fail "the CMake consumer did not print its label count"

step "PASS"
