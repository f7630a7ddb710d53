#include "models/discriminator.h"

#include <torch/nn/functional/activation.h>
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <string>

#include "core/error.h"
#include "core/tensor_text.h"
#include "core/labels.h"

namespace s4seg {

namespace nn = torch::nn;
namespace F = torch::nn::functional;

namespace {

constexpr int64_t kMinSide = 16;  // four stride-2 convs need a side of 16 to leave one cell

nn::Conv2d down(int64_t in, int64_t out) { return nn::Conv2d(nn::Conv2dOptions(in, out, 4).stride(2).padding(1)); }

torch::Tensor lrelu(const torch::Tensor& x) {
  return F::leaky_relu(x, F::LeakyReLUFuncOptions().negative_slope(0.2));
}

}  // namespace

DiscriminatorImpl::DiscriminatorImpl(const DiscriminatorOptions& o) : options_(o) {
  require(o.in_channels >= 1, "Discriminator: in_channels must be positive, got " + std::to_string(o.in_channels));
  require(o.ndf >= 1, "Discriminator: ndf must be positive, got " + std::to_string(o.ndf));
  require(o.dropout >= 0 && o.dropout < 1, "Discriminator: dropout must be in [0, 1), got " + std::to_string(o.dropout));
  const int64_t f = o.ndf;
  conv1 = register_module("conv1", down(o.in_channels, f));
  conv2 = register_module("conv2", down(f, 2 * f));
  conv3 = register_module("conv3", down(2 * f, 4 * f));
  conv4 = register_module("conv4", down(4 * f, 8 * f));
  if (o.dropout > 0) drop = register_module("drop", nn::Dropout2d(nn::Dropout2dOptions(o.dropout)));
  if (o.patch) {
    patch_head = register_module("patch_head", nn::Conv2d(nn::Conv2dOptions(8 * f, 1, 1)));
  } else {
    image_head = register_module("image_head", nn::Linear(8 * f, 1));
  }
}

DiscriminatorOutput DiscriminatorImpl::forward(torch::Tensor x) {
  require(x.defined() && x.dim() == 4 && x.is_floating_point() && x.size(1) == options_.in_channels && x.size(0) >= 1 &&
              x.size(2) >= 1 && x.size(3) >= 1,
          "Discriminator: input must be floating (B, " + std::to_string(options_.in_channels) + ", H, W), got " +
              shape_of(x));
  if (x.size(2) < kMinSide || x.size(3) < kMinSide) {
    // Replicate the last row/column rather than pad zeros: an all-zero probability block is what
    // ignored pixels look like in the real (one-hot) input, so zero padding would hand fake inputs
    // a "real" cue. Clamped indices instead of F::pad's replicate mode, which lacks bf16 on CPU.
    auto idx = x.options().dtype(torch::kLong);
    torch::Tensor rows = torch::arange(std::max(x.size(2), kMinSide), idx).clamp_max(x.size(2) - 1);
    torch::Tensor cols = torch::arange(std::max(x.size(3), kMinSide), idx).clamp_max(x.size(3) - 1);
    x = x.index_select(2, rows).index_select(3, cols);
  }
  torch::Tensor h = x;
  h = lrelu(conv1(h));
  if (!drop.is_empty()) h = drop(h);
  h = lrelu(conv2(h));
  if (!drop.is_empty()) h = drop(h);
  h = lrelu(conv3(h));
  if (!drop.is_empty()) h = drop(h);
  h = lrelu(conv4(h));

  DiscriminatorOutput out;
  out.features = h.mean({2, 3});
  if (options_.patch) {
    out.logits = patch_head(h);
  } else {
    // The released code pools with AvgPool2d(20) (VOC) on a 32×32 map, which keeps only the
    // top-left 20×20 cells (≈ the top-left 320² pixels of a 512² crop, a leftover of s4GAN's 320²
    // crops); a global pool judges the whole image, at any input size.
    out.logits = image_head(out.features).view({x.size(0), 1, 1, 1});
  }
  out.score = torch::sigmoid(out.logits);
  return out;
}

torch::Tensor discriminator_input(const torch::Tensor& probs, const torch::Tensor& images) {
  require(probs.defined() && probs.dim() == 4 && probs.is_floating_point() && probs.size(1) >= 1,
          "discriminator_input: probs must be floating (B, C, H, W), got " + shape_of(probs));
  require(images.defined() && images.dim() == 4 && images.is_floating_point() && images.size(1) >= 1 &&
              images.size(0) == probs.size(0) && images.size(2) == probs.size(2) && images.size(3) == probs.size(3),
          "discriminator_input: images must be floating (B, K, H, W) matching probs " + shape_of(probs) + ", got " +
              shape_of(images));
  require(images.device() == probs.device(), "discriminator_input: probs and images must be on the same device");
  torch::Tensor img = images.detach().to(torch::kFloat);
  // Whole-batch extremes (not per image), as the code: images keep their relative brightness.
  torch::Tensor lo = img.min();
  torch::Tensor hi = img.max();
  torch::Tensor scaled = (img - lo) / (hi - lo + 1e-8);
  return torch::cat({probs, scaled.to(probs.scalar_type())}, 1);
}

torch::Tensor one_hot_with_ignore(const torch::Tensor& masks, int64_t num_classes) {
  require(num_classes >= 1, "one_hot_with_ignore: num_classes must be positive, got " + std::to_string(num_classes));
  require(masks.defined() && masks.dim() == 3 && masks.scalar_type() == torch::kLong,
          "one_hot_with_ignore: masks must be int64 (B, H, W), got " + shape_of(masks));
  torch::Tensor valid = masks != kIgnoreIndex;
  torch::Tensor bad = valid & ((masks < 0) | (masks >= num_classes));
  require(!bad.any().item<bool>(), "one_hot_with_ignore: labels must lie in [0, " + std::to_string(num_classes) +
                                       ") or be 255 (ignore)");
  torch::Tensor safe = torch::where(valid, masks, torch::zeros_like(masks));
  torch::Tensor out = torch::zeros({masks.size(0), num_classes, masks.size(1), masks.size(2)},
                                   masks.options().dtype(torch::kFloat));
  return out.scatter_(1, safe.unsqueeze(1), valid.unsqueeze(1).to(torch::kFloat));
}

torch::Tensor patch_scores_to_pixels(const torch::Tensor& score, int64_t height, int64_t width) {
  require(score.defined() && score.dim() == 4 && score.size(1) == 1 && score.is_floating_point() && score.size(2) >= 1 &&
              score.size(3) >= 1,
          "patch scores must be floating (B, 1, h', w'), got " + shape_of(score));
  require(height >= 1 && width >= 1, "patch scores: height and width must be positive, got " + std::to_string(height) +
                                         "×" + std::to_string(width));
  const int64_t ph = score.size(2), pw = score.size(3);
  // Integer arithmetic, not interpolate's float scale, so every pixel lands on the exact patch.
  auto idx = score.options().dtype(torch::kLong);
  torch::Tensor rows = torch::div(torch::arange(height, idx) * ph, height, "floor");
  torch::Tensor cols = torch::div(torch::arange(width, idx) * pw, width, "floor");
  return score.detach().squeeze(1).index_select(1, rows).index_select(2, cols);
}

torch::Tensor patch_scores_to_pixel_mask(const torch::Tensor& score, double threshold, int64_t height, int64_t width) {
  require(std::isfinite(threshold), "patch_scores_to_pixel_mask: threshold must be finite");
  return patch_scores_to_pixels(score, height, width) > threshold;
}

}  // namespace s4seg
