// SGD with momentum, weight decay and optional Nesterov, over parameter groups with their own
// learning-rate multipliers. Written out (not torch::optim::SGD) so its state is plain tensors we
// checkpoint ourselves, identically across LibTorch versions.
#pragma once
#include <torch/types.h>

#include <string>
#include <vector>

#include "io/records.h"
#include "optim/param_group.h"

namespace s4seg {

struct SgdOptions {
  double momentum = 0.9;
  double weight_decay = 1e-4;
  bool nesterov = false;
  // Also give CPU parameters to the fused kernel (LibTorch >= 2.4 has a CPU one). Off in training:
  // there the guarded step must equal update() bit for bit (the queued-iteration tests compare
  // them), and only CUDA gains from one kernel. The tests switch it on to run the fused path's
  // skip logic, which otherwise only a GPU would reach.
  bool fused_on_cpu = false;
};

class Sgd {
 public:
  Sgd(std::vector<ParamGroup> groups, SgdOptions options);
  void zero_grad();
  // g ← ∇ + wd·θ;  b ← μ·b + g (b = g at the first step);  d = nesterov ? g + μ·b : b;  θ ← θ − lr·mult·d
  // With `apply` (bool scalar on the device) the update happens only where it is true, decided on
  // the device: nothing is read back. A momentum buffer that a skipped first step would have
  // created is left as zeros, which the formula above treats exactly like "no buffer yet".
  void step(double lr, const torch::Tensor& apply = {});
  // Whether the last guarded step() went through the fused kernel (else copy-and-restore).
  bool last_step_fused() const { return last_step_fused_; }
  // Whether this LibTorch has a fused SGD kernel for CPU tensors (fused_on_cpu does something).
  static bool fused_kernel_on_cpu();
  void save(Records& out) const;
  void load(const Records& in, const std::string& who);

 private:
  void update(double lr);                                 // the unguarded step
  bool fused_update(double lr, const torch::Tensor& apply);  // CUDA: one kernel that reads `apply`
  void update_then_restore(double lr, const torch::Tensor& apply);
  std::vector<ParamGroup> groups_;
  std::vector<std::vector<torch::Tensor>> momentum_;  // per group, per parameter; undefined until first step
  SgdOptions options_;
  bool last_step_fused_ = false;
};

}  // namespace s4seg
