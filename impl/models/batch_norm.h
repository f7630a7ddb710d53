// BatchNorm2d that can normalise with statistics over every rank of a data-parallel job
// (train.batchnorm = sync): inside a BatchNormSyncScope, training-mode forwards all-reduce the
// per-channel sums, and the backward all-reduces the gradient sums, as PyTorch's SyncBatchNorm
// does. Outside a scope, or in eval mode, it computes torch::batch_norm. Its parameters and
// buffers are torch::nn::BatchNorm2d's, by name and order, so weight files and torchvision
// checkpoints are unaffected. (It does not derive from torch::nn::BatchNorm2dImpl: a derived
// class needs template members that Debian's LibTorch does not export.)
#pragma once
#include <functional>
#include <vector>

#include <torch/nn/cloneable.h>
#include <torch/nn/pimpl.h>

#include "dist/rank_group.h"

#include <ostream>

namespace s4seg {

// Thread-safety: the scope is per thread; set it on the thread that runs forward and backward.
class BatchNormSyncScope {
 public:
  explicit BatchNormSyncScope(const RankGroup* group);  // null: no synchronisation
  ~BatchNormSyncScope();
  static const RankGroup* current();  // this thread's group, null outside a scope
  BatchNormSyncScope(const BatchNormSyncScope&) = delete;
  BatchNormSyncScope& operator=(const BatchNormSyncScope&) = delete;

 private:
  const RankGroup* previous_;
};

// Within this scope (per thread) training-mode forwards normalise by batch statistics as usual
// but leave running statistics and num_batches_tracked as they are: activation checkpointing's
// recomputation must not count a batch twice.
class BatchNormRecomputeScope {
 public:
  BatchNormRecomputeScope();
  ~BatchNormRecomputeScope();
  BatchNormRecomputeScope(const BatchNormRecomputeScope&) = delete;
  BatchNormRecomputeScope& operator=(const BatchNormRecomputeScope&) = delete;

 private:
  bool previous_;
};

class SyncBatchNorm2dImpl : public torch::nn::Cloneable<SyncBatchNorm2dImpl> {
 public:
  // torch::nn::BatchNorm2d's defaults: affine, tracked running statistics, eps 1e-5, momentum 0.1.
  explicit SyncBatchNorm2dImpl(int64_t num_features, double eps = 1e-5, double momentum = 0.1);
  void reset() override;
  void pretty_print(std::ostream& stream) const override;
  torch::Tensor forward(const torch::Tensor& input);

  int64_t num_features;
  double eps, momentum;
  torch::Tensor weight, bias, running_mean, running_var, num_batches_tracked;
};
TORCH_MODULE(SyncBatchNorm2d);

// Training-mode batch normalisation with statistics over all ranks (exposed for the unit test).
// Each rank's per-channel (count n_r, mean m_r, biased variance v_r) are gathered, then combined:
//   M = Σ n_r, mean = Σ n_r·m_r / M, var = Σ n_r·(v_r + (m_r − mean)²) / M
// (no E[x²] − mean² cancellation), y = (x − mean)/√(var + eps)·weight + bias; running statistics
// move by `momentum` (unbiased variance).
// Backward: with g = Σ_ranks Σ dy and h = Σ_ranks Σ dy·(x − mean),
//   dx = (dy − g/M − (x − mean)·h/(M·(var + eps)))·weight/√(var + eps).
torch::Tensor sync_batch_norm(const torch::Tensor& x, const torch::Tensor& weight, const torch::Tensor& bias,
                              const torch::Tensor& running_mean, const torch::Tensor& running_var, double momentum, double eps,
                              const RankGroup& group);

}  // namespace s4seg
