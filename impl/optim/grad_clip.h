// Gradient clipping by the global L2 norm without a device-to-host copy: LibTorch's
// clip_grad_norm_ returns the norm as a double, which makes the host wait for the device every
// step; here the scale stays a device tensor.
#pragma once
#include <torch/types.h>

#include <vector>

namespace s4seg {

// N = √(Σ_i ‖∇θ_i‖²) over the parameters with a gradient; every such gradient is multiplied by
// min(1, max_norm / (N + 1e-6)) (torch.nn.utils.clip_grad_norm_'s rule). Returns N as a 0-d device
// tensor (undefined when no parameter has a gradient). Throws Error(InvalidArgument) unless
// max_norm > 0.
torch::Tensor clip_gradient_norm(const std::vector<torch::Tensor>& params, double max_norm);

}  // namespace s4seg
