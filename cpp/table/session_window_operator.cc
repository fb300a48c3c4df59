// Session windows (SESSION window TVF and GROUP BY SESSION(ts, gap)): per key,
// a row opens the window [ts, ts + gap) and windows that touch merge. A
// session is aggregated and emitted once, as inserts, when the watermark
// passes its end; rows for sessions already fired are late and dropped.
// On processing time (a PROCTIME() attribute) a row's time is the clock when
// the operator receives it, and a session fires when the clock reaches its
// last millisecond (end - 1), as Flink's processing-time trigger; sessions
// still open at the end of a bounded input fire then.
//
// Rows are kept until their session fires; firing aggregates the fired
// sessions' rows with the same GroupTable the other aggregations use (one
// group per session). Output columns: keys, built-in aggregates, Python
// aggregates, window_start, window_end — as the window aggregate operator.
#include <arrow/compute/api.h>
#include <arrow/compute/exec.h>
#include <arrow/compute/row/grouper.h>

#include <algorithm>

#include "common/errors.h"
#include "python/python_error.h"
#include "table/arrow_python.h"
#include "table/columnar_batch.h"
#include "table/group_table.h"
#include "table/key_grouper.h"
#include "table/key_hash.h"
#include "table/row_store.h"
#include "table/table_state.h"
#include "table/table_support.h"
#include "runtime/clock.h"

namespace fluvial::table {

std::vector<AggregateCall> ReadAggregateCalls(const py::handle& calls);

namespace {

class SessionWindowOperator : public TableOperator {
 public:
  explicit SessionWindowOperator(const py::dict& spec)
      : TableOperator(spec),
        keys_(IntList(spec["keys"])),
        calls_(ReadAggregateCalls(spec["calls"])),
        input_schema_(ImportSchema(spec["input_schema"])),
        output_schema_(ImportSchema(spec["output_schema"])),
        gap_(spec["size"].cast<int64_t>()),
        python_columns_(IntList(spec["python_columns"])),
        python_aggregate_(spec["python_aggregate"]),
        processing_time_(spec.contains("processing_time") && spec["processing_time"].cast<bool>()),
        grouper_(keys_, *input_schema_, "session window") {
    if (gap_ <= 0) throw UserError("a session gap must be positive");
    // The aggregation at firing groups by session: one uint32 key, then the aggregates.
    std::vector<std::shared_ptr<arrow::Field>> fields{arrow::field("__session", arrow::uint32())};
    for (size_t i = 0; i < calls_.size(); ++i) fields.push_back(output_schema_->field(static_cast<int>(keys_.size() + i)));
    aggregate_schema_ = arrow::schema(fields);
    for (const auto& rows : RestoredPart("sessions")) Restore(rows);
    watermark_ = RestoredWatermark(watermark_);
  }

  void Open(const runtime::OperatorInfo& info) override {
    clock_ = info.clock;
    key_group_begin_ = info.key_group_begin;
    key_group_end_ = info.key_group_end;
  }

  bool RequiresPython() const override { return !python_aggregate_.is_none(); }

  int64_t NextProcessingTimer() const override {
    if (!processing_time_) return runtime::kNoTimer;
    return next_timer_;
  }

  void OnProcessingTime(int64_t now, runtime::Collector& out) override {
    FireUpTo(now, out);
  }

  void Finish(runtime::Collector& out) override {
    if (processing_time_) FireUpTo(runtime::kMaxWatermark, out);
  }

  void ProcessBatch(int, runtime::BatchPtr batch, runtime::Collector&) override {
    auto& input = AsColumnar(*batch);
    const int64_t rows = input.data->num_rows();
    if (rows == 0) return;
    if (processing_time_) input.timestamps.assign(static_cast<size_t>(rows), clock_->NowMillis());
    if (input.timestamps.empty()) {
      throw UserError("a session window needs a time attribute: declare a WATERMARK on the source table's time column");
    }
    for (int64_t row = 0; row < rows; ++row) {
      if (!IsAccumulate(input.kind(static_cast<size_t>(row)))) {
        throw UserError("session windows over an updating input are not supported; they need an append-only input");
      }
    }
    std::vector<uint32_t> groups = grouper_.Consume(*input.data);
    const int64_t first = store_.Append(input.data);
    for (int64_t row = 0; row < rows; ++row) {
      const int64_t timestamp = input.timestamps[row];
      if (timestamp + gap_ - 1 <= watermark_) {
        continue;  // late: dropped, as Flink does
      }
      if (groups[row] >= sessions_.size()) sessions_.resize(groups[row] + 1);
      auto& sessions = sessions_[groups[row]];
      Session merged{timestamp, timestamp + gap_, {first + row}};
      // Merge every session that touches the new one (Flink's TimeWindow.intersects).
      for (size_t i = sessions.size(); i-- > 0;) {
        if (sessions[i].start <= merged.end && merged.start <= sessions[i].end) {
          merged.start = std::min(merged.start, sessions[i].start);
          merged.end = std::max(merged.end, sessions[i].end);
          merged.rows.insert(merged.rows.end(), sessions[i].rows.begin(), sessions[i].rows.end());
          sessions.erase(sessions.begin() + static_cast<std::ptrdiff_t>(i));
        }
      }
      sessions.push_back(std::move(merged));
      next_timer_ = std::min(next_timer_, sessions.back().end - 1);
    }
  }

