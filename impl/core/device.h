// Device selection ("auto", "cpu", "cuda", "cuda:N") and the reason CUDA is unavailable.
#pragma once
#include <cstdint>
#include <string>

#include <c10/core/Device.h>

namespace s4seg {

// Resolves a device string; throws Error(Device) with the reason when CUDA is asked for but
// cannot be used, Error(InvalidArgument) for malformed strings.
c10::Device resolve_device(const std::string& spec);

bool cuda_usable();
// Empty when CUDA is usable; otherwise why not (no CUDA build, no driver, no device).
std::string cuda_unavailable_reason();
// Whether this build compiled in the data-parallel process group `name` (gloo, nccl).
bool backend_compiled_in(const std::string& name);
// Multi-line description of what this build supports, the CPU threads and the CUDA devices.
std::string device_info_text();
void release_cached_memory();

// CUDA-only pieces (device_cuda.cpp; stubs in CPU-only builds).
std::string cuda_device_description(int index);
void cuda_empty_cache();
// Why no CUDA device can be used: "CPU-only build", or the CUDA runtime's own answer (no driver,
// driver too old, no device visible).
std::string cuda_probe_failure();
// The LibTorch version, the CUDA runtime loaded and the CUDA headers compiled against ("LibTorch
// 2.15.0, CUDA runtime 13.2, compiled against CUDA 13.0 headers"); empty in CPU-only builds.
std::string cuda_build_versions();

// Memory in use and its high-water mark: on CUDA the caching allocator's allocated bytes of that
// device; on the CPU the process's resident set (VmRSS / VmHWM from /proc/self/status).
struct MemoryFigures {
  uint64_t current = 0;
  uint64_t peak = 0;
};
MemoryFigures device_memory(const c10::Device& device);
// Starts a new high-water mark (CPU: writes 5 to /proc/self/clear_refs, Linux ≥ 4.0).
void reset_peak_memory(const c10::Device& device);
MemoryFigures cuda_memory(int index);
void cuda_reset_peak_memory(int index);

// Applies train.threads (0 = all cores) to LibTorch's intra-op pool.
void set_cpu_threads(int64_t threads);

// LibTorch's intra-op thread count and cuDNN's benchmark mode are process-wide. A handle's
// settings hold them only while one of its calls runs (a training step), and this puts back what
// the host had on every way out. Work on other threads meanwhile shares the pool.
class ScopedProcessSettings {
 public:
  ScopedProcessSettings(int64_t cpu_threads, bool cudnn_benchmark);
  ~ScopedProcessSettings();
  ScopedProcessSettings(const ScopedProcessSettings&) = delete;
  ScopedProcessSettings& operator=(const ScopedProcessSettings&) = delete;

 private:
  int threads_before_;
  bool cudnn_before_;
};

}  // namespace s4seg
