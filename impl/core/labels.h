// Label values every layer agrees on.
#pragma once
#include <cstdint>

namespace s4seg {

// A mask pixel that no loss, metric or filter counts (padding, "don't care" regions).
constexpr int64_t kIgnoreIndex = 255;

}  // namespace s4seg
