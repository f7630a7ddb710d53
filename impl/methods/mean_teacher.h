// What the mean-teacher methods (fixmatch, pcr, css) share: the student is an internal copy of
// the model and the model itself is the EMA teacher, so the host's model handle always holds the
// weights to use; labeled-only warm-up; the teacher's pseudo-labels; strong views with CutMix /
// ClassMix applied identically to images and pseudo-labels; pseudo-label reports.
#pragma once
#include <memory>
#include <string>

#include "augment/mix.h"
#include "augment/strong.h"
#include "methods/method.h"
#include "methods/method_parts.h"
#include "methods/method_registry.h"
#include "pseudo/pseudo_labels.h"
#include "optim/ema_teacher.h"

namespace s4seg {

struct TeacherView {
  torch::Tensor probs;  // float (B, C, H, W): softmax of the upsampled teacher logits
  SegOutput out;        // the teacher's raw outputs at 1/4 resolution (features, rep)
};

struct StrongView {
  torch::Tensor images;     // strong unlabeled images
  PseudoLabels pl;          // filtered pseudo-labels mixed the same way
  torch::Tensor predicted;  // the teacher's unfiltered argmax mixed the same way (255 on padding)
  torch::Tensor paste;   // bool (B, H, W): pixels taken from the partner image
  torch::Tensor partner; // int64 (B): partner index
};

// The unlabeled half of a step: the teacher's labels on the weak view, filtered, and the strong view.
struct UnlabeledTargets {
  PseudoLabels pl;          // filtered, on the weak view
  torch::Tensor predicted;  // the teacher's unfiltered argmax on the weak view (255 on padding)
  StrongView strong;        // pl and predicted mixed with the strong images
};

class MeanTeacherMethod : public Method {
 public:
  // `self`: the method's descriptor, whose training defaults resolve teacher.mode, mix.* and
  // train.sup_only_iters where they say "auto".
  MeanTeacherMethod(const Config& c, std::shared_ptr<Model> model, const MethodDescriptor& self);
  std::vector<ParamGroup> param_groups() override;
  Model& inference_model() override { return *teacher_; }
  void after_step(int64_t iteration, const torch::Tensor& apply) override;
  void save(Records& out) const override;
  void load(const Records& in, const std::string& who) override;
  // Student and teacher: both trained nets, both replicated, both BatchNorm statistics averaged
  // (with teacher.bn = own, or in train mode, each rank moves the teacher's); the EMA count.
  MethodState state() override;

 protected:
  // Iterations before sup_only_iters train on labeled images only.
  bool labeled_only(const StepInputs& in) const { return in.iteration < sup_only_iters_; }
  // CE or OHEM of full-resolution logits against masks (train.loss).
  torch::Tensor supervised_loss(const torch::Tensor& logits, const torch::Tensor& masks) const;
  // The labeled-only step: supervised loss of the student.
  StepOutputs labeled_only_step(const StepInputs& in);
  // Teacher forward on the weak unlabeled view, no gradient, in teacher.mode.
  TeacherView teacher_predict(const torch::Tensor& images);
  // Mixing per mix.* and, when `photometric`, colour/grey/blur per strong.*.
  StrongView strong_view(const torch::Tensor& images, const PseudoLabels& pl, const torch::Tensor& predicted, bool photometric);
  // Teacher on the weak view → `filter` → report_pseudo into `out` → strong_view.
  UnlabeledTargets label_unlabeled(const StepInputs& in, PseudoFilter& filter, bool photometric, StepOutputs& out);
  const MixOptions& mix_options() const { return mix_; }
  // Colour / grey / blur per strong.* (no geometry), for methods that build their own views.
  torch::Tensor photometric(const torch::Tensor& images) const { return strong_photometric(images, strong_); }
  // Extra state of a subclass: saved under "method/", loaded all-or-nothing.
  virtual void save_extra(Records& /*out*/) const {}
  virtual void load_extra(const Records& /*in*/, const std::string& /*who*/) {}

  std::shared_ptr<Model> teacher_;  // the host's model
  std::shared_ptr<Model> student_;
  double unsup_weight_;

 private:
  EmaTeacher ema_;
  bool teacher_train_mode_;
  Config config_;
  SupervisedLoss supervised_;
  int64_t sup_only_iters_;
  StrongAugOptions strong_;
  MixOptions mix_;
};

}  // namespace s4seg
