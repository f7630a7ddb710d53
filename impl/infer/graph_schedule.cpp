#include "infer/graph_schedule.h"

#include <algorithm>

namespace s4seg {

size_t GraphSchedule::captured_count() const {
  return static_cast<size_t>(std::count_if(entries_.begin(), entries_.end(), [](const Entry& e) { return e.captured; }));
}

GraphSchedule::Plan GraphSchedule::next(const GraphKey& key) {
  Plan plan;
  auto it = std::find_if(entries_.begin(), entries_.end(), [&](const Entry& e) { return e.key == key; });
  if (it == entries_.end()) {
    Entry e;
    e.key = key;
    e.id = next_id_++;
    entries_.push_front(std::move(e));
    while (entries_.size() > max_tracked_) {
      if (entries_.back().captured) plan.release.push_back(entries_.back().id);
      entries_.pop_back();
    }
    plan.action = GraphAction::RunEagerly;
    plan.id = entries_.front().id;
    return plan;
  }
  entries_.splice(entries_.begin(), entries_, it);
  Entry& e = entries_.front();
  plan.id = e.id;
  if (!e.failure.empty()) {
    plan.action = GraphAction::Failed;
    plan.failure = e.failure;
    return plan;
  }
  if (e.captured) {
    plan.action = GraphAction::Replay;
    return plan;
  }
  // Room for one more graph: the least recently used captured ones go first.
  size_t captured = captured_count();
  for (auto r = entries_.rbegin(); captured >= max_captured_ && r != entries_.rend(); ++r)
    if (r->captured) {
      r->captured = false;  // seen again later, it is captured again
      plan.release.push_back(r->id);
      --captured;
    }
  plan.action = GraphAction::Capture;
  return plan;
}

void GraphSchedule::captured(uint64_t id, const std::string& failure) {
  for (Entry& e : entries_)
    if (e.id == id) {
      e.captured = failure.empty();
      e.failure = failure;
      return;
    }
}

}  // namespace s4seg
