// OVER aggregations: SUM(x) OVER (PARTITION BY p ORDER BY time ROWS|RANGE
// BETWEEN ... PRECEDING AND CURRENT ROW). Every input row comes out once,
// with the aggregates over its frame appended. With event time, rows wait
// until the watermark passes them and are then taken in time order (rows
// later than the watermark are late and dropped, as in Flink); with
// processing time they are taken as they arrive.
//
// The aggregates slide: a row entering the frame is accumulated, a row
// leaving it retracted (the built-in aggregates all retract), so a frame
// costs O(1) per row whatever its size. RANGE frames treat rows with the
// same time as peers: they enter together and share their result.
//
// Checkpoints hold the rows of every partition's current frame (in order) and
// the rows waiting for the watermark, each with its time, under the key group
// of its partition, and the watermark; on restore the frames' rows are
// accumulated again.
#include <arrow/compute/api.h>
#include <arrow/compute/exec.h>
#include <arrow/compute/row/grouper.h>

#include <deque>
#include <map>

#include "common/errors.h"
#include "table/aggregates.h"
#include "table/columnar_batch.h"
#include "table/group_table.h"
#include "table/key_grouper.h"
#include "table/key_hash.h"
#include "table/row_store.h"
#include "table/table_state.h"
#include "table/table_support.h"

namespace fluvial::table {

std::vector<AggregateCall> ReadAggregateCalls(const py::handle& calls);

namespace {

class OverAggregateOperator : public TableOperator {
 public:
  explicit OverAggregateOperator(const py::dict& spec)
      : TableOperator(spec),
        partition_(IntList(spec["partition"])),
        calls_(ReadAggregateCalls(spec["calls"])),
        input_schema_(ImportSchema(spec["input_schema"])),
        output_schema_(ImportSchema(spec["output_schema"])),
        rows_frame_(spec["frame"].cast<std::string>() == "rows"),
        preceding_(spec["preceding"].cast<int64_t>()),
        event_time_(spec["event_time"].cast<bool>()),
        grouper_(partition_, *input_schema_, "OVER") {
    const int first_value = input_schema_->num_fields();
    for (size_t i = 0; i < calls_.size(); ++i) {
      auto input_type = calls_[i].input >= 0 ? input_schema_->field(calls_[i].input)->type() : arrow::int64();
      aggregates_.push_back(MakeAggregate(calls_[i].kind, input_type,
                                          output_schema_->field(first_value + static_cast<int>(i))->type()));
    }
    Restore();
  }

  void Open(const runtime::OperatorInfo& info) override {
    key_group_begin_ = info.key_group_begin;
    key_group_end_ = info.key_group_end;
  }

  void ProcessBatch(int, runtime::BatchPtr batch, runtime::Collector& out) override {
    auto& input = AsColumnar(*batch);
    const int64_t rows = input.data->num_rows();
    if (rows == 0) return;
    for (int64_t row = 0; row < rows; ++row) {
      if (!IsAccumulate(input.kind(static_cast<size_t>(row)))) {
        throw UserError("OVER aggregations need an append-only input");
      }
    }
    if (event_time_ && input.timestamps.empty()) {
      throw UserError("OVER ... ORDER BY an event-time attribute needs rows with event time (a WATERMARK)");
    }
    std::vector<uint32_t> groups = grouper_.Consume(*input.data);
    const int64_t first = store_.Append(input.data);
    for (int64_t row = 0; row < rows; ++row) {
      const int64_t time = event_time_ ? input.timestamps[row] : sequence_++;
      if (event_time_ && time <= watermark_) {
        continue;  // late: dropped, as Flink does
      }
      pending_.emplace(std::make_pair(time, first + row), groups[row]);
    }
    if (!event_time_) Emit(runtime::kMaxWatermark, out);
  }

  void ProcessWatermark(int64_t watermark, runtime::Collector& out) override {
    watermark_ = std::max(watermark_, watermark);
    if (event_time_) Emit(watermark_, out);
    out.EmitWatermark(watermark);
  }

 protected:
  // The rows of the frames (in order, "__in_frame" true) and those waiting for the watermark, with
  // "__time", under the key groups of their partition; and the watermark.
  std::vector<StatePart> SnapshotTables() override {
    std::vector<int64_t> ids;
    arrow::Int64Builder times;
    arrow::BooleanBuilder in_frame;
    auto add = [&](int64_t id, int64_t time, bool framed) {
      ids.push_back(id);
      CheckArrow(times.Append(time), "snapshotting an OVER aggregation");
      CheckArrow(in_frame.Append(framed), "snapshotting an OVER aggregation");
    };
    for (const Partition& partition : partitions_) {
      for (const auto& [time, id] : partition.frame) add(id, time, true);
    }
    for (const auto& [entry, group] : pending_) add(entry.second, entry.first, false);
    auto rows = arrow::RecordBatch::Make(input_schema_, static_cast<int64_t>(ids.size()), store_.Take(ids, input_schema_));
    std::vector<int32_t> key_groups = KeyGroupsOf(*rows, partition_, max_parallelism());
    rows = WithStateColumn(rows, "__time", ValueOrThrow(times.Finish(), "snapshotting an OVER aggregation"));
    rows = WithStateColumn(rows, "__in_frame", ValueOrThrow(in_frame.Finish(), "snapshotting an OVER aggregation"));
    return {{"rows", WithKeyGroups(rows, key_groups)}, WatermarkPart(watermark_, key_group_begin_, key_group_end_)};
  }

