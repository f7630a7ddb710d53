// Keeps the replicas of a data-parallel job equal (gradients: dist/gradient_reducer.h): averaging
// of state each rank updates from its own batch (BatchNorm statistics), and broadcasts from one
// rank. Tensors travel packed into a few flat buffers (one message per buffer instead of
// one per tensor), every buffer in flight at once.
#pragma once
#include <cstdint>
#include <vector>

#include <torch/types.h>

#include "dist/communicator.h"

namespace s4seg {

// In place: floating-point tensors become their mean over the ranks; the others are left alone.
void average_tensors(Communicator& comm, const std::vector<torch::Tensor>& tensors);

// In place: every tensor becomes rank `root`'s copy (any dtype).
void broadcast_tensors(Communicator& comm, const std::vector<torch::Tensor>& tensors, int root);

}  // namespace s4seg
