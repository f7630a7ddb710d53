// Adam (Kingma & Ba) for the RRN discriminators (ALGORITHMS.md 4.2: lr 1e-4, betas (0.9, 0.99)), and
// AdamW (Loshchilov & Hutter: decoupled weight decay) for the trainer's train.optimizer = adamw.
// Written out (not torch::optim::Adam) so its state is plain tensors we checkpoint ourselves,
// identically across LibTorch versions; the arithmetic follows torch::optim::Adam step for step.
#pragma once
#include <torch/types.h>

#include <string>
#include <vector>

#include "io/records.h"

namespace s4seg {

struct AdamOptions {
  double beta1 = 0.9, beta2 = 0.99, eps = 1e-8, weight_decay = 0;
  // false: L2 (weight_decay·θ added to the gradient, torch::optim::Adam);
  // true: AdamW (θ ← θ·(1 − lr·weight_decay) before the update, torch::optim::AdamW).
  bool decoupled_weight_decay = false;
};

class Adam {
 public:
  // Throws Error(InvalidArgument) for undefined or non-floating parameters or options out of range
  // (betas in [0, 1), eps ≥ 0, weight_decay ≥ 0). `lr_mults` (empty = all 1) scales the learning
  // rate per parameter.
  Adam(std::vector<torch::Tensor> params, AdamOptions options, std::vector<double> lr_mults = {});
  void zero_grad();
  // Per parameter with a gradient (others are skipped and keep their step count t), lr = lr·mult:
  //   L2: g ← ∇ + wd·θ;   AdamW: g ← ∇, θ ← θ·(1 − lr·wd);   then t ← t + 1;  m ← β1·m + (1−β1)·g;  v ← β2·v + (1−β2)·g²
  //   θ ← θ − (lr / (1−β1^t)) · m / (√v / √(1−β2^t) + eps)
  // With `apply` (bool scalar on the parameters' device) the update is kept only where it is true,
  // decided on the device: copies of what it writes are put back where it is false. The step counts
  // t move on the host either way; the caller that learns later that updates were skipped puts
  // them back with set_step_counts.
  void step(double lr, const torch::Tensor& apply = {});
  // Records: prefix + "adam/count" (i64 scalar, number of parameters), and per parameter i
  // prefix + "adam/<i>/step" (i64 scalar), plus "adam/<i>/exp_avg" and "adam/<i>/exp_avg_sq" when
  // step > 0.
  void save(Records& out, const std::string& prefix) const;
  // Throws Error(Format) naming `who` on missing, mis-typed or mis-shaped records; every record is
  // checked before any state changes, so the optimizer is unchanged on error.
  void load(const Records& in, const std::string& prefix, const std::string& who);

  const std::vector<torch::Tensor>& params() const { return params_; }
  int64_t steps(size_t i) const { return steps_.at(i); }
  const std::vector<int64_t>& step_counts() const { return steps_; }
  // Throws Error(InvalidArgument) unless `counts` has one non-negative count per parameter.
  void set_step_counts(const std::vector<int64_t>& counts);

 private:
  void update(double lr);          // the unguarded step
  void ensure_moments(size_t i);   // zero moments for parameter i if it has none yet
  std::vector<torch::Tensor> params_;
  std::vector<double> lr_mults_;
  std::vector<int64_t> steps_;
  std::vector<torch::Tensor> exp_avg_, exp_avg_sq_;  // undefined until the parameter's first step
  AdamOptions options_;
};

}  // namespace s4seg
