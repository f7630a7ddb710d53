// Adversarial losses of RRN's s4GAN discriminators (ALGORITHMS.md 4.3). All return float32 0-d
// tensors whatever the input dtype (bf16 under autocast included).
#pragma once
#include <torch/types.h>

namespace s4seg {

// L_fm = (1/D) Σ_d |mean_b real[b, d] − mean_b fake[b', d]|   (batch means first, then L1 over channels).
// real_features (B, D), fake_features (B', D), B and B' ≥ 1 and may differ. Gradient flows into
// both; the caller keeps the discriminator frozen for the segmentation step.
torch::Tensor feature_matching_loss(const torch::Tensor& real_features, const torch::Tensor& fake_features);

// L_D = ½[mean BCE(σ(fake), 0) + mean BCE(σ(real), 1)]
//     = ½[mean softplus(fake) + mean softplus(−real)]   (BCE with logits: no log(0) for saturated scores).
// Each term is the mean over all its elements, so patch maps (B, 1, h', w') and image-level scores
// both work, and the fake and real batches may differ in size.
torch::Tensor discriminator_loss(const torch::Tensor& fake_logits, const torch::Tensor& real_logits);

// RRN local selection (self-training) loss on the prediction's own argmax:
//   L = (1/|S|) Σ_{p∈S} CE(z_p, argmax z_p) = (1/|S|) Σ_{p∈S} (logsumexp z_p − max z_p),
//   S = {p : selected_p}. The targets carry no gradient; the logits do. 0 (with a graph) when S
// is empty. logits: floating (B, C, H, W); selected: bool (B, H, W), same device.
torch::Tensor local_selection_loss(const torch::Tensor& logits, const torch::Tensor& selected);

}  // namespace s4seg
