// Device selection ("auto", "cpu", "cuda", "cuda:N") and the reason CUDA is unavailable.
#pragma once
#include <string>

#include <c10/core/Device.h>

namespace s4seg {

// Resolves a device string; throws Error(Device) with the reason when CUDA is asked for but
// cannot be used, Error(InvalidArgument) for malformed strings.
c10::Device resolve_device(const std::string& spec);

bool cuda_usable();
// Empty when CUDA is usable; otherwise why not (no CUDA build, no driver, no device).
std::string cuda_unavailable_reason();
// Multi-line description of CPU threads and CUDA devices.
std::string device_info_text();
void release_cached_memory();

// CUDA-only pieces (device_cuda.cpp; stubs in CPU-only builds).
std::string cuda_device_description(int index);
void cuda_empty_cache();
// Why no CUDA device can be used: "CPU-only build", or the CUDA runtime's own answer (no driver,
// driver too old, no device visible).
std::string cuda_probe_failure();

// Applies train.threads (0 = all cores) to LibTorch's intra-op pool.
void set_cpu_threads(int64_t threads);

}  // namespace s4seg
