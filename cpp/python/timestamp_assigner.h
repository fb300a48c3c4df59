#pragma once

#include <pybind11/pybind11.h>

#include <vector>

#include "python/object_batch.h"
#include "runtime/operator.h"
#include "runtime/split_watermarks.h"

namespace fluvial::python {

namespace py = pybind11;

/// A WatermarkStrategy at work: gives records their timestamps with the
/// user's TimestampAssigner and derives watermarks from the largest
/// timestamp seen, as Flink's bounded-out-of-orderness generator does
/// (watermark = max timestamp - delay - 1; monotonous = delay 0).
///
/// Reads spec["timestamp_assigner"] (callable(value, record_timestamp) or
/// None), spec["watermark_delay"] (ms, or None for no watermarks) and
/// spec["idle_timeout"] (ms, or None: a source subtask without records for
/// that long is marked idle, so event time downstream moves without it).
///
/// A source whose reader names the split of every record (SplitBatch) gets
/// watermarks per split (runtime::SplitWatermarks): the watermark is the
/// minimum over the splits that are not idle, as Flink's KafkaSource.
class TimestampAssigner {
 public:
  explicit TimestampAssigner(const py::dict& spec);
  bool active() const { return !assigner_.is_none() || emits_watermarks_; }

  /// Sets the timestamp of every record in 'batch' (GIL held). With 'splits'
  /// (one per record), each record's timestamp counts for its split, at 'now'.
  void Assign(ObjectBatch& batch, const int32_t* splits = nullptr, int64_t now = 0);
  /// Sets the splits the source reads at 'now' (see SplitWatermarks::SetSplits).
  void SetSplits(const std::vector<int32_t>& splits, int64_t now) { splits_.SetSplits(splits, now); }
  /// Goes back to one watermark for the subtask (the reader sent records
  /// without splits: a HybridSource switched from Kafka to another source).
  void ForgetSplits() {
    if (splits_.enabled()) splits_ = runtime::SplitWatermarks(delay_ + 1, idle_timeout_);
  }
  /// Emits a watermark if it moved forward: the largest timestamp's, or with
  /// splits, the minimum over the splits active at 'now'.
  void EmitWatermark(runtime::Collector& out, int64_t now = 0);
  /// Records that a poll at 'now' (ms) did or did not bring records, and
  /// emits the idle or active status when it changes.
  void TrackActivity(bool had_records, int64_t now, runtime::Collector& out) {
    activity_.Track(had_records, now, out);
  }

 private:
  py::object assigner_;
  bool emits_watermarks_ = false;
  int64_t delay_ = 0;
  int64_t max_timestamp_ = runtime::kMinWatermark;
  int64_t last_watermark_ = runtime::kMinWatermark;
  int64_t idle_timeout_ = -1;  // ms; negative: never idle
  runtime::SplitWatermarks splits_{0, -1};
  runtime::SourceActivity activity_{-1};
};

}  // namespace fluvial::python
