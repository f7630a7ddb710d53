// Mask-classification losses for RC²L (ALGORITHMS.md 5.2): MaskFormer/Mask2Former set loss with
// Hungarian matching, mask average pooling, and the four region-level losses RMC, RFC, RCC, SMC.
//
// Shapes: N student queries, T targets / teacher regions, K classes (class logits have K+1
// entries, the last being "no object"), P pixels of a flattened mask, C feature channels.
// Every loss returns a 0-d float32 tensor (also for bf16 inputs and under CUDA bf16 autocast,
// which these functions switch off around their matmuls, as the Mask2Former matcher does) whose
// graph reaches the student inputs; when there is nothing to compare it is 0 with a graph, so
// callers can always add and backpropagate it.
#pragma once
#include <torch/types.h>

#include <cstdint>
#include <vector>

namespace s4seg {

// ---- building blocks ---------------------------------------------------------------------------

// Mask average pooling:  r_i = Σ_x m_i(x)·F(x) / (Σ_x m_i(x) + eps).
// masks (N, h, w) in [0, 1] and feature (C, h, w) → (N, C); or batched masks (B, N, h, w) and
// feature (B, C, h, w) → (B, N, C). float32; gradients reach both inputs.
torch::Tensor mask_average_pool(const torch::Tensor& masks, const torch::Tensor& feature, double eps = 1e-6);

// Pairwise dice cost:  D[i, j] = 1 − (2·Σ_x p_i t_j + 1) / (Σ_x p_i + Σ_x t_j + 1).
// mask_probs (N, P) in [0, 1], targets (T, P) → (N, T), float32.
torch::Tensor pairwise_dice_cost(const torch::Tensor& mask_probs, const torch::Tensor& targets);

// Pairwise mean binary cross-entropy with logits:
//   E[i, j] = (1/P) Σ_x [ softplus(−z_i(x))·t_j(x) + softplus(z_i(x))·(1 − t_j(x)) ].
// mask_logits (N, P), targets (T, P) in [0, 1] → (N, T), float32. P = 0 gives zeros.
torch::Tensor pairwise_sigmoid_ce_cost(const torch::Tensor& mask_logits, const torch::Tensor& targets);

struct MatchWeights {
  double cls = 2, mask = 5, dice = 5;  // Mask2Former
};

// MaskFormer matching: with cost[j, i] = −w_cls·softmax(class_i)[c_j] + w_mask·E[i, j] + w_dice·D[i, j]
// (E, D above, D on σ(z_i)), the Hungarian assignment of the T targets to distinct queries.
// class_logits (N, K+1), mask_logits (N, P), target_classes int64 (T) in [0, K), target_masks
// (T, P) in [0, 1]. Returns for each target j its query index; T ≤ N is required. No gradient.
// Non-finite costs (a diverged model) are replaced by large finite ones so that the NaN reaches
// the loss, and with it the trainer's divergence check, instead of failing here.
std::vector<int64_t> match_queries(const torch::Tensor& class_logits, const torch::Tensor& mask_logits,
                                   const torch::Tensor& target_classes, const torch::Tensor& target_masks,
                                   const MatchWeights& w = {});

// Ground truth of one image as a set of class masks.
struct MaskTargets {
  torch::Tensor classes;  // int64 (T), ascending class ids
  torch::Tensor masks;    // float (T, h, w), 1 on the class's pixels, 0 elsewhere (also on ignored pixels)
  torch::Tensor valid;    // bool (h, w): pixels that count (label ≠ 255); undefined = all pixels count
};

// One binary mask per class present in labels int64 (h, w) (255 = ignore), on labels' device.
// Labels outside [0, num_classes) other than 255 throw Error(InvalidArgument).
MaskTargets semantic_to_mask_targets(const torch::Tensor& labels, int64_t num_classes);
// The same for each image of labels int64 (B, h, w).
std::vector<MaskTargets> semantic_to_mask_targets_batch(const torch::Tensor& labels, int64_t num_classes);

// ---- supervised set loss -----------------------------------------------------------------------

struct SetLossWeights {
  double cls = 2, mask = 5, dice = 5;  // Mask2Former; also the matching cost weights
  double no_object = 0.1;              // class weight of "no object" in the class CE
};

struct SetLossTerms {
  torch::Tensor cls, mask, dice;  // each already multiplied by its weight; 0-d float32
  torch::Tensor total() const { return cls + mask + dice; }
};

// MaskFormer set loss. class_logits (B, N, K+1), mask_logits (B, N, h, w), targets of size B with
// masks at (h, w). Per image, match_queries on the valid pixels gives σ(j) for each target j; then
//   cls  = w_cls · Σ_{b,i} ω(y_bi)·CE(class_bi, y_bi) / Σ_{b,i} ω(y_bi),
//          y_bi = c_j if i = σ(j) else K, ω(K) = no_object, ω(k < K) = 1   (torch CE with weight)
//   mask = w_mask · Σ_{b,j} mean_{x valid} BCE(z_{bσ(j)}(x), t_bj(x)) / max(1, Σ_b T_b)
//   dice = w_dice · Σ_{b,j} [1 − (2Σ_x σ(z)t + 1)/(Σ_x σ(z) + Σ_x t + 1)] / max(1, Σ_b T_b)  (valid x)
// An image without targets only adds its all-no-object class terms. T_b ≤ N is required.
SetLossTerms mask_set_loss(const torch::Tensor& class_logits, const torch::Tensor& mask_logits,
                           const std::vector<MaskTargets>& targets, const SetLossWeights& w = {});

// ---- RC²L region losses (one image; matched[j] = student query of teacher region j) ----------
// `matched` must have size T, distinct entries in [0, N). The teacher side is detached inside.

// L_RMC: InfoNCE over masks with the dice coefficient as similarity,
//   s_ji = (2Σ_x p^s_i p^t_j + 1)/(Σ_x p^s_i + Σ_x p^t_j + 1),
//   L = (1/T) Σ_j −log softmax_i(s_j· / τ)[matched[j]].
// student_mask_probs (N, P), teacher_mask_probs (T, P), both in [0, 1].
torch::Tensor region_mask_contrastive(const torch::Tensor& student_mask_probs, const torch::Tensor& teacher_mask_probs,
                                      const std::vector<int64_t>& matched, double temperature);

// L_RFC: InfoNCE over region features, L = (1/T) Σ_j −log softmax_i(cos(r^s_i, r^t_j)/τ)[matched[j]].
// student_regions (N, C), teacher_regions (T, C) (e.g. from mask_average_pool).
torch::Tensor region_feature_contrastive(const torch::Tensor& student_regions, const torch::Tensor& teacher_regions,
                                         const std::vector<int64_t>& matched, double temperature);

// L_RCC: weighted CE over all N student queries, y_i = c^t_j if i = matched[j] else K (no object),
//   L = Σ_i ω(y_i)·CE(class_i, y_i) / Σ_i ω(y_i),  ω(K) = no_object_weight, ω(k < K) = 1.
// student_class_logits (N, K+1), teacher_classes int64 (T) in [0, K). T = 0 gives 0 (it does not
// push every query to no-object when the teacher kept no region).
torch::Tensor region_class_consistency(const torch::Tensor& student_class_logits, const torch::Tensor& teacher_classes,
                                       const std::vector<int64_t>& matched, double no_object_weight);

// L_SMC: semantic mask consistency between student semantic probabilities S (B, K, h, w) and the
// one-hot Y of teacher_labels int64 (B, h, w) (255 = ignore), over the valid pixels V:
//   BCE  = (1/(K·|V|)) Σ_{x∈V} Σ_k −[Y log S + (1 − Y) log(1 − S)]   (S clamped to [1e-6, 1 − 1e-6])
//   dice = mean over the (b, k) with k in Y_b or in argmax_k S_b on V of
//          1 − (2Σ_{x∈V} S·Y + 1)/(Σ_{x∈V} S + Σ_{x∈V} Y + 1)
//   L = BCE + dice.  0 with a graph when V is empty.
// S is meant to lie in [0, 1] (e.g. Σ_k-normalised MaskFormer scores); outside it the BCE gradient is 0.
torch::Tensor semantic_mask_consistency(const torch::Tensor& student_semantic_probs, const torch::Tensor& teacher_labels);

}  // namespace s4seg
