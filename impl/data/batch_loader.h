// Endless shuffled batches of decoded samples, prepared a few batches ahead on worker threads.
#pragma once
#include <cstdint>
#include <deque>
#include <future>
#include <memory>
#include <vector>

#include "data/dataset.h"

namespace s4seg {

// Where sampling stands: resumable from two integers (each epoch's order derives from the seed).
struct SamplerState {
  int64_t epoch = 0;
  int64_t position = 0;
};

class EpochSampler {
 public:
  EpochSampler(std::vector<int64_t> pool, uint64_t seed);
  std::vector<int64_t> next(int64_t batch);
  SamplerState state() const { return state_; }
  void restore(SamplerState s);

 private:
  void shuffle_for_epoch();
  std::vector<int64_t> pool_;
  std::vector<int64_t> order_;
  uint64_t seed_;
  SamplerState state_;
};

struct HostBatch {
  std::vector<LoadedSample> samples;
};

// Decodes `indices` with up to `workers` threads (0 or 1: on the calling thread).
std::vector<LoadedSample> load_samples(const Dataset& ds, const std::vector<int64_t>& indices, int workers);

// One rank's share of each batch in a data-parallel job: the sampler draws shards·batch indices
// (the same on every rank) and rank `index` keeps positions index·batch .. (index+1)·batch - 1, so
// the ranks together see exactly the batch one process would draw with shards·batch.
struct Shard {
  int64_t index = 0;
  int64_t count = 1;
};

class BatchLoader {
 public:
  // Samples only from the dataset's masked samples when `masked_only`. Keeps `prefetch` (≥ 1)
  // batches decoding ahead, each on up to `workers` threads (0: decoded on the calling thread
  // when asked for, no prefetch).
  BatchLoader(std::shared_ptr<const Dataset> dataset, int64_t batch, uint64_t seed, int workers, bool masked_only,
              int prefetch = 1, Shard shard = {});
  ~BatchLoader();
  HostBatch next();
  // Seconds the latest next() blocked on decoding (0 when the batch was ready): the training
  // loop's measure of whether the loader is the bottleneck.
  double last_wait_seconds() const { return last_wait_seconds_; }
  // State as of the batches handed out by next() (prefetched batches do not count).
  SamplerState state() const { return consumed_; }
  void restore(SamplerState s);

 private:
  struct Pending {
    std::future<HostBatch> batch;
    SamplerState after;  // sampler state once this batch is consumed
  };
  void fill();
  void drain();
  std::shared_ptr<const Dataset> dataset_;
  int64_t batch_;
  Shard shard_;
  int workers_;
  size_t depth_;
  EpochSampler sampler_;
  SamplerState consumed_;
  std::deque<Pending> pending_;
  double last_wait_seconds_ = 0;
};

}  // namespace s4seg
