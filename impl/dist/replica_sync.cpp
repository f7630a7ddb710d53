#include "dist/replica_sync.h"

#include <torch/torch.h>

#include <map>
#include <tuple>

namespace s4seg {

namespace {
// Tensors of one dtype and device packed into one flat buffer, with each member's offset.
struct Pack {
  std::vector<torch::Tensor> members;
  std::vector<size_t> sources;  // each member's index in the tensors given to make_packs
  std::vector<int64_t> offsets;
  int64_t numel = 0;
  torch::Tensor flat;
};

// Groups `tensors` by (dtype, device) in their order, starting a new pack when one would pass
// `max_bytes` (0: no limit).
std::vector<Pack> make_packs(const std::vector<torch::Tensor>& tensors, int64_t max_bytes) {
  std::vector<Pack> packs;
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
    Pack& p = packs[it->second];
    p.members.push_back(t);
    p.sources.push_back(i);
    p.offsets.push_back(p.numel);
    p.numel += t.numel();
  }
  return packs;
}

void fill(Pack& p) {
  // bool travels as bytes: not every backend reduces or broadcasts bool.
  const torch::TensorOptions o = p.members.front().options();
  p.flat = torch::empty({p.numel}, o.dtype() == torch::kBool ? o.dtype(torch::kByte) : o);
  for (size_t i = 0; i < p.members.size(); ++i) p.flat.narrow(0, p.offsets[i], p.members[i].numel()).copy_(p.members[i].reshape({-1}));
}

void unpack(Pack& p) {
  for (size_t i = 0; i < p.members.size(); ++i)
    p.members[i].copy_(p.flat.narrow(0, p.offsets[i], p.members[i].numel()).view(p.members[i].sizes()));
}

std::vector<torch::Tensor> flats(std::vector<Pack>& packs) {
  std::vector<torch::Tensor> out;
  for (auto& p : packs) out.push_back(p.flat);
  return out;
}
}  // namespace

void average_gradients(Communicator& comm, const std::vector<torch::Tensor>& params, int64_t bucket_bytes) {
  if (params.empty()) return;
  torch::NoGradGuard ng;
  // Stand-ins for the gradients: zeros where a rank produced none, so every rank sends the same
  // layout; a flag per parameter says which ranks had one.
  std::vector<torch::Tensor> grads;
  torch::Tensor had = torch::zeros({static_cast<int64_t>(params.size())}, torch::TensorOptions().dtype(torch::kFloat));
  float* had_v = had.data_ptr<float>();
  for (size_t i = 0; i < params.size(); ++i) {
    const torch::Tensor& g = params[i].grad();
    had_v[i] = g.defined() ? 1.0f : 0.0f;
    grads.push_back(g.defined() ? g : torch::zeros_like(params[i]));
  }
  std::vector<Pack> packs = make_packs(grads, bucket_bytes);
  for (auto& p : packs) fill(p);
  std::vector<torch::Tensor> messages = flats(packs);
  // NCCL reduces device tensors only: the flags travel on the parameters' device.
  const torch::Device dev = params.front().device();
  torch::Tensor had_dev = had.to(dev);
  messages.push_back(had_dev);
  comm.all_reduce_sum(messages);
  had = had_dev.to(torch::kCPU);
  had_v = had.data_ptr<float>();
  const double inv = 1.0 / static_cast<double>(comm.world());
  for (auto& p : packs) p.flat.mul_(inv);
  for (const Pack& p : packs) {
    for (size_t mi = 0; mi < p.members.size(); ++mi) {
      const size_t i = p.sources[mi];
      if (had_v[i] == 0.0f) continue;  // no rank has a gradient here
      torch::Tensor mean = p.flat.narrow(0, p.offsets[mi], p.members[mi].numel()).view(params[i].sizes());
      torch::Tensor param = params[i];
      if (param.grad().defined())
        param.mutable_grad().copy_(mean);
      else
        param.mutable_grad() = mean.clone();
    }
  }
}

void average_tensors(Communicator& comm, const std::vector<torch::Tensor>& tensors) {
  std::vector<torch::Tensor> floating;
  for (const auto& t : tensors)
    if (t.defined() && t.is_floating_point()) floating.push_back(t);
  if (floating.empty()) return;
  torch::NoGradGuard ng;
  std::vector<Pack> packs = make_packs(floating, 0);
  for (auto& p : packs) fill(p);
  std::vector<torch::Tensor> messages = flats(packs);
  comm.all_reduce_sum(messages);
  for (auto& p : packs) {
    p.flat.mul_(1.0 / static_cast<double>(comm.world()));
    unpack(p);
  }
}

void broadcast_tensors(Communicator& comm, const std::vector<torch::Tensor>& tensors, int root) {
  std::vector<torch::Tensor> defined;
  for (const auto& t : tensors)
    if (t.defined()) defined.push_back(t);
  if (defined.empty()) return;
  torch::NoGradGuard ng;
  std::vector<Pack> packs = make_packs(defined, 0);
  for (auto& p : packs) fill(p);
  std::vector<torch::Tensor> messages = flats(packs);
  comm.broadcast(messages, root);
  for (auto& p : packs) unpack(p);
}

}  // namespace s4seg
