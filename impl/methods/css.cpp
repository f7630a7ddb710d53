// css (ALGORITHMS.md section 3): mean teacher with a representation head and per-class EMA
// prototypes. Pseudo-labels come from the logit space (teacher softmax) and the representation
// space (nearest prototype); `mix` keeps the pixels where both agree, `cross` lets each space
// supervise the other. L = L_s + L_u (attention-threshold CE) + λ_c(t)·L_c (prototype InfoNCE
// with hard anchors chosen by the prototype-similarity indicator). Defaults follow the code;
// css.prototype_source / valid_source / unsup_loss / rampdown_epochs select the paper's variants.
#include <torch/torch.h>

#include <cmath>

#include "augment/mix.h"
#include "core/error.h"
#include "losses/cross_entropy.h"
#include "losses/semi_losses.h"
#include "methods/mean_teacher.h"
#include "methods/method_parts.h"
#include "methods/methods.h"
#include "models/prototype_bank.h"
#include "pseudo/filter_config.h"

namespace s4seg {

namespace {
class Css : public MeanTeacherMethod {
 public:
  Css(const Config& c, std::shared_ptr<Model> model, const MethodDescriptor& self)
      : MeanTeacherMethod(c, std::move(model), self) {
    const int64_t rep = teacher_->net->rep_dim();
    if (rep <= 0)
      fail(Status::InvalidArgument,
           "train.method = css needs a model with a representation head: create the model with train.method = css "
           "(model.rep_dim = -1 then adds one) or model.rep_dim > 0");
    classes_ = teacher_->net->num_classes();
    strategy_ = c.get_string("css.strategy");
    PrototypeBankOptions po;
    po.classes = classes_;
    po.per_class = 1;
    po.dim = rep;
    po.temperature = c.get_double("css.temperature");
    po.momentum = c.get_double("proto.momentum");
    bank_ = std::make_unique<PrototypeBank>(po, teacher_->device);
    contrast_.strong_threshold = c.get_double("css.strong_threshold");
    contrast_.num_queries = c.get_int("css.queries");
    contrast_.num_negatives = c.get_int("css.negatives");
    contrast_.temperature = c.get_double("css.temperature");
    weak_threshold_ = c.get_double("css.weak_threshold");
    soft_threshold_ = c.get_double("pseudo.soft_threshold");
    contrast_weight_ = c.get_double("css.contrast_weight");
    rampdown_ = c.get_int("css.rampdown_epochs");
    teacher_protos_ = c.get_string("css.prototype_source") == "teacher";
    rep_valid_ = c.get_string("css.valid_source") == "rep";
    hard_unsup_ = c.get_string("css.unsup_loss") == "hard";
    warmup_ = c.get_int("css.warmup_iters");
    FilterOptions fo;
    fo.num_classes = classes_;
    fo.kind = hard_unsup_ ? "threshold" : "soft";
    fo.threshold = soft_threshold_;
    // pseudo.filter = auto: css.unsup_loss decides (soft, or the paper's hard threshold).
    unsup_filter_ = make_filter(c.get_string("pseudo.filter") == "auto" ? fo : filter_options_from_config(c, classes_, "soft"));
    fo.kind = "agreement";
    agreement_ = make_filter(fo);
  }

