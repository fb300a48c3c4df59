// Window aggregation for the window TVFs (TUMBLE, HOP, CUMULATE) and the
// group-window functions: rows are assigned to their windows by event time,
// aggregated per (window, key) and emitted once, as inserts, when the
// watermark passes the window's end. Rows for windows already fired are late
// and dropped, as in Flink SQL.
//
// Output columns: keys, built-in aggregates, Python aggregates, window_start,
// window_end (timestamps); the planner reorders them with a projection.
#include <arrow/compute/api.h>

#include <map>

#include "common/errors.h"
#include "python/python_error.h"
#include "table/arrow_python.h"
#include "table/columnar_batch.h"
#include "table/group_table.h"
#include "table/key_hash.h"
#include "table/table_state.h"
#include "table/table_support.h"
#include "table/window_assigner.h"
#include "runtime/clock.h"

namespace fluvial::table {

std::vector<AggregateCall> ReadAggregateCalls(const py::handle& calls);

namespace {

class WindowAggregateOperator : public TableOperator {
 public:
  explicit WindowAggregateOperator(const py::dict& spec)
      : TableOperator(spec),
        keys_(IntList(spec["keys"])),
        calls_(ReadAggregateCalls(spec["calls"])),
        input_schema_(ImportSchema(spec["input_schema"])),
        output_schema_(ImportSchema(spec["output_schema"])),
        windows_of_(spec["window"].cast<std::string>(), spec["size"].cast<int64_t>(), spec["slide"].cast<int64_t>(),
                    spec["offset"].cast<int64_t>()),
        python_columns_(IntList(spec["python_columns"])),
        python_aggregate_(spec["python_aggregate"]),
        processing_time_(spec.contains("processing_time") && spec["processing_time"].cast<bool>()) {
    Restore();
  }

  void Open(const runtime::OperatorInfo& info) override {
    clock_ = info.clock;
    key_group_begin_ = info.key_group_begin;
    key_group_end_ = info.key_group_end;
  }

  // Processing-time windows: a row belongs to the windows of the moment it arrives, and a
  // window fires when the clock passes its end.
  int64_t NextProcessingTimer() const override {
    if (!processing_time_ || windows_.empty()) return runtime::kNoTimer;
    return windows_.begin()->first;
  }

  void OnProcessingTime(int64_t now, runtime::Collector& out) override {
    while (!windows_.empty() && windows_.begin()->first <= now) {
      auto node = windows_.extract(windows_.begin());
      Fire(node.key(), node.mapped(), out);
    }
  }

  void Finish(runtime::Collector& out) override {
    // At the end of a bounded input, processing-time windows still open fire (Flink's batch-like end).
    if (!processing_time_) return;
    while (!windows_.empty()) {
      auto node = windows_.extract(windows_.begin());
      Fire(node.key(), node.mapped(), out);
    }
  }

  bool RequiresPython() const override { return !python_aggregate_.is_none(); }

  void ProcessBatch(int, runtime::BatchPtr batch, runtime::Collector&) override {
    auto& input = AsColumnar(*batch);
    if (processing_time_) input.timestamps.assign(input.size(), clock_->NowMillis());
    if (input.timestamps.empty() && input.size() > 0) {
      throw UserError("a window aggregation needs a time attribute: declare a WATERMARK on the source table's "
                      "time column (or use PROCTIME())");
    }
    for (size_t row = 0; row < input.size(); ++row) {
      if (!IsAccumulate(input.kind(row))) {
        throw UserError("window aggregation over an updating input is not supported; it needs an append-only input");
      }
    }
    // Rows per window end, in row order.
    std::map<int64_t, std::vector<uint32_t>> rows_by_end;
    for (size_t row = 0; row < input.size(); ++row) {
      const int64_t timestamp = input.timestamps[row];
      windows_of_.ForEachWindow(timestamp, [&](int64_t start, int64_t end) {
        if (end - 1 <= watermark_) return;  // late: the window fired already
        auto& window = windows_[end];
        window.start = start;
        rows_by_end[end].push_back(static_cast<uint32_t>(row));
      });
    }
    for (auto& [end, rows] : rows_by_end) {
      auto selected = input.Select(rows);
      auto& data = *AsColumnar(*selected).data;
      auto& window = windows_[end];
      if (!window.table) window.table = std::make_unique<GroupTable>(keys_, calls_, input_schema_, output_schema_);
      std::vector<uint32_t> groups = window.table->Consume(data);
      window.table->Update(groups, data, std::vector<bool>(groups.size(), false));
      if (!python_aggregate_.is_none()) {
        std::vector<std::shared_ptr<arrow::Array>> columns;
        std::vector<std::shared_ptr<arrow::Field>> fields;
        for (int column : python_columns_) {
          columns.push_back(data.column(column));
          fields.push_back(data.schema()->field(column));
        }
        arrow::UInt32Builder builder;
        CheckArrow(builder.AppendValues(groups), "window aggregation");
        columns.push_back(ValueOrThrow(builder.Finish(), "window aggregation"));
        fields.push_back(arrow::field("__group", arrow::uint32()));
        window.python_inputs.push_back(arrow::RecordBatch::Make(arrow::schema(fields), data.num_rows(), columns));
      }
    }
  }

