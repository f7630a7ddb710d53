#include "data/decode_cache.h"

namespace s4seg {

void DecodeCache::set_limit(uint64_t bytes) {
  std::lock_guard<std::mutex> lock(mutex_);
  limit_ = bytes;
  evict_to(limit_);
}

std::shared_ptr<const LoadedSample> DecodeCache::find(int64_t index) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = by_index_.find(index);
  if (it == by_index_.end()) {
    ++stats_.misses;
    return nullptr;
  }
  ++stats_.hits;
  recency_.splice(recency_.begin(), recency_, it->second);
  return it->second->sample;
}

bool DecodeCache::put(int64_t index, std::shared_ptr<const LoadedSample> sample, uint64_t bytes) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (bytes > limit_) return false;  // larger than the whole budget (or caching off): never kept
  auto it = by_index_.find(index);
  if (it != by_index_.end()) erase(it->second);
  evict_to(limit_ - bytes);
  recency_.push_front(Entry{index, bytes, std::move(sample)});
  by_index_[index] = recency_.begin();
  stats_.bytes += bytes;
  return true;
}

DecodeCache::Stats DecodeCache::stats() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return stats_;
}

void DecodeCache::erase(std::list<Entry>::iterator it) {
  stats_.bytes -= it->bytes;
  by_index_.erase(it->index);
  recency_.erase(it);
}

void DecodeCache::evict_to(uint64_t limit) {
  while (stats_.bytes > limit) erase(std::prev(recency_.end()));
}

}  // namespace s4seg