  StepOutputs step(const StepInputs& in) override {
    if (labeled_only(in)) return labeled_only_step(in);
    const torch::Tensor& xl = in.labeled.images;
    const torch::Tensor& xu = in.unlabeled.images;
    const int64_t h = xl.size(2), w = xl.size(3), bl = xl.size(0), bu = xu.size(0);
    const torch::Tensor padding = in.unlabeled.valid.logical_not();

    TeacherView t = teacher_predict(xu);
    torch::Tensor rep_probs;  // representation-space softmax (B, C, H, W)
    {
      torch::NoGradGuard ng;
      rep_probs = torch::softmax(upsample_logits(bank_->score_map(t.out.rep.to(torch::kFloat)), h, w), 1);
    }
    PseudoLabels logit = pseudo_labels_from_probs(t.probs, padding);
    PseudoLabels repsp = pseudo_labels_from_probs(rep_probs, padding);
    torch::Tensor predicted = logit.labels.clone();
    const bool cross_now = strategy_ == "cross" && in.iteration >= warmup_;

    // L_u labels: mix → agreement of both spaces; cross → representation space; logit → logit.
    PseudoLabels unsup = cross_now ? repsp : logit;
    FilterContext ctx{in.iteration, in.total_iterations, repsp.labels, {}, in.apply};
    if (strategy_ == "mix") {
      unsup.labels = unsup.labels.clone();
      unsup.weight = unsup.weight.clone();
      agreement_->apply(unsup, ctx);
    }
    // L_c labels: the agreed labels (mix) or the logit labels (cross, logit), admitted by δ_w.
    torch::Tensor contrast_labels = unsup.labels.clone();
    if (strategy_ != "mix") contrast_labels = logit.labels;
    const torch::Tensor& gate = rep_valid_ ? repsp.confidence : logit.confidence;
    contrast_labels = torch::where(gate >= weak_threshold_, contrast_labels, torch::full_like(contrast_labels, kIgnoreIndex));
    unsup_filter_->apply(unsup, ctx);

    StepOutputs o;
    report_pseudo(o, unsup, in.unlabeled.valid, in.unlabeled.masks);
    StrongView s = strong_view(xu, unsup, predicted, /*photometric=*/true);
    torch::Tensor mixed_contrast = apply_mix(s.paste, s.partner, {contrast_labels})[0];

    student_->net->train();
    SegOutput out = student_->net->forward(torch::cat({xl, s.images}));
    torch::Tensor logits = upsample_logits(out.logits, h, w);
    o.losses["supervised"] = supervised_loss(logits.narrow(0, 0, bl), in.labeled.masks);
    torch::Tensor lu = hard_unsup_ ? weighted_cross_entropy(logits.narrow(0, bl, bu), s.pl.labels, s.pl.weight)
                                   : attention_threshold_cross_entropy(logits.narrow(0, bl, bu), s.pl.labels, s.pl.weight);
    o.losses["unsupervised"] = lu * unsup_weight_;

    // The prototypes keep moving after λ_c has ramped down: the agreement filter (mix) and the
    // representation-space labels (cross) compare the teacher's drifting representations with them.
    const double lambda = contrast_lambda(in.labeled_epoch);
    {
      torch::Tensor rep = out.rep.to(torch::kFloat);  // (bl + bu, D, h/4, w/4)
      const int64_t rh = rep.size(2), rw = rep.size(3);
      torch::Tensor labels = torch::cat({resize_nearest(in.labeled.masks, rh, rw), resize_nearest(mixed_contrast, rh, rw)});
      torch::Tensor flat_rep = rep.permute({0, 2, 3, 1}).reshape({-1, rep.size(1)});
      torch::Tensor flat_lab = labels.reshape({-1});
      torch::Tensor valid = flat_lab != kIgnoreIndex;
      // Prototypes move before they are used (the code), from detached representations: the
      // student's valid pixels, or (the paper) the teacher's unlabeled pixels plus the student's
      // labeled ones, since the teacher does not see the labeled images.
      {
        torch::NoGradGuard ng;
        torch::Tensor upd_rep = flat_rep.detach(), upd_lab = flat_lab;
        if (teacher_protos_) {
          torch::Tensor trep = t.out.rep.to(torch::kFloat);
          torch::Tensor tl = resize_nearest(contrast_labels, trep.size(2), trep.size(3)).reshape({-1});
          upd_rep = torch::cat({flat_rep.detach().narrow(0, 0, bl * rh * rw), trep.permute({0, 2, 3, 1}).reshape({-1, trep.size(1)})});
          upd_lab = torch::cat({flat_lab.narrow(0, 0, bl * rh * rw), tl});
        }
        torch::Tensor ok = upd_lab != kIgnoreIndex;
        bank_->ema_update(upd_rep, upd_lab, torch::zeros({upd_lab.size(0), classes_}, upd_lab.options()), ok, ranks(),
                          in.apply);
      }
      if (lambda <= 0) return o;
      // Every pixel goes in, the ignored ones (255) included: prototype_info_nce leaves them out
      // without selecting them on the host.
      torch::Tensor indicator;
      {
        torch::NoGradGuard ng;
        torch::Tensor probs = torch::softmax(bank_->score(flat_rep.detach()).logits, 1);
        indicator = probs.gather(1, torch::where(valid, flat_lab, torch::zeros_like(flat_lab)).unsqueeze(1)).squeeze(1);
      }
      torch::Tensor protos = bank_->prototypes().select(1, 0).detach();
      o.losses["contrast"] = prototype_info_nce(flat_rep, flat_lab, indicator, protos, contrast_) * lambda;
    }
    return o;
  }

  // Every rank's features move the bank (ema_update sums over the ranks); rank 0's copy settles
  // the rest.
  MethodState state() override {
    MethodState s = MeanTeacherMethod::state();
    s.rank0 = {bank_->prototypes(), bank_->initialized()};
    return s;
  }

  void save_extra(Records& out) const override {
    bank_->save(out, "method/prototypes/");
    unsup_filter_->save(out, "method/filter/");
  }
  void load_extra(const Records& in, const std::string& who) override {
    bank_->load(in, "method/prototypes/", who);
    unsup_filter_->load(in, "method/filter/", who);
  }

 private:
  // λ_c(e) = w·exp(-5 (e/R)²) for labeled epochs e < R, then 0 (CSS RampdownScheduler, stepped per
  // epoch of the labeled loader); R = 0: constant w (the paper).
  double contrast_lambda(int64_t t) const {
    if (rampdown_ <= 0) return contrast_weight_;
    if (t >= rampdown_) return 0;
    const double r = static_cast<double>(t) / static_cast<double>(rampdown_);
    return contrast_weight_ * std::exp(-5.0 * r * r);
  }

  int64_t classes_;
  std::string strategy_;
  std::unique_ptr<PrototypeBank> bank_;
  std::unique_ptr<PseudoFilter> unsup_filter_, agreement_;
  ProtoContrastOptions contrast_;
  double weak_threshold_, soft_threshold_, contrast_weight_;
  int64_t rampdown_, warmup_;
  bool teacher_protos_, rep_valid_, hard_unsup_;
};
}  // namespace

MethodDescriptor css_method() {
  // Skips on the device: the teacher (after_step) and the bank (moved inside step, with the `apply`
  // of the iterations before) honour `apply`; an adaptive filter (pseudo.filter = class_adaptive) too.
  MethodDescriptor d("css", "mean teacher with a representation head and class prototypes: pseudo-labels from both spaces (CSS)",
                     kUsesUnlabeled | kMeanTeacher | kSkipsOnDevice, construct_method<Css>);
  d.model.representation = true;
  d.training.filter = "soft";
  d.training.mix_p = 1.0;               // its code mixes every batch
  d.training.teacher_train_mode = true;  // its code labels with the teacher in train mode
  return d;
}

}  // namespace s4seg