  void ProcessWatermark(int64_t watermark, runtime::Collector& out) override {
    if (processing_time_) {
      out.EmitWatermark(watermark);
      return;
    }
    watermark_ = std::max(watermark_, watermark);
    while (!windows_.empty() && windows_.begin()->first - 1 <= watermark_) {
      auto node = windows_.extract(windows_.begin());
      Fire(node.key(), node.mapped(), out);
    }
    out.EmitWatermark(watermark);
  }

 protected:
  // Every open window's groups (keys, row counts, accumulators) with the window's bounds, and the
  // watermark once per owned key group (a subtask restored with some of them takes the smallest).
  std::vector<StatePart> SnapshotTables() override {
    std::vector<StatePart> parts;
    std::vector<int> key_columns(keys_.size());
    for (size_t i = 0; i < keys_.size(); ++i) key_columns[i] = static_cast<int>(i);
    for (const auto& [end, window] : windows_) {
      if (!window.table) continue;
      auto groups = window.table->Snapshot();
      groups = AppendTime(AppendTime(groups, "__window_start", window.start), "__window_end", end);
      parts.push_back({"windows", WithKeyGroups(groups, KeyGroupsOf(*groups, key_columns, max_parallelism()))});
      if (!python_aggregate_.is_none()) {
        for (const auto& batch : window.python_inputs) {
          auto rows = PythonRows(*window.table, *batch, window.start, end);
          parts.push_back({"python_rows", WithKeyGroups(rows, KeyGroupsOf(*rows, key_columns, max_parallelism()))});
        }
      }
    }
    parts.push_back(WatermarkPart(watermark_, key_group_begin_, key_group_end_));
    return parts;
  }

 private:
  static std::shared_ptr<arrow::RecordBatch> AppendTime(const std::shared_ptr<arrow::RecordBatch>& batch,
                                                        const std::string& name, int64_t value) {
    arrow::Int64Builder builder;
    for (int64_t row = 0; row < batch->num_rows(); ++row) CheckArrow(builder.Append(value), "snapshotting a window");
    return ValueOrThrow(batch->AddColumn(batch->num_columns(), arrow::field(name, arrow::int64()),
                                         ValueOrThrow(builder.Finish(), "snapshotting a window")),
                        "snapshotting a window");
  }

  // A Python aggregate's buffered argument rows for a checkpoint: each row's group keys (group ids
  // are the table's own, renumbered on restore), its arguments, and the window's bounds.
  std::shared_ptr<arrow::RecordBatch> PythonRows(const GroupTable& table, const arrow::RecordBatch& batch,
                                                 int64_t start, int64_t end) const {
    const auto& group_column = static_cast<const arrow::UInt32Array&>(*batch.column(batch.num_columns() - 1));
    std::vector<uint32_t> groups(group_column.raw_values(), group_column.raw_values() + group_column.length());
    auto keys = table.Output(groups);
    std::vector<std::shared_ptr<arrow::Field>> fields;
    std::vector<std::shared_ptr<arrow::Array>> columns;
    for (size_t i = 0; i < keys_.size(); ++i) {
      fields.push_back(keys->schema()->field(static_cast<int>(i)));
      columns.push_back(keys->column(static_cast<int>(i)));
    }
    for (int i = 0; i + 1 < batch.num_columns(); ++i) {
      fields.push_back(batch.schema()->field(i));
      columns.push_back(batch.column(i));
    }
    auto rows = arrow::RecordBatch::Make(arrow::schema(fields), batch.num_rows(), columns);
    return AppendTime(AppendTime(rows, "__window_start", start), "__window_end", end);
  }

  // Puts a Python aggregate's restored argument rows back into their windows (after the windows'
  // groups are restored, so every row's keys name an existing group).
  void RestorePythonRows(const std::shared_ptr<arrow::RecordBatch>& part) {
    const int columns = part->num_columns();
    const int keys = static_cast<int>(keys_.size());
    const auto& ends = static_cast<const arrow::Int64Array&>(*part->column(columns - 1));
    std::map<int64_t, std::vector<uint32_t>> rows_by_end;
    for (int64_t row = 0; row < part->num_rows(); ++row) rows_by_end[ends.Value(row)].push_back(static_cast<uint32_t>(row));
    for (const auto& [end, rows] : rows_by_end) {
      arrow::UInt32Builder indices;
      CheckArrow(indices.AppendValues(rows), "restoring a window");
      auto taken = ValueOrThrow(arrow::compute::Take(part, ValueOrThrow(indices.Finish(), "restoring a window")),
                                "restoring a window").record_batch();
      auto& window = windows_[end];
      if (!window.table) throw InternalError("restored Python aggregate rows of a window without groups");
      std::vector<std::shared_ptr<arrow::Array>> key_arrays(taken->columns().begin(), taken->columns().begin() + keys);
      std::vector<uint32_t> groups = window.table->ConsumeKeys(key_arrays, taken->num_rows());
      std::vector<std::shared_ptr<arrow::Field>> fields;
      std::vector<std::shared_ptr<arrow::Array>> arguments;
      for (int i = keys; i < columns - 2; ++i) {
        fields.push_back(taken->schema()->field(i));
        arguments.push_back(taken->column(i));
      }
      arrow::UInt32Builder builder;
      CheckArrow(builder.AppendValues(groups), "restoring a window");
      arguments.push_back(ValueOrThrow(builder.Finish(), "restoring a window"));
      fields.push_back(arrow::field("__group", arrow::uint32()));
      window.python_inputs.push_back(arrow::RecordBatch::Make(arrow::schema(fields), taken->num_rows(), arguments));
    }
  }

