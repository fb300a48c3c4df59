#pragma once

#include <pybind11/pybind11.h>

#include "python/object_batch.h"
#include "runtime/operator.h"

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
class TimestampAssigner {
 public:
  explicit TimestampAssigner(const py::dict& spec);
  bool active() const { return !assigner_.is_none() || emits_watermarks_; }

  /// Sets the timestamp of every record in 'batch' (GIL held).
  void Assign(ObjectBatch& batch);
  /// Emits a watermark if the largest timestamp moved it forward.
  void EmitWatermark(runtime::Collector& out);
  /// Records that a poll at 'now' (ms) did or did not bring records, and
  /// emits the idle or active status when it changes.
  void TrackActivity(bool had_records, int64_t now, runtime::Collector& out);

 private:
  py::object assigner_;
  bool emits_watermarks_ = false;
  int64_t delay_ = 0;
  int64_t max_timestamp_ = runtime::kMinWatermark;
  int64_t last_watermark_ = runtime::kMinWatermark;
  int64_t idle_timeout_ = -1;  // ms; negative: never idle
  int64_t last_active_ = runtime::kMinWatermark;
  bool idle_ = false;
};

}  // namespace fluvial::python
