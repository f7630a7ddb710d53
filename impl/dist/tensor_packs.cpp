#include "dist/tensor_packs.h"

#include <torch/torch.h>

#include <map>
#include <tuple>

namespace s4seg {

std::vector<TensorPack> make_packs(const std::vector<torch::Tensor>& tensors, int64_t max_bytes) {
  std::vector<TensorPack> packs;
  std::map<std::tuple<int, int, int>, size_t> open;  // (dtype, device type, index) → pack
  for (size_t i = 0; i < tensors.size(); ++i) {
    const torch::Tensor& t = tensors[i];
    const auto key = std::make_tuple(static_cast<int>(t.scalar_type()), static_cast<int>(t.device().type()),
                                     static_cast<int>(t.device().index()));
    auto it = open.find(key);
    const int64_t bytes = t.numel() * static_cast<int64_t>(t.element_size());
    if (it == open.end() ||
        (max_bytes > 0 && packs[it->second].numel > 0 &&
         (packs[it->second].numel * static_cast<int64_t>(t.element_size()) + bytes) > max_bytes)) {
      packs.emplace_back();
      open[key] = packs.size() - 1;
      it = open.find(key);
    }
    TensorPack& p = packs[it->second];
    p.members.push_back(t);
    p.sources.push_back(i);
    p.offsets.push_back(p.numel);
    p.numel += t.numel();
  }
  return packs;
}

void pack_members(TensorPack& p) {
  const torch::TensorOptions o = p.members.front().options();
  p.flat = torch::empty({p.numel}, o.dtype() == torch::kBool ? o.dtype(torch::kByte) : o);
  for (size_t i = 0; i < p.members.size(); ++i) p.slot(i).copy_(p.members[i]);
}

void unpack_members(TensorPack& p) {
  for (size_t i = 0; i < p.members.size(); ++i) p.members[i].copy_(p.slot(i));
}

}  // namespace s4seg
