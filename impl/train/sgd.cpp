#include "train/sgd.h"

#include <torch/torch.h>

#include "core/error.h"
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

void Sgd::step(double lr) {
  torch::NoGradGuard ng;
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
