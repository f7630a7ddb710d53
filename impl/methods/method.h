// The Method interface (DESIGN.md section 3): a method builds one iteration's loss graph from
// batches that the trainer prepared; the trainer owns the optimizer, schedule and bookkeeping.
#pragma once
#include <torch/nn/module.h>
#include <torch/types.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/config.h"
#include "dist/rank_group.h"
#include "io/records.h"
#include "models/model.h"
#include "optim/param_group.h"

namespace s4seg {

struct Batch {
  torch::Tensor images;  // float (B, 3, H, W), normalised, on the model's device
  // int64 (B, H, W), 255 = ignore. For unlabeled batches: the masks the samples happen to carry
  // (all 255 where they have none), used only to measure pseudo-label accuracy, never to train.
  torch::Tensor masks;
  torch::Tensor valid;  // bool (B, H, W): false on padding added by the crop
};

struct StepInputs {
  Batch labeled;
  Batch unlabeled;  // undefined tensors when the method does not use unlabeled data
  int64_t iteration = 0;
  int64_t total_iterations = 1;
  int64_t labeled_epoch = 0;  // passes over the labeled set so far: iteration · batch / labeled size
  int64_t micro_batch = 0;    // which of the iteration's micro-batches this is (train.grad_accumulation)
  // train.read_every > 1: bool scalar on the device, false once an earlier iteration not yet read
  // back has diverged. State the step itself moves (adaptive filter thresholds) must then stay as
  // it is. Undefined otherwise: every earlier iteration was checked on the host.
  torch::Tensor apply;
};

struct StepOutputs {
  std::map<std::string, torch::Tensor> losses;  // named terms (0-d); the trainer sums them
  // Named scalars for reports, left on the device (the trainer reads them all in one copy):
  // a 1-element tensor is averaged over iterations; a 2-element (numerator, denominator) tensor
  // is summed over iterations and reported as the ratio (pseudo-label keep ratio, accuracy).
  std::map<std::string, torch::Tensor> metrics;
};

// What a method keeps besides the parameters it hands the optimizer, listed so that the trainer
// handles it generically: train modes, data-parallel replication and rollback.
struct MethodState {
  // Every network the method keeps in train mode (the trainer sets BatchNorm and activation-
  // checkpointing modes on each).
  std::vector<SegmentationNetImpl*> nets;
  // Equal on every rank (weights, teacher, discriminators): broadcast from rank 0 before the first step.
  std::vector<torch::Tensor> replicated;
  // Floating-point state each rank moves from its own batch outside the optimizer (BatchNorm
  // statistics): averaged over the ranks after every step.
  std::vector<torch::Tensor> rank_averaged;
  // State where a mean is not meaningful (prototype banks and their initialised flags): rank 0's
  // copy is broadcast after every step. Updates from batch statistics sum them over `ranks()`
  // first, so rank 0's copy holds every rank's data; the broadcast settles what is decided from
  // one rank's batch alone (a bank's initialisation).
  std::vector<torch::Tensor> rank0;
  // Parameters the method steps with its own optimizer (rrn's discriminators): their gradients
  // are averaged over the ranks together with the trainer's.
  std::vector<torch::Tensor> self_optimized;
  // Host counters that after_step advances even when `apply` cancels the update on the device
  // (the EMA warm-up count): the trainer puts back their values from before the first cancelled
  // iteration. They point into the method and stay valid as long as it lives (the trainer reads
  // them once).
  std::vector<int64_t*> host_counters;
};

class Method {
 public:
  virtual ~Method() = default;
  virtual StepOutputs step(const StepInputs& in) = 0;  // builds the graph; no optimizer step
  virtual std::vector<ParamGroup> param_groups() = 0;
  virtual Model& inference_model() = 0;  // what predict / evaluate / save use
  // Runs after the optimizer step. `apply` as for Optimizer::step: undefined, or a bool scalar on
  // the device that cancels this iteration's updates where false.
  virtual void after_step(int64_t /*iteration*/, const torch::Tensor& /*apply*/) {}
  virtual void save(Records& /*out*/) const {}
  virtual void load(const Records& /*in*/, const std::string& /*who*/) {}

  // What the method keeps (MethodState); asked afresh whenever the trainer needs it. By default:
  // the inference model's network, its weights and buffers replicated, its buffers averaged.
  virtual MethodState state();

  // The job's ranks while it runs data parallel (null in a single process); set by the trainer.
  void set_ranks(const RankGroup* ranks) { ranks_ = ranks; }
  const RankGroup* ranks() const { return ranks_; }

 private:
  const RankGroup* ranks_ = nullptr;
};

// Parameters and buffers of a module tree, in registration order.
std::vector<torch::Tensor> module_state(torch::nn::Module& m);
std::vector<torch::Tensor> module_buffers(torch::nn::Module& m);

}  // namespace s4seg
