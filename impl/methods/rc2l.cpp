// rc2l (ALGORITHMS.md section 5, reconstructed: no public code): a mask-classification segmenter
// in a mean-teacher loop with region-level losses.
//   L = L_set(labeled) + λ_rmc·L_RMC + λ_rfc·L_RFC + λ_rcc·L_RCC + λ_smc·L_SMC
// Teacher regions are the teacher's queries whose best non-void class probability exceeds
// rc2l.region_threshold; each is paired with a student query (Hungarian matching with the
// MaskFormer cost, or the same query index), and
//   RMC: InfoNCE over masks (dice similarity), RFC: InfoNCE over mask-average-pooled features,
//   RCC: class CE of the paired queries (the others → no object), SMC: dice + BCE between the
//   student's semantic map and the teacher's confident semantic labels.
// Views: the unlabeled batch is mixed first (mix.*); the teacher sees the mixed weak images and the
// student the same images with colour / grey / blur, so teacher regions and student masks share
// their geometry (mixing per-query masks of two images would not give regions).
#include <torch/torch.h>

#include "augment/mix.h"
#include "core/error.h"
#include "losses/region_losses.h"
#include "losses/semi_losses.h"
#include "methods/mean_teacher.h"
#include "methods/method_parts.h"
#include "methods/methods.h"

namespace s4seg {

namespace {
class Rc2l : public MeanTeacherMethod {
 public:
  Rc2l(const Config& c, std::shared_ptr<Model> model, const MethodDescriptor& self)
      : MeanTeacherMethod(c, std::move(model), self), set_loss_(c) {
    if (!teacher_->net->has_mask_head())
      fail(Status::InvalidArgument,
           "train.method = rc2l needs a mask-classification model: create the model with train.method = rc2l "
           "(model.head = auto then adds the mask head) or model.head = mask");
    classes_ = teacher_->net->num_classes();
    const int64_t queries = c.get_int("model.queries");
    require(queries >= classes_, "train.method = rc2l: model.queries (" + std::to_string(queries) +
                                     ") must be at least model.num_classes (" + std::to_string(classes_) +
                                     "), so that every class of a labeled image can be matched to a query");
    hungarian_ = c.get_string("rc2l.matching") == "hungarian";
    region_threshold_ = c.get_double("rc2l.region_threshold");
    temperature_ = c.get_double("rc2l.temperature");
    rmc_ = c.get_double("rc2l.rmc_weight");
    rfc_ = c.get_double("rc2l.rfc_weight");
    rcc_ = c.get_double("rc2l.rcc_weight");
    smc_ = c.get_double("rc2l.smc_weight");
    set_ = set_loss_.weights();
    FilterOptions fo;
    fo.kind = "threshold";
    fo.num_classes = classes_;
    fo.threshold = c.get_double("rc2l.smc_threshold");
    smc_filter_ = make_filter(fo);
  }

  StepOutputs step(const StepInputs& in) override {
    const torch::Tensor& xl = in.labeled.images;
    const int64_t bl = xl.size(0);
    StepOutputs o;
    if (labeled_only(in)) {
      student_->net->train();
      o.losses["supervised"] = set_loss_(student_->net->forward(xl), in.labeled.masks);
      return o;
    }
    const torch::Tensor& xu = in.unlabeled.images;
    const int64_t bu = xu.size(0), h = xu.size(2), w = xu.size(3);

    torch::Tensor xm, valid_m, masks_m;
    {
      torch::NoGradGuard ng;
      torch::Tensor partner = partner_index(bu, xu.device());
      torch::Tensor paste = paste_mask(mix_options(), bu, h, w, {}, partner, xu.device());
      std::vector<torch::Tensor> m = apply_mix(paste, partner, {xu, in.unlabeled.valid, in.unlabeled.masks});
      xm = m[0];
      valid_m = m[1];
      masks_m = m[2];
    }
    TeacherView t = teacher_predict(xm);
    PseudoLabels pl = pseudo_labels_from_probs(t.probs, valid_m.logical_not());
    smc_filter_->apply(pl, FilterContext{in.iteration, in.total_iterations, {}, {}, in.apply});
    report_pseudo(o, pl, valid_m, masks_m);

    student_->net->train();
    SegOutput s = student_->net->forward(torch::cat({xl, photometric(xm)}));
    auto part = [&](const torch::Tensor& x, int64_t from, int64_t n) { return x.narrow(0, from, n); };
    SegOutput sl{part(s.logits, 0, bl), {}, {}, part(s.class_logits, 0, bl), part(s.mask_logits, 0, bl), {}};
    o.losses["supervised"] = set_loss_(sl, in.labeled.masks);

    torch::Tensor student_probs = torch::softmax(upsample_logits(part(s.logits, bl, bu).to(torch::kFloat), h, w), 1);
    o.losses["smc"] = semantic_mask_consistency(student_probs, pl.labels) * smc_;

    region_losses(o, t.out, s, bl, valid_m);
    return o;
  }

