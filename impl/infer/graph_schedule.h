// When the inference forward of one input shape runs eagerly, is captured as a CUDA graph or
// replays one: the bookkeeping of infer/cuda_graphs.cpp, kept free of CUDA so that it builds and is
// tested on every LibTorch line, GPU or not.
#pragma once
#include <c10/core/ScalarType.h>

#include <cstddef>
#include <cstdint>
#include <list>
#include <string>
#include <vector>

namespace s4seg {

// What a captured graph is specific to: the input's sizes, strides (channels_last or not) and
// dtype, and the caller's variant (settings that change what the forward launches, e.g. autocast).
struct GraphKey {
  std::vector<int64_t> sizes;
  std::vector<int64_t> strides;
  c10::ScalarType dtype = c10::ScalarType::Float;
  int variant = 0;
  bool operator==(const GraphKey& o) const {
    return variant == o.variant && dtype == o.dtype && sizes == o.sizes && strides == o.strides;
  }
};

enum class GraphAction {
  RunEagerly,  // first sight of the key: a shape seen once (evaluation on many sizes) costs no capture
  Capture,     // second sight: capture now, after releasing Plan::release
  Replay,      // captured before
  Failed,      // its capture failed; Plan::failure says why (it is not tried again)
};

// Thread-safety: none; the owner (the model's InferenceGraphs) is guarded by Model::mutex.
class GraphSchedule {
 public:
  GraphSchedule(size_t max_captured, size_t max_tracked) : max_captured_(max_captured), max_tracked_(max_tracked) {}

  struct Plan {
    GraphAction action = GraphAction::RunEagerly;
    uint64_t id = 0;               // the key's graph, for the owner's own storage
    std::vector<uint64_t> release;  // graphs to free before capturing (least recently used first)
    std::string failure;
  };
  // Records a use of `key` (most recently used first) and says what to do. Keys beyond
  // max_tracked are forgotten (least recently used first), their graphs listed in `release`.
  Plan next(const GraphKey& key);
  // The outcome of a Capture plan: an empty `failure` is a graph to replay from now on.
  void captured(uint64_t id, const std::string& failure);

  size_t tracked() const { return entries_.size(); }
  size_t captured_count() const;

 private:
  struct Entry {
    GraphKey key;
    uint64_t id = 0;
    bool captured = false;
    std::string failure;
  };
  size_t max_captured_;
  size_t max_tracked_;
  uint64_t next_id_ = 1;
  std::list<Entry> entries_;  // most recently used first
};

}  // namespace s4seg
