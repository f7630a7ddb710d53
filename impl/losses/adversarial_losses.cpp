#include "losses/adversarial_losses.h"

#include <torch/torch.h>

#include <string>

#include "core/error.h"
#include "core/tensor_text.h"

namespace s4seg {

namespace {

}  // namespace

torch::Tensor feature_matching_loss(const torch::Tensor& real_features, const torch::Tensor& fake_features) {
  require(real_features.defined() && real_features.dim() == 2 && real_features.is_floating_point() &&
              real_features.size(0) >= 1 && real_features.size(1) >= 1,
          "feature_matching_loss: real_features must be floating (B, D), got " + shape_of(real_features));
  require(fake_features.defined() && fake_features.dim() == 2 && fake_features.is_floating_point() &&
              fake_features.size(0) >= 1 && fake_features.size(1) == real_features.size(1),
          "feature_matching_loss: fake_features must be floating (B', " + std::to_string(real_features.size(1)) +
              "), got " + shape_of(fake_features));
  require(real_features.device() == fake_features.device(),
          "feature_matching_loss: real and fake features must be on the same device");
  torch::Tensor real_mean = real_features.to(torch::kFloat).mean(0);
  torch::Tensor fake_mean = fake_features.to(torch::kFloat).mean(0);
  return (real_mean - fake_mean).abs().mean();
}

torch::Tensor discriminator_loss(const torch::Tensor& fake_logits, const torch::Tensor& real_logits) {
  require(fake_logits.defined() && fake_logits.is_floating_point() && fake_logits.numel() > 0,
          "discriminator_loss: fake_logits must be a non-empty floating tensor, got " + shape_of(fake_logits));
  require(real_logits.defined() && real_logits.is_floating_point() && real_logits.numel() > 0,
          "discriminator_loss: real_logits must be a non-empty floating tensor, got " + shape_of(real_logits));
  require(fake_logits.device() == real_logits.device(),
          "discriminator_loss: fake and real logits must be on the same device");
  // −log(1 − σ(x)) = softplus(x) and −log σ(x) = softplus(−x), both exact for large |x|.
  torch::Tensor fake_term = torch::softplus(fake_logits.to(torch::kFloat)).mean();
  torch::Tensor real_term = torch::softplus(-real_logits.to(torch::kFloat)).mean();
  return 0.5 * (fake_term + real_term);
}

torch::Tensor local_selection_loss(const torch::Tensor& logits, const torch::Tensor& selected) {
  require(logits.defined() && logits.dim() == 4 && logits.is_floating_point() && logits.size(1) >= 1,
          "local_selection_loss: logits must be floating (B, C, H, W), got " + shape_of(logits));
  require(selected.defined() && selected.dim() == 3 && selected.size(0) == logits.size(0) &&
              selected.size(1) == logits.size(2) && selected.size(2) == logits.size(3),
          "local_selection_loss: selected must be (B, H, W) matching logits " + shape_of(logits) + ", got " +
              shape_of(selected));
  require(selected.scalar_type() == torch::kBool, "local_selection_loss: selected must be bool");
  require(selected.device() == logits.device(), "local_selection_loss: selected and logits must be on the same device");
  torch::Tensor logp = torch::log_softmax(logits.to(torch::kFloat), 1);
  // The target is the argmax of the logits as given (float rounding in log_softmax could tie two
  // classes); gathering it rather than taking amax sends the gradient of a tie to one class, as CE does.
  torch::Tensor target = logits.detach().argmax(1, /*keepdim=*/true);
  torch::Tensor nll = -logp.gather(1, target).squeeze(1);
  torch::Tensor term = torch::where(selected, nll, torch::zeros_like(nll));
  torch::Tensor count = selected.sum().clamp_min(1).to(torch::kFloat);
  return term.sum() / count;
}

}  // namespace s4seg
