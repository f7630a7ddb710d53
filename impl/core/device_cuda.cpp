// The parts of device handling that need CUDA headers; compiled with S4SEG_WITH_CUDA only when
// the LibTorch found at configure time ships them.
#include <string>

#include "core/device.h"

#if defined(S4SEG_WITH_CUDA)
#include <ATen/cuda/CUDAContext.h>
#include <c10/cuda/CUDACachingAllocator.h>
#include <cuda_runtime_api.h>
#include <dlfcn.h>
#include <torch/version.h>
#endif

namespace s4seg {

#if defined(S4SEG_WITH_CUDA)
std::string cuda_device_description(int index) {
  const cudaDeviceProp* p = at::cuda::getDeviceProperties(index);
  return std::string(p->name) + ", " + std::to_string(p->totalGlobalMem >> 20) + " MiB, compute capability " +
         std::to_string(p->major) + "." + std::to_string(p->minor);
}
void cuda_empty_cache() { c10::cuda::CUDACachingAllocator::emptyCache(); }
MemoryFigures cuda_memory(int index) {
  // Index 0 of each statistic is the aggregate over pool types (StatType::AGGREGATE, whose
  // namespace moved between LibTorch versions).
  const auto stats = c10::cuda::CUDACachingAllocator::getDeviceStats(static_cast<c10::DeviceIndex>(index));
  MemoryFigures m;
  m.current = static_cast<uint64_t>(stats.allocated_bytes[0].current);
  m.peak = static_cast<uint64_t>(stats.allocated_bytes[0].peak);
  return m;
}
void cuda_reset_peak_memory(int index) {
  c10::cuda::CUDACachingAllocator::resetPeakStats(static_cast<c10::DeviceIndex>(index));
}
namespace {
// The CUDA runtime says "driver version is insufficient" also when there is no driver at all.
bool driver_library_present() {
  void* h = dlopen("libcuda.so.1", RTLD_LAZY | RTLD_LOCAL);
  if (h != nullptr) dlclose(h);
  return h != nullptr;
}
}  // namespace

std::string cuda_probe_failure() {
  int count = 0;
  cudaError_t err = cudaGetDeviceCount(&count);
  if (err == cudaErrorInsufficientDriver && !driver_library_present())
    return "no NVIDIA driver is installed on this machine (libcuda.so.1 cannot be loaded), so no CUDA device is usable";
  if (err != cudaSuccess)
    return std::string("the CUDA runtime reports: ") + cudaGetErrorString(err) +
           " (check the NVIDIA driver with nvidia-smi, and CUDA_VISIBLE_DEVICES)";
  if (count == 0) return "no CUDA device is visible (check CUDA_VISIBLE_DEVICES)";
  return "LibTorch cannot use the " + std::to_string(count) + " CUDA device(s) present (driver/toolkit mismatch?)";
}
std::string cuda_build_versions() {
  auto dotted = [](int v) { return std::to_string(v / 1000) + "." + std::to_string(v % 1000 / 10); };
  // The runtime library loaded (the wheel's, say) can be newer than the toolkit headers compiled
  // against; the runtime answers without a driver or a device.
  int runtime = 0;
  const std::string loaded = cudaRuntimeGetVersion(&runtime) == cudaSuccess ? dotted(runtime) : "unknown";
  return std::string("LibTorch ") + TORCH_VERSION + ", CUDA runtime " + loaded + ", compiled against CUDA " +
         dotted(CUDART_VERSION) + " headers";
}
#else
std::string cuda_build_versions() { return ""; }
std::string cuda_device_description(int) { return "available"; }
void cuda_empty_cache() {}
MemoryFigures cuda_memory(int) { return {}; }
void cuda_reset_peak_memory(int) {}
std::string cuda_probe_failure() { return "this s4seg was built against a LibTorch without CUDA (CPU-only build)"; }
#endif

}  // namespace s4seg
