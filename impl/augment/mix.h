// Mixing of unlabeled images (ALGORITHMS.md 1.4). Every generator returns a paste mask, bool
// (B, H, W), true where the pixel is taken from the partner image; apply_mix applies that one mask
// identically to images, pseudo-labels, confidences and weights, so they never disagree. Random
// draws come from LibTorch's default generator (seeded per iteration by the trainer).
#pragma once
#include <torch/types.h>

#include <string>
#include <vector>

namespace s4seg {

// U²PL/PCR/CSS cutout box: with probability p (one draw for the whole batch), each image gets one
// box of area H·W/2: width uniform in (W/2, W], height round(area/width) clipped to H, position
// uniform inside the image. Otherwise the mask is all false.
torch::Tensor cutmix_half_box_mask(int64_t batch, int64_t height, int64_t width, double p, const c10::Device& device);

// CPS box generator: `boxes` boxes per image, each covering a fraction of the image area drawn
// uniformly from [prop_min, prop_max] / boxes, random aspect ratio, inside the image; the mask is
// the union of the boxes.
torch::Tensor cutmix_boxes_mask(int64_t batch, int64_t height, int64_t width, int64_t boxes, double prop_min, double prop_max,
                                const c10::Device& device);

// ClassMix: for each image, a random half (rounded up) of the classes present in `labels`
// (int64 (B, H, W), 255 and any label outside [0, 254] ignored) is chosen; the mask is true on
// the pixels of those classes. The mask is read as "paste from this image into its partner": use
// apply_mix with partner = roll so that image i receives the chosen classes of image i+1.
torch::Tensor classmix_mask(const torch::Tensor& labels);

struct MixOptions {
  std::string type = "cutmix";  // cutmix | boxes | classmix | none
  double p = 0.5;               // cutmix: probability per batch; boxes, classmix: mix when p > 0
  int64_t boxes = 3;
  double box_min = 0.25, box_max = 0.5;
};

// The paste mask of `o.type` for a batch; `labels` (B, H, W) are needed by classmix only (whose
// mask is returned already moved to the receiving images, ready for apply_mix with `partner`).
torch::Tensor paste_mask(const MixOptions& o, int64_t batch, int64_t height, int64_t width, const torch::Tensor& labels,
                         const torch::Tensor& partner, const c10::Device& device);

// The partner of image i is image (i + 1) mod B (U²PL).
torch::Tensor partner_index(int64_t batch, const c10::Device& device);

// out_i = where(mask_i, t_partner(i), t_i) for every tensor in `tensors` (each (B, ...) with
// H, W as its last two dimensions; any dtype). `mask` is from one of the generators above; for
// classmix_mask, pass the mask of the partner (mask.index_select(0, partner)).
std::vector<torch::Tensor> apply_mix(const torch::Tensor& mask, const torch::Tensor& partner,
                                     const std::vector<torch::Tensor>& tensors);

}  // namespace s4seg
