// How the values stored in a benchmark's mask files become class indices: one 256-entry table per
// convention, shared by every sample that uses it and applied right after decoding, so that the rest
// of the library only ever sees 0..C-1 and 255 (ignore).
#pragma once
#include <array>
#include <cstdint>
#include <string>

#include "io/image.h"

namespace s4seg {

struct MaskMapping {
  std::array<uint8_t, 256> to{};    // stored value → class index or 255
  std::array<bool, 256> allowed{};  // values a mask may hold; any other is a FORMAT error, not silently ignored
  std::string convention;           // what the allowed values are, for that error's message
};

// Rewrites the 1-channel `mask` in place. Throws Error(Format) naming `path`, the first value that is
// not allowed and where it sits.
void apply_mask_mapping(const MaskMapping& mapping, Image& mask, const std::string& path);

}  // namespace s4seg