 private:
  // RMC, RFC and RCC, per unlabeled image, averaged over the images with at least one region.
  void region_losses(StepOutputs& o, const SegOutput& teacher, const SegOutput& student, int64_t bl,
                     const torch::Tensor& valid) {
    const int64_t bu = teacher.class_logits.size(0), mh = teacher.mask_logits.size(2), mw = teacher.mask_logits.size(3);
    torch::Tensor region_valid = resize_nearest(valid, mh, mw).to(torch::kFloat).reshape({bu, 1, mh * mw});
    torch::Tensor t_cls = torch::softmax(teacher.class_logits.to(torch::kFloat), 2);
    auto [t_score, t_class] = t_cls.narrow(2, 0, classes_).max(2);  // (B, N): best non-void class
    torch::Tensor keep = (t_score > region_threshold_).to(torch::kCPU);
    torch::Tensor t_masks = torch::sigmoid(teacher.mask_logits.to(torch::kFloat)).reshape({bu, -1, mh * mw}) * region_valid;
    torch::Tensor t_feat = teacher.pixel_embed.to(torch::kFloat);

    torch::Tensor rmc, rfc, rcc;
    int64_t images = 0, regions = 0;
    for (int64_t b = 0; b < bu; ++b) {
      torch::Tensor idx = keep[b].nonzero().squeeze(1).to(t_masks.device());
      const int64_t n = idx.size(0);
      if (n == 0) continue;
      torch::Tensor tm = t_masks[b].index_select(0, idx);   // (T, P)
      torch::Tensor tc = t_class[b].index_select(0, idx);   // (T)
      torch::Tensor s_cls = student.class_logits[bl + b];   // (N, K+1)
      torch::Tensor s_mlog = student.mask_logits[bl + b].reshape({-1, mh * mw});
      std::vector<int64_t> matched;
      if (hungarian_) {
        matched = match_queries(s_cls, s_mlog, tc, tm, MatchWeights{set_.cls, set_.mask, set_.dice});
      } else {
        torch::Tensor cpu = idx.to(torch::kCPU);
        matched.assign(cpu.data_ptr<int64_t>(), cpu.data_ptr<int64_t>() + n);
      }
      torch::Tensor s_masks = torch::sigmoid(s_mlog.to(torch::kFloat)) * region_valid[b];
      torch::Tensor t_regions = mask_average_pool(tm.reshape({n, mh, mw}), t_feat[b]);
      torch::Tensor s_regions = mask_average_pool(s_masks.reshape({-1, mh, mw}), student.pixel_embed[bl + b].to(torch::kFloat));
      torch::Tensor a = region_mask_contrastive(s_masks, tm, matched, temperature_);
      torch::Tensor f = region_feature_contrastive(s_regions, t_regions, matched, temperature_);
      torch::Tensor c = region_class_consistency(s_cls, tc, matched, set_.no_object);
      rmc = rmc.defined() ? rmc + a : a;
      rfc = rfc.defined() ? rfc + f : f;
      rcc = rcc.defined() ? rcc + c : c;
      ++images;
      regions += n;
    }
    const torch::Device dev = teacher.class_logits.device();
    o.metrics["rc2l/regions"] = torch::full({1}, static_cast<double>(regions) / static_cast<double>(bu),
                                            torch::TensorOptions().dtype(torch::kFloat).device(dev));
    if (images == 0) return;  // the teacher kept no region: only L_set and L_SMC this step
    const double inv = 1.0 / static_cast<double>(images);
    o.losses["rmc"] = rmc * (inv * rmc_);
    o.losses["rfc"] = rfc * (inv * rfc_);
    o.losses["rcc"] = rcc * (inv * rcc_);
  }

  int64_t classes_;
  bool hungarian_;
  double region_threshold_, temperature_, rmc_, rfc_, rcc_, smc_;
  MaskSetLoss set_loss_;
  SetLossWeights set_;
  std::unique_ptr<PseudoFilter> smc_filter_;
};
}  // namespace

MethodDescriptor rc2l_method() {
  // Not skipping on the device: its Hungarian matching copies costs to the host every step, so
  // queuing iterations gains nothing; train.read_every stays 1.
  MethodDescriptor d("rc2l", "mask-classification model in a mean-teacher loop with region-level contrastive losses (RC2L)",
                     kUsesUnlabeled | kMeanTeacher, construct_method<Rc2l>);
  d.model.head = "mask";
  d.training.filter = "threshold";  // on the semantic map, at rc2l.smc_threshold
  d.training.supervised_only_share = 0.1;
  return d;
}

}  // namespace s4seg
