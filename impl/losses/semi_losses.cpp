#include "losses/semi_losses.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "core/error.h"
#include "core/tensor_text.h"
#include "losses/cross_entropy.h"
#include "losses/gathered_dot.h"

namespace s4seg {

namespace F = torch::nn::functional;

namespace {

void check_logits_labels(const char* who, const torch::Tensor& logits, const torch::Tensor& labels) {
  const std::string w(who);
  require(logits.defined() && logits.dim() == 4 && logits.is_floating_point(),
          w + ": logits must be floating (B, C, H, W), got " + shape_of(logits));
  require(labels.defined() && labels.dim() == 3 && labels.size(0) == logits.size(0) && labels.size(1) == logits.size(2) &&
              labels.size(2) == logits.size(3),
          w + ": labels must be (B, H, W) matching logits " + shape_of(logits) + ", got " + shape_of(labels));
  require(labels.scalar_type() == torch::kLong, w + ": labels must be int64");
  require(labels.device() == logits.device(), w + ": labels and logits must be on the same device");
}

void check_weight(const char* who, const torch::Tensor& weight, const torch::Tensor& labels) {
  require(weight.defined() && weight.sizes() == labels.sizes(),
          std::string(who) + ": weight must have the labels' shape " + shape_of(labels) + ", got " + shape_of(weight));
  require(weight.device() == labels.device(), std::string(who) + ": weight and labels must be on the same device");
}

// Per-pixel CE in float32 (flat, B·H·W) and the valid mask (label ≠ 255). Ignored pixels get the
// CE of class 0, which callers mask out with torch::where so a non-finite value never leaks.
std::pair<torch::Tensor, torch::Tensor> pixel_ce(const torch::Tensor& logits, const torch::Tensor& labels) {
  torch::Tensor valid = labels != kIgnoreIndex;
  torch::Tensor safe = torch::where(valid, labels, torch::zeros_like(labels));
  torch::Tensor logp = torch::log_softmax(logits.to(torch::kFloat), 1);
  torch::Tensor nll = -logp.gather(1, safe.unsqueeze(1)).squeeze(1);
  return {nll.reshape(-1), valid.reshape(-1)};
}

// Uniform integers in [0, n) elementwise for an int64 tensor n ≥ 1 (double precision so that large
// counts are sampled evenly; the clamp guards the u·n rounding at the top end).
torch::Tensor uniform_below(const torch::Tensor& n) {
  torch::Tensor u = torch::rand(n.sizes(), n.options().dtype(torch::kDouble));
  return torch::minimum((u * n.to(torch::kDouble)).floor().to(torch::kLong), n - 1);
}

}  // namespace

torch::Tensor weighted_cross_entropy(const torch::Tensor& logits, const torch::Tensor& labels, const torch::Tensor& weight) {
  check_logits_labels("weighted_cross_entropy", logits, labels);
  check_weight("weighted_cross_entropy", weight, labels);
  auto [nll, valid] = pixel_ce(logits, labels);
  torch::Tensor term = torch::where(valid, weight.to(torch::kFloat).reshape(-1) * nll, torch::zeros_like(nll));
  torch::Tensor count = valid.sum().clamp_min(1).to(torch::kFloat);
  return term.sum() / count;
}

torch::Tensor rescaled_cross_entropy(const torch::Tensor& logits, const torch::Tensor& labels) {
  check_logits_labels("rescaled_cross_entropy", logits, labels);
  auto [nll, valid] = pixel_ce(logits, labels);
  torch::Tensor term = torch::where(valid, nll, torch::zeros_like(nll));
  torch::Tensor kept = valid.sum().clamp_min(1).to(torch::kFloat);
  const double total = static_cast<double>(labels.numel());
  return term.sum() / kept * (total / kept);
}

torch::Tensor attention_threshold_cross_entropy(const torch::Tensor& logits, const torch::Tensor& labels,
                                                const torch::Tensor& weight) {
  check_logits_labels("attention_threshold_cross_entropy", logits, labels);
  check_weight("attention_threshold_cross_entropy", weight, labels);
  auto [nll, valid] = pixel_ce(logits, labels);
  torch::Tensor term = torch::where(valid, weight.to(torch::kFloat).reshape(-1) * nll, torch::zeros_like(nll));
  // The set is {CE > 0} as in the ReCo/CSS code: pixels of a zero-weight image still count in the
  // denominator, so a batch whose images are mostly unsure moves the student less.
  torch::Tensor keep = valid & (nll.detach() > 0);
  torch::Tensor count = keep.sum().clamp_min(1).to(torch::kFloat);
  return torch::where(keep, term, torch::zeros_like(term)).sum() / count;
}

torch::Tensor prototype_info_nce(const torch::Tensor& reps, const torch::Tensor& labels, const torch::Tensor& indicator,
                                 const torch::Tensor& prototypes, const ProtoContrastOptions& o) {
  require(reps.defined() && reps.dim() == 2 && reps.is_floating_point(),
          "prototype_info_nce: reps must be floating (N, D), got " + shape_of(reps));
  const int64_t n = reps.size(0);
  const int64_t d = reps.size(1);
  require(labels.defined() && labels.dim() == 1 && labels.size(0) == n && labels.scalar_type() == torch::kLong,
          "prototype_info_nce: labels must be int64 (N) with N = " + std::to_string(n) + ", got " + shape_of(labels));
  require(indicator.defined() && indicator.dim() == 1 && indicator.size(0) == n && indicator.is_floating_point(),
          "prototype_info_nce: indicator must be floating (N) with N = " + std::to_string(n) + ", got " +
              shape_of(indicator));
  require(prototypes.defined() && prototypes.dim() == 2 && prototypes.size(0) >= 1 && prototypes.size(1) == d &&
              prototypes.is_floating_point(),
          "prototype_info_nce: prototypes must be floating (C, D) with D = " + std::to_string(d) + ", got " +
              shape_of(prototypes));
  require(labels.device() == reps.device() && indicator.device() == reps.device() && prototypes.device() == reps.device(),
          "prototype_info_nce: reps, labels, indicator and prototypes must be on the same device");
  require(o.num_queries > 0, "prototype_info_nce: num_queries must be positive, got " + std::to_string(o.num_queries));
  require(o.num_negatives > 0,
          "prototype_info_nce: num_negatives must be positive, got " + std::to_string(o.num_negatives));
  require(o.temperature > 0 && std::isfinite(o.temperature),
          "prototype_info_nce: temperature must be positive, got " + std::to_string(o.temperature));
  require(o.strong_threshold >= 0 && o.strong_threshold <= 1,
          "prototype_info_nce: strong_threshold must be in [0, 1], got " + std::to_string(o.strong_threshold));

  const int64_t c = prototypes.size(0);
  const int64_t q = o.num_queries;
  const int64_t k = o.num_negatives;
  torch::Tensor rf = reps.to(torch::kFloat);
  torch::Tensor zero = rf.sum() * 0;  // keeps the graph for an empty or single-class batch
  if (n == 0) return zero;

  // Everything below has shapes fixed by C, Q and K, so nothing is read back to the host: every
  // class gets anchors and negatives drawn, and the classes absent from the batch (or a batch with
  // fewer than two classes) are masked out of the mean instead of being skipped.
  torch::Tensor anchor_pix;  // (C, Q) pixel indices
  torch::Tensor neg_pix;     // (C, Q·K) pixel indices
  torch::Tensor protos;      // (C, D) normalised prototypes
  torch::Tensor counted;     // bool (C): present, with at least one other class present
  {
    torch::NoGradGuard no_grad;
    // Pixels outside [0, C) (255) belong to a dump class C, which sorts last and is never drawn.
    torch::Tensor in_range = (labels >= 0) & (labels < c);
    torch::Tensor cls = torch::where(in_range, labels, torch::full_like(labels, c));
    torch::Tensor hard = in_range & (indicator.to(torch::kFloat) < o.strong_threshold);
    auto per_class = [&](const torch::Tensor& ones) {
      return torch::zeros({c + 1}, labels.options()).scatter_add_(0, cls, ones).narrow(0, 0, c);
    };
    torch::Tensor counts = per_class(torch::ones_like(labels));       // (C)
    torch::Tensor hard_counts = per_class(hard.to(torch::kLong));      // (C)
    torch::Tensor present = counts > 0;
    // Pixels sorted by (class, easy): class j occupies [start_j, start_j + counts_j) with its hard
    // pixels first. Stable so that a fixed seed picks the same pixels on every device.
    torch::Tensor key = cls * 2 + (~hard).to(torch::kLong);
    torch::Tensor order = std::get<1>(torch::sort(key, /*stable=*/true, /*dim=*/0, /*descending=*/false));
    torch::Tensor start = torch::cumsum(counts, 0) - counts;
    // Anchor pool: the hard pixels of the class, or all of its pixels when it has none (the CSS code
    // instead skips such a class, still dividing by the number of present classes). An absent
    // class draws from a pool of 1 at its (clamped) start: a real pixel, masked out below.
    torch::Tensor pool = torch::where(hard_counts > 0, hard_counts, counts).clamp_min(1);
    torch::Tensor anchor_off = start.unsqueeze(1) + uniform_below(pool.unsqueeze(1).expand({c, q}).contiguous());
    anchor_pix = order.index_select(0, anchor_off.clamp_max(n - 1).reshape(-1)).view({c, q});

    // Negative classes: j ≠ c, present, with probability softmax_j(cos(p_c, p_j)/τ). A row with no
    // such class samples uniformly (multinomial needs a distribution) and is masked out.
    // Element-wise products rather than matmul keep this in float32 under CUDA autocast.
    protos = F::normalize(prototypes.detach().to(torch::kFloat), F::NormalizeFuncOptions().dim(1));
    torch::Tensor sim = (protos.unsqueeze(1) * protos.unsqueeze(0)).sum(-1) / o.temperature;  // (C, C)
    torch::Tensor allowed = present.unsqueeze(0) & torch::eye(c, present.options()).logical_not();
    torch::Tensor has_negative = allowed.any(1);
    counted = present & has_negative;
    sim = sim.masked_fill(allowed.logical_not(), -std::numeric_limits<double>::infinity());
    torch::Tensor probs = torch::where(has_negative.unsqueeze(1), torch::softmax(sim, 1), torch::full_like(sim, 1.0 / c));
    torch::Tensor neg_cls = torch::multinomial(probs, q * k, /*replacement=*/true).reshape(-1);  // (C·Q·K)
    torch::Tensor neg_off = start.index_select(0, neg_cls) + uniform_below(counts.index_select(0, neg_cls).clamp_min(1));
    neg_pix = order.index_select(0, neg_off.clamp_max(n - 1)).view({c, q * k});
  }

  // Negatives are detached normalised representations; anchors keep their graph.
  torch::Tensor neg_all = F::normalize(rf.detach(), F::NormalizeFuncOptions().dim(1));
  torch::Tensor weight = counted.to(torch::kFloat);
  torch::Tensor total = zero;
  for (int64_t i = 0; i < c; ++i) {
    torch::Tensor a = F::normalize(rf.index_select(0, anchor_pix[i]), F::NormalizeFuncOptions().dim(1));  // (Q, D)
    torch::Tensor pos = (a * protos[i]).sum(-1, /*keepdim=*/true);                                         // (Q, 1)
    torch::Tensor neg = gathered_dot(a, neg_all, neg_pix[i].view({q, k}));                           // (Q, K)
    torch::Tensor logits = torch::cat({pos, neg}, 1) / o.temperature;
    // CE with target 0: logsumexp − logit_0, averaged over the anchors; a finite value for a
    // masked class too (its anchors are real pixels), so the 0 weight leaves no NaN in the gradient.
    total = total + (torch::logsumexp(logits, {1}) - logits.select(1, 0)).mean() * weight[i];
  }
  return total / weight.sum().clamp_min(1);
}

}  // namespace s4seg
