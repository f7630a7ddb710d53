#include "models/prototype_bank.h"

#include <torch/torch.h>

#include <vector>

#include "core/error.h"
#include "core/skippable_update.h"
#include "models/tensor_codec.h"

namespace s4seg {

namespace F = torch::nn::functional;

namespace {
// Pixels per class (labels outside 0..classes-1, such as 255, land in a last overflow slot), on
// the host: initialisation is rare, and these counts decide which classes to touch.
torch::Tensor class_counts_on_host(const torch::Tensor& y, int64_t classes) {
  torch::Tensor valid = (y >= 0) & (y < classes);
  return torch::zeros({classes + 1}, y.options())
      .scatter_add_(0, torch::where(valid, y, torch::full_like(y, classes)), torch::ones_like(y))
      .cpu();
}


constexpr double kNormEps = 1e-12;
constexpr int64_t kIgnore = 255;

torch::Tensor unit(const torch::Tensor& x, int64_t dim) {
  return F::normalize(x, F::NormalizeFuncOptions().p(2).dim(dim).eps(kNormEps));
}

}  // namespace

PrototypeBank::PrototypeBank(const PrototypeBankOptions& o, const c10::Device& device) : options_(o) {
  require(o.classes >= 2, "prototype bank: classes must be at least 2");
  require(o.per_class >= 1, "prototype bank: per_class must be at least 1");
  require(o.dim >= 1, "prototype bank: dim must be at least 1");
  require(o.temperature > 0.0, "prototype bank: temperature must be positive");
  require(o.momentum >= 0.0 && o.momentum <= 1.0, "prototype bank: momentum must be in [0, 1]");
  auto on = torch::TensorOptions().device(device);
  protos_ = torch::zeros({o.classes, o.per_class, o.dim}, on.dtype(torch::kFloat));
  ready_ = torch::zeros({o.classes}, on.dtype(torch::kBool));
}

namespace {

void check_features(const torch::Tensor& features, int64_t dim, const std::string& who) {
  require(features.defined() && features.dim() == 2 && features.size(1) == dim,
          who + ": features must be (P, " + std::to_string(dim) + ")");
}

void check_labels(const torch::Tensor& labels, int64_t p, const std::string& who) {
  require(labels.defined() && labels.dim() == 1 && labels.size(0) == p, who + ": labels must be (P) like the features");
}

}  // namespace

PrototypeScores PrototypeBank::score(const torch::Tensor& features) const {
  check_features(features, options_.dim, "prototype score");
  const int64_t c = options_.classes, m = options_.per_class;
  torch::Tensor x = unit(features.to(protos_.device(), torch::kFloat), 1);
  torch::Tensor p = unit(protos_.detach(), 2).view({c * m, options_.dim});
  torch::Tensor sim = x.matmul(p.t()).view({-1, c, m});
  auto [best, match] = sim.max(2);
  return {best / options_.temperature, match};
}

torch::Tensor PrototypeBank::score_map(const torch::Tensor& feature_map) const {
  require(feature_map.defined() && feature_map.dim() == 4 && feature_map.size(1) == options_.dim,
          "prototype score_map: features must be (B, " + std::to_string(options_.dim) + ", h, w)");
  const int64_t c = options_.classes, m = options_.per_class;
  torch::Tensor x = unit(feature_map.to(protos_.device(), torch::kFloat), 1);
  torch::Tensor p = unit(protos_.detach(), 2).view({c * m, options_.dim});
  torch::Tensor sim = torch::einsum("bdhw,kd->bkhw", {x, p});
  sim = sim.view({x.size(0), c, m, x.size(2), x.size(3)});
  return std::get<0>(sim.max(2)) / options_.temperature;
}

void PrototypeBank::init_from_batch(const torch::Tensor& features, const torch::Tensor& labels) {
  check_features(features, options_.dim, "prototype init_from_batch");
  check_labels(labels, features.size(0), "prototype init_from_batch");
  torch::NoGradGuard no_grad;
  const int64_t c_count = options_.classes, m = options_.per_class;
  torch::Tensor x = features.detach().to(protos_.device(), torch::kFloat);
  torch::Tensor y = labels.to(protos_.device(), torch::kLong);
  // Initialisation is rare: two small syncs decide which classes to touch.
  torch::Tensor counts = class_counts_on_host(y, c_count);
  torch::Tensor ready = ready_.cpu();
  for (int64_t c = 0; c < c_count; ++c) {
    int64_t n = counts[c].item<int64_t>();
    if (n == 0 || ready[c].item<bool>()) continue;
    torch::Tensor idx = (y == c).nonzero().view(-1);
    // Slot j takes pixel perm[j mod n] into group j mod M: with n >= M every pixel is used once
    // and every group is non-empty; with n < M the pixels repeat so that each group gets one.
    int64_t slots = std::max(n, m);
    torch::Tensor perm = idx.index_select(0, torch::randperm(n, y.options()));
    torch::Tensor j = torch::arange(slots, y.options());
    torch::Tensor pix = perm.index_select(0, j.remainder(n));
    torch::Tensor group = j.remainder(m);
    torch::Tensor sums = torch::zeros({m, options_.dim}, x.options()).index_add_(0, group, x.index_select(0, pix));
    torch::Tensor num = torch::zeros({m}, x.options()).index_add_(0, group, torch::ones({slots}, x.options()));
    protos_[c].copy_(sums / num.unsqueeze(1));
    ready_[c].fill_(true);
  }
}

// Spherical-assignment Lloyd: pixels join the centre with the highest cosine similarity (the
// metric the bank scores with); a centre becomes the mean of the raw features of its pixels (the
// same scale ema_update averages in). Empty clusters keep their previous centre.
void PrototypeBank::init_kmeans(const torch::Tensor& features, const torch::Tensor& labels, int64_t iterations) {
  check_features(features, options_.dim, "prototype init_kmeans");
  check_labels(labels, features.size(0), "prototype init_kmeans");
  require(iterations >= 0, "prototype init_kmeans: iterations must be >= 0");
  torch::NoGradGuard no_grad;
  const int64_t c_count = options_.classes, m = options_.per_class;
  torch::Tensor x = features.detach().to(protos_.device(), torch::kFloat);
  torch::Tensor y = labels.to(protos_.device(), torch::kLong);
  torch::Tensor counts = class_counts_on_host(y, c_count);
  for (int64_t c = 0; c < c_count; ++c) {
    int64_t n = counts[c].item<int64_t>();
    if (n < m || n == 0) continue;
    torch::Tensor xc = x.index_select(0, (y == c).nonzero().view(-1));
    torch::Tensor xn = unit(xc, 1);
    torch::Tensor centres = xc.index_select(0, torch::randperm(n, y.options()).slice(0, 0, m));
    for (int64_t it = 0; it < iterations; ++it) {
      torch::Tensor assign = xn.matmul(unit(centres, 1).t()).argmax(1);
      torch::Tensor sums = torch::zeros({m, options_.dim}, x.options()).index_add_(0, assign, xc);
      torch::Tensor num = torch::zeros({m}, x.options()).index_add_(0, assign, torch::ones({n}, x.options()));
      centres = torch::where(num.unsqueeze(1) > 0, sums / num.clamp_min(1).unsqueeze(1), centres);
    }
    protos_[c].copy_(centres);
    ready_[c].fill_(true);
  }
}

void PrototypeBank::ema_update(const torch::Tensor& features, const torch::Tensor& labels, const torch::Tensor& match,
                               const torch::Tensor& mask, const RankGroup* ranks, const torch::Tensor& apply) {
  check_features(features, options_.dim, "prototype ema_update");
  const int64_t p_count = features.size(0);
  check_labels(labels, p_count, "prototype ema_update");
  const int64_t c_count = options_.classes, m = options_.per_class, d = options_.dim;
  require(match.defined() && match.dim() == 2 && match.size(0) == p_count && match.size(1) == c_count,
          "prototype ema_update: match must be (P, " + std::to_string(c_count) + ")");
  require(!mask.defined() || (mask.dim() == 1 && mask.size(0) == p_count), "prototype ema_update: mask must be (P)");
  check_apply(apply, "prototype ema_update");
  torch::NoGradGuard no_grad;
  const auto dev = protos_.device();
  torch::Tensor x = features.detach().to(dev, torch::kFloat);
  torch::Tensor y = labels.to(dev, torch::kLong);
  torch::Tensor valid = (y != kIgnore) & (y >= 0) & (y < c_count);
  if (mask.defined()) valid = valid & mask.to(dev, torch::kBool);
  torch::Tensor safe_y = torch::where(valid, y, torch::zeros_like(y));
  torch::Tensor mm = match.to(dev, torch::kLong).gather(1, safe_y.unsqueeze(1)).squeeze(1).clamp(0, m - 1);
  // One bin per (c, m) plus a dump bin C·M for the pixels that take no part.
  torch::Tensor slot = torch::where(valid, safe_y * m + mm, torch::full_like(y, c_count * m));
  torch::Tensor sums = torch::zeros({c_count * m + 1, d}, x.options()).index_add_(0, slot, x).slice(0, 0, c_count * m);
  torch::Tensor num =
      torch::zeros({c_count * m + 1}, x.options()).index_add_(0, slot, torch::ones({p_count}, x.options())).slice(0, 0, c_count * m);
  if (ranks != nullptr && ranks->world > 1) {  // one message: the sums with the counts as a last column
    std::vector<torch::Tensor> packed{torch::cat({sums, num.unsqueeze(1)}, 1)};
    ranks->sum(packed);
    sums = packed[0].narrow(1, 0, d);
    num = packed[0].select(1, d);
  }
  sums = sums.reshape({c_count, m, d});
  num = num.reshape({c_count, m});

  torch::Tensor mean = sums / num.clamp_min(1).unsqueeze(2);
  torch::Tensor ema = protos_ * options_.momentum + mean * (1.0 - options_.momentum);
  torch::Tensor ready = ready_.view({c_count, 1, 1});
  torch::Tensor updated = torch::where(ready & (num > 0).unsqueeze(2), ema, protos_);
  // First sighting (CSS): every micro-prototype of the class becomes the class mean.
  torch::Tensor class_num = num.sum(1);
  torch::Tensor class_mean = (sums.sum(1) / class_num.clamp_min(1).unsqueeze(1)).unsqueeze(1).expand({c_count, m, d});
  torch::Tensor first = (~ready_ & (class_num > 0)).view({c_count, 1, 1});
  updated = torch::where(first, class_mean, updated);
  torch::Tensor ready_next = ready_ | (class_num > 0);
  if (apply.defined()) {
    updated = torch::where(apply.reshape({}), updated, protos_);
    ready_next = torch::where(apply.reshape({}), ready_next, ready_);
  }
  protos_.copy_(updated);
  ready_.copy_(ready_next);
}

bool PrototypeBank::all_initialized() const { return ready_.all().item<bool>(); }

void PrototypeBank::save(Records& out, const std::string& prefix) const {
  out[prefix + "prototypes"] = encode_tensor(protos_);
  out[prefix + "initialized"] = encode_tensor(ready_);
}

void PrototypeBank::load(const Records& in, const std::string& prefix, const std::string& who) {
  torch::Tensor p = decode_tensor(record_at(in, prefix + "prototypes", who), who);
  torch::Tensor r = decode_tensor(record_at(in, prefix + "initialized", who), who);
  const std::vector<int64_t> shape = {options_.classes, options_.per_class, options_.dim};
  if (p.scalar_type() != torch::kFloat || p.sizes() != c10::IntArrayRef(shape))
    fail(Status::Format, who + ": " + prefix + "prototypes must be f32 (" + std::to_string(shape[0]) + ", " +
                             std::to_string(shape[1]) + ", " + std::to_string(shape[2]) + ")");
  if (r.scalar_type() != torch::kBool || r.dim() != 1 || r.size(0) != options_.classes)
    fail(Status::Format, who + ": " + prefix + "initialized must be bool (" + std::to_string(shape[0]) + ")");
  torch::NoGradGuard no_grad;
  protos_.copy_(p);
  ready_.copy_(r);
}

}  // namespace s4seg
