#include <torch/version.h>

#include <cstring>

#include "api_guard.h"
#include "core/device.h"

namespace s4seg {
const char* last_error_c_str();
}

#define S4SEG_STR2(x) #x
#define S4SEG_STR(x) S4SEG_STR2(x)

extern "C" {

const char* s4seg_status_string(s4seg_status status) noexcept {
  switch (status) {
    case S4SEG_OK: return "OK";
    case S4SEG_INVALID_ARGUMENT: return "INVALID_ARGUMENT";
    case S4SEG_OUT_OF_MEMORY: return "OUT_OF_MEMORY";
    case S4SEG_IO: return "IO";
    case S4SEG_FORMAT: return "FORMAT";
    case S4SEG_UNSUPPORTED: return "UNSUPPORTED";
    case S4SEG_DEVICE: return "DEVICE";
    case S4SEG_CANCELLED: return "CANCELLED";
    case S4SEG_DIVERGED: return "DIVERGED";
    case S4SEG_STATE: return "STATE";
    case S4SEG_INTERNAL: return "INTERNAL";
    case S4SEG_BUFFER_TOO_SMALL: return "BUFFER_TOO_SMALL";
  }
  return "UNKNOWN";
}

const char* s4seg_last_error(void) noexcept { return s4seg::last_error_c_str(); }

const char* s4seg_version(void) noexcept {
  return S4SEG_STR(S4SEG_VERSION_MAJOR) "." S4SEG_STR(S4SEG_VERSION_MINOR) "." S4SEG_STR(S4SEG_VERSION_PATCH);
}

const char* s4seg_backend_version(void) noexcept { return TORCH_VERSION; }

s4seg_status s4seg_device_info(char* buf, size_t capacity, size_t* needed) noexcept {
  S4SEG_API_BEGIN
  std::string text = s4seg::device_info_text();
  return s4seg::copy_text_out(text, buf, capacity, needed, "device info");
  S4SEG_API_END
}

s4seg_status s4seg_cuda_available(int* available) noexcept {
  S4SEG_CHECK_ARG(available, "available must not be NULL");
  S4SEG_API_BEGIN
  *available = s4seg::cuda_usable() ? 1 : 0;
  S4SEG_API_END
}

s4seg_status s4seg_release_cached_memory(void) noexcept {
  S4SEG_API_BEGIN
  s4seg::release_cached_memory();
  S4SEG_API_END
}

s4seg_status s4seg_device_memory(const char* device, uint64_t* current_bytes, uint64_t* peak_bytes) noexcept {
  S4SEG_API_BEGIN
  const s4seg::MemoryFigures m = s4seg::device_memory(s4seg::resolve_device(device ? device : "auto"));
  if (current_bytes) *current_bytes = m.current;
  if (peak_bytes) *peak_bytes = m.peak;
  S4SEG_API_END
}

s4seg_status s4seg_device_reset_peak_memory(const char* device) noexcept {
  S4SEG_API_BEGIN
  s4seg::reset_peak_memory(s4seg::resolve_device(device ? device : "auto"));
  S4SEG_API_END
}

}  // extern "C"
