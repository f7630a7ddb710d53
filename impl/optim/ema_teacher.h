// Mean teacher (ALGORITHMS.md 1.3): the teacher's parameters follow the student's by an
// exponential moving average with the warm-up decay min(1 - 1/(t+1), momentum), t counted from
// the first semi-supervised step. Parameters only; BatchNorm buffers follow the policy below.
#pragma once
#include <cstdint>

#include "models/segmentation_net.h"

namespace s4seg {

// copy: running statistics copied from the student at every update (UniMatch/FixMatch).
// own: the teacher keeps its own buffers, refreshed only when it runs in train mode (U²PL, CSS).
enum class BnPolicy { Copy, Own };

struct EmaOptions {
  double momentum = 0.99;
  BnPolicy bn = BnPolicy::Copy;
};

// The decay used at update t (t = 0 for the first update after reset): min(1 - 1/(t+1), momentum).
// t = 0 → 0 (the teacher becomes the student), t = 1 → 0.5, then capped at `momentum`.
double ema_decay(int64_t t, double momentum);

// Updates `teacher` in place from `student` (same architecture). Not thread-safe; runs inside the
// training step.
class EmaTeacher {
 public:
  explicit EmaTeacher(const EmaOptions& o) : options_(o) {}
  // Copies every parameter and buffer of `student` into `teacher` and restarts the warm-up (t = 0).
  // `apply` (optional bool scalar on the device): where false, the teacher is left as it was; the
  // host-side count t changes either way (the trainer restores it when it learns of the skip).
  void reset(SegmentationNet& teacher, SegmentationNet& student, const torch::Tensor& apply = {});
  // θ_T ← d·θ_T + (1-d)·θ_S with d = ema_decay(t), then t += 1; buffers per the BN policy.
  void update(SegmentationNet& teacher, SegmentationNet& student, const torch::Tensor& apply = {});
  int64_t updates() const { return t_; }
  void set_updates(int64_t t) { t_ = t; }  // restores a checkpoint
  // The count itself, for a trainer that puts it back when an update it counted is cancelled.
  int64_t* updates_counter() { return &t_; }

 private:
  EmaOptions options_;
  int64_t t_ = 0;
};

}  // namespace s4seg
