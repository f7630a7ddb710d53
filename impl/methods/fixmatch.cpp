// fixmatch: weak-to-strong consistency with an EMA teacher (FixMatch/UniMatch): the teacher labels
// the weak view, a filter (confidence threshold by default) keeps the sure pixels, and the student
// learns them on a strong view (colour, greyscale, blur, CutMix). With fixmatch.feature_dropout > 0
// the UniMatch feature-perturbation stream adds a second unsupervised term on the weak view with
// channel dropout on the encoder features.
#include "methods/methods.h"

#include <torch/torch.h>

#include "losses/semi_losses.h"
#include "methods/mean_teacher.h"
#include "pseudo/filter_config.h"

namespace s4seg {

namespace {
class FixMatch : public MeanTeacherMethod {
 public:
  FixMatch(const Config& c, std::shared_ptr<Model> model, const MethodDescriptor& self)
      : MeanTeacherMethod(c, std::move(model), self) {
    filter_ = make_filter(filter_options_from_config(c, teacher_->net->num_classes(), self.training.filter));
    feature_dropout_ = c.get_double("fixmatch.feature_dropout");
  }

  StepOutputs step(const StepInputs& in) override {
    if (labeled_only(in)) return labeled_only_step(in);
    const torch::Tensor& xl = in.labeled.images;
    const torch::Tensor& xu = in.unlabeled.images;
    const int64_t h = xl.size(2), w = xl.size(3), bl = xl.size(0);

    StepOutputs o;
    UnlabeledTargets u = label_unlabeled(in, *filter_, /*photometric=*/true, o);
    const StrongView& s = u.strong;

    student_->net->train();
    torch::Tensor logits_l, logits_s;
    torch::Tensor fp_loss;
    if (feature_dropout_ > 0) {
      auto both = student_->net->forward_with_feature_dropout(torch::cat({xl, xu}), feature_dropout_);
      logits_l = both.first.logits.narrow(0, 0, bl);
      torch::Tensor logits_fp = upsample_logits(both.second.logits.narrow(0, bl, xu.size(0)), h, w);
      fp_loss = weighted_cross_entropy(logits_fp, u.predicted, u.pl.weight);
      logits_s = student_->net->forward(s.images).logits;
    } else {
      torch::Tensor all = student_->net->forward(torch::cat({xl, s.images})).logits;
      logits_l = all.narrow(0, 0, bl);
      logits_s = all.narrow(0, bl, xu.size(0));
    }
    o.losses["supervised"] = supervised_loss(upsample_logits(logits_l, h, w), in.labeled.masks);
    // Dropped pixels keep their argmax with weight 0, so the loss averages over all valid pixels
    // (UniMatch): a batch with few sure pixels moves the student less.
    torch::Tensor unsup = weighted_cross_entropy(upsample_logits(logits_s, h, w), s.predicted, s.pl.weight);
    if (fp_loss.defined()) {  // UniMatch splits the unsupervised weight between the two streams
      o.losses["unsupervised"] = unsup * (0.5 * unsup_weight_);
      o.losses["feature_perturbation"] = fp_loss * (0.5 * unsup_weight_);
    } else {
      o.losses["unsupervised"] = unsup * unsup_weight_;
    }
    return o;
  }

  void save_extra(Records& out) const override { filter_->save(out, "method/filter/"); }
  void load_extra(const Records& in, const std::string& who) override { filter_->load(in, "method/filter/", who); }

 private:
  std::unique_ptr<PseudoFilter> filter_;
  double feature_dropout_;
};
}  // namespace

MethodDescriptor fixmatch_method() {
  // Skips on the device: the teacher (after_step) and an adaptive filter (label_unlabeled) honour `apply`.
  return MethodDescriptor("fixmatch",
                          "weak-to-strong consistency with an EMA teacher, confidence threshold and CutMix (FixMatch/UniMatch)",
                          kUsesUnlabeled | kMeanTeacher | kSkipsOnDevice, construct_method<FixMatch>);
}

}  // namespace s4seg
