// Dot products of each row of `a` with its own set of table rows, for InfoNCE negatives.
#pragma once
#include <torch/types.h>

namespace s4seg {

// out[q, k] = <a[q], table[index[q, k]]>     a: (Q, D), table: (N, D), index: int64 (Q, K) → (Q, K).
// The gradient flows into `a` only (the table is treated as detached). The gathered (Q, K, D)
// block is never kept, which autograd would otherwise hold until the backward pass (css: 11
// classes × 256 × 512 × 256 floats ≈ 1.5 GB per step): a table of at most 8·K rows is multiplied
// with `a` whole (Q × N similarities, then the K columns of each row); a larger one is gathered a
// chunk of rows at a time (≈ 16 MB) in the forward pass and again in the backward pass.
torch::Tensor gathered_dot(const torch::Tensor& a, const torch::Tensor& table, const torch::Tensor& index);

}  // namespace s4seg
