#!/usr/bin/env bash
# Reads the built library's dynamic section: a CUDA build (the pip line) must link the CUDA
# LibTorch and carry c10d's NCCL process group; a CPU build must link neither. Every library it
# needs must resolve on this machine (a CUDA build's too: the CUDA runtime loads without a GPU).
#
#   check_linkage.sh LIBRARY cuda|cpu
set -euo pipefail
lib=$1 expect=$2
[ -f "$lib" ] || { echo "no library at $lib" >&2; exit 1; }

needed=$(readelf -d "$lib" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
echo "NEEDED: $(echo $needed)"
# The constructor the communicator calls when dist.backend = nccl; present only when the NCCL
# group was compiled in (USE_C10D_NCCL).
nccl=$(nm -D -C --undefined-only "$lib" | grep -c 'c10d::ProcessGroupNCCL::ProcessGroupNCCL(' || true)
echo "ProcessGroupNCCL constructor references: $nccl"

failed=0
has() { echo "$needed" | grep -qx "$1"; }
if [ "$expect" = cuda ]; then
  for so in libtorch_cuda.so libc10_cuda.so; do
    has "$so" || { echo "FAIL: $lib does not link $so" >&2; failed=1; }
  done
  [ "$nccl" -gt 0 ] || { echo "FAIL: $lib has no reference to c10d::ProcessGroupNCCL (NCCL not compiled in)" >&2; failed=1; }
else
  for so in libtorch_cuda.so libc10_cuda.so; do
    if has "$so"; then echo "FAIL: a CPU build links $so" >&2; failed=1; fi
  done
  [ "$nccl" -eq 0 ] || { echo "FAIL: a CPU build references ProcessGroupNCCL" >&2; failed=1; }
fi
# One LibTorch: every libtorch*/libc10* the loader picks comes from one folder (a pip LibTorch
# linked against Debian's libc10.so once aborted every program in c10's DispatchKeySet).
torch_dirs=$(ldd "$lib" | awk '$1 ~ /^lib(torch|c10)/ && $3 ~ /^\// {print $3}' | xargs -r -n1 readlink -f | xargs -r -n1 dirname | sort -u)
echo "LibTorch folders: $(echo $torch_dirs)"
[ "$(echo "$torch_dirs" | grep -c .)" -eq 1 ] || { echo "FAIL: LibTorch libraries from several folders" >&2; failed=1; }
missing=$(ldd "$lib" | grep 'not found' || true)
[ -z "$missing" ] || { echo "FAIL: unresolved libraries:" >&2; echo "$missing" >&2; failed=1; }
ldd "$lib" | grep -E 'libtorch|libc10|cudart|nccl' || true
[ "$failed" = 0 ] && echo "linkage as expected for a $expect build"
exit $failed