  // Rebuilds the windows (and the watermark) of this subtask's key groups from a checkpoint.
  void Restore() {
    for (const auto& part : RestoredPart("windows")) {
      const int columns = part->num_columns();
      if (columns < 2) throw InternalError("a restored window state lacks its bounds");
      const auto& starts = static_cast<const arrow::Int64Array&>(*part->column(columns - 2));
      const auto& ends = static_cast<const arrow::Int64Array&>(*part->column(columns - 1));
      std::map<int64_t, std::vector<uint32_t>> rows_by_end;
      for (int64_t row = 0; row < part->num_rows(); ++row) {
        rows_by_end[ends.Value(row)].push_back(static_cast<uint32_t>(row));
        windows_[ends.Value(row)].start = starts.Value(row);
      }
      auto groups = ValueOrThrow(part->RemoveColumn(columns - 1), "restoring a window");
      groups = ValueOrThrow(groups->RemoveColumn(columns - 2), "restoring a window");
      for (const auto& [end, rows] : rows_by_end) {
        arrow::UInt32Builder indices;
        CheckArrow(indices.AppendValues(rows), "restoring a window");
        auto taken = ValueOrThrow(arrow::compute::Take(groups, ValueOrThrow(indices.Finish(), "restoring a window")),
                                  "restoring a window");
        auto& window = windows_[end];
        if (!window.table) window.table = std::make_unique<GroupTable>(keys_, calls_, input_schema_, output_schema_);
        window.table->Restore(*taken.record_batch());
      }
    }
    for (const auto& part : RestoredPart("python_rows")) RestorePythonRows(part);
    watermark_ = RestoredWatermark(watermark_);
  }

  struct Window {
    int64_t start = 0;
    std::unique_ptr<GroupTable> table;
    std::vector<std::shared_ptr<arrow::RecordBatch>> python_inputs;
  };

  void Fire(int64_t end, Window& window, runtime::Collector& out) {
    if (!window.table) return;
    std::vector<uint32_t> groups;
    for (uint32_t group = 0; group < window.table->num_groups(); ++group) groups.push_back(group);
    auto values = window.table->Output(groups);
    std::vector<std::shared_ptr<arrow::Array>> columns = values->columns();
    if (!python_aggregate_.is_none()) {
      py::list inputs;
      for (const auto& batch : window.python_inputs) inputs.append(ExportRecordBatch(batch));
      py::object results;
      try {
        results = python_aggregate_(inputs, static_cast<int64_t>(groups.size()));
      } catch (py::error_already_set& error) {
        error.restore();
        python::ThrowPythonError();
      }
      for (const py::handle& result : results) columns.push_back(ImportArray(result));
    }
    const int64_t rows = static_cast<int64_t>(groups.size());
    for (int64_t bound : {window.start, end}) {
      auto type = output_schema_->field(static_cast<int>(columns.size()))->type();
      auto scalar = ValueOrThrow(arrow::MakeScalar(arrow::timestamp(arrow::TimeUnit::MILLI), bound), "window bounds");
      auto array = ValueOrThrow(arrow::MakeArrayFromScalar(*scalar, rows), "window bounds");
      columns.push_back(ToArray(array, rows, type));
    }
    auto fired = std::make_unique<ColumnarBatch>(arrow::RecordBatch::Make(output_schema_, rows, columns));
    fired->timestamps.assign(static_cast<size_t>(rows), end - 1);
    out.Collect(std::move(fired));
  }

  std::vector<int> keys_;
  std::vector<AggregateCall> calls_;
  std::shared_ptr<arrow::Schema> input_schema_;
  std::shared_ptr<arrow::Schema> output_schema_;
  WindowAssigner windows_of_;
  std::vector<int> python_columns_;
  py::object python_aggregate_;
  bool processing_time_;
  const runtime::Clock* clock_ = nullptr;
  std::map<int64_t, Window> windows_;  // by window end
  int64_t watermark_ = runtime::kMinWatermark;
  uint32_t key_group_begin_ = 0;
  uint32_t key_group_end_ = 0;
};

}  // namespace

std::unique_ptr<runtime::Operator> MakeWindowAggregateOperator(const py::dict& spec) {
  return std::make_unique<WindowAggregateOperator>(spec);
}

}  // namespace fluvial::table
