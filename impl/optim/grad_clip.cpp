#include "optim/grad_clip.h"

#include <torch/torch.h>

#include <cmath>

#include "core/error.h"

namespace s4seg {

torch::Tensor clip_gradient_norm(const std::vector<torch::Tensor>& params, double max_norm) {
  require(max_norm > 0 && std::isfinite(max_norm), "gradient clipping: the maximum norm must be positive, got " + std::to_string(max_norm));
  torch::NoGradGuard ng;
  std::vector<torch::Tensor> grads;
  for (const auto& p : params)
    if (p.grad().defined()) grads.push_back(p.grad());
  if (grads.empty()) return {};
  torch::Tensor total = torch::stack(at::_foreach_norm(grads, 2)).norm(2);
  torch::Tensor scale = (max_norm / (total + 1e-6)).clamp_max(1.0);
  for (auto& g : grads) g.mul_(scale.to(g.scalar_type()));
  return total;
}

}  // namespace s4seg
