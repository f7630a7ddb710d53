// A bounded, least-recently-used store of decoded file-backed samples, keyed by dataset index, so
// that epochs after the first skip PNG/JPEG decoding for whatever fits. Thread-safe: the dataset's
// const load() calls it from several worker threads at once.
#pragma once
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <unordered_map>

namespace s4seg {

struct LoadedSample;

class DecodeCache {
 public:
  struct Stats {
    uint64_t bytes = 0;  // pixel bytes held now (image + mask), never above the limit
    uint64_t hits = 0;
    uint64_t misses = 0;  // lookups that found nothing: the caller decodes from disk
  };

  // Evicts least recently used samples at once until `bytes` holds; 0 keeps nothing.
  void set_limit(uint64_t bytes);
  // The sample kept for `index`, now the most recently used; null (a miss) when none is.
  std::shared_ptr<const LoadedSample> find(int64_t index);
  // Keeps `sample` (of `bytes` pixel bytes) when it fits the limit at all, evicting others as needed;
  // returns whether it was kept. Two threads that both missed may offer the same index: the later
  // replaces the earlier.
  bool put(int64_t index, std::shared_ptr<const LoadedSample> sample, uint64_t bytes);
  Stats stats() const;

 private:
  struct Entry {
    int64_t index;
    uint64_t bytes;
    std::shared_ptr<const LoadedSample> sample;
  };
  void erase(std::list<Entry>::iterator it);
  void evict_to(uint64_t limit);

  mutable std::mutex mutex_;
  uint64_t limit_ = 0;
  Stats stats_;
  std::list<Entry> recency_;  // front: most recently used
  std::unordered_map<int64_t, std::list<Entry>::iterator> by_index_;
};

}  // namespace s4seg
