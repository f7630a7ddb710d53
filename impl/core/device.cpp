#include "core/device.h"

#include <ATen/Context.h>
#include <ATen/Parallel.h>
#include <c10/core/CPUAllocator.h>
#include <torch/cuda.h>
#include <torch/version.h>

#include <cstdlib>
#include <fstream>
#include <string>
#include <thread>

#include "core/error.h"

namespace s4seg {


bool cuda_usable() {
  try {
    return torch::cuda::is_available() && torch::cuda::device_count() > 0;
  } catch (...) {
    return false;
  }
}

std::string cuda_unavailable_reason() {
  if (cuda_usable()) return "";
  return cuda_probe_failure();
}

c10::Device resolve_device(const std::string& spec) {
  if (spec == "cpu") return c10::Device(c10::kCPU);
  if (spec == "auto") return cuda_usable() ? c10::Device(c10::kCUDA, 0) : c10::Device(c10::kCPU);
  int index = 0;
  if (spec == "cuda") {
    index = 0;
  } else if (spec.rfind("cuda:", 0) == 0 && spec.size() > 5 && spec.size() <= 9 &&
             spec.find_first_not_of("0123456789", 5) == std::string::npos) {
    index = std::atoi(spec.c_str() + 5);
  } else {
    fail(Status::InvalidArgument, "device: '" + spec + "' is not allowed (auto|cpu|cuda|cuda:N)");
  }
  if (!cuda_usable()) fail(Status::Device, "device '" + spec + "' requested but CUDA is unavailable: " + cuda_unavailable_reason());
  int64_t count = torch::cuda::device_count();
  if (index >= count)
    fail(Status::Device, "device '" + spec + "' requested but only " + std::to_string(count) + " CUDA device(s) exist");
  return c10::Device(c10::kCUDA, static_cast<c10::DeviceIndex>(index));
}

// S4SEG_WITH_NCCL and S4SEG_WITH_GLOO are defined for this file alone (CMakeLists.txt), as for
// dist/communicator.cpp, whose backend choice asks here.
bool backend_compiled_in(const std::string& name) {
#if defined(S4SEG_WITH_GLOO)
  if (name == "gloo") return true;
#endif
#if defined(S4SEG_WITH_NCCL)
  if (name == "nccl") return true;
#endif
  return false;
}

namespace {
std::string compiled_in(bool yes, const char* why_not) {
  return yes ? "compiled in" : std::string("not compiled in (") + why_not + ")";
}

// What this build can do, whatever the machine it runs on has.
std::string build_support_text() {
#if defined(S4SEG_WITH_CUDA)
  std::string out = "cuda: support compiled in (" + cuda_build_versions() + ")\n";
#else
  std::string out = "cuda: support not compiled in: " + cuda_probe_failure() + "\n";
#endif
  return out + "data parallel: gloo " + compiled_in(backend_compiled_in("gloo"), "no gloo headers at build time") + ", nccl " +
         compiled_in(backend_compiled_in("nccl"), "no CUDA LibTorch or no nccl.h at build time") + "\n";
}
}  // namespace

std::string device_info_text() {
  std::string out = build_support_text() + "cpu: " + std::to_string(std::thread::hardware_concurrency()) +
                    " hardware threads (training uses train.threads of them; 0 = all)\n";
  if (cuda_usable()) {
    int64_t n = torch::cuda::device_count();
    for (int64_t i = 0; i < n; ++i) {
      out += "cuda:" + std::to_string(i) + ": " + cuda_device_description(static_cast<int>(i)) + "\n";
    }
  } else {
#if defined(S4SEG_WITH_CUDA)
    out += "cuda: no usable device: " + cuda_unavailable_reason() + "\n";
#endif
  }
  return out;
}

void release_cached_memory() {
  if (cuda_usable()) cuda_empty_cache();
}

namespace {
// A "Name:   1234 kB" line of /proc/self/status, in bytes; 0 when absent (not Linux).
uint64_t proc_status_bytes(const char* name) {
  std::ifstream in("/proc/self/status");
  std::string line;
  const std::string prefix = std::string(name) + ":";
  while (std::getline(in, line))
    if (line.compare(0, prefix.size(), prefix) == 0) return std::strtoull(line.c_str() + prefix.size(), nullptr, 10) << 10;
  return 0;
}
}  // namespace

MemoryFigures device_memory(const c10::Device& device) {
  if (device.is_cuda()) return cuda_memory(device.has_index() ? device.index() : 0);
  return {proc_status_bytes("VmRSS"), proc_status_bytes("VmHWM")};
}

void reset_peak_memory(const c10::Device& device) {
  if (device.is_cuda()) {
    cuda_reset_peak_memory(device.has_index() ? device.index() : 0);
    return;
  }
  std::ofstream clear("/proc/self/clear_refs");
  if (!(clear << "5" << std::flush))
    fail(Status::Unsupported, "cannot reset the peak resident memory of this process (/proc/self/clear_refs)");
}

void set_cpu_threads(int64_t threads) {
  int n = threads > 0 ? static_cast<int>(threads) : static_cast<int>(std::thread::hardware_concurrency());
  if (n < 1) n = 1;
  if (at::get_num_threads() != n) at::set_num_threads(n);
}

ScopedProcessSettings::ScopedProcessSettings(int64_t cpu_threads, bool cudnn_benchmark)
    : threads_before_(at::get_num_threads()), cudnn_before_(at::globalContext().benchmarkCuDNN()) {
  set_cpu_threads(cpu_threads);
  if (cudnn_benchmark != cudnn_before_) at::globalContext().setBenchmarkCuDNN(cudnn_benchmark);
}

ScopedProcessSettings::~ScopedProcessSettings() {
  if (at::get_num_threads() != threads_before_) at::set_num_threads(threads_before_);
  if (at::globalContext().benchmarkCuDNN() != cudnn_before_) at::globalContext().setBenchmarkCuDNN(cudnn_before_);
}

}  // namespace s4seg
