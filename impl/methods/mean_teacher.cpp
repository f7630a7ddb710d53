#include "methods/mean_teacher.h"

#include <torch/torch.h>

#include "augment/mix.h"
#include "core/error.h"
#include "losses/cross_entropy.h"
#include "models/tensor_codec.h"

namespace s4seg {

MeanTeacherMethod::MeanTeacherMethod(const Config& c, std::shared_ptr<Model> model, const MethodDescriptor& self)
    : teacher_(std::move(model)),
      student_(clone_model(*teacher_)),
      unsup_weight_(c.get_double("train.unsup_weight")),
      ema_(EmaOptions{c.get_double("teacher.momentum"), c.get_string("teacher.bn") == "own" ? BnPolicy::Own : BnPolicy::Copy}),
      config_(c),
      supervised_(c) {
  const std::string mode = c.get_string("teacher.mode");
  teacher_train_mode_ = mode == "train" || (mode == "auto" && self.training.teacher_train_mode);
  sup_only_iters_ = c.get_int("train.sup_only_iters");
  if (sup_only_iters_ < 0)
    sup_only_iters_ = static_cast<int64_t>(self.training.supervised_only_share * static_cast<double>(c.get_int("train.iters")));
  strong_.jitter_p = c.get_double("strong.jitter_p");
  strong_.brightness = c.get_double("strong.brightness");
  strong_.contrast = c.get_double("strong.contrast");
  strong_.saturation = c.get_double("strong.saturation");
  strong_.hue = c.get_double("strong.hue");
  strong_.grey_p = c.get_double("strong.grey_p");
  strong_.blur_p = c.get_double("strong.blur_p");
  strong_.blur_sigma_min = std::min(c.get_double("strong.blur_sigma_min"), c.get_double("strong.blur_sigma_max"));
  strong_.blur_sigma_max = std::max(c.get_double("strong.blur_sigma_min"), c.get_double("strong.blur_sigma_max"));
  mix_ = mix_options_from_config(c, self.training);
}

std::vector<ParamGroup> MeanTeacherMethod::param_groups() {
  return segmentation_param_groups(*student_->net, config_);
}

MethodState MeanTeacherMethod::state() {
  MethodState s;
  s.nets = {student_->net.get(), teacher_->net.get()};
  s.replicated = module_state(*student_->net);
  for (const auto& t : module_state(*teacher_->net)) s.replicated.push_back(t);
  s.rank_averaged = module_buffers(*student_->net);
  for (const auto& t : module_buffers(*teacher_->net)) s.rank_averaged.push_back(t);
  s.host_counters = {ema_.updates_counter()};
  return s;
}

void MeanTeacherMethod::after_step(int64_t iteration, const torch::Tensor& apply) {
  // During the labeled-only warm-up the teacher mirrors the student, and the EMA warm-up
  // min(1 - 1/(t+1), m) starts afresh at the first semi-supervised update (U²PL's t0).
  if (iteration < sup_only_iters_)
    ema_.reset(teacher_->net, student_->net, apply);
  else
    ema_.update(teacher_->net, student_->net, apply);
}

torch::Tensor MeanTeacherMethod::supervised_loss(const torch::Tensor& logits, const torch::Tensor& masks) const {
  return supervised_(logits, masks);
}

StepOutputs MeanTeacherMethod::labeled_only_step(const StepInputs& in) {
  student_->net->train();
  const torch::Tensor& x = in.labeled.images;
  torch::Tensor logits = upsample_logits(student_->net->forward(x).logits, x.size(2), x.size(3));
  StepOutputs o;
  o.losses["supervised"] = supervised_loss(logits, in.labeled.masks);
  return o;
}

TeacherView MeanTeacherMethod::teacher_predict(const torch::Tensor& images) {
  torch::NoGradGuard ng;
  if (teacher_train_mode_)
    teacher_->net->train();
  else
    teacher_->net->eval();
  TeacherView v;
  v.out = teacher_->net->forward(images);
  v.probs = torch::softmax(upsample_logits(v.out.logits.to(torch::kFloat), images.size(2), images.size(3)), 1);
  return v;
}

StrongView MeanTeacherMethod::strong_view(const torch::Tensor& images, const PseudoLabels& pl, const torch::Tensor& predicted,
                                          bool photometric) {
  torch::NoGradGuard ng;
  const int64_t b = images.size(0), h = images.size(2), w = images.size(3);
  StrongView v;
  v.partner = partner_index(b, images.device());
  torch::Tensor x = photometric ? strong_photometric(images, strong_) : images;
  v.paste = paste_mask(mix_, b, h, w, pl.labels, v.partner, images.device());
  std::vector<torch::Tensor> mixed =
      apply_mix(v.paste, v.partner, {x, pl.labels, pl.confidence, pl.entropy, pl.weight, predicted});
  v.images = mixed[0];
  v.pl = {mixed[1], mixed[2], mixed[3], mixed[4]};
  v.predicted = mixed[5];
  return v;
}

UnlabeledTargets MeanTeacherMethod::label_unlabeled(const StepInputs& in, PseudoFilter& filter, bool photometric,
                                                   StepOutputs& out) {
  const torch::Tensor& xu = in.unlabeled.images;
  TeacherView t = teacher_predict(xu);
  UnlabeledTargets u;
  u.pl = pseudo_labels_from_probs(t.probs, in.unlabeled.valid.logical_not());
  u.predicted = u.pl.labels.clone();
  filter.apply(u.pl, FilterContext{in.iteration, in.total_iterations, {}, {}, in.apply});
  report_pseudo(out, u.pl, in.unlabeled.valid, in.unlabeled.masks);
  u.strong = strong_view(xu, u.pl, u.predicted, photometric);
  return u;
}

void MeanTeacherMethod::save(Records& out) const {
  write_weight_records(*student_, out, "method/student/");
  out["method/ema_updates"] = std::to_string(ema_.updates());
  save_extra(out);
}

void MeanTeacherMethod::load(const Records& in, const std::string& who) {
  StagedWeights weights(*student_, in, who, "method/student/");
  const std::string& text = record_at(in, "method/ema_updates", who);
  int64_t updates = -1;
  try {
    size_t used = 0;
    updates = std::stoll(text, &used);
    if (used != text.size()) updates = -1;
  } catch (const std::exception&) {
  }
  if (updates < 0) fail(Status::Format, who + ": bad record 'method/ema_updates'");
  load_extra(in, who);
  weights.commit();
  ema_.set_updates(updates);
}

}  // namespace s4seg
