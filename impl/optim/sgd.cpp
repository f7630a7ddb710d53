#include "optim/sgd.h"

#include <torch/torch.h>

#include "core/error.h"
#include "core/skippable_update.h"
#include "core/torch_compat.h"
#include "models/tensor_codec.h"

namespace s4seg {

Sgd::Sgd(std::vector<ParamGroup> groups, SgdOptions options) : groups_(std::move(groups)), options_(options) {
  for (const auto& g : groups_) momentum_.emplace_back(g.params.size());
}

void Sgd::zero_grad() {
  for (auto& g : groups_)
    for (auto& p : g.params)
      if (p.grad().defined()) p.mutable_grad() = torch::Tensor();
}

void Sgd::step(double lr, const torch::Tensor& apply) {
  torch::NoGradGuard ng;
  if (!apply.defined()) return update(lr);
  check_apply(apply, "sgd");
  last_step_fused_ = fused_update(lr, apply);
  if (!last_step_fused_) update_then_restore(lr, apply);
}

bool Sgd::fused_kernel_on_cpu() { return S4SEG_TORCH_AT_LEAST(2, 4); }

bool Sgd::fused_update(double lr, const torch::Tensor& apply) {
#if S4SEG_TORCH_AT_LEAST(2, 3)
  // _fused_sgd_ runs the arithmetic of update() in one multi-tensor kernel per group and returns
  // early on the device when found_inf is 1. Its fast path needs every tensor of a call on CUDA
  // (or the CPU, with fused_on_cpu),
  // of one dtype, dense, with the gradient and momentum laid out like their parameter; anything
  // else takes the copy-and-restore path.
  const double mu = options_.momentum;
  std::vector<std::vector<size_t>> members(groups_.size());
  for (size_t gi = 0; gi < groups_.size(); ++gi) {
    for (size_t pi = 0; pi < groups_[gi].params.size(); ++pi) {
      const torch::Tensor& p = groups_[gi].params[pi];
      if (!p.grad().defined()) continue;
      const torch::Tensor& g = p.grad();
      const torch::Tensor& first = groups_[gi].params[members[gi].empty() ? pi : members[gi].front()];
      const torch::Tensor& buf = momentum_[gi][pi];
      const bool fusable_device = p.is_cuda() || (options_.fused_on_cpu && fused_kernel_on_cpu() && p.is_cpu());
      if (!fusable_device || p.device() != apply.device() || p.scalar_type() != first.scalar_type() ||
          g.scalar_type() != p.scalar_type() || g.strides() != p.strides() || !p.is_non_overlapping_and_dense() ||
          (mu != 0 && buf.defined() && (buf.strides() != p.strides() || buf.scalar_type() != p.scalar_type())))
        return false;
      members[gi].push_back(pi);
    }
  }
  const torch::Tensor found_inf = apply.logical_not().to(torch::kFloat).reshape({1});
  for (size_t gi = 0; gi < groups_.size(); ++gi) {
    if (members[gi].empty()) continue;
    std::vector<torch::Tensor> params, grads, bufs;
    for (size_t pi : members[gi]) {
      const torch::Tensor& p = groups_[gi].params[pi];
      params.push_back(p);
      grads.push_back(p.grad());
      if (mu == 0) continue;
      torch::Tensor& buf = momentum_[gi][pi];
      if (!buf.defined()) buf = torch::zeros_like(p, torch::MemoryFormat::Preserve);  // μ·0 + g = g: a first step
      bufs.push_back(buf);
    }
    at::_fused_sgd_(params, grads, bufs, options_.weight_decay, mu, lr * groups_[gi].lr_mult, /*dampening=*/0.0,
                    options_.nesterov, /*maximize=*/false, /*is_first_step=*/false, /*grad_scale=*/{}, found_inf);
  }
  return true;
#else
  (void)lr;
  (void)apply;
  return false;
#endif
}

// Without the fused kernel: copies of everything the update writes are taken first and put back
// where `apply` is false. Exact, but it costs a copy of the weights and buffers and a few
// launches per parameter, so it serves CPUs and older LibTorch builds.
void Sgd::update_then_restore(double lr, const torch::Tensor& apply) {
  std::vector<torch::Tensor> written;
  std::vector<std::pair<size_t, size_t>> fresh;  // momentum buffers this update creates
  for (size_t gi = 0; gi < groups_.size(); ++gi)
    for (size_t pi = 0; pi < groups_[gi].params.size(); ++pi) {
      const torch::Tensor& p = groups_[gi].params[pi];
      if (!p.grad().defined()) continue;
      written.push_back(p);
      if (momentum_[gi][pi].defined())
        written.push_back(momentum_[gi][pi]);
      else
        fresh.emplace_back(gi, pi);
    }
  const std::vector<torch::Tensor> saved = snapshot(written);
  update(lr);
  restore_unless(apply, written, saved);
  for (const auto& [gi, pi] : fresh)
    if (momentum_[gi][pi].defined()) copy_if(apply.logical_not(), momentum_[gi][pi], torch::zeros_like(momentum_[gi][pi]));
}

void Sgd::update(double lr) {
  const double mu = options_.momentum, wd = options_.weight_decay;
  for (size_t gi = 0; gi < groups_.size(); ++gi) {
    // One multi-tensor (foreach) call per operation over the group: on CUDA each is a handful of
    // fused kernels for the whole model instead of several launches per parameter. The arithmetic
    // is the per-tensor one, in the same order.
    std::vector<torch::Tensor> params, grads;
    std::vector<size_t> index;
    for (size_t pi = 0; pi < groups_[gi].params.size(); ++pi) {
      const torch::Tensor& p = groups_[gi].params[pi];
      if (!p.grad().defined()) continue;
      params.push_back(p);
      grads.push_back(p.grad());
      index.push_back(pi);
    }
    if (params.empty()) continue;
    std::vector<torch::Tensor> d = wd != 0 ? at::_foreach_add(grads, params, wd) : grads;
    if (mu != 0) {
      std::vector<torch::Tensor> bufs, running, running_d;
      for (size_t k = 0; k < params.size(); ++k) {
        torch::Tensor& buf = momentum_[gi][index[k]];
        if (!buf.defined()) {
          buf = d[k].clone();
        } else {
          running.push_back(buf);
          running_d.push_back(d[k]);
        }
        bufs.push_back(buf);
      }
      if (!running.empty()) {
        at::_foreach_mul_(running, mu);
        at::_foreach_add_(running, running_d);
      }
      d = options_.nesterov ? at::_foreach_add(d, bufs, mu) : bufs;
    }
    at::_foreach_add_(params, d, -lr * groups_[gi].lr_mult);
  }
}

void Sgd::save(Records& out) const {
  for (size_t gi = 0; gi < groups_.size(); ++gi)
    for (size_t pi = 0; pi < momentum_[gi].size(); ++pi)
      if (momentum_[gi][pi].defined())
        out["sgd/" + groups_[gi].name + "/" + std::to_string(pi)] = encode_tensor(momentum_[gi][pi]);
}

void Sgd::load(const Records& in, const std::string& who) {
  std::vector<std::vector<torch::Tensor>> next(groups_.size());
  for (size_t gi = 0; gi < groups_.size(); ++gi) {
    next[gi].resize(groups_[gi].params.size());
    for (size_t pi = 0; pi < groups_[gi].params.size(); ++pi) {
      auto it = in.find("sgd/" + groups_[gi].name + "/" + std::to_string(pi));
      if (it == in.end()) continue;
      torch::Tensor t = decode_tensor(it->second, who);
      const torch::Tensor& p = groups_[gi].params[pi];
      if (t.sizes() != p.sizes()) fail(Status::Format, who + ": optimizer state does not match the model");
      next[gi][pi] = t.to(p.device(), p.scalar_type()).contiguous(p.suggest_memory_format());
    }
  }
  momentum_ = std::move(next);
}

}  // namespace s4seg
