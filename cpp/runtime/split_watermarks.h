#pragma once

#include <cstdint>
#include <vector>

#include "runtime/operator.h"

namespace fluvial::runtime {

/// Event time per split (a Kafka partition; any source whose reader knows the
/// split of each record) of one source subtask, as Flink's KafkaSource keeps it:
/// every split has its own watermark generator (largest timestamp - lag), and the
/// subtask's watermark is the minimum over its splits that are not idle, so a
/// split far ahead does not make the records of a split behind it late. A split
/// that has no record yet holds the watermark back, unless an idle timeout is
/// set: a split without records for that long stops counting until it has
/// records again. Splits are named by small ints the reader chooses.
///
/// Not thread-safe; one instance per source subtask, used on its thread.
class SplitWatermarks {
 public:
  /// 'lag': a split's watermark is its largest timestamp - lag. 'idle_timeout'
  /// (ms): a split without records for that long is idle; negative: never.
  SplitWatermarks(int64_t lag, int64_t idle_timeout) : lag_(lag), idle_timeout_(idle_timeout) {}

  /// Sets the splits being read at 'now' (ms): splits not listed (finished,
  /// moved away) are forgotten; new ones start without a timestamp, active.
  void SetSplits(const std::vector<int32_t>& splits, int64_t now);
  /// Records that 'split' delivered a record with 'timestamp' at 'now'. An
  /// unknown split is added, unless SetSplits was called and left it out: then
  /// it has finished (its last records count for no watermark).
  void Observe(int32_t split, int64_t timestamp, int64_t now);
  /// Returns the subtask's watermark at 'now': the minimum over the splits that
  /// are not idle; kMinWatermark while one of them has no record yet. When all
  /// are idle, the minimum over those that had records (kMinWatermark if none).
  int64_t Current(int64_t now) const;

  /// Returns whether the reader ever named a split (the mechanism is in use).
  bool enabled() const { return enabled_; }
  size_t size() const { return splits_.size(); }

 private:
  struct Split {
    int32_t id;
    int64_t max_timestamp;
    int64_t last_active;
  };
  Split* Find(int32_t id, int64_t now);

  int64_t lag_;
  int64_t idle_timeout_;
  bool enabled_ = false;
  bool listed_ = false;  // SetSplits was called: unknown splits have finished
  std::vector<Split> splits_;  // a subtask reads few splits: a vector beats a map
  size_t last_ = 0;            // records come in runs from one split: try the last one first
};

/// Whether a source subtask is idle: without records for 'idle_timeout' ms
/// (Flink's WatermarkStrategy.with_idleness, and table.exec.source.idle-timeout
/// for SQL). An idle subtask tells downstream so (EmitWatermarkStatus), and
/// event time there moves without it until it has records again.
class SourceActivity {
 public:
  /// 'idle_timeout' in ms; negative: never idle.
  explicit SourceActivity(int64_t idle_timeout) : idle_timeout_(idle_timeout) {}

  /// Records that a poll at 'now' (ms) did or did not bring records, and
  /// emits the idle or active status to 'out' when it changes.
  void Track(bool had_records, int64_t now, Collector& out);

 private:
  int64_t idle_timeout_;
  int64_t last_active_ = kMinWatermark;
  bool idle_ = false;
};

}  // namespace fluvial::runtime
