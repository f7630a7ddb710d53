// pcr (ALGORITHMS.md section 2): mean teacher + CutMix with the U²PL entropy-percentile loss, plus
// a prototype predictor on the student's decoder feature (the concatenated ASPP + low-level map),
// C × M micro-prototypes scored by max cosine / T, supervised on a sparse pixel grid by the
// ground truth (labeled) and the teacher's linear-head pseudo-labels above proto.confidence
// (unlabeled), excluding the CutMix-pasted region; prototypes follow the selected features by EMA.
#include <torch/nn/functional/vision.h>
#include <torch/torch.h>

#include "core/error.h"
#include "losses/cross_entropy.h"
#include "losses/semi_losses.h"
#include "methods/mean_teacher.h"
#include "methods/methods.h"
#include "models/prototype_bank.h"
#include "pseudo/filter_config.h"

namespace s4seg {

namespace F = torch::nn::functional;

namespace {
// One random pixel per cell of a grid × grid lattice over (h, w), the same for every image
// (PCR's mask_generation); returns normalised (x, y) sampling points (1, 1, P, 2) for
// grid_sample with align_corners = false, and the integer pixel coordinates (P) as y, x.
struct GridPoints {
  torch::Tensor sample;  // (1, 1, P, 2)
  torch::Tensor y, x;    // int64 (P)
};

GridPoints grid_points(int64_t h, int64_t w, int64_t grid, const c10::Device& device) {
  const int64_t gy = std::min(grid, h), gx = std::min(grid, w);
  const int64_t ch = h / gy, cw = w / gx;
  auto lopts = torch::TensorOptions().dtype(torch::kLong);
  torch::Tensor cy = torch::arange(gy, lopts).view({gy, 1}).expand({gy, gx}).reshape({-1});
  torch::Tensor cx = torch::arange(gx, lopts).view({1, gx}).expand({gy, gx}).reshape({-1});
  torch::Tensor y = cy * ch + torch::randint(ch, {gy * gx}, lopts);
  torch::Tensor x = cx * cw + torch::randint(cw, {gy * gx}, lopts);
  GridPoints g;
  g.y = y.to(device);
  g.x = x.to(device);
  torch::Tensor yn = (2.0 * (y.to(torch::kFloat) + 0.5) / static_cast<double>(h) - 1.0);
  torch::Tensor xn = (2.0 * (x.to(torch::kFloat) + 0.5) / static_cast<double>(w) - 1.0);
  g.sample = torch::stack({xn, yn}, -1).view({1, 1, -1, 2}).to(device);
  return g;
}

// Features of a (B, D, h, w) map at full-resolution points: bilinear, as upsampling the map to
// (H, W) and reading those pixels would give, without building the full-size map. → (B·P, D).
torch::Tensor features_at(const torch::Tensor& map, const GridPoints& g) {
  const int64_t b = map.size(0);
  torch::Tensor s = F::grid_sample(map.to(torch::kFloat), g.sample.expand({b, 1, -1, 2}),
                                   F::GridSampleFuncOptions().mode(torch::kBilinear).align_corners(false));
  return s.squeeze(2).permute({0, 2, 1}).reshape({-1, map.size(1)});  // (B, D, 1, P) → (B·P, D)
}

// Values of a (B, H, W) tensor at the points → (B·P).
torch::Tensor values_at(const torch::Tensor& t, const GridPoints& g) {
  return t.index({torch::indexing::Slice(), g.y, g.x}).reshape({-1});
}

class Pcr : public MeanTeacherMethod {
 public:
  Pcr(const Config& c, std::shared_ptr<Model> model, const MethodDescriptor& self)
      : MeanTeacherMethod(c, std::move(model), self) {
    filter_ = make_filter(filter_options_from_config(c, teacher_->net->num_classes(), self.training.filter));
    PrototypeBankOptions po;
    po.classes = teacher_->net->num_classes();
    po.per_class = c.get_int("proto.per_class");
    po.dim = c.get_int("model.aspp_channels") + c.get_int("model.low_level_channels");
    po.temperature = c.get_double("proto.temperature");
    po.momentum = c.get_double("proto.momentum");
    bank_ = std::make_unique<PrototypeBank>(po, teacher_->device);
    kmeans_init_ = c.get_string("proto.init") == "kmeans";
    proto_weight_ = c.get_double("proto.weight");
    grid_ = c.get_int("proto.grid");
    confidence_ = c.get_double("proto.confidence");
    labeled_correct_only_ = c.get_string("proto.labeled_update") == "correct";
  }

