// Keeps the replicas of a data-parallel job equal: gradient averaging before each optimizer step,
// averaging of state each rank updates from its own batch (BatchNorm statistics), and broadcasts
// from one rank. Tensors travel packed into a few flat buffers (one message per buffer instead of
// one per tensor), every buffer in flight at once.
#pragma once
#include <cstdint>
#include <vector>

#include <torch/types.h>

#include "dist/communicator.h"

namespace s4seg {

// Replaces each parameter's gradient by its mean over the ranks, in buckets of at most
// `bucket_bytes`. A gradient undefined on every rank stays undefined; one that some ranks did not
// produce counts as zero there (as a parameter unused by part of a single large batch would).
void average_gradients(Communicator& comm, const std::vector<torch::Tensor>& params, int64_t bucket_bytes);

// In place: floating-point tensors become their mean over the ranks; the others are left alone.
void average_tensors(Communicator& comm, const std::vector<torch::Tensor>& tensors);

// In place: every tensor becomes rank `root`'s copy (any dtype).
void broadcast_tensors(Communicator& comm, const std::vector<torch::Tensor>& tensors, int root);

}  // namespace s4seg
