// Pieces every method shares: the supervised term (train.loss), parameter groups, and the
// pseudo-label report.
#pragma once
#include <torch/types.h>

#include <vector>

#include "augment/mix.h"
#include "core/config.h"
#include "losses/region_losses.h"
#include "methods/method.h"
#include "methods/method_registry.h"
#include "pseudo/pseudo_labels.h"

namespace s4seg {

// CE with ignore 255, or OHEM, of full-resolution logits against masks, per train.loss.
class SupervisedLoss {
 public:
  explicit SupervisedLoss(const Config& c);
  torch::Tensor operator()(const torch::Tensor& logits, const torch::Tensor& masks) const;

 private:
  bool ohem_;
  double ohem_thresh_;
  int64_t ohem_min_kept_;
};

// mix.* with mix.type = auto and mix.p = -1 taken from the method's defaults.
MixOptions mix_options_from_config(const Config& c, const MethodTrainingDefaults& method);

// The supervised term of a mask-classification model (MaskFormer set loss, rc2l.class_weight,
// mask_weight, dice_weight, no_object_weight), at the masks' 1/4 resolution: MaskFormer upsamples
// or samples points; on few labels the difference is small and this keeps memory at N·h·w.
class MaskSetLoss {
 public:
  explicit MaskSetLoss(const Config& c);
  torch::Tensor operator()(const SegOutput& out, const torch::Tensor& masks) const;
  const SetLossWeights& weights() const { return weights_; }

 private:
  int64_t classes_;
  SetLossWeights weights_;
};

// {"encoder" at 1×, "decoder" at train.decoder_lr_mult×} of `net`'s segmentation parameters
// (discriminators excluded).
std::vector<ParamGroup> segmentation_param_groups(SegmentationNetImpl& net, const Config& c);

// Nearest-neighbour resize of integer or bool (B, H, W) maps (labels, masks) to (h, w).
torch::Tensor resize_nearest(const torch::Tensor& t, int64_t h, int64_t w);

// "pseudo/keep_ratio" (weighted kept / valid) and "pseudo/accuracy" (kept pixels matching the
// unlabeled images' own masks, where they have them).
void report_pseudo(StepOutputs& out, const PseudoLabels& pl, const torch::Tensor& valid, const torch::Tensor& masks);

}  // namespace s4seg
