// An ordered list of samples: in-memory (copied at add time) or file-backed (checked at add time,
// decoded when used).
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "io/image.h"

namespace s4seg {

struct LoadedSample {
  Image image;  // 1 or 3 channels, as stored
  Image mask;   // channels == 0 when the sample has no mask
};

class Dataset {
 public:
  // `mask` with channels == 0 means "no mask".
  void add(Image image, Image mask);
  void add_list(const std::string& root, const std::string& list_path);
  void add_synthetic(int64_t count, int32_t width, int32_t height, int32_t num_classes, uint64_t seed);

  int64_t size() const { return static_cast<int64_t>(samples_.size()); }
  bool has_mask(int64_t index) const { return samples_.at(static_cast<size_t>(index)).has_mask; }
  int64_t masked_count() const;
  // Thread-safe (const, no shared mutable state).
  LoadedSample load(int64_t index) const;

 private:
  struct Sample {
    std::shared_ptr<const Image> image;  // in-memory samples
    std::shared_ptr<const Image> mask;
    std::string image_path;  // file-backed samples
    std::string mask_path;
    int32_t width = 0;
    int32_t height = 0;
    bool has_mask = false;
  };
  std::vector<Sample> samples_;
};

// Deterministic synthetic scenes of textured shapes (synthetic.cpp).
LoadedSample make_synthetic_sample(int32_t width, int32_t height, int32_t num_classes, uint64_t seed);

}  // namespace s4seg
