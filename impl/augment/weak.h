// Weak augmentation as tensor ops on the device: random scale, crop (padding marked ignore) and
// horizontal flip in one grid_sample per image (images may differ in size), on the device.
#pragma once
#include <c10/core/Device.h>
#include <torch/types.h>

#include <random>
#include <vector>

#include "io/image.h"

namespace s4seg {

struct WeakAugOptions {
  int64_t crop = 321;
  double scale_min = 0.5;
  double scale_max = 2.0;
  bool flip = true;
};

struct AugmentedBatch {
  torch::Tensor images;  // float (B, 3, crop, crop), normalised
  torch::Tensor masks;   // int64 (B, crop, crop), 255 = ignore (padding, or no mask)
  torch::Tensor valid;   // bool (B, crop, crop): false on padding (outside the source image)
};

// Where output pixel (i, j) reads from: see weak.cpp.
struct CropParams {
  double scale;
  double offset_y, offset_x;  // crop origin in scaled-image pixels (may be negative: padding)
  bool flip;
};

CropParams draw_crop(int64_t height, int64_t width, const WeakAugOptions& o, std::mt19937_64& rng);
// Normalised sampling grid (1, crop, crop, 2) for grid_sample with align_corners=false.
torch::Tensor crop_grid(int64_t height, int64_t width, int64_t crop, const CropParams& p, const torch::TensorOptions& opts);

AugmentedBatch weak_augment(const std::vector<LoadedSample>& samples, const c10::Device& device, const WeakAugOptions& o,
                            std::mt19937_64& rng);

}  // namespace s4seg
