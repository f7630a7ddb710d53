#include "data/batch_loader.h"

#include <algorithm>
#include <chrono>
#include <exception>
#include <random>
#include <thread>

#include "core/error.h"

namespace s4seg {

EpochSampler::EpochSampler(std::vector<int64_t> pool, uint64_t seed) : pool_(std::move(pool)), seed_(seed) {
  require(!pool_.empty(), "the dataset has no usable samples");
  shuffle_for_epoch();
}

void EpochSampler::shuffle_for_epoch() {
  order_ = pool_;
  std::mt19937_64 rng(seed_ * 1000003ull + static_cast<uint64_t>(state_.epoch));
  // Fisher-Yates with our own index draw: std::shuffle's use of the engine is not specified.
  for (size_t i = order_.size(); i > 1; --i) std::swap(order_[i - 1], order_[rng() % i]);
}

std::vector<int64_t> EpochSampler::next(int64_t batch) {
  std::vector<int64_t> out;
  out.reserve(static_cast<size_t>(batch));
  while (static_cast<int64_t>(out.size()) < batch) {
    if (state_.position >= static_cast<int64_t>(order_.size())) {
      ++state_.epoch;
      state_.position = 0;
      shuffle_for_epoch();
    }
    out.push_back(order_[static_cast<size_t>(state_.position++)]);
  }
  return out;
}

void EpochSampler::restore(SamplerState s) {
  require(s.epoch >= 0 && s.position >= 0 && s.position <= static_cast<int64_t>(pool_.size()), "invalid sampler state");
  state_ = s;
  shuffle_for_epoch();
}

std::vector<LoadedSample> load_samples(const Dataset& ds, const std::vector<int64_t>& indices, int workers) {
  std::vector<LoadedSample> out(indices.size());
  int n = static_cast<int>(std::min<size_t>(static_cast<size_t>(std::max(workers, 1)), indices.size()));
  if (n <= 1) {
    for (size_t i = 0; i < indices.size(); ++i) out[i] = ds.load(indices[i]);
    return out;
  }
  std::vector<std::exception_ptr> errors(static_cast<size_t>(n));
  std::vector<std::thread> threads;
  threads.reserve(static_cast<size_t>(n));
  for (int t = 0; t < n; ++t) {
    threads.emplace_back([&, t] {
      try {
        for (size_t i = static_cast<size_t>(t); i < indices.size(); i += static_cast<size_t>(n)) out[i] = ds.load(indices[i]);
      } catch (...) {
        errors[static_cast<size_t>(t)] = std::current_exception();
      }
    });
  }
  for (auto& th : threads) th.join();
  for (auto& e : errors)
    if (e) std::rethrow_exception(e);
  return out;
}

namespace {
std::vector<int64_t> pool_of(const Dataset& ds, bool masked_only) {
  std::vector<int64_t> pool;
  for (int64_t i = 0; i < ds.size(); ++i)
    if (!masked_only || ds.has_mask(i)) pool.push_back(i);
  return pool;
}
}  // namespace

BatchLoader::BatchLoader(std::shared_ptr<const Dataset> dataset, int64_t batch, uint64_t seed, int workers, bool masked_only,
                         int prefetch, Shard shard)
    : dataset_(std::move(dataset)),
      batch_(batch),
      shard_(shard),
      workers_(workers),
      depth_(workers > 0 ? static_cast<size_t>(std::max(prefetch, 1)) : 1),
      sampler_(pool_of(*dataset_, masked_only), seed) {
  fill();
}

BatchLoader::~BatchLoader() { drain(); }

void BatchLoader::drain() {
  // A deferred (no-worker) batch would be decoded by wait(); only async work needs waiting for.
  for (Pending& p : pending_)
    if (workers_ > 0 && p.batch.valid()) p.batch.wait();
  pending_.clear();
}

void BatchLoader::fill() {
  while (pending_.size() < depth_) {
    std::vector<int64_t> indices = sampler_.next(batch_ * shard_.count);
    if (shard_.count > 1)
      indices = std::vector<int64_t>(indices.begin() + shard_.index * batch_, indices.begin() + (shard_.index + 1) * batch_);
    std::shared_ptr<const Dataset> ds = dataset_;
    int workers = workers_;
    auto job = [ds, indices, workers] { return HostBatch{load_samples(*ds, indices, workers)}; };
    // With no workers, decode lazily on the training thread when the batch is asked for.
    pending_.push_back({std::async(workers_ > 0 ? std::launch::async : std::launch::deferred, job), sampler_.state()});
  }
}

HostBatch BatchLoader::next() {
  using clock = std::chrono::steady_clock;
  const auto t0 = clock::now();
  HostBatch b;
  try {
    b = pending_.front().batch.get();
  } catch (...) {
    // A bad file: skip nothing silently; re-arm the same position so a retry sees the same error.
    drain();
    sampler_.restore(consumed_);
    fill();
    throw;
  }
  last_wait_seconds_ = std::chrono::duration<double>(clock::now() - t0).count();
  consumed_ = pending_.front().after;
  pending_.pop_front();
  fill();
  return b;
}

void BatchLoader::restore(SamplerState s) {
  drain();
  sampler_.restore(s);
  consumed_ = s;
  fill();
}

}  // namespace s4seg
