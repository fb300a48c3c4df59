#include "runtime/split_watermarks.h"

#include <algorithm>

namespace fluvial::runtime {

void SplitWatermarks::SetSplits(const std::vector<int32_t>& splits, int64_t now) {
  enabled_ = true;
  listed_ = true;
  std::vector<Split> kept;
  kept.reserve(splits.size());
  for (int32_t id : splits) {
    auto found = std::find_if(splits_.begin(), splits_.end(), [id](const Split& s) { return s.id == id; });
    kept.push_back(found != splits_.end() ? *found : Split{id, kMinWatermark, now});
  }
  splits_ = std::move(kept);
  last_ = 0;
}

SplitWatermarks::Split* SplitWatermarks::Find(int32_t id, int64_t now) {
  if (last_ < splits_.size() && splits_[last_].id == id) return &splits_[last_];
  for (size_t i = 0; i < splits_.size(); ++i) {
    if (splits_[i].id == id) {
      last_ = i;
      return &splits_[i];
    }
  }
  if (listed_) return nullptr;
  splits_.push_back({id, kMinWatermark, now});
  last_ = splits_.size() - 1;
  return &splits_.back();
}

void SplitWatermarks::Observe(int32_t split, int64_t timestamp, int64_t now) {
  enabled_ = true;
  Split* entry = Find(split, now);
  if (entry == nullptr) return;
  entry->max_timestamp = std::max(entry->max_timestamp, timestamp);
  entry->last_active = now;
}

int64_t SplitWatermarks::Current(int64_t now) const {
  int64_t active = kMaxWatermark;
  int64_t idle = kMaxWatermark;  // over the idle splits that had records
  bool any_active = false;
  bool any_idle = false;
  for (const Split& split : splits_) {
    if (idle_timeout_ >= 0 && now - split.last_active >= idle_timeout_) {
      if (split.max_timestamp == kMinWatermark) continue;
      any_idle = true;
      idle = std::min(idle, split.max_timestamp - lag_);
      continue;
    }
    any_active = true;
    if (split.max_timestamp == kMinWatermark) return kMinWatermark;
    active = std::min(active, split.max_timestamp - lag_);
  }
  if (any_active) return active;
  // All idle: the splits that had records went quiet after them, so their
  // watermarks stand (an empty split that went idle at the same moment must not
  // hide them); the subtask is idle too, so nothing waits for more.
  return any_idle ? idle : kMinWatermark;
}

void SourceActivity::Track(bool had_records, int64_t now, Collector& out) {
  if (idle_timeout_ < 0) return;
  if (last_active_ == kMinWatermark || had_records) {
    last_active_ = now;
    if (idle_ && had_records) {
      idle_ = false;
      out.EmitWatermarkStatus(false);
    }
    return;
  }
  if (!idle_ && now - last_active_ >= idle_timeout_) {
    idle_ = true;
    out.EmitWatermarkStatus(true);
  }
}

}  // namespace fluvial::runtime
