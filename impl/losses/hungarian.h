// Minimum-cost bipartite assignment (the matcher of the mask-classification losses, RC²L and
// MaskFormer set loss, ALGORITHMS.md 5.2).
#pragma once
#include <torch/types.h>

#include <cstdint>
#include <vector>

namespace s4seg {

// cost: 2-D (R, C) floating tensor on any device (read as CPU double). Returns, for each row r,
// the column assigned to it so that every column is used at most once, min(R, C) rows are
// assigned and Σ_r cost[r, a_r] is minimal; rows left over when R > C get -1. Among equally cheap
// assignments any one may be returned.
// O(min(R,C)²·max(R,C)) shortest augmenting paths with potentials (Kuhn-Munkres / Jonker-Volgenant).
// Non-finite entries, or a spread of values so large that the potentials would overflow, throw
// Error(InvalidArgument).
std::vector<int64_t> hungarian_assign(const torch::Tensor& cost);

}  // namespace s4seg
