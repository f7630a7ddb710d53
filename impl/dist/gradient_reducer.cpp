#include "dist/gradient_reducer.h"

#include <torch/torch.h>

namespace s4seg {

GradientReducer::GradientReducer(Communicator& comm, std::vector<torch::Tensor> params, int64_t bucket_bytes, bool overlap)
    : comm_(comm), params_(std::move(params)) {
  const size_t count = params_.size();
  buckets_ = make_packs(std::vector<torch::Tensor>(params_.rbegin(), params_.rend()), bucket_bytes);
  bucket_of_.resize(count);
  slot_of_.resize(count);
  for (size_t b = 0; b < buckets_.size(); ++b) {
    TensorPack& bucket = buckets_[b];
    for (size_t k = 0; k < bucket.members.size(); ++k) {
      bucket.sources[k] = count - 1 - bucket.sources[k];  // from the reversed list to params_
      bucket_of_[bucket.sources[k]] = b;
      slot_of_[bucket.sources[k]] = k;
    }
    bucket.flat = torch::zeros({bucket.numel}, bucket.members.front().options());
  }
  pending_.resize(buckets_.size());
  reset();
  if (!overlap) return;
  for (size_t i = 0; i < count; ++i)
    if (params_[i].requires_grad())
      hooks_.emplace_back(i, params_[i].register_hook([this, i](const torch::Tensor& g) { on_gradient(i, g); }));
}

GradientReducer::~GradientReducer() {
  for (const auto& h : hooks_) {
    try {
      params_[h.first].remove_hook(h.second);
    } catch (...) {  // a destructor must not throw; the hook then stays disarmed
    }
  }
}

void GradientReducer::reset() {
  armed_ = false;
  late_ = false;
  next_ = 0;
  copied_.assign(params_.size(), 0);
  waiting_.clear();
  for (const auto& b : buckets_) waiting_.push_back(static_cast<int64_t>(b.members.size()));
  for (auto& p : pending_) p = Communicator::PendingSum();
}

void GradientReducer::arm() {
  reset();
  armed_ = !hooks_.empty();
}

void GradientReducer::on_gradient(size_t i, const torch::Tensor& incoming) {
  if (!armed_ || !incoming.defined()) return;
  torch::NoGradGuard ng;
  const size_t b = bucket_of_[i];
  if (b < next_) {  // its bucket is on its way: finish() sums everything again
    late_ = true;
    return;
  }
  torch::Tensor dst = buckets_[b].slot(slot_of_[i]);
  if (copied_[i]) {  // a second gradient in the same pass
    dst.add_(incoming);
    return;
  }
  // The accumulation into .grad happens after this hook: the bucket gets its result now.
  const torch::Tensor& old = params_[i].grad();
  if (old.defined())
    torch::add_out(dst, old, incoming);
  else
    dst.copy_(incoming);
  copied_[i] = 1;
  if (--waiting_[b] == 0) start_full_buckets();
}

void GradientReducer::start_full_buckets() {
  while (next_ < buckets_.size() && waiting_[next_] == 0) start(next_++);
}

void GradientReducer::start(size_t b) { pending_[b] = comm_.start_gradient_sum(buckets_[b].flat); }

void GradientReducer::finish() {
  if (params_.empty()) return;
  torch::NoGradGuard ng;
  armed_ = false;
  struct ResetAtExit {
    GradientReducer& r;
    ~ResetAtExit() { r.reset(); }
  } reset_at_exit{*this};
  auto copy_gradient = [&](size_t b, size_t k) {
    const torch::Tensor& g = params_[buckets_[b].sources[k]].grad();
    torch::Tensor dst = buckets_[b].slot(k);
    if (g.defined())
      dst.copy_(g);
    else
      dst.zero_();
  };
  // What no hook copied: the gradient as it stands (zeros where this rank has none).
  for (size_t b = next_; b < buckets_.size(); ++b)
    for (size_t k = 0; k < buckets_[b].members.size(); ++k)
      if (!copied_[buckets_[b].sources[k]]) copy_gradient(b, k);
  while (next_ < buckets_.size()) start(next_++);
  // Which ranks have each gradient, and whether any rank had a gradient arrive too late.
  const int64_t count = static_cast<int64_t>(params_.size());
  torch::Tensor flags = torch::zeros({count + 1}, torch::kFloat);
  float* f = flags.data_ptr<float>();
  for (int64_t i = 0; i < count; ++i) f[i] = params_[i].grad().defined() ? 1.0f : 0.0f;
  f[count] = late_ ? 1.0f : 0.0f;
  torch::Tensor flags_on_device = flags.to(params_.front().device());  // NCCL sums device tensors only
  Communicator::PendingSum flag_sum = comm_.start_gradient_sum(flags_on_device);
  for (auto& p : pending_) p.wait();
  flag_sum.wait();
  flags = flags_on_device.to(torch::kCPU);
  f = flags.data_ptr<float>();
  if (f[count] > 0) {  // some rank's buckets missed a gradient: every rank sums the gradients again
    for (size_t b = 0; b < buckets_.size(); ++b) {
      for (size_t k = 0; k < buckets_[b].members.size(); ++k) copy_gradient(b, k);
      start(b);
    }
    for (auto& p : pending_) p.wait();
  }
  const double inv = 1.0 / static_cast<double>(comm_.world());
  for (size_t b = 0; b < buckets_.size(); ++b) {
    buckets_[b].flat.mul_(inv);
    for (size_t k = 0; k < buckets_[b].members.size(); ++k) {
      const size_t i = buckets_[b].sources[k];
      if (f[i] == 0.0f) continue;  // no rank has a gradient here
      torch::Tensor mean = buckets_[b].slot(k);
      torch::Tensor param = params_[i];
      if (param.grad().defined())
        param.mutable_grad().copy_(mean);
      else
        param.mutable_grad() = mean.clone();
    }
  }
}

}  // namespace s4seg
