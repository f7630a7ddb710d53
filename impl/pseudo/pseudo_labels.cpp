#include "pseudo/pseudo_labels.h"

#include <torch/torch.h>

#include <algorithm>
#include <limits>

#include "core/error.h"
#include "losses/cross_entropy.h"
#include "models/tensor_codec.h"

namespace s4seg {

namespace {

// Shapes only (no device syncs): every field is (B, H, W) like the labels.
void check_labels(const PseudoLabels& pl, const std::string& who) {
  require(pl.labels.defined() && pl.labels.dim() == 3, who + ": labels must be (B, H, W)");
  for (const torch::Tensor* t : {&pl.confidence, &pl.entropy, &pl.weight})
    require(t->defined() && t->sizes() == pl.labels.sizes(), who + ": confidence, entropy and weight must match the labels");
}

torch::Tensor valid_of(const PseudoLabels& pl) { return pl.labels != kIgnoreIndex; }

// Drops `drop` pixels: label 255, weight 0. Out of place, so tensors the caller kept (for example
// the unfiltered labels for keep_stats) are not rewritten behind its back.
void drop_pixels(PseudoLabels& pl, const torch::Tensor& drop) {
  pl.labels = pl.labels.masked_fill(drop, kIgnoreIndex);
  pl.weight = pl.weight.masked_fill(drop, 0.0);
}

// Per-class sum of `values` over the valid pixels whose label is in [0, C): (C) in values' dtype.
// Anything else lands in an extra bin C that is cut off, so no range check (and no sync) is needed.
torch::Tensor class_sum(const torch::Tensor& labels, const torch::Tensor& valid, const torch::Tensor& values,
                        int64_t num_classes) {
  torch::Tensor in_range = valid & (labels >= 0) & (labels < num_classes);
  torch::Tensor index = torch::where(in_range, labels, torch::full_like(labels, num_classes)).reshape(-1);
  torch::Tensor out = torch::zeros({num_classes + 1}, values.options());
  out.scatter_add_(0, index, values.reshape(-1));
  return out.slice(0, 0, num_classes);
}

class ThresholdFilter : public PseudoFilter {
 public:
  explicit ThresholdFilter(double tau) : tau_(tau) {}
  void apply(PseudoLabels& pl, const FilterContext& ctx) override {
    check_labels(pl, name());
    drop_pixels(pl, valid_of(pl) & (pl.confidence < tau_));
  }
  std::string name() const override { return "threshold"; }

 private:
  double tau_;
};

// FreeMatch-style local thresholds: τ_c = τ · m_c / max_k m_k with m_c an EMA of the mean
// confidence of the pixels currently labelled c. m starts at 1/C (so τ_c = τ), is updated from
// the batch before it is used, and classes absent from the batch keep their m_c.
class ClassAdaptiveFilter : public PseudoFilter {
 public:
  ClassAdaptiveFilter(int64_t num_classes, double tau, double momentum)
      : num_classes_(num_classes), tau_(tau), momentum_(momentum),
        mean_conf_(torch::full({num_classes}, 1.0 / static_cast<double>(num_classes), torch::kFloat)) {}

  void apply(PseudoLabels& pl, const FilterContext& ctx) override {
    check_labels(pl, name());
    torch::Tensor valid = valid_of(pl);
    torch::Tensor conf = pl.confidence.to(torch::kFloat);
    if (mean_conf_.device() != conf.device()) mean_conf_ = mean_conf_.to(conf.device());
    torch::Tensor sums = class_sum(pl.labels, valid, conf, num_classes_);
    torch::Tensor counts = class_sum(pl.labels, valid, torch::ones_like(conf), num_classes_);
    torch::Tensor batch_mean = sums / counts.clamp_min(1.0);
    torch::Tensor updated = mean_conf_ * momentum_ + batch_mean * (1.0 - momentum_);
    torch::Tensor moves = counts > 0;
    if (ctx.apply.defined()) moves = moves & ctx.apply.to(moves.device()).reshape({});
    mean_conf_ = torch::where(moves, updated, mean_conf_);

    // m_c / max is exactly 1 for the top class, so its threshold is exactly τ (no rounding at the boundary).
    torch::Tensor tau_c = (mean_conf_ / mean_conf_.max().clamp_min(1e-12)) * tau_;
    torch::Tensor safe = torch::where(valid & (pl.labels >= 0) & (pl.labels < num_classes_), pl.labels,
                                      torch::zeros_like(pl.labels));
    torch::Tensor pixel_tau = tau_c.index_select(0, safe.reshape(-1)).view_as(conf);
    drop_pixels(pl, valid & (conf < pixel_tau));
  }
  std::string name() const override { return "class_adaptive"; }

