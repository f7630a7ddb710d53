#include "methods/method_parts.h"

#include <torch/nn/functional/upsampling.h>
#include <torch/torch.h>

#include <algorithm>

#include "losses/cross_entropy.h"

namespace s4seg {

SupervisedLoss::SupervisedLoss(const Config& c)
    : ohem_(c.get_string("train.loss") == "ohem"),
      ohem_thresh_(c.get_double("train.ohem_thresh")),
      ohem_min_kept_(c.get_int("train.ohem_min_kept")) {}

torch::Tensor SupervisedLoss::operator()(const torch::Tensor& logits, const torch::Tensor& masks) const {
  return ohem_ ? ohem_cross_entropy(logits, masks, ohem_thresh_, ohem_min_kept_) : ignore_cross_entropy(logits, masks);
}

MixOptions mix_options_from_config(const Config& c, const MethodTrainingDefaults& method) {
  MixOptions o;
  o.type = c.get_string("mix.type");
  if (o.type == "auto") o.type = method.mix;
  o.p = c.get_double("mix.p");
  if (o.p < 0) o.p = method.mix_p;
  o.boxes = c.get_int("mix.boxes");
  o.box_min = std::min(c.get_double("mix.box_min"), c.get_double("mix.box_max"));
  o.box_max = std::max(c.get_double("mix.box_min"), c.get_double("mix.box_max"));
  return o;
}

MaskSetLoss::MaskSetLoss(const Config& c) : classes_(c.get_int("model.num_classes")) {
  weights_.cls = c.get_double("rc2l.class_weight");
  weights_.mask = c.get_double("rc2l.mask_weight");
  weights_.dice = c.get_double("rc2l.dice_weight");
  weights_.no_object = c.get_double("rc2l.no_object_weight");
}

torch::Tensor MaskSetLoss::operator()(const SegOutput& out, const torch::Tensor& masks) const {
  const int64_t h = out.mask_logits.size(2), w = out.mask_logits.size(3);
  std::vector<MaskTargets> targets = semantic_to_mask_targets_batch(resize_nearest(masks, h, w), classes_);
  return mask_set_loss(out.class_logits, out.mask_logits, targets, weights_).total();
}

std::vector<ParamGroup> segmentation_param_groups(SegmentationNetImpl& net, const Config& c) {
  return {{"encoder", net.encoder_parameters(), 1.0}, {"decoder", net.decoder_parameters(), c.get_double("train.decoder_lr_mult")}};
}

torch::Tensor resize_nearest(const torch::Tensor& t, int64_t h, int64_t w) {
  namespace F = torch::nn::functional;
  torch::Tensor f = F::interpolate(t.unsqueeze(1).to(torch::kFloat),
                                   F::InterpolateFuncOptions().size(std::vector<int64_t>{h, w}).mode(torch::kNearest));
  return f.squeeze(1).round().to(t.scalar_type());
}

void report_pseudo(StepOutputs& out, const PseudoLabels& pl, const torch::Tensor& valid, const torch::Tensor& masks) {
  torch::NoGradGuard ng;
  torch::Tensor v = valid.to(torch::kFloat);
  out.metrics["pseudo/keep_ratio"] = torch::stack({(pl.weight * v).sum(), v.sum()});
  torch::Tensor checked = (pl.weight > 0) & (masks != kIgnoreIndex) & valid;
  torch::Tensor correct = checked & (pl.labels == masks);
  out.metrics["pseudo/accuracy"] = torch::stack({correct.sum().to(torch::kFloat), checked.sum().to(torch::kFloat)});
}

}  // namespace s4seg
