// Discriminator scores per pixel (RRN's local pseudo-label filtering): each pixel gets the score
// of the patch (or, for an image-level discriminator, the image) that covers it, for the
// `discriminator` pseudo-label filter.
#pragma once
#include <torch/types.h>

#include "models/discriminator.h"
#include "models/segmentation_net.h"

namespace s4seg {

// Score in (0, 1) of `d` for softmax `probs` (B, C, H, W) judged with the normalised `images`
// (B, 3, H, W), spread to the pixels: float (B, H, W). Gradients flow as the inputs and `d`'s
// parameters allow; callers detach or wrap in no-grad as they need.
torch::Tensor region_score(Discriminator& d, const torch::Tensor& probs, const torch::Tensor& images);

// The mean of region_score over a model's discriminators (one per branch); the model must have at
// least one.
torch::Tensor mean_region_score(SegmentationNetImpl& net, const torch::Tensor& probs, const torch::Tensor& images);

}  // namespace s4seg
