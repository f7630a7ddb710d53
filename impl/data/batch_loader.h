// Endless shuffled batches of decoded samples, prepared one batch ahead on worker threads.
#pragma once
#include <cstdint>
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

class BatchLoader {
 public:
  // Samples only from the dataset's masked samples when `masked_only`.
  BatchLoader(std::shared_ptr<const Dataset> dataset, int64_t batch, uint64_t seed, int workers, bool masked_only);
  ~BatchLoader();
  HostBatch next();
  // State as of the batches handed out by next() (a prefetched batch does not count).
  SamplerState state() const { return consumed_; }
  void restore(SamplerState s);

 private:
  void schedule();
  void drain();
  std::shared_ptr<const Dataset> dataset_;
  int64_t batch_;
  int workers_;
  EpochSampler sampler_;
  SamplerState consumed_;
  std::future<HostBatch> pending_;
  SamplerState pending_after_;
};

}  // namespace s4seg
