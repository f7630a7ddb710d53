// The method registry as hosts see it: names, one-line summaries and capability flags.
#include <string>

#include "api_guard.h"
#include "methods/method_registry.h"

namespace {
// Descriptor `index`, or Error(InvalidArgument) naming the count.
s4seg::MethodDescriptor method_at(size_t index) {
  std::vector<s4seg::MethodDescriptor> all = s4seg::registered_methods();
  s4seg::require(index < all.size(),
                 "method index " + std::to_string(index) + " is out of range (" + std::to_string(all.size()) + " methods)");
  return all[index];
}
}  // namespace

extern "C" {

size_t s4seg_method_count(void) noexcept {
  try {
    return s4seg::registered_methods().size();
  } catch (...) {
    return 0;  // only an allocation failure copying the list; nothing to enumerate then
  }
}

s4seg_status s4seg_method_name(size_t index, char* buf, size_t capacity, size_t* needed) noexcept {
  S4SEG_API_BEGIN
  return s4seg::copy_text_out(method_at(index).name, buf, capacity, needed, "method name");
  S4SEG_API_END
}

s4seg_status s4seg_method_summary(size_t index, char* buf, size_t capacity, size_t* needed) noexcept {
  S4SEG_API_BEGIN
  return s4seg::copy_text_out(method_at(index).summary, buf, capacity, needed, "method summary");
  S4SEG_API_END
}

s4seg_status s4seg_method_flags(size_t index, uint32_t* flags) noexcept {
  S4SEG_CHECK_ARG(flags, "flags must not be NULL");
  S4SEG_API_BEGIN
  const s4seg::MethodDescriptor d = method_at(index);
  uint32_t bits = 0;
  if (d.uses_unlabeled) bits |= S4SEG_METHOD_USES_UNLABELED;
  if (d.skips_on_device) bits |= S4SEG_METHOD_SKIPS_ON_DEVICE;
  if (d.data_parallel) bits |= S4SEG_METHOD_DATA_PARALLEL;
  if (d.mean_teacher) bits |= S4SEG_METHOD_MEAN_TEACHER;
  *flags = bits;
  S4SEG_API_END
}

}  // extern "C"
