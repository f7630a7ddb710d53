// Tensors packed into flat buffers for the collectives (one message per buffer instead of one per
// tensor).
#pragma once
#include <cstdint>
#include <vector>

#include <torch/types.h>

namespace s4seg {

// Tensors of one dtype and device, laid out one after the other in `flat`.
struct TensorPack {
  std::vector<torch::Tensor> members;
  std::vector<size_t> sources;  // each member's index in the tensors given to make_packs
  std::vector<int64_t> offsets;
  int64_t numel = 0;
  torch::Tensor flat;  // allocated by pack_members or by the caller

  // Member i's place in `flat`, shaped like the member (contiguous).
  torch::Tensor slot(size_t i) const { return flat.narrow(0, offsets[i], members[i].numel()).view(members[i].sizes()); }
};

// Groups `tensors` by (dtype, device) in their order, starting a new pack when one would pass
// `max_bytes` (0: no limit). Leaves `flat` unallocated.
std::vector<TensorPack> make_packs(const std::vector<torch::Tensor>& tensors, int64_t max_bytes);

// Allocates `flat` (bool as bytes: not every backend reduces or broadcasts bool) and copies the
// members in.
void pack_members(TensorPack& p);
// Copies `flat` back into the members.
void unpack_members(TensorPack& p);

}  // namespace s4seg
