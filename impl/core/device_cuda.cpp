// The parts of device handling that need CUDA headers; compiled with S4SEG_WITH_CUDA only when
// the LibTorch found at configure time ships them.
#include <string>

#include "core/device.h"

#if defined(S4SEG_WITH_CUDA)
#include <ATen/cuda/CUDAContext.h>
#include <c10/cuda/CUDACachingAllocator.h>
#endif

namespace s4seg {

#if defined(S4SEG_WITH_CUDA)
std::string cuda_device_description(int index) {
  const cudaDeviceProp* p = at::cuda::getDeviceProperties(index);
  return std::string(p->name) + ", " + std::to_string(p->totalGlobalMem >> 20) + " MiB, compute capability " +
         std::to_string(p->major) + "." + std::to_string(p->minor);
}
void cuda_empty_cache() { c10::cuda::CUDACachingAllocator::emptyCache(); }
#else
std::string cuda_device_description(int) { return "available"; }
void cuda_empty_cache() {}
#endif

}  // namespace s4seg
