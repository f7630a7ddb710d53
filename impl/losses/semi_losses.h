// Unsupervised and prototype losses over tensors (ALGORITHMS.md 2.3, 3.3). Logits (B, C, H, W),
// labels int64 (B, H, W) with 255 = ignore, weights float (B, H, W).
#pragma once
#include <torch/types.h>

namespace s4seg {

// Weighted CE averaged over the valid pixels (FixMatch/UniMatch):
//   L = Σ_p w_p·CE_p / |V|,  V = {p : y_p ≠ 255}.  0 (with a graph) when V is empty.
torch::Tensor weighted_cross_entropy(const torch::Tensor& logits, const torch::Tensor& labels, const torch::Tensor& weight);

// U²PL entropy-percentile loss on already filtered labels: mean CE over kept pixels K, rescaled
// by the share dropped:  L = (B·H·W / |K|) · (1/|K|) Σ_{p∈K} CE_p.  0 when K is empty.
torch::Tensor rescaled_cross_entropy(const torch::Tensor& logits, const torch::Tensor& labels);

// ReCo/CSS attention-threshold loss: per-image weights w_i (the soft filter's weight), then
//   L = Σ_{p∈S} w_p·CE_p / |S|,  S = {p valid : CE_p > 0} (as the code: zero-weight images still
//   count in |S|).  0 when S is empty.
torch::Tensor attention_threshold_cross_entropy(const torch::Tensor& logits, const torch::Tensor& labels,
                                                const torch::Tensor& weight);

struct ProtoContrastOptions {
  double strong_threshold = 0.8;  // δ_s: anchors are pixels whose similarity-softmax for their class is below this
  int64_t num_queries = 256;      // anchors per class
  int64_t num_negatives = 512;    // negatives per anchor
  double temperature = 0.5;       // τ
};

// CSS prototype InfoNCE (ALGORITHMS.md 3.3 L_c), at feature resolution.
//   reps: float (N, D) representations of the pixels (grad flows into them),
//   labels: int64 (N) class of each pixel; a label outside [0, C) (255: ignored) takes no part,
//   indicator: float (N) the representation-space softmax probability of the pixel's own class,
//   prototypes: float (C, D) (no gradient).
// For each class c present: Q anchors drawn with replacement from the hard set {label = c,
// indicator < δ_s} (all pixels of c when it is empty); positive p_c; each of the K negatives
// draws a class j ≠ c (present) with probability softmax_j(cos(p_c, p_j)/τ) and then a random
// pixel of class j (its representation, detached).
//   L_c = CE([cos(a, p_c), cos(a, n_1..K)] / τ, target 0), averaged over anchors;
//   L = mean over present classes; 0 (with a graph) when fewer than two classes are present.
// Nothing is read back to the host (shapes depend on C, Q and K only), so it can run inside a
// queued step (train.read_every > 1); it costs the anchors and negatives of all C classes.
torch::Tensor prototype_info_nce(const torch::Tensor& reps, const torch::Tensor& labels, const torch::Tensor& indicator,
                                 const torch::Tensor& prototypes, const ProtoContrastOptions& o);

}  // namespace s4seg
