#include "losses/cross_entropy.h"

#include <torch/torch.h>

namespace s4seg {

namespace {
void check_inputs(const torch::Tensor& logits, const torch::Tensor& target) {
  TORCH_CHECK(logits.dim() == 4, "logits must be (B, C, H, W)");
  TORCH_CHECK(target.dim() == 3 && target.size(0) == logits.size(0) && target.size(1) == logits.size(2) &&
                  target.size(2) == logits.size(3),
              "target must be (B, H, W) matching the logits");
}

// Per-pixel -log softmax at the target class; ignored pixels give 0. Returns (nll, valid) flat.
std::pair<torch::Tensor, torch::Tensor> pixel_nll(const torch::Tensor& logits, const torch::Tensor& target) {
  torch::Tensor valid = target != kIgnoreIndex;
  torch::Tensor safe = torch::where(valid, target, torch::zeros_like(target));
  torch::Tensor logp = torch::log_softmax(logits.to(torch::kFloat), 1);
  torch::Tensor nll = -logp.gather(1, safe.unsqueeze(1)).squeeze(1);
  return {nll.reshape(-1), valid.reshape(-1)};
}
}  // namespace

torch::Tensor ignore_cross_entropy(const torch::Tensor& logits, const torch::Tensor& target) {
  check_inputs(logits, target);
  auto [nll, valid] = pixel_nll(logits, target);
  torch::Tensor count = valid.sum().clamp_min(1).to(nll.scalar_type());
  return (nll * valid.to(nll.scalar_type())).sum() / count;
}

torch::Tensor ohem_cross_entropy(const torch::Tensor& logits, const torch::Tensor& target, double thresh,
                                      int64_t min_kept) {
  check_inputs(logits, target);
  TORCH_CHECK(min_kept >= 1, "min_kept must be positive");
  auto [nll, valid] = pixel_nll(logits, target);
  torch::Tensor prob = torch::exp(-nll.detach());
  // Ignored pixels get probability 2 so they sort last and never pass the threshold.
  prob = torch::where(valid, prob, torch::full_like(prob, 2.0));
  // τ = max(thresh, k-th smallest probability), found on the device (no host read). With fewer
  // than min_kept valid pixels the k-th is an ignored pixel's 2 (or, with none ignored, the largest
  // probability), and every valid pixel is kept: the same as taking k = the valid count.
  const int64_t k = std::min<int64_t>(min_kept, prob.numel());
  torch::Tensor keep = valid;
  if (k > 0) {
    torch::Tensor kth = std::get<0>(torch::kthvalue(prob, k));
    keep = valid & (prob <= kth.clamp_min(thresh));
  }
  torch::Tensor count = keep.sum().clamp_min(1).to(nll.scalar_type());
  return (nll * keep.to(nll.scalar_type())).sum() / count;
}

}  // namespace s4seg
