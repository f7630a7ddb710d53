// An ordered list of samples: in-memory (copied at add time) or file-backed (checked at add time,
// decoded when used, optionally kept decoded in a bounded cache).
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "data/decode_cache.h"
#include "data/mask_mapping.h"
#include "io/image.h"

namespace s4seg {

// A file-backed sample to add: what the list or split named, resolved to paths.
struct FileSample {
  std::string image_path;
  std::string mask_path;                            // empty: no mask
  std::shared_ptr<const MaskMapping> mask_mapping;  // null: mask values are class indices as stored
  std::string origin;                               // error-message prefix naming where it came from ("split.txt:3: ")
};

class Dataset {
 public:
  // `mask` with channels == 0 means "no mask".
  void add(Image image, Image mask);
  void add_list(const std::string& root, const std::string& list_path);
  // Probes every image and mask (readable, sizes equal); all-or-nothing.
  void add_files(const std::vector<FileSample>& files);
  void add_synthetic(int64_t count, int32_t width, int32_t height, int32_t num_classes, uint64_t seed);

  int64_t size() const { return static_cast<int64_t>(samples_.size()); }
  bool has_mask(int64_t index) const { return samples_.at(static_cast<size_t>(index)).has_mask; }
  int64_t masked_count() const;
  // The image file of a file-backed sample as the list or split named it, joined with its root;
  // "" for samples added in memory. Error(InvalidArgument) for an index out of range.
  const std::string& image_path(int64_t index) const;
  // Thread-safe with other load() calls and with set_cache() (adding samples is not).
  LoadedSample load(int64_t index) const;

  // Pixel bytes of decoded file-backed samples to keep for reuse; 0 (the default) keeps none.
  void set_cache(uint64_t bytes) { cache_.set_limit(bytes); }
  DecodeCache::Stats cache_stats() const { return cache_.stats(); }

 private:
  struct Sample {
    std::shared_ptr<const Image> image;  // in-memory samples
    std::shared_ptr<const Image> mask;
    std::string image_path;  // file-backed samples
    std::string mask_path;
    std::shared_ptr<const MaskMapping> mask_mapping;
    int32_t width = 0;
    int32_t height = 0;
    bool has_mask = false;
  };
  LoadedSample decode(const Sample& s) const;

  std::vector<Sample> samples_;
  mutable DecodeCache cache_;  // load() is const: the cache is not part of the dataset's value
};

// Deterministic synthetic scenes of textured shapes (synthetic.cpp).
LoadedSample make_synthetic_sample(int32_t width, int32_t height, int32_t num_classes, uint64_t seed);

}  // namespace s4seg