 private:
  // Puts back the frames (accumulating their rows again) and the waiting rows; and the watermark.
  void Restore() {
    for (const auto& restored : RestoredPart("rows")) {
      auto rows = RestoredRows(restored, input_schema_, 2, "rows of the OVER aggregation");
      const auto& times = static_cast<const arrow::Int64Array&>(*restored->column(input_schema_->num_fields()));
      const auto& in_frame = static_cast<const arrow::BooleanArray&>(*restored->column(input_schema_->num_fields() + 1));
      std::vector<uint32_t> groups = grouper_.Consume(*rows);
      const int64_t first = store_.Append(rows);
      for (int64_t row = 0; row < rows->num_rows(); ++row) {
        const int64_t time = times.Value(row);
        if (!in_frame.Value(row)) {
          pending_.emplace(std::make_pair(time, first + row), groups[row]);
          continue;
        }
        Partition& partition = PartitionOf(groups[row]);
        Apply(groups[row], first + row, false);
        partition.frame.emplace_back(time, first + row);
        if (!event_time_) sequence_ = std::max(sequence_, time + 1);
      }
    }
    watermark_ = RestoredWatermark(watermark_);
  }

  struct Partition {
    std::deque<std::pair<int64_t, int64_t>> frame;  // (time, row id) of the rows in the current frame
  };

  // Takes the pending rows up to 'until' in time order, each with its frame's aggregates.
  void Emit(int64_t until, runtime::Collector& out) {
    std::vector<int64_t> emitted_rows;
    std::vector<int64_t> emitted_times;
    std::vector<std::vector<std::shared_ptr<arrow::Array>>> values(aggregates_.size());
    while (!pending_.empty() && pending_.begin()->first.first <= until) {
      // RANGE: all rows of one partition with the same time enter together (peers).
      const int64_t time = pending_.begin()->first.first;
      const uint32_t group = pending_.begin()->second;
      std::vector<int64_t> peers;
      if (rows_frame_) {
        peers.push_back(pending_.begin()->first.second);
        pending_.erase(pending_.begin());
      } else {
        for (auto it = pending_.begin(); it != pending_.end() && it->first.first == time;) {
          if (it->second == group) {
            peers.push_back(it->first.second);
            it = pending_.erase(it);
          } else {
            ++it;
          }
        }
      }
      Partition& partition = PartitionOf(group);
      for (int64_t id : peers) {
        Apply(group, id, false);
        partition.frame.emplace_back(time, id);
      }
      // Retract what left the frame: beyond N preceding rows, or older than the interval.
      while (!partition.frame.empty()) {
        const auto& oldest = partition.frame.front();
        const bool leaves = rows_frame_
                                ? preceding_ >= 0 && static_cast<int64_t>(partition.frame.size()) > preceding_ + 1
                                : preceding_ >= 0 && oldest.first < time - preceding_;
        if (!leaves) break;
        Apply(group, oldest.second, true);
        partition.frame.pop_front();
      }
      for (size_t i = 0; i < aggregates_.size(); ++i) {
        auto value = aggregates_[i]->Output({group});
        for (size_t p = 0; p < peers.size(); ++p) values[i].push_back(value);
      }
      for (int64_t id : peers) {
        emitted_rows.push_back(id);
        emitted_times.push_back(time);
      }
    }
    if (emitted_rows.empty()) return;
    std::vector<std::shared_ptr<arrow::Array>> columns = store_.Take(emitted_rows, input_schema_);
    for (auto& pieces : values) columns.push_back(ValueOrThrow(arrow::Concatenate(pieces), "OVER output"));
    auto result = std::make_unique<ColumnarBatch>(
        arrow::RecordBatch::Make(output_schema_, static_cast<int64_t>(emitted_rows.size()), columns));
    if (event_time_) result->timestamps = std::move(emitted_times);
    out.Collect(std::move(result));
  }

  // The partition 'group', made (with its aggregates) on first use.
  Partition& PartitionOf(uint32_t group) {
    if (group >= partitions_.size()) {
      partitions_.resize(group + 1);
      for (auto& aggregate : aggregates_) aggregate->Resize(partitions_.size());
    }
    return partitions_[group];
  }

  // Accumulates (or retracts) stored row 'id' into the aggregates of 'group' (made before).
  void Apply(uint32_t group, int64_t id, bool retract) {
    auto [batch, offset] = store_.Locate(id);
    const std::vector<bool> flags{retract};
    for (size_t i = 0; i < aggregates_.size(); ++i) {
      std::shared_ptr<arrow::Array> value =
          calls_[i].input >= 0 ? batch->column(calls_[i].input)->Slice(offset, 1) : nullptr;
      aggregates_[i]->Update(&group, 1, value.get(), flags);
    }
  }

  std::vector<int> partition_;
  std::vector<AggregateCall> calls_;
  std::shared_ptr<arrow::Schema> input_schema_;
  std::shared_ptr<arrow::Schema> output_schema_;
  bool rows_frame_;
  int64_t preceding_;  // rows or milliseconds; -1: UNBOUNDED PRECEDING
  bool event_time_;
  KeyGrouper grouper_;
  std::vector<std::unique_ptr<Aggregate>> aggregates_;
  RowStore store_;
  std::map<std::pair<int64_t, int64_t>, uint32_t> pending_;  // (time, row id) → partition
  std::vector<Partition> partitions_;
  int64_t watermark_ = runtime::kMinWatermark;
  int64_t sequence_ = 0;
  uint32_t key_group_begin_ = 0;
  uint32_t key_group_end_ = 0;
};

}  // namespace

std::unique_ptr<runtime::Operator> MakeOverAggregateOperator(const py::dict& spec) {
  return std::make_unique<OverAggregateOperator>(spec);
}

}  // namespace fluvial::table