  StepOutputs step(const StepInputs& in) override {
    // The bank moves after the optimizer step (after_step) with the features of every micro-batch
    // of the iteration (together they are the batch); an iteration's first micro-batch starts
    // afresh, so nothing of an iteration that failed before its update is kept.
    if (in.micro_batch == 0) pending_ = {};
    if (labeled_only(in)) return labeled_only_step(in);
    const torch::Tensor& xl = in.labeled.images;
    const torch::Tensor& xu = in.unlabeled.images;
    const int64_t h = xl.size(2), w = xl.size(3), bl = xl.size(0), bu = xu.size(0);

    StepOutputs o;
    const StrongView s = label_unlabeled(in, *filter_, /*photometric=*/false, o).strong;  // PCR mixes, no colour changes

    student_->net->train();
    SegOutput out = student_->net->forward(torch::cat({xl, s.images}));
    torch::Tensor logits = upsample_logits(out.logits, h, w);
    o.losses["supervised"] = supervised_loss(logits.narrow(0, 0, bl), in.labeled.masks);
    o.losses["unsupervised"] = rescaled_cross_entropy(logits.narrow(0, bl, bu), s.pl.labels) * unsup_weight_;

    // Prototype branch on the sparse grid; pasted CutMix pixels are left out.
    GridPoints g = grid_points(h, w, grid_, xl.device());
    torch::Tensor feats = features_at(out.feature, g);  // ((bl + bu)·P, D)
    torch::Tensor target_u = torch::where((s.pl.confidence > confidence_) & s.paste.logical_not(), s.predicted,
                                          torch::full_like(s.predicted, kIgnoreIndex));
    torch::Tensor targets = torch::cat({values_at(in.labeled.masks, g), values_at(target_u, g)});
    torch::Tensor is_labeled = torch::arange(targets.size(0), targets.options()) < bl * g.y.size(0);
    torch::Tensor valid = targets != kIgnoreIndex;

    if (!bank_ready_) {  // checked on the host only until every class has prototypes
      initialise(feats.detach(), targets, is_labeled);
      bank_ready_ = bank_->all_initialized();
    }
    PrototypeScores sc = bank_->score(feats);
    o.losses["prototype"] = ignore_cross_entropy(sc.logits.unsqueeze(-1).unsqueeze(-1), targets.view({-1, 1, 1})) * proto_weight_;
    {
      torch::NoGradGuard ng;
      torch::Tensor cond = valid;
      if (labeled_correct_only_) cond = cond & (is_labeled.logical_not() | (sc.logits.argmax(1) == targets));
      o.metrics["prototype/accuracy"] = torch::stack({((sc.logits.argmax(1) == targets) & valid).sum().to(torch::kFloat),
                                                      valid.sum().to(torch::kFloat)});
      pending_.add({feats.detach(), targets, sc.match, cond});
    }
    return o;
  }

  void after_step(int64_t iteration, const torch::Tensor& apply) override {
    MeanTeacherMethod::after_step(iteration, apply);
    if (pending_.features.defined())
      bank_->ema_update(pending_.features, pending_.labels, pending_.match, pending_.mask, ranks(), apply);
    pending_ = {};
  }

  // Every rank's features move the bank (ema_update sums over the ranks); rank 0's copy settles
  // the initialisation, which each rank draws from its own batch.
  MethodState state() override {
    MethodState s = MeanTeacherMethod::state();
    s.rank0 = {bank_->prototypes(), bank_->initialized()};
    return s;
  }

  void save_extra(Records& out) const override {
    filter_->save(out, "method/filter/");
    bank_->save(out, "method/prototypes/");
  }
  void load_extra(const Records& in, const std::string& who) override {
    bank_->load(in, "method/prototypes/", who);
    filter_->load(in, "method/filter/", who);
    bank_ready_ = bank_->all_initialized();
  }

 private:
  // k-means per class over the labeled pixels of the first semi-supervised batch (the student has
  // trained on labels until now), or the class means of the batch; classes absent from it are set
  // when they first appear (ema_update).
  void initialise(const torch::Tensor& feats, const torch::Tensor& targets, const torch::Tensor& is_labeled) {
    torch::Tensor sel = is_labeled & (targets != kIgnoreIndex);
    if (kmeans_init_)
      bank_->init_kmeans(feats.index({sel}), targets.index({sel}));
    else
      bank_->init_from_batch(feats.index({sel}), targets.index({sel}));
  }

  struct Pending {
    torch::Tensor features, labels, match, mask;
    void add(const Pending& more) {
      auto append = [](torch::Tensor& dst, const torch::Tensor& t) { dst = dst.defined() ? torch::cat({dst, t}) : t; };
      append(features, more.features);
      append(labels, more.labels);
      append(match, more.match);
      append(mask, more.mask);
    }
  };
  std::unique_ptr<PseudoFilter> filter_;
  std::unique_ptr<PrototypeBank> bank_;
  bool kmeans_init_;
  double proto_weight_;
  int64_t grid_;
  double confidence_;
  bool labeled_correct_only_;
  bool bank_ready_ = false;
  Pending pending_;
};
}  // namespace

MethodDescriptor pcr_method() {
  // Skips on the device: the teacher, the bank (after_step) and an adaptive filter (label_unlabeled)
  // honour `apply`. The bank's initialisation reads counts on the host, once; it stays even if its
  // iteration is later found to have diverged, as it does with train.read_every = 1.
  MethodDescriptor d("pcr", "mean teacher with U2PL's entropy filter, CutMix and a micro-prototype head (PCR)",
                     kUsesUnlabeled | kMeanTeacher | kSkipsOnDevice, construct_method<Pcr>);
  d.training.filter = "entropy";
  d.training.supervised_only_share = 0.1;  // U2PL's labeled-only first epoch
  return d;
}

}  // namespace s4seg
