#include "core/skippable_update.h"

#include <torch/torch.h>

#include <string>

#include "core/error.h"

namespace s4seg {

std::vector<torch::Tensor> snapshot(const std::vector<torch::Tensor>& tensors) {
  torch::NoGradGuard ng;
  std::vector<torch::Tensor> out;
  out.reserve(tensors.size());
  for (const auto& t : tensors) out.push_back(t.detach().clone());
  return out;
}

void restore_unless(const torch::Tensor& apply, const std::vector<torch::Tensor>& tensors, const std::vector<torch::Tensor>& saved) {
  torch::NoGradGuard ng;
  for (size_t k = 0; k < tensors.size(); ++k) tensors[k].copy_(torch::where(apply, tensors[k], saved[k]));
}

void copy_if(const torch::Tensor& apply, const torch::Tensor& dst, const torch::Tensor& src) {
  torch::NoGradGuard ng;
  dst.copy_(torch::where(apply, src.to(dst.device(), dst.scalar_type()), dst));
}

torch::Tensor select_scalar(const torch::Tensor& apply, double value, double otherwise) {
  auto f32 = torch::TensorOptions().dtype(torch::kFloat).device(apply.device());
  return torch::where(apply.reshape({}), torch::full({}, value, f32), torch::full({}, otherwise, f32));
}

void check_apply(const torch::Tensor& apply, const char* who) {
  require(!apply.defined() || (apply.numel() == 1 && apply.scalar_type() == torch::kBool),
          std::string(who) + ": apply must be a one-element bool tensor");
}

}  // namespace s4seg