  void save(Records& out, const std::string& prefix) const override {
    out[prefix + "class_confidence"] = encode_tensor(mean_conf_);
  }
  void load(const Records& in, const std::string& prefix, const std::string& who) override {
    torch::Tensor t = decode_tensor(record_at(in, prefix + "class_confidence", who), who);
    if (t.scalar_type() != torch::kFloat || t.dim() != 1 || t.size(0) != num_classes_)
      fail(Status::Format, who + ": " + prefix + "class_confidence must be f32 (" + std::to_string(num_classes_) + ")");
    mean_conf_ = t.to(mean_conf_.device());
  }

 private:
  int64_t num_classes_;
  double tau_;
  double momentum_;
  torch::Tensor mean_conf_;  // float (C)
};

// U²PL: keep the fraction k(t) of the valid pixels with the lowest entropy. The threshold is the
// valid entropies' sorted value at index floor(k·n), so exactly floor(k·n) pixels stay when the
// entropies are distinct (ties at the threshold are dropped too, as with U²PL's `entropy.ge`).
// Found by sorting with the invalid pixels pushed to +inf: no host sync.
class EntropyFilter : public PseudoFilter {
 public:
  EntropyFilter(double keep_start, double keep_end) : keep_start_(keep_start), keep_end_(keep_end) {}
  void apply(PseudoLabels& pl, const FilterContext& ctx) override {
    check_labels(pl, name());
    require(ctx.total_iterations > 0 && ctx.iteration >= 0, "entropy filter: iteration must be >= 0 and total_iterations > 0");
    double progress = std::min(1.0, static_cast<double>(ctx.iteration) / static_cast<double>(ctx.total_iterations));
    double keep = keep_start_ + (keep_end_ - keep_start_) * progress;
    if (keep >= 1.0) return;
    torch::Tensor valid = valid_of(pl);
    torch::Tensor ent = pl.entropy.to(torch::kFloat);
    torch::Tensor flat = torch::where(valid, ent, torch::full_like(ent, std::numeric_limits<float>::infinity())).reshape(-1);
    if (flat.numel() == 0) return;
    torch::Tensor sorted = std::get<0>(flat.sort());
    torch::Tensor n = valid.sum().to(torch::kDouble);
    torch::Tensor index = (n * keep + 1e-9).floor().to(torch::kLong).clamp(0, flat.numel() - 1).reshape({1});
    torch::Tensor threshold = sorted.index_select(0, index);  // +inf when every valid pixel stays
    drop_pixels(pl, valid & (ent >= threshold));
  }
  std::string name() const override { return "entropy"; }

 private:
  double keep_start_, keep_end_;
};

// ReCo/CSS attention threshold: every pixel stays, its weight is scaled by the share of
// confident valid pixels in its image.
class SoftFilter : public PseudoFilter {
 public:
  explicit SoftFilter(double delta) : delta_(delta) {}
  void apply(PseudoLabels& pl, const FilterContext& ctx) override {
    check_labels(pl, name());
    torch::Tensor valid = valid_of(pl);
    torch::Tensor confident = valid & (pl.confidence >= delta_);
    torch::Tensor n_valid = valid.flatten(1).sum(1).to(pl.weight.scalar_type());
    torch::Tensor n_conf = confident.flatten(1).sum(1).to(pl.weight.scalar_type());
    torch::Tensor share = (n_conf / n_valid.clamp_min(1)).view({-1, 1, 1});
    pl.weight = torch::where(valid, pl.weight * share, torch::zeros_like(pl.weight));
  }
  std::string name() const override { return "soft"; }

 private:
  double delta_;
};

class AgreementFilter : public PseudoFilter {
 public:
  void apply(PseudoLabels& pl, const FilterContext& ctx) override {
    check_labels(pl, name());
    require(ctx.proto_labels.defined() && ctx.proto_labels.sizes() == pl.labels.sizes(),
            "agreement filter: FilterContext::proto_labels must be (B, H, W) like the labels");
    torch::Tensor other = ctx.proto_labels.to(pl.labels.device(), torch::kLong);
    drop_pixels(pl, valid_of(pl) & (pl.labels != other));
  }
  std::string name() const override { return "agreement"; }
};

// RRN's local selection: keep the pixels of the regions a discriminator scored above the threshold.
class DiscriminatorFilter : public PseudoFilter {
 public:
  explicit DiscriminatorFilter(double threshold) : threshold_(threshold) {}
  void apply(PseudoLabels& pl, const FilterContext& ctx) override {
    check_labels(pl, name());
    require(ctx.region_score.defined() && ctx.region_score.sizes() == pl.labels.sizes(),
            "discriminator filter: FilterContext::region_score must be (B, H, W) like the labels (a model with discriminators)");
    drop_pixels(pl, valid_of(pl) & (ctx.region_score.to(pl.labels.device()) <= threshold_));
  }
  std::string name() const override { return "discriminator"; }