  void ProcessWatermark(int64_t watermark, runtime::Collector& out) override {
    if (!processing_time_) {
      watermark_ = std::max(watermark_, watermark);
      FireUpTo(watermark_, out);
    }
    out.EmitWatermark(watermark);
  }

 protected:
  // The rows of every open session with the session's bounds, by the key group of their key; and
  // the watermark.
  std::vector<StatePart> SnapshotTables() override {
    std::vector<int64_t> ids;
    arrow::Int64Builder starts;
    arrow::Int64Builder ends;
    for (const auto& sessions : sessions_) {
      for (const auto& session : sessions) {
        for (int64_t id : session.rows) {
          ids.push_back(id);
          CheckArrow(starts.Append(session.start), "snapshotting a session");
          CheckArrow(ends.Append(session.end), "snapshotting a session");
        }
      }
    }
    auto rows = arrow::RecordBatch::Make(input_schema_, static_cast<int64_t>(ids.size()), store_.Take(ids, input_schema_));
    std::vector<int32_t> key_groups = KeyGroupsOf(*rows, keys_, max_parallelism());
    rows = ValueOrThrow(rows->AddColumn(rows->num_columns(), arrow::field("__session_start", arrow::int64()),
                                        ValueOrThrow(starts.Finish(), "snapshotting a session")),
                        "snapshotting a session");
    rows = ValueOrThrow(rows->AddColumn(rows->num_columns(), arrow::field("__session_end", arrow::int64()),
                                        ValueOrThrow(ends.Finish(), "snapshotting a session")),
                        "snapshotting a session");
    return {{"sessions", WithKeyGroups(rows, key_groups)},
            WatermarkPart(watermark_, key_group_begin_, key_group_end_)};
  }

 private:
  // Puts back snapshotted sessions: rows with their session's bounds (sessions of a key never overlap).
  void Restore(const std::shared_ptr<arrow::RecordBatch>& restored) {
    const int columns = input_schema_->num_fields();
    if (restored->num_columns() != columns + 2) {
      throw UserError("the checkpoint's session rows have " + std::to_string(restored->num_columns() - 2) +
                      " columns, the query's " + std::to_string(columns) + ": the query changed since the checkpoint");
    }
    const auto& starts = static_cast<const arrow::Int64Array&>(*restored->column(columns));
    const auto& ends = static_cast<const arrow::Int64Array&>(*restored->column(columns + 1));
    std::vector<std::shared_ptr<arrow::Array>> data(restored->columns().begin(), restored->columns().begin() + columns);
    auto rows = arrow::RecordBatch::Make(input_schema_, restored->num_rows(), data);
    std::vector<uint32_t> groups = grouper_.Consume(*rows);
    const int64_t first = store_.Append(rows);
    for (int64_t row = 0; row < rows->num_rows(); ++row) {
      if (groups[row] >= sessions_.size()) sessions_.resize(groups[row] + 1);
      auto& sessions = sessions_[groups[row]];
      auto found = std::find_if(sessions.begin(), sessions.end(), [&](const Session& session) {
        return session.start == starts.Value(row) && session.end == ends.Value(row);
      });
      if (found == sessions.end()) {
        sessions.push_back(Session{starts.Value(row), ends.Value(row), {}});
        found = sessions.end() - 1;
      }
      found->rows.push_back(first + row);
    }
  }

  struct Session {
    int64_t start;
    int64_t end;
    std::vector<int64_t> rows;
  };

  // Fires every session whose last millisecond is at or before 'time' (the
  // watermark, or the processing-time clock).
  void FireUpTo(int64_t time, runtime::Collector& out) {
    std::vector<Session> fired;
    int64_t next = runtime::kNoTimer;
    for (auto& sessions : sessions_) {
      for (size_t i = sessions.size(); i-- > 0;) {
        if (sessions[i].end - 1 <= time) {
          fired.push_back(std::move(sessions[i]));
          sessions.erase(sessions.begin() + static_cast<std::ptrdiff_t>(i));
        } else {
          next = std::min(next, sessions[i].end - 1);
        }
      }
    }
    next_timer_ = next;
    if (!fired.empty()) Fire(fired, out);
  }

