#include "data/mask_mapping.h"

#include "core/error.h"

namespace s4seg {

void apply_mask_mapping(const MaskMapping& mapping, Image& mask, const std::string& path) {
  for (size_t i = 0; i < mask.pixels.size(); ++i) {
    uint8_t& v = mask.pixels[i];
    if (!mapping.allowed[v]) {
      const size_t x = i % static_cast<size_t>(mask.width), y = i / static_cast<size_t>(mask.width);
      fail(Status::Format, "mask '" + path + "' holds the value " + std::to_string(v) + " at (" + std::to_string(x) +
                               ", " + std::to_string(y) + "); expected " + mapping.convention);
    }
    v = mapping.to[v];
  }
}

}  // namespace s4seg
