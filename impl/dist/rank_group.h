// The ranks of a data-parallel job as model parts see them (SyncBatchNorm2d, prototype banks):
// only a sum, so those parts need no communicator.
#pragma once
#include <functional>
#include <vector>

#include <torch/types.h>

namespace s4seg {

// `sum` replaces each tensor, in place, by its sum over the ranks; every rank calls it with the
// same shapes in the same order.
struct RankGroup {
  std::function<void(std::vector<torch::Tensor>&)> sum;
  int rank = 0;
  int world = 1;
};

}  // namespace s4seg
