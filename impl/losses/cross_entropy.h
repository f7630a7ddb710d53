// Supervised segmentation losses over logits (B, C, H, W) and targets (B, H, W) int64 where
// 255 marks ignored pixels.
#pragma once
#include <torch/types.h>

#include "core/labels.h"

namespace s4seg {

// L = -(1/|V|) Σ_{p∈V} log softmax(z_p)[y_p],  V = {p : y_p ≠ 255}.  0 (with a graph) if V is empty.
torch::Tensor ignore_cross_entropy(const torch::Tensor& logits, const torch::Tensor& target);

// Online hard example mining: with q_p = softmax(z_p)[y_p] over valid pixels V, keep
// K = {p ∈ V : q_p ≤ τ}, τ = max(thresh, k-th smallest q), k = min(min_kept, |V|);
// L = -(1/|K|) Σ_{p∈K} log q_p.
torch::Tensor ohem_cross_entropy(const torch::Tensor& logits, const torch::Tensor& target, double thresh,
                                      int64_t min_kept);

}  // namespace s4seg
