#include "dist/replica_sync.h"

#include <torch/torch.h>

#include "dist/tensor_packs.h"

namespace s4seg {

namespace {
std::vector<torch::Tensor> flats(std::vector<TensorPack>& packs) {
  std::vector<torch::Tensor> out;
  for (auto& p : packs) out.push_back(p.flat);
  return out;
}
}  // namespace

void average_tensors(Communicator& comm, const std::vector<torch::Tensor>& tensors) {
  std::vector<torch::Tensor> floating;
  for (const auto& t : tensors)
    if (t.defined() && t.is_floating_point()) floating.push_back(t);
  if (floating.empty()) return;
  torch::NoGradGuard ng;
  std::vector<TensorPack> packs = make_packs(floating, 0);
  for (auto& p : packs) pack_members(p);
  std::vector<torch::Tensor> messages = flats(packs);
  comm.all_reduce_sum(messages);
  for (auto& p : packs) {
    p.flat.mul_(1.0 / static_cast<double>(comm.world()));
    unpack_members(p);
  }
}

void broadcast_tensors(Communicator& comm, const std::vector<torch::Tensor>& tensors, int root) {
  std::vector<torch::Tensor> defined;
  for (const auto& t : tensors)
    if (t.defined()) defined.push_back(t);
  if (defined.empty()) return;
  torch::NoGradGuard ng;
  std::vector<TensorPack> packs = make_packs(defined, 0);
  for (auto& p : packs) pack_members(p);
  std::vector<torch::Tensor> messages = flats(packs);
  comm.broadcast(messages, root);
  for (auto& p : packs) unpack_members(p);
}

}  // namespace s4seg
