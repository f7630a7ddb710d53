// rrn (ALGORITHMS.md section 4): two co-trained branches with cross pseudo supervision on
// box-mixed unlabeled batches, and one discriminator per branch judging (softmax ⊕ image).
//   L = Σ_k CE(b_k(x_l), y_l) + w_cps·[CE(s₁, ŷ₂) + CE(s₂, ŷ₁)]
//       + Σ_k [λ_fm·L_fm,k + λ_st·(L_st(s_k | D_k) + L_st(s_k | D_k̄))]        (L_st after st_start)
//   L_D,k = ½[BCE(D_k(softmax s_k ⊕ u), 0) + BCE(D_k(onehot y_l ⊕ x_l), 1)]
// Local selection keeps the regions (model.discriminator = patch, the paper) or whole images
// (image, the code) that a discriminator scores above pseudo.discriminator_threshold, and trains
// them on their own argmax; the partner's discriminator judges too (the "dynamic correction").
// The segmentation losses reach the discriminators' inputs but not their weights; the
// discriminator losses see detached predictions, so one backward serves both and the
// discriminators step with their own Adam after the trainer's SGD step.
#include <torch/torch.h>

#include "augment/mix.h"
#include "core/error.h"
#include "losses/adversarial_losses.h"
#include "losses/cross_entropy.h"
#include "losses/semi_losses.h"
#include "methods/method_parts.h"
#include "methods/methods.h"
#include "pseudo/region_score.h"
#include "optim/adam.h"

namespace s4seg {

namespace {
std::vector<torch::Tensor> params_of(SegmentationNetImpl& net) {
  std::vector<torch::Tensor> p;
  for (int64_t k = 0; k < net.discriminator_count(); ++k) {
    auto d = net.discriminator(k)->parameters();
    p.insert(p.end(), d.begin(), d.end());
  }
  return p;
}

void set_requires_grad(std::vector<torch::Tensor>& params, bool on) {
  for (auto& p : params) p.requires_grad_(on);
}

class Rrn : public Method {
 public:
  Rrn(const Config& c, std::shared_ptr<Model> model, const MethodDescriptor& self)
      : model_(std::move(model)), config_(c), supervised_(c), mix_(mix_options_from_config(c, self.training)) {
    SegmentationNetImpl& net = *model_->net;
    if (net.branches() != 2 || net.discriminator_count() != 2)
      fail(Status::InvalidArgument,
           "train.method = rrn needs a model with two branches and a discriminator per branch: create the model with "
           "train.method = rrn (model.branches = 0 and model.discriminator = auto then add them)");
    classes_ = net.num_classes();
    cps_weight_ = c.get_double("rrn.cps_weight");
    fm_weight_ = c.get_double("rrn.fm_weight");
    st_weight_ = c.get_double("rrn.st_weight");
    threshold_ = c.get_double("pseudo.discriminator_threshold");
    st_start_ = c.get_int("rrn.st_start_iters");
    if (st_start_ < 0) st_start_ = c.get_int("train.iters") / 10;
    d_lr_ = c.get_double("rrn.d_lr");
    filter_cps_ = c.get_bool("rrn.filter_cps");
    d_params_ = params_of(net);
    AdamOptions ao;
    ao.beta1 = 0.9;
    ao.beta2 = 0.99;
    adam_ = std::make_unique<Adam>(d_params_, ao);
    FilterOptions fo;
    fo.kind = "discriminator";
    fo.num_classes = classes_;
    fo.discriminator_threshold = threshold_;
    selection_ = make_filter(fo);
  }

  Model& inference_model() override { return *model_; }
  std::vector<ParamGroup> param_groups() override { return segmentation_param_groups(*model_->net, config_); }

