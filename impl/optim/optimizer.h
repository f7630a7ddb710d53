// The trainer's optimizer over the method's parameter groups: SGD (the papers' DeepLab recipe) or
// AdamW (the recipe of mask-classification models), chosen by train.optimizer.
#pragma once
#include <torch/types.h>

#include <memory>
#include <string>
#include <vector>

#include "core/config.h"
#include "io/records.h"
#include "optim/param_group.h"

namespace s4seg {

class Optimizer {
 public:
  virtual ~Optimizer() = default;
  virtual void zero_grad() = 0;
  // One update at base learning rate `lr` (each group scales it by its lr_mult). `apply`, when
  // defined, is a bool scalar on the parameters' device: where it is false the update is skipped
  // on the device (no host read), leaving parameters and optimizer state as they were. Both
  // optimizers take it (train.read_every > 1).
  virtual void step(double lr, const torch::Tensor& apply) = 0;
  // State the host moves at each step whatever `apply` says (AdamW's step counts), so that the
  // trainer can put it back when it learns that queued updates were skipped.
  virtual std::vector<int64_t> host_counters() const { return {}; }
  virtual void set_host_counters(const std::vector<int64_t>& /*counters*/) {}
  // Checkpoint records; load is all-or-nothing and throws Error(Format) naming `who`.
  virtual void save(Records& out) const = 0;
  virtual void load(const Records& in, const std::string& who) = 0;
};

// train.optimizer (sgd|adamw) with train.momentum / nesterov (SGD), train.adam_beta1/2 (AdamW) and
// train.weight_decay (both).
std::unique_ptr<Optimizer> make_optimizer(const Config& config, const std::vector<ParamGroup>& groups);

}  // namespace s4seg