  void Fire(std::vector<Session>& fired, runtime::Collector& out) {
    std::sort(fired.begin(), fired.end(), [](const Session& a, const Session& b) { return a.end < b.end; });
    // The fired sessions' rows, session after session, each tagged with its session number.
    std::vector<int64_t> ids;
    arrow::UInt32Builder session_numbers;
    std::vector<int64_t> first_rows;
    for (size_t s = 0; s < fired.size(); ++s) {
      first_rows.push_back(static_cast<int64_t>(ids.size()));
      for (int64_t id : fired[s].rows) {
        ids.push_back(id);
        CheckArrow(session_numbers.Append(static_cast<uint32_t>(s)), "session window");
      }
    }
    auto columns = store_.Take(ids, input_schema_);
    auto rows = arrow::RecordBatch::Make(input_schema_, static_cast<int64_t>(ids.size()), columns);
    auto session_column = ValueOrThrow(session_numbers.Finish(), "session window");
    auto tagged = ValueOrThrow(rows->AddColumn(rows->num_columns(), "__session", session_column), "session window");
    GroupTable table({tagged->num_columns() - 1}, calls_, tagged->schema(), aggregate_schema_);
    std::vector<uint32_t> groups = table.Consume(*tagged);  // group g = session g: rows come in session order
    table.Update(groups, *tagged, std::vector<bool>(groups.size(), false));
    std::vector<uint32_t> all(fired.size());
    for (uint32_t s = 0; s < all.size(); ++s) all[s] = s;
    auto values = table.Output(all);

    std::vector<std::shared_ptr<arrow::Array>> output;
    arrow::Int64Builder first_builder;
    CheckArrow(first_builder.AppendValues(first_rows), "session window");
    auto firsts = ValueOrThrow(first_builder.Finish(), "session window");
    for (int column : keys_) {
      output.push_back(ValueOrThrow(arrow::compute::Take(*tagged->column(column), *firsts), "session window"));
    }
    for (int i = 1; i < values->num_columns(); ++i) output.push_back(values->column(i));
    const int64_t count = static_cast<int64_t>(fired.size());
    if (!python_aggregate_.is_none()) {
      std::vector<std::shared_ptr<arrow::Array>> inputs;
      std::vector<std::shared_ptr<arrow::Field>> fields;
      for (int column : python_columns_) {
        inputs.push_back(tagged->column(column));
        fields.push_back(tagged->schema()->field(column));
      }
      inputs.push_back(session_column);
      fields.push_back(arrow::field("__group", arrow::uint32()));
      py::list batches;
      batches.append(ExportRecordBatch(arrow::RecordBatch::Make(arrow::schema(fields), tagged->num_rows(), inputs)));
      py::object results;
      try {
        results = python_aggregate_(batches, count);
      } catch (py::error_already_set& error) {
        error.restore();
        python::ThrowPythonError();
      }
      for (const py::handle& result : results) output.push_back(ImportArray(result));
    }
    arrow::TimestampBuilder starts(arrow::timestamp(arrow::TimeUnit::MILLI), arrow::default_memory_pool());
    arrow::TimestampBuilder ends(arrow::timestamp(arrow::TimeUnit::MILLI), arrow::default_memory_pool());
    std::vector<int64_t> times;
    for (const auto& session : fired) {
      CheckArrow(starts.Append(session.start), "session window");
      CheckArrow(ends.Append(session.end), "session window");
      times.push_back(session.end - 1);
    }
    for (auto* builder : {&starts, &ends}) {
      auto array = ValueOrThrow(builder->Finish(), "session window");
      output.push_back(ToArray(array, count, output_schema_->field(static_cast<int>(output.size()))->type()));
    }
    auto result = std::make_unique<ColumnarBatch>(arrow::RecordBatch::Make(output_schema_, count, output));
    result->timestamps = std::move(times);
    out.Collect(std::move(result));
  }

  std::vector<int> keys_;
  std::vector<AggregateCall> calls_;
  std::shared_ptr<arrow::Schema> input_schema_;
  std::shared_ptr<arrow::Schema> output_schema_;
  std::shared_ptr<arrow::Schema> aggregate_schema_;
  int64_t gap_;
  std::vector<int> python_columns_;
  py::object python_aggregate_;
  bool processing_time_;
  KeyGrouper grouper_;
  RowStore store_;
  const runtime::Clock* clock_ = nullptr;
  std::vector<std::vector<Session>> sessions_;  // per key: its open sessions
  uint32_t key_group_begin_ = 0;
  uint32_t key_group_end_ = 0;
  int64_t watermark_ = runtime::kMinWatermark;
  int64_t next_timer_ = runtime::kNoTimer;  // the earliest open session's last millisecond
};

}  // namespace

std::unique_ptr<runtime::Operator> MakeSessionWindowOperator(const py::dict& spec) {
  return std::make_unique<SessionWindowOperator>(spec);
}

}  // namespace fluvial::table
