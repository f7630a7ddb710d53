#include "data/dataset.h"

#include "core/error.h"
#include "data/layouts.h"

namespace s4seg {

namespace {
void check_pair(const Image& image, const Image& mask) {
  require(image.width > 0 && image.height > 0, "image has no pixels");
  require(image.channels == 1 || image.channels == 3, "image must have 1 or 3 channels, has " + std::to_string(image.channels));
  if (mask.channels == 0) return;
  require(mask.channels == 1, "mask must have 1 channel (class indices), has " + std::to_string(mask.channels));
  require(mask.width == image.width && mask.height == image.height,
          "mask is " + std::to_string(mask.width) + "x" + std::to_string(mask.height) + " but image is " +
              std::to_string(image.width) + "x" + std::to_string(image.height));
}
}  // namespace

void Dataset::add(Image image, Image mask) {
  check_pair(image, mask);
  Sample s;
  s.width = image.width;
  s.height = image.height;
  s.has_mask = mask.channels != 0;
  s.image = std::make_shared<const Image>(std::move(image));
  if (s.has_mask) s.mask = std::make_shared<const Image>(std::move(mask));
  samples_.push_back(std::move(s));
}

void Dataset::add_list(const std::string& root, const std::string& list_path) {
  add_files(list_samples(root, list_path, false));
}

void Dataset::add_files(const std::vector<FileSample>& files) {
  std::vector<Sample> added;
  added.reserve(files.size());
  for (const FileSample& f : files) {
    try {
      Sample s;
      ImageHeader ih = probe_image(f.image_path);
      s.image_path = f.image_path;
      s.width = ih.width;
      s.height = ih.height;
      if (!f.mask_path.empty()) {
        ImageHeader mh = probe_image(f.mask_path);
        if (mh.width != ih.width || mh.height != ih.height)
          fail(Status::Format, "mask '" + f.mask_path + "' is " + std::to_string(mh.width) + "x" + std::to_string(mh.height) +
                                   " but image '" + f.image_path + "' is " + std::to_string(ih.width) + "x" +
                                   std::to_string(ih.height));
        s.mask_path = f.mask_path;
        s.mask_mapping = f.mask_mapping;
        s.has_mask = true;
      }
      added.push_back(std::move(s));
    } catch (const Error& err) {
      fail(err.status(), f.origin + err.what());
    }
  }
  samples_.insert(samples_.end(), std::make_move_iterator(added.begin()), std::make_move_iterator(added.end()));
}

const std::string& Dataset::image_path(int64_t index) const {
  require(index >= 0 && index < size(),
          "sample index " + std::to_string(index) + " is out of range (" + std::to_string(size()) + " samples)");
  return samples_[static_cast<size_t>(index)].image_path;
}

void Dataset::add_synthetic(int64_t count, int32_t width, int32_t height, int32_t num_classes, uint64_t seed) {
  require(count >= 1 && count <= 1000000, "synthetic count must be in 1..1000000, got " + std::to_string(count));
  require(width >= 16 && width <= 4096 && height >= 16 && height <= 4096,
          "synthetic width and height must be in 16..4096, got " + std::to_string(width) + "x" + std::to_string(height));
  require(num_classes >= 2 && num_classes <= 32, "synthetic num_classes must be in 2..32, got " + std::to_string(num_classes));
  std::vector<Sample> added;
  added.reserve(static_cast<size_t>(count));
  for (int64_t i = 0; i < count; ++i) {
    LoadedSample ls = make_synthetic_sample(width, height, num_classes, seed * 0x9E3779B97F4A7C15ull + static_cast<uint64_t>(i));
    Sample s;
    s.width = width;
    s.height = height;
    s.has_mask = true;
    s.image = std::make_shared<const Image>(std::move(ls.image));
    s.mask = std::make_shared<const Image>(std::move(ls.mask));
    added.push_back(std::move(s));
  }
  samples_.insert(samples_.end(), std::make_move_iterator(added.begin()), std::make_move_iterator(added.end()));
}

int64_t Dataset::masked_count() const {
  int64_t n = 0;
  for (const auto& s : samples_) n += s.has_mask ? 1 : 0;
  return n;
}

LoadedSample Dataset::load(int64_t index) const {
  require(index >= 0 && index < size(), "sample index " + std::to_string(index) + " out of range 0.." + std::to_string(size() - 1));
  const Sample& s = samples_[static_cast<size_t>(index)];
  if (s.image) {
    LoadedSample out;
    out.image = *s.image;
    if (s.mask) out.mask = *s.mask;
    return out;
  }
  if (std::shared_ptr<const LoadedSample> kept = cache_.find(index)) return *kept;
  auto decoded = std::make_shared<LoadedSample>(decode(s));
  const uint64_t bytes = decoded->image.pixels.size() + decoded->mask.pixels.size();
  if (cache_.put(index, decoded, bytes)) return *decoded;
  return std::move(*decoded);  // not kept: ours alone
}

LoadedSample Dataset::decode(const Sample& s) const {
  LoadedSample out;
  out.image = load_image(s.image_path, ImageMode::Auto);
  if (s.has_mask) out.mask = load_image(s.mask_path, ImageMode::Indices);
  if (out.image.width != s.width || out.image.height != s.height || (s.has_mask && (out.mask.width != s.width || out.mask.height != s.height)))
    fail(Status::Format, "'" + s.image_path + "' changed size since it was added to the dataset");
  if (s.mask_mapping) apply_mask_mapping(*s.mask_mapping, out.mask, s.mask_path);
  return out;
}

}  // namespace s4seg