 private:
  double threshold_;
};

class NoFilter : public PseudoFilter {
 public:
  void apply(PseudoLabels& pl, const FilterContext&) override { check_labels(pl, name()); }
  std::string name() const override { return "none"; }
};

}  // namespace

PseudoLabels pseudo_labels_from_probs(const torch::Tensor& probs, const torch::Tensor& ignore) {
  require(probs.defined() && probs.dim() == 4 && probs.size(1) >= 1, "pseudo labels: probs must be (B, C, H, W)");
  torch::NoGradGuard no_grad;
  torch::Tensor p = probs.detach().to(torch::kFloat);
  PseudoLabels pl;
  auto [conf, labels] = p.max(1);
  pl.confidence = conf;
  pl.labels = labels;
  // p·log p with 0·log 0 = 0: clamping inside the log leaves p = 0 terms at exactly 0.
  pl.entropy = -(p * p.clamp_min(1e-30).log()).sum(1);
  pl.weight = torch::ones_like(conf);
  if (ignore.defined()) {
    require(ignore.dim() == 3 && ignore.size(0) == probs.size(0) && ignore.size(1) == probs.size(2) &&
                ignore.size(2) == probs.size(3),
            "pseudo labels: ignore must be (B, H, W) like the probabilities");
    torch::Tensor mask = ignore.to(p.device(), torch::kBool);
    pl.labels.masked_fill_(mask, kIgnoreIndex);
    pl.weight.masked_fill_(mask, 0.0);
  }
  return pl;
}

std::unique_ptr<PseudoFilter> make_filter(const FilterOptions& o) {
  require(o.num_classes >= 2, "pseudo filter: num_classes must be at least 2");
  require(o.threshold >= 0.0 && o.threshold <= 1.0, "pseudo filter: threshold must be in [0, 1]");
  require(o.adaptive_momentum >= 0.0 && o.adaptive_momentum <= 1.0, "pseudo filter: adaptive_momentum must be in [0, 1]");
  require(o.keep_start > 0.0 && o.keep_start <= 1.0 && o.keep_end > 0.0 && o.keep_end <= 1.0,
          "pseudo filter: keep_start and keep_end must be in (0, 1]");
  require(o.keep_start <= o.keep_end, "pseudo filter: keep_start must not exceed keep_end");
  if (o.kind == "threshold") return std::make_unique<ThresholdFilter>(o.threshold);
  if (o.kind == "class_adaptive")
    return std::make_unique<ClassAdaptiveFilter>(o.num_classes, o.threshold, o.adaptive_momentum);
  if (o.kind == "entropy") return std::make_unique<EntropyFilter>(o.keep_start, o.keep_end);
  if (o.kind == "soft") return std::make_unique<SoftFilter>(o.threshold);
  if (o.kind == "agreement") return std::make_unique<AgreementFilter>();
  if (o.kind == "discriminator") return std::make_unique<DiscriminatorFilter>(o.discriminator_threshold);
  if (o.kind == "none") return std::make_unique<NoFilter>();
  fail(Status::InvalidArgument, "pseudo filter: unknown kind '" + o.kind +
                                    "' (threshold, class_adaptive, entropy, soft, agreement, discriminator, none)");
}

KeepStats keep_stats(const PseudoLabels& pl, const torch::Tensor& predicted_labels, int64_t num_classes) {
  require(num_classes >= 2, "keep_stats: num_classes must be at least 2");
  check_labels(pl, "keep_stats");
  require(predicted_labels.defined() && predicted_labels.sizes() == pl.labels.sizes(),
          "keep_stats: predicted_labels must be (B, H, W) like the labels");
  torch::NoGradGuard no_grad;
  torch::Tensor predicted = predicted_labels.to(pl.labels.device(), torch::kLong);
  torch::Tensor ones = torch::ones(pl.labels.sizes(), pl.labels.options());
  KeepStats s;
  s.predicted = class_sum(predicted, predicted != kIgnoreIndex, ones, num_classes);
  s.kept = class_sum(pl.labels, valid_of(pl) & (pl.weight > 0), ones, num_classes);
  return s;
}

}  // namespace s4seg
