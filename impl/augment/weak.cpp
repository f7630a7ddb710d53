#include "augment/weak.h"

#include <torch/nn/functional/vision.h>
#include <torch/torch.h>

#include <cmath>

#include "augment/input.h"

namespace s4seg {

namespace F = torch::nn::functional;

namespace {
double uniform(std::mt19937_64& rng, double a, double b) {
  return a + (b - a) * (static_cast<double>(rng() >> 11) * (1.0 / 9007199254740992.0));
}
}  // namespace

CropParams draw_crop(int64_t height, int64_t width, const WeakAugOptions& o, std::mt19937_64& rng) {
  CropParams p;
  p.scale = uniform(rng, o.scale_min, o.scale_max);
  double sh = std::round(height * p.scale), sw = std::round(width * p.scale);
  // A scaled image larger than the crop is cropped at a random place; a smaller one is placed
  // at a random place inside the crop, the rest being padding.
  p.offset_y = std::floor(uniform(rng, std::min(0.0, sh - o.crop), std::max(0.0, sh - o.crop) + 1));
  p.offset_x = std::floor(uniform(rng, std::min(0.0, sw - o.crop), std::max(0.0, sw - o.crop) + 1));
  p.flip = o.flip && (rng() & 1);
  return p;
}

torch::Tensor crop_grid(int64_t height, int64_t width, int64_t crop, const CropParams& p, const torch::TensorOptions& opts) {
  // Output pixel i reads scaled-image pixel (offset + i); with align_corners=false the normalised
  // coordinate of scaled pixel k is 2(k + 0.5)/scaled_size - 1.
  double sh = std::round(height * p.scale), sw = std::round(width * p.scale);
  torch::Tensor i = torch::arange(crop, opts);
  torch::Tensor j = p.flip ? (crop - 1) - i : i;
  torch::Tensor yn = (2.0 * (p.offset_y + i + 0.5) / sh - 1.0).view({crop, 1}).expand({crop, crop});
  torch::Tensor xn = (2.0 * (p.offset_x + j + 0.5) / sw - 1.0).view({1, crop}).expand({crop, crop});
  return torch::stack({xn, yn}, -1).unsqueeze(0);
}

AugmentedBatch weak_augment(const std::vector<LoadedSample>& samples, const c10::Device& device, const WeakAugOptions& o,
                            std::mt19937_64& rng) {
  auto fopts = torch::TensorOptions().dtype(torch::kFloat).device(device);
  std::vector<torch::Tensor> images, masks, valid;
  images.reserve(samples.size());
  masks.reserve(samples.size());
  valid.reserve(samples.size());
  for (const LoadedSample& s : samples) {
    CropParams p = draw_crop(s.image.height, s.image.width, o, rng);
    torch::Tensor grid = crop_grid(s.image.height, s.image.width, o.crop, p, fopts);
    torch::Tensor img = image_to_device(s.image, device).to(torch::kFloat);
    images.push_back(F::grid_sample(img, grid, F::GridSampleFuncOptions().mode(torch::kBilinear).padding_mode(torch::kZeros).align_corners(false)));
    torch::Tensor inside = torch::ones({1, 1, s.image.height, s.image.width}, fopts);
    valid.push_back(F::grid_sample(inside, grid, F::GridSampleFuncOptions().mode(torch::kNearest).padding_mode(torch::kZeros).align_corners(false))
                        .squeeze(1) > 0.5);
    if (s.mask.channels == 0) {
      masks.push_back(torch::full({1, o.crop, o.crop}, 255, torch::TensorOptions().dtype(torch::kLong).device(device)));
      continue;
    }
    // Shift labels by one so that zero padding is distinguishable, then map padding to ignore.
    torch::Tensor m = mask_to_device(s.mask, device).to(torch::kFloat) + 1;
    torch::Tensor mm = F::grid_sample(m, grid, F::GridSampleFuncOptions().mode(torch::kNearest).padding_mode(torch::kZeros).align_corners(false));
    torch::Tensor lab = mm.squeeze(1).round().to(torch::kLong) - 1;
    masks.push_back(torch::where(lab < 0, torch::full_like(lab, 255), lab));
  }
  return {normalize_images(torch::cat(images, 0)), torch::cat(masks, 0), torch::cat(valid, 0)};
}

}  // namespace s4seg
