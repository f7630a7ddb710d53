#include "optim/adam.h"

#include <torch/torch.h>

#include <cmath>
#include <map>

#include "core/error.h"
#include "core/skippable_update.h"
#include "models/tensor_codec.h"

namespace s4seg {

namespace {
template <typename F>
std::vector<at::Scalar> scalars(const std::vector<double>& xs, F f) {
  std::vector<at::Scalar> out;
  for (double x : xs) out.emplace_back(f(x));
  return out;
}
}  // namespace

Adam::Adam(std::vector<torch::Tensor> params, AdamOptions options, std::vector<double> lr_mults)
    : params_(std::move(params)), lr_mults_(std::move(lr_mults)), options_(options) {
  if (lr_mults_.empty()) lr_mults_.assign(params_.size(), 1.0);
  require(lr_mults_.size() == params_.size(), "Adam: " + std::to_string(lr_mults_.size()) + " learning-rate multipliers for " +
                                                  std::to_string(params_.size()) + " parameters");
  for (size_t i = 0; i < params_.size(); ++i)
    require(params_[i].defined() && params_[i].is_floating_point(),
            "Adam: parameter " + std::to_string(i) + " must be a defined floating tensor");
  require(options_.beta1 >= 0 && options_.beta1 < 1, "Adam: beta1 must be in [0, 1), got " + std::to_string(options_.beta1));
  require(options_.beta2 >= 0 && options_.beta2 < 1, "Adam: beta2 must be in [0, 1), got " + std::to_string(options_.beta2));
  require(options_.eps >= 0 && std::isfinite(options_.eps), "Adam: eps must be non-negative, got " + std::to_string(options_.eps));
  require(options_.weight_decay >= 0 && std::isfinite(options_.weight_decay),
          "Adam: weight_decay must be non-negative, got " + std::to_string(options_.weight_decay));
  steps_.assign(params_.size(), 0);
  exp_avg_.resize(params_.size());
  exp_avg_sq_.resize(params_.size());
}

void Adam::zero_grad() {
  for (auto& p : params_)
    if (p.grad().defined()) p.mutable_grad() = torch::Tensor();
}

void Adam::step(double lr, const torch::Tensor& apply) {
  torch::NoGradGuard ng;
  if (!apply.defined()) return update(lr);
  check_apply(apply, "adam");
  // Moments created now start as zeros, which is what a cancelled first step must leave (a zero
  // moment at t = 0 gives the same first step as none).
  std::vector<torch::Tensor> written;
  for (size_t i = 0; i < params_.size(); ++i) {
    if (!params_[i].grad().defined()) continue;
    ensure_moments(i);
    written.insert(written.end(), {params_[i], exp_avg_[i], exp_avg_sq_[i]});
  }
  const std::vector<torch::Tensor> saved = snapshot(written);
  update(lr);
  restore_unless(apply, written, saved);
}

void Adam::ensure_moments(size_t i) {
  if (exp_avg_[i].defined()) return;
  exp_avg_[i] = torch::zeros_like(params_[i], torch::MemoryFormat::Preserve);
  exp_avg_sq_[i] = torch::zeros_like(params_[i], torch::MemoryFormat::Preserve);
}

void Adam::set_step_counts(const std::vector<int64_t>& counts) {
  require(counts.size() == params_.size(), "Adam: " + std::to_string(counts.size()) + " step counts for " +
                                               std::to_string(params_.size()) + " parameters");
  for (int64_t t : counts) require(t >= 0, "Adam: step counts must be non-negative");
  steps_ = counts;
}

void Adam::update(double lr) {
  const double b1 = options_.beta1, b2 = options_.beta2, wd = options_.weight_decay;
  // Parameters that share a step count share their bias corrections: each such set is updated by
  // multi-tensor (foreach) calls, one per operation (on CUDA a few fused kernels for the whole
  // set). Usually every parameter is at the same step, so there is one set.
  std::map<int64_t, std::vector<size_t>> by_step;
  for (size_t i = 0; i < params_.size(); ++i) {
    if (!params_[i].grad().defined()) continue;
    ensure_moments(i);
    by_step[++steps_[i]].push_back(i);
  }
  for (const auto& [t, members] : by_step) {
    std::vector<torch::Tensor> p, g, m, v;
    std::vector<double> plr;
    for (size_t i : members) {
      p.push_back(params_[i]);
      g.push_back(params_[i].grad());
      m.push_back(exp_avg_[i]);
      v.push_back(exp_avg_sq_[i]);
      plr.push_back(lr * lr_mults_[i]);
    }
    if (wd != 0) {
      if (options_.decoupled_weight_decay) at::_foreach_mul_(p, scalars(plr, [&](double x) { return 1 - x * wd; }));
      else g = at::_foreach_add(g, p, wd);
    }
    const double bc1 = 1 - std::pow(b1, static_cast<double>(t));
    const double bc2 = 1 - std::pow(b2, static_cast<double>(t));
    at::_foreach_mul_(m, b1);
    at::_foreach_add_(m, g, 1 - b1);
    at::_foreach_mul_(v, b2);
    at::_foreach_addcmul_(v, g, g, 1 - b2);
    // Same operation order as torch::optim::Adam, so the two agree to the last bit.
    std::vector<torch::Tensor> denom = at::_foreach_sqrt(v);
    at::_foreach_div_(denom, std::sqrt(bc2));
    at::_foreach_add_(denom, options_.eps);
    at::_foreach_addcdiv_(p, m, denom, scalars(plr, [&](double x) { return -x / bc1; }));
  }
}

void Adam::save(Records& out, const std::string& prefix) const {
  out[prefix + "adam/count"] = encode_tensor(torch::tensor(static_cast<int64_t>(params_.size()), torch::kLong));
  for (size_t i = 0; i < params_.size(); ++i) {
    const std::string key = prefix + "adam/" + std::to_string(i) + "/";
    out[key + "step"] = encode_tensor(torch::tensor(steps_[i], torch::kLong));
    if (steps_[i] == 0) continue;
    out[key + "exp_avg"] = encode_tensor(exp_avg_[i]);
    out[key + "exp_avg_sq"] = encode_tensor(exp_avg_sq_[i]);
  }
}

void Adam::load(const Records& in, const std::string& prefix, const std::string& who) {
  auto scalar = [&](const std::string& name) {
    torch::Tensor t = decode_tensor(record_at(in, name, who), who);
    if (t.scalar_type() != torch::kLong || t.numel() != 1 || t.dim() != 0)
      fail(Status::Format, who + ": " + name + " must be an i64 scalar");
    return t.item<int64_t>();
  };
  const int64_t count = scalar(prefix + "adam/count");
  if (count != static_cast<int64_t>(params_.size()))
    fail(Status::Format, who + ": " + prefix + "adam holds " + std::to_string(count) + " parameters, the model has " +
                             std::to_string(params_.size()));
  std::vector<int64_t> steps(params_.size(), 0);
  std::vector<torch::Tensor> avg(params_.size()), avg_sq(params_.size());
  for (size_t i = 0; i < params_.size(); ++i) {
    const std::string key = prefix + "adam/" + std::to_string(i) + "/";
    steps[i] = scalar(key + "step");
    if (steps[i] < 0) fail(Status::Format, who + ": " + key + "step is negative");
    if (steps[i] == 0) continue;
    const torch::Tensor& p = params_[i];
    auto state = [&](const std::string& name) {
      torch::Tensor t = decode_tensor(record_at(in, key + name, who), who);
      if (!t.is_floating_point() || t.sizes() != p.sizes())
        fail(Status::Format, who + ": " + key + name + " must be floating with the parameter's shape " +
                                 c10::str(p.sizes()));
      return t.to(p.device(), p.scalar_type()).contiguous(p.suggest_memory_format());
    };
    avg[i] = state("exp_avg");
    avg_sq[i] = state("exp_avg_sq");
    // A negative second moment would make √v NaN at the next step.
    if ((avg_sq[i] < 0).any().item<bool>()) fail(Status::Format, who + ": " + key + "exp_avg_sq has negative entries");
  }
  steps_ = std::move(steps);
  exp_avg_ = std::move(avg);
  exp_avg_sq_ = std::move(avg_sq);
}

}  // namespace s4seg