  StepOutputs step(const StepInputs& in) override {
    SegmentationNetImpl& net = *model_->net;
    net.train();
    const torch::Tensor& xl = in.labeled.images;
    const torch::Tensor& xu = in.unlabeled.images;
    const int64_t bl = xl.size(0), bu = xu.size(0), h = xl.size(2), w = xl.size(3);
    StepOutputs o;

    // Cross pseudo-labels: each branch labels the unmixed images, and the labels are mixed with
    // the images (CPS labels u0 and u1 apart, then mixes).
    torch::Tensor partner = partner_index(bu, xu.device());
    torch::Tensor paste, xm, valid_m, masks_m;
    std::vector<PseudoLabels> cross(2);
    {
      torch::NoGradGuard ng;
      paste = paste_mask(mix_, bu, h, w, {}, partner, xu.device());
      std::vector<torch::Tensor> m = apply_mix(paste, partner, {xu, in.unlabeled.valid, in.unlabeled.masks});
      xm = m[0];
      valid_m = m[1];
      masks_m = m[2];
      for (int64_t k = 0; k < 2; ++k) {
        torch::Tensor probs = torch::softmax(upsample_logits(net.forward_branch(xu, k).logits.to(torch::kFloat), h, w), 1);
        PseudoLabels pl = pseudo_labels_from_probs(probs, in.unlabeled.valid.logical_not());
        std::vector<torch::Tensor> mixed = apply_mix(paste, partner, {pl.labels, pl.confidence, pl.entropy, pl.weight, probs});
        cross[k] = {mixed[0], mixed[1], mixed[2], mixed[3]};
        if (filter_cps_) {  // the branch's own discriminator judges the labels it hands to its partner
          FilterContext ctx{in.iteration, in.total_iterations, {}, region_score(net.discriminator(k), mixed[4], xm), in.apply};
          selection_->apply(cross[k], ctx);
        }
      }
    }
    report_pseudo(o, cross[0], valid_m, masks_m);

    torch::Tensor x_all = torch::cat({xl, xm});
    std::vector<torch::Tensor> student(2);
    torch::Tensor sup;
    for (int64_t k = 0; k < 2; ++k) {
      torch::Tensor logits = upsample_logits(net.forward_branch(x_all, k).logits, h, w);
      torch::Tensor l = supervised_(logits.narrow(0, 0, bl), in.labeled.masks);
      sup = k == 0 ? l : sup + l;
      student[k] = logits.narrow(0, bl, bu);
    }
    o.losses["supervised"] = sup;
    o.losses["cps"] = (weighted_cross_entropy(student[0], cross[1].labels, cross[1].weight) +
                       weighted_cross_entropy(student[1], cross[0].labels, cross[0].weight)) *
                      cps_weight_;

    // Discriminators judge the mixed student predictions ("fake") against ground truth ("real").
    torch::Tensor real;
    {
      torch::NoGradGuard ng;
      real = discriminator_input(one_hot_with_ignore(in.labeled.masks, classes_), xl);
    }
    const bool self_train = in.iteration >= st_start_;
    set_requires_grad(d_params_, false);
    torch::Tensor fm, st, kept_sum, kept_count;
    std::vector<torch::Tensor> fake(2);
    for (int64_t k = 0; k < 2; ++k) {
      fake[k] = discriminator_input(torch::softmax(student[k].to(torch::kFloat), 1), xm);
      DiscriminatorOutput own = net.discriminator(k)->forward(fake[k]);
      torch::Tensor real_features;
      {
        torch::NoGradGuard ng;
        real_features = net.discriminator(k)->forward(real).features;
      }
      torch::Tensor f = feature_matching_loss(real_features, own.features);
      fm = k == 0 ? f : fm + f;
      if (!self_train) continue;
      DiscriminatorOutput partner_view = net.discriminator(1 - k)->forward(fake[k]);
      torch::Tensor s_own = selection_loss(student[k], own.score, valid_m, in, kept_sum, kept_count);
      torch::Tensor s_partner = selection_loss(student[k], partner_view.score, valid_m, in, kept_sum, kept_count);
      st = st.defined() ? st + s_own + s_partner : s_own + s_partner;
    }
    set_requires_grad(d_params_, true);
    o.losses["feature_matching"] = fm * fm_weight_;
    if (st.defined()) {
      o.losses["selection"] = st * st_weight_;
      o.metrics["rrn/selected_ratio"] = torch::stack({kept_sum, kept_count});
    }

    torch::Tensor d_loss;
    for (int64_t k = 0; k < 2; ++k) {
      torch::Tensor l = discriminator_loss(net.discriminator(k)->forward(fake[k].detach()).logits,
                                           net.discriminator(k)->forward(real).logits);
      d_loss = k == 0 ? l : d_loss + l;
    }
    o.losses["discriminator"] = d_loss;
    return o;
  }

  void after_step(int64_t /*iteration*/, const torch::Tensor& /*apply*/) override {
    adam_->step(d_lr_);
    adam_->zero_grad();
  }

  MethodState state() override {
    MethodState s = Method::state();
    s.self_optimized = d_params_;
    return s;
  }

  void save(Records& out) const override { adam_->save(out, "method/adam/"); }
  void load(const Records& in, const std::string& who) override { adam_->load(in, "method/adam/", who); }

 private:
  // L_st over the pixels whose region `score` (B, 1, h', w') keeps; counts what was kept.
  torch::Tensor selection_loss(const torch::Tensor& logits, const torch::Tensor& score, const torch::Tensor& valid,
                               const StepInputs& in, torch::Tensor& kept_sum, torch::Tensor& kept_count) {
    torch::Tensor selected;
    {
      torch::NoGradGuard ng;
      PseudoLabels pl;
      torch::Tensor own = logits.argmax(1);
      pl.labels = torch::where(valid, own, torch::full_like(own, kIgnoreIndex));
      pl.weight = valid.to(torch::kFloat);
      pl.confidence = pl.weight;
      pl.entropy = torch::zeros_like(pl.weight);
      FilterContext ctx{in.iteration, in.total_iterations, {}, patch_scores_to_pixels(score.detach().to(torch::kFloat), logits.size(2), logits.size(3)), in.apply};
      selection_->apply(pl, ctx);
      selected = pl.weight > 0;
      torch::Tensor n = selected.sum().to(torch::kFloat), d = valid.sum().to(torch::kFloat);
      kept_sum = kept_sum.defined() ? kept_sum + n : n;
      kept_count = kept_count.defined() ? kept_count + d : d;
    }
    return local_selection_loss(logits, selected);
  }

  std::shared_ptr<Model> model_;
  Config config_;
  SupervisedLoss supervised_;
  MixOptions mix_;
  int64_t classes_;
  double cps_weight_, fm_weight_, st_weight_, threshold_, d_lr_;
  int64_t st_start_;
  bool filter_cps_;
  std::vector<torch::Tensor> d_params_;
  std::unique_ptr<Adam> adam_;
  std::unique_ptr<PseudoFilter> selection_;
};
}  // namespace

MethodDescriptor rrn_method() {
  // Not skipping on the device: the discriminators' Adam (after_step) does not honour `apply`, so
  // train.read_every stays 1.
  MethodDescriptor d("rrn",
                     "two co-trained branches with cross pseudo supervision and discriminators selecting reliable regions (RRN)",
                     kUsesUnlabeled, construct_method<Rrn>);
  d.model.branches = 2;
  d.model.discriminator = "patch";
  d.training.filter = "discriminator";
  d.training.mix = "boxes";  // CPS's box generator
  return d;
}

}  // namespace s4seg
