#include "losses/region_losses.h"

#include <torch/torch.h>

#include <cmath>
#include <string>

#include "core/error.h"
#include "core/tensor_text.h"
#include "core/torch_compat.h"
#include "losses/cross_entropy.h"
#include "losses/hungarian.h"

namespace s4seg {

namespace F = torch::nn::functional;

namespace {

// NoAutocast (core/torch_compat.h) around the sums of products over thousands of pixels (dice,
// MAP, BCE costs): they run in float32, as in the Mask2Former matcher.

void require_floating(const std::string& who, const char* name, const torch::Tensor& t, int64_t dim) {
  require(t.defined() && t.dim() == dim && t.is_floating_point(),
          who + ": " + name + " must be a floating " + std::to_string(dim) + "-D tensor, got " + shape_of(t));
}

void require_same_device(const std::string& who, const torch::Tensor& a, const torch::Tensor& b) {
  require(a.device() == b.device(), who + ": inputs must be on the same device");
}

void require_temperature(const std::string& who, double t) {
  require(t > 0 && std::isfinite(t), who + ": temperature must be positive, got " + std::to_string(t));
}

// Class ids int64 (T) in [0, k); one host sync for the range.
void require_classes(const std::string& who, const torch::Tensor& classes, int64_t k) {
  require(classes.defined() && classes.dim() == 1 && classes.scalar_type() == torch::kLong,
          who + ": classes must be int64 (T), got " + shape_of(classes));
  if (classes.numel() == 0) return;
  torch::Tensor range = torch::stack({classes.min(), classes.max()}).cpu();
  const int64_t lo = range[0].item<int64_t>(), hi = range[1].item<int64_t>();
  require(lo >= 0 && hi < k, who + ": classes must lie in [0, " + std::to_string(k) + "), got [" + std::to_string(lo) +
                                 ", " + std::to_string(hi) + "]");
}

// `matched` must be an injective map of T targets into [0, n).
void require_matching(const std::string& who, const std::vector<int64_t>& matched, int64_t t, int64_t n) {
  require(static_cast<int64_t>(matched.size()) == t, who + ": matched has " + std::to_string(matched.size()) +
                                                         " entries for " + std::to_string(t) + " teacher regions");
  std::vector<char> seen(static_cast<size_t>(n), 0);
  for (int64_t q : matched) {
    require(q >= 0 && q < n, who + ": matched query " + std::to_string(q) + " outside [0, " + std::to_string(n) + ")");
    require(!seen[q], who + ": query " + std::to_string(q) + " is matched twice");
    seen[q] = 1;
  }
}

torch::Tensor index_tensor(const std::vector<int64_t>& v, const torch::Device& device) {
  return torch::tensor(v, torch::kLong).to(device);
}

// (2·a bᵀ + 1) / (Σa + Σbᵀ + 1) for a (N, P), b (T, P) float32 → (N, T).
torch::Tensor dice_coefficient(const torch::Tensor& a, const torch::Tensor& b) {
  torch::Tensor inter = torch::matmul(a, b.t());
  return (2 * inter + 1) / (a.sum(1).unsqueeze(1) + b.sum(1).unsqueeze(0) + 1);
}

// Σ_i ω(y_i)·CE(z_i, y_i) / Σ_i ω(y_i) (torch CE with class weight, mean reduction); 0 with a graph
// when Σω = 0. logits float32 (M, K+1), targets int64 (M), class_weight (K+1).
torch::Tensor weighted_class_ce(const torch::Tensor& logits, const torch::Tensor& targets,
                                const torch::Tensor& class_weight) {
  torch::Tensor nll = -torch::log_softmax(logits, 1).gather(1, targets.unsqueeze(1)).squeeze(1);
  torch::Tensor w = class_weight.index_select(0, targets);
  torch::Tensor den = w.sum();
  return (w * nll).sum() / torch::where(den > 0, den, torch::ones_like(den));
}

torch::Tensor no_object_class_weight(int64_t k, double no_object, const torch::Device& device) {
  torch::Tensor w = torch::ones({k + 1}, torch::TensorOptions().dtype(torch::kFloat).device(device));
  w[k] = no_object;
  return w;
}

// InfoNCE rows (T, N) of similarities/τ with positives matched[j]: mean_j −log softmax(row_j)[σ(j)].
torch::Tensor info_nce(const torch::Tensor& logits, const std::vector<int64_t>& matched) {
  torch::Tensor target = index_tensor(matched, logits.device());
  return -torch::log_softmax(logits, 1).gather(1, target.unsqueeze(1)).mean();
}

}  // namespace

torch::Tensor mask_average_pool(const torch::Tensor& masks, const torch::Tensor& feature, double eps) {
  const std::string who = "mask_average_pool";
  require(masks.defined() && feature.defined() && masks.is_floating_point() && feature.is_floating_point(),
          who + ": masks and feature must be floating tensors");
  const int64_t d = masks.dim();
  require((d == 3 || d == 4) && feature.dim() == d,
          who + ": masks (N, h, w) / feature (C, h, w), or batched (B, N, h, w) / (B, C, h, w), got " + shape_of(masks) +
              " and " + shape_of(feature));
  require(masks.size(d - 1) == feature.size(d - 1) && masks.size(d - 2) == feature.size(d - 2) &&
              (d == 3 || masks.size(0) == feature.size(0)),
          who + ": masks " + shape_of(masks) + " and feature " + shape_of(feature) + " disagree");
  require(eps >= 0 && std::isfinite(eps), who + ": eps must be non-negative");
  require_same_device(who, masks, feature);
  NoAutocast no_autocast;
  torch::Tensor m = masks.to(torch::kFloat).flatten(d - 2);    // (…, N, P)
  torch::Tensor f = feature.to(torch::kFloat).flatten(d - 2);  // (…, C, P)
  return torch::matmul(m, f.transpose(-1, -2)) / (m.sum(-1, /*keepdim=*/true) + eps);
}

torch::Tensor pairwise_dice_cost(const torch::Tensor& mask_probs, const torch::Tensor& targets) {
  const std::string who = "pairwise_dice_cost";
  require_floating(who, "mask_probs", mask_probs, 2);
  require_floating(who, "targets", targets, 2);
  require(mask_probs.size(1) == targets.size(1),
          who + ": mask_probs " + shape_of(mask_probs) + " and targets " + shape_of(targets) + " differ in P");
  require_same_device(who, mask_probs, targets);
  NoAutocast no_autocast;
  return 1 - dice_coefficient(mask_probs.to(torch::kFloat), targets.to(torch::kFloat));
}

torch::Tensor pairwise_sigmoid_ce_cost(const torch::Tensor& mask_logits, const torch::Tensor& targets) {
  const std::string who = "pairwise_sigmoid_ce_cost";
  require_floating(who, "mask_logits", mask_logits, 2);
  require_floating(who, "targets", targets, 2);
  require(mask_logits.size(1) == targets.size(1),
          who + ": mask_logits " + shape_of(mask_logits) + " and targets " + shape_of(targets) + " differ in P");
  require_same_device(who, mask_logits, targets);
  NoAutocast no_autocast;
  torch::Tensor z = mask_logits.to(torch::kFloat), t = targets.to(torch::kFloat);
  // Two products rather than Σsoftplus(z) − z·t avoid cancelling large sums for confident logits.
  torch::Tensor pos = torch::matmul(F::softplus(-z), t.t());
  torch::Tensor neg = torch::matmul(F::softplus(z), (1 - t).t());
  return (pos + neg) / static_cast<double>(std::max<int64_t>(z.size(1), 1));
}

std::vector<int64_t> match_queries(const torch::Tensor& class_logits, const torch::Tensor& mask_logits,
                                   const torch::Tensor& target_classes, const torch::Tensor& target_masks,
                                   const MatchWeights& w) {
  const std::string who = "match_queries";
  require_floating(who, "class_logits", class_logits, 2);
  require_floating(who, "mask_logits", mask_logits, 2);
  require_floating(who, "target_masks", target_masks, 2);
  const int64_t n = class_logits.size(0), k = class_logits.size(1) - 1;
  require(k >= 1, who + ": class_logits must have K+1 ≥ 2 columns, got " + shape_of(class_logits));
  require(mask_logits.size(0) == n, who + ": mask_logits " + shape_of(mask_logits) + " must have N = " +
                                        std::to_string(n) + " rows");
  require_classes(who, target_classes, k);
  const int64_t t = target_classes.size(0);
  require(target_masks.size(0) == t && target_masks.size(1) == mask_logits.size(1),
          who + ": target_masks must be (T, P) = (" + std::to_string(t) + ", " + std::to_string(mask_logits.size(1)) +
              "), got " + shape_of(target_masks));
  require(t <= n, who + ": " + std::to_string(t) + " targets for only " + std::to_string(n) + " queries");
  require(std::isfinite(w.cls) && std::isfinite(w.mask) && std::isfinite(w.dice) && w.cls >= 0 && w.mask >= 0 &&
              w.dice >= 0,
          who + ": weights must be finite and non-negative");
  require_same_device(who, class_logits, mask_logits);
  require_same_device(who, class_logits, target_classes);
  require_same_device(who, class_logits, target_masks);
  if (t == 0) return {};

  torch::NoGradGuard no_grad;
  NoAutocast no_autocast;
  torch::Tensor z = mask_logits.detach().to(torch::kFloat);
  torch::Tensor tm = target_masks.detach().to(torch::kFloat);
  torch::Tensor prob = torch::softmax(class_logits.detach().to(torch::kFloat), 1);  // (N, K+1)
  torch::Tensor cost = -w.cls * prob.index_select(1, target_classes) + w.mask * pairwise_sigmoid_ce_cost(z, tm) +
                       w.dice * pairwise_dice_cost(torch::sigmoid(z), tm);  // (N, T)
  cost = torch::nan_to_num(cost.t(), 1e6, 1e6, -1e6);
  return hungarian_assign(cost);
}

MaskTargets semantic_to_mask_targets(const torch::Tensor& labels, int64_t num_classes) {
  const std::string who = "semantic_to_mask_targets";
  require(labels.defined() && labels.dim() == 2 && labels.scalar_type() == torch::kLong,
          who + ": labels must be int64 (h, w), got " + shape_of(labels));
  require(num_classes >= 1, who + ": num_classes must be positive, got " + std::to_string(num_classes));
  MaskTargets out;
  out.valid = labels != kIgnoreIndex;
  torch::Tensor bad = out.valid & ((labels < 0) | (labels >= num_classes));
  require(!bad.any().item<bool>(), who + ": labels must lie in [0, " + std::to_string(num_classes) + ") or be " +
                                       std::to_string(kIgnoreIndex));
  torch::Tensor counts = torch::bincount(labels.masked_select(out.valid), {}, num_classes);
  out.classes = torch::nonzero(counts > 0).squeeze(1);
  out.masks = ((labels.unsqueeze(0) == out.classes.view({-1, 1, 1})) & out.valid.unsqueeze(0)).to(torch::kFloat);
  return out;
}

std::vector<MaskTargets> semantic_to_mask_targets_batch(const torch::Tensor& labels, int64_t num_classes) {
  require(labels.defined() && labels.dim() == 3 && labels.scalar_type() == torch::kLong,
          "semantic_to_mask_targets_batch: labels must be int64 (B, h, w), got " + shape_of(labels));
  std::vector<MaskTargets> out;
  out.reserve(static_cast<size_t>(labels.size(0)));
  for (int64_t b = 0; b < labels.size(0); ++b) out.push_back(semantic_to_mask_targets(labels[b], num_classes));
  return out;
}

SetLossTerms mask_set_loss(const torch::Tensor& class_logits, const torch::Tensor& mask_logits,
                           const std::vector<MaskTargets>& targets, const SetLossWeights& w) {
  const std::string who = "mask_set_loss";
  require_floating(who, "class_logits", class_logits, 3);
  require_floating(who, "mask_logits", mask_logits, 4);
  const int64_t b = class_logits.size(0), n = class_logits.size(1), k = class_logits.size(2) - 1;
  require(k >= 1, who + ": class_logits must be (B, N, K+1) with K ≥ 1, got " + shape_of(class_logits));
  require(mask_logits.size(0) == b && mask_logits.size(1) == n,
          who + ": mask_logits " + shape_of(mask_logits) + " must be (B, N, h, w) for class_logits " +
              shape_of(class_logits));
  require(static_cast<int64_t>(targets.size()) == b,
          who + ": " + std::to_string(targets.size()) + " targets for a batch of " + std::to_string(b));
  require(std::isfinite(w.no_object) && w.no_object >= 0, who + ": no_object weight must be finite and non-negative");
  require(std::isfinite(w.cls) && std::isfinite(w.mask) && std::isfinite(w.dice),
          who + ": weights must be finite");
  require_same_device(who, class_logits, mask_logits);
  const int64_t h = mask_logits.size(2), wd = mask_logits.size(3);
  const torch::Device device = class_logits.device();
  for (const MaskTargets& tg : targets) {
    require(tg.masks.defined() && tg.masks.dim() == 3 && tg.masks.size(1) == h && tg.masks.size(2) == wd &&
                tg.masks.is_floating_point(),
            who + ": target masks must be floating (T, " + std::to_string(h) + ", " + std::to_string(wd) + "), got " +
                shape_of(tg.masks));
    require_classes(who, tg.classes, k);
    require(tg.classes.size(0) == tg.masks.size(0), who + ": target classes " + shape_of(tg.classes) +
                                                        " and masks " + shape_of(tg.masks) + " disagree");
    require(!tg.valid.defined() ||
                (tg.valid.scalar_type() == torch::kBool && tg.valid.dim() == 2 && tg.valid.size(0) == h &&
                 tg.valid.size(1) == wd),
            who + ": target valid must be bool (" + std::to_string(h) + ", " + std::to_string(wd) + "), got " +
                shape_of(tg.valid));
    require(tg.masks.device() == device && tg.classes.device() == device &&
                (!tg.valid.defined() || tg.valid.device() == device),
            who + ": targets must be on the logits' device");
  }

  NoAutocast no_autocast;
  const MatchWeights mw{w.cls, w.mask, w.dice};
  torch::Tensor cls_f = class_logits.to(torch::kFloat);
  torch::Tensor mask_f = mask_logits.to(torch::kFloat).flatten(2);  // (B, N, h·w)
  torch::Tensor zero = mask_f.sum() * 0 + cls_f.sum() * 0;
  if (b == 0) return {zero, zero, zero};
  torch::Tensor bce_sum = zero, dice_sum = zero;
  std::vector<torch::Tensor> cls_targets;
  int64_t num_masks = 0;
  for (int64_t i = 0; i < b; ++i) {
    const MaskTargets& tg = targets[i];
    torch::Tensor z = mask_f[i];                                       // (N, h·w)
    torch::Tensor tm = tg.masks.to(torch::kFloat).flatten(1);           // (T, h·w)
    if (tg.valid.defined()) {
      torch::Tensor keep = torch::nonzero(tg.valid.flatten()).squeeze(1);
      z = z.index_select(1, keep);
      tm = tm.index_select(1, keep);
    }
    std::vector<int64_t> matched = match_queries(cls_f[i], z, tg.classes, tm, mw);
    torch::Tensor y = torch::full({n}, k, torch::TensorOptions().dtype(torch::kLong).device(device));
    const int64_t t = static_cast<int64_t>(matched.size());
    if (t > 0) {
      torch::Tensor q = index_tensor(matched, device);
      y.index_put_({q}, tg.classes);
      if (z.size(1) > 0) {  // all-ignored image: its targets still count in num_masks, adding 0
        torch::Tensor zq = z.index_select(0, q);  // (T, P)
        bce_sum = bce_sum + torch::binary_cross_entropy_with_logits(zq, tm, {}, {}, at::Reduction::None).mean(1).sum();
        torch::Tensor p = torch::sigmoid(zq);
        torch::Tensor coeff = (2 * (p * tm).sum(1) + 1) / (p.sum(1) + tm.sum(1) + 1);
        dice_sum = dice_sum + (1 - coeff).sum();
      }
    }
    num_masks += t;
    cls_targets.push_back(y);
  }
  SetLossTerms out;
  out.cls = w.cls * weighted_class_ce(cls_f.reshape({b * n, k + 1}), torch::cat(cls_targets),
                                      no_object_class_weight(k, w.no_object, device));
  const double denom = static_cast<double>(std::max<int64_t>(num_masks, 1));
  out.mask = w.mask * bce_sum / denom;
  out.dice = w.dice * dice_sum / denom;
  return out;
}

torch::Tensor region_mask_contrastive(const torch::Tensor& student_mask_probs, const torch::Tensor& teacher_mask_probs,
                                      const std::vector<int64_t>& matched, double temperature) {
  const std::string who = "region_mask_contrastive";
  require_floating(who, "student_mask_probs", student_mask_probs, 2);
  require_floating(who, "teacher_mask_probs", teacher_mask_probs, 2);
  require(student_mask_probs.size(1) == teacher_mask_probs.size(1),
          who + ": student " + shape_of(student_mask_probs) + " and teacher " + shape_of(teacher_mask_probs) +
              " masks differ in P");
  require_same_device(who, student_mask_probs, teacher_mask_probs);
  require_temperature(who, temperature);
  require_matching(who, matched, teacher_mask_probs.size(0), student_mask_probs.size(0));
  NoAutocast no_autocast;
  torch::Tensor s = student_mask_probs.to(torch::kFloat);
  if (matched.empty()) return s.sum() * 0;
  torch::Tensor sim = dice_coefficient(teacher_mask_probs.detach().to(torch::kFloat), s);  // (T, N)
  return info_nce(sim / temperature, matched);
}

torch::Tensor region_feature_contrastive(const torch::Tensor& student_regions, const torch::Tensor& teacher_regions,
                                         const std::vector<int64_t>& matched, double temperature) {
  const std::string who = "region_feature_contrastive";
  require_floating(who, "student_regions", student_regions, 2);
  require_floating(who, "teacher_regions", teacher_regions, 2);
  require(student_regions.size(1) == teacher_regions.size(1),
          who + ": student " + shape_of(student_regions) + " and teacher " + shape_of(teacher_regions) +
              " regions differ in C");
  require_same_device(who, student_regions, teacher_regions);
  require_temperature(who, temperature);
  require_matching(who, matched, teacher_regions.size(0), student_regions.size(0));
  NoAutocast no_autocast;
  torch::Tensor s = student_regions.to(torch::kFloat);
  if (matched.empty()) return s.sum() * 0;
  const auto unit = F::NormalizeFuncOptions().dim(1);
  torch::Tensor sim = torch::matmul(F::normalize(teacher_regions.detach().to(torch::kFloat), unit),
                                    F::normalize(s, unit).t());  // (T, N)
  return info_nce(sim / temperature, matched);
}

torch::Tensor region_class_consistency(const torch::Tensor& student_class_logits, const torch::Tensor& teacher_classes,
                                       const std::vector<int64_t>& matched, double no_object_weight) {
  const std::string who = "region_class_consistency";
  require_floating(who, "student_class_logits", student_class_logits, 2);
  const int64_t n = student_class_logits.size(0), k = student_class_logits.size(1) - 1;
  require(k >= 1, who + ": class logits must have K+1 ≥ 2 columns, got " + shape_of(student_class_logits));
  require_classes(who, teacher_classes, k);
  require_same_device(who, student_class_logits, teacher_classes);
  require(std::isfinite(no_object_weight) && no_object_weight >= 0,
          who + ": no_object_weight must be finite and non-negative");
  require_matching(who, matched, teacher_classes.size(0), n);
  torch::Tensor z = student_class_logits.to(torch::kFloat);
  if (matched.empty()) return z.sum() * 0;
  const torch::Device device = z.device();
  torch::Tensor y = torch::full({n}, k, torch::TensorOptions().dtype(torch::kLong).device(device));
  y.index_put_({index_tensor(matched, device)}, teacher_classes);
  return weighted_class_ce(z, y, no_object_class_weight(k, no_object_weight, device));
}

torch::Tensor semantic_mask_consistency(const torch::Tensor& student_semantic_probs, const torch::Tensor& teacher_labels) {
  const std::string who = "semantic_mask_consistency";
  require_floating(who, "student_semantic_probs", student_semantic_probs, 4);
  const int64_t b = student_semantic_probs.size(0), k = student_semantic_probs.size(1);
  require(k >= 1, who + ": student_semantic_probs needs K ≥ 1 classes");
  require(teacher_labels.defined() && teacher_labels.dim() == 3 && teacher_labels.scalar_type() == torch::kLong &&
              teacher_labels.size(0) == b && teacher_labels.size(1) == student_semantic_probs.size(2) &&
              teacher_labels.size(2) == student_semantic_probs.size(3),
          who + ": teacher_labels must be int64 (B, h, w) matching " + shape_of(student_semantic_probs) + ", got " +
              shape_of(teacher_labels));
  require_same_device(who, student_semantic_probs, teacher_labels);
  torch::Tensor valid = teacher_labels != kIgnoreIndex;  // (B, h, w)
  require(!(valid & ((teacher_labels < 0) | (teacher_labels >= k))).any().item<bool>(),
          who + ": teacher_labels must lie in [0, " + std::to_string(k) + ") or be " + std::to_string(kIgnoreIndex));

  NoAutocast no_autocast;
  torch::Tensor s = student_semantic_probs.to(torch::kFloat).flatten(2);  // (B, K, P)
  torch::Tensor v = valid.flatten(1).unsqueeze(1).to(torch::kFloat);     // (B, 1, P)
  torch::Tensor nv = v.sum();
  torch::Tensor labels = torch::where(valid, teacher_labels, torch::zeros_like(teacher_labels)).flatten(1);
  torch::Tensor y = F::one_hot(labels, k).permute({0, 2, 1}).to(torch::kFloat) * v;  // (B, K, P), 0 off V

  const double eps = 1e-6;
  torch::Tensor sc = s.clamp(eps, 1 - eps);
  torch::Tensor bce = -(y * torch::log(sc) + (1 - y) * torch::log(1 - sc)) * v;
  torch::Tensor bce_mean = bce.sum() / (torch::where(nv > 0, nv, torch::ones_like(nv)) * static_cast<double>(k));

  torch::Tensor sv = s * v;
  torch::Tensor inter = (sv * y).sum(2), ssum = sv.sum(2), ysum = y.sum(2);  // (B, K)
  torch::Tensor dice = 1 - (2 * inter + 1) / (ssum + ysum + 1);
  torch::Tensor predicted;  // (B, K): class is the argmax somewhere on V
  {
    torch::NoGradGuard no_grad;
    torch::Tensor arg = F::one_hot(s.argmax(1), k).permute({0, 2, 1}).to(torch::kFloat) * v;
    predicted = arg.sum(2) > 0;
  }
  torch::Tensor present = ((ysum > 0) | predicted).to(torch::kFloat);
  torch::Tensor np = present.sum();
  torch::Tensor dice_mean = (dice * present).sum() / torch::where(np > 0, np, torch::ones_like(np));
  // Empty V: both sums are 0 but still carry the graph of s.
  return bce_mean + dice_mean + s.sum() * 0;
}

}  // namespace s4seg
