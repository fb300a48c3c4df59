// Window joins: two window table function outputs (TUMBLE/HOP/CUMULATE with
// the same window) joined on window_start, window_end and equi keys. Rows are
// buffered per window (by window_end) and joined once, when the watermark
// passes the window's end; then the window's rows are let go. INNER, LEFT,
// RIGHT and FULL OUTER; the output is insert-only, each row stamped with its
// window's last millisecond (window_end - 1). Rows of windows already joined
// are late and dropped. SEMI and ANTI joins (IN / EXISTS over windowed tables)
// emit the left rows with (without) a match in their window, alone.
//
// Also here: the window table function on its own (TABLE(TUMBLE(TABLE t, ...))
// without GROUP BY): every row once per window holding it, with window_start,
// window_end and window_time appended, stamped with window_time. Before a
// window join, the LateRowFilter on window_time drops the rows of windows the
// input's own watermark has passed.
#include <arrow/compute/api.h>

#include <algorithm>
#include <map>

#include "common/errors.h"
#include "table/columnar_batch.h"
#include "table/key_grouper.h"
#include "table/table_support.h"
#include "table/time_join_state.h"
#include "table/window_assigner.h"

namespace fluvial::table {
namespace {

class WindowJoinOperator : public runtime::Operator {
 public:
  explicit WindowJoinOperator(const py::dict& spec)
      : keys_{IntList(spec["left_keys"]), IntList(spec["right_keys"])},
        ends_{spec["left_end"].cast<int>(), spec["right_end"].cast<int>()},
        schemas_{ImportSchema(spec["left_schema"]), ImportSchema(spec["right_schema"])},
        output_schema_(ImportSchema(spec["output_schema"])),
        type_(JoinType::Parse(spec["join_type"].cast<std::string>())),
        probe_(spec) {
    for (int column : keys_[0]) key_types_.push_back(schemas_[0]->field(column)->type());
  }

  void ProcessBatch(int input, runtime::BatchPtr batch, runtime::Collector&) override {
    auto& columnar = AsColumnar(*batch);
    const auto& data = columnar.data;
    if (data->num_rows() == 0) return;
    for (size_t row = 0; row < columnar.size(); ++row) {
      if (!IsAccumulate(columnar.kind(row))) {
        throw UserError("a window join needs append-only inputs, but its " +
                        std::string(input == 0 ? "left" : "right") + " input updates rows");
      }
    }
    const std::vector<int64_t> ends = EpochMillis(data->column(ends_[input]), "window join, window_end");
    ReleasingRowStore& store = stores_[input];
    const int64_t first = store.Append(data);
    for (int64_t row = 0; row < data->num_rows(); ++row) {
      const int64_t end = ends[static_cast<size_t>(row)];
      if (end - 1 <= watermark_) continue;  // late: the window was joined already
      windows_[end].rows[input].push_back(first + row);
      store.Keep(first + row);
    }
    store.DropUnkept();
    probe_.Record(stores_[0].live_rows() + stores_[1].live_rows());
  }

  void ProcessWatermark(int64_t watermark, runtime::Collector& out) override {
    watermark_ = std::max(watermark_, watermark);
    while (!windows_.empty() && windows_.begin()->first - 1 <= watermark_) {
      auto node = windows_.extract(windows_.begin());
      Fire(node.key(), node.mapped(), out);
    }
    probe_.Record(stores_[0].live_rows() + stores_[1].live_rows());
    out.EmitWatermark(watermark);
  }

 private:
  struct Window {
    std::vector<int64_t> rows[2];  // row ids per input
  };

  void Fire(int64_t end, Window& window, runtime::Collector& out) {
    // The window's rows of each side as one batch, grouped by key afresh: no key outlives its window.
    std::shared_ptr<arrow::RecordBatch> sides[2];
    for (int input = 0; input < 2; ++input) {
      sides[input] = arrow::RecordBatch::Make(schemas_[input], static_cast<int64_t>(window.rows[input].size()),
                                              stores_[input].Take(window.rows[input], schemas_[input]));
      for (int64_t id : window.rows[input]) stores_[input].Release(id);
    }
    KeyGrouper grouper(keys_[0], *schemas_[0], "window join");
    std::vector<uint32_t> groups[2];
    for (int input = 0; input < 2; ++input) groups[input] = grouper.Consume(*sides[input], &keys_[input], &key_types_);
    std::vector<std::vector<int64_t>> lefts(grouper.num_groups());
    for (int64_t row = 0; row < sides[0]->num_rows(); ++row) {
      if (!KeyIsNull(*sides[0], keys_[0], row)) lefts[groups[0][row]].push_back(row);
    }
    if (type_.semi || type_.anti) {
      FireSemiOrAnti(end, sides, groups, grouper.num_groups(), out);
      return;
    }
    std::vector<bool> left_matched(static_cast<size_t>(sides[0]->num_rows()), false);
    arrow::Int64Builder left_indices, right_indices;
    auto add = [&](int64_t left, int64_t right) {
      CheckArrow(left == kNoRow ? left_indices.AppendNull() : left_indices.Append(left), "window join");
      CheckArrow(right == kNoRow ? right_indices.AppendNull() : right_indices.Append(right), "window join");
    };
    for (int64_t right = 0; right < sides[1]->num_rows(); ++right) {
      bool matched = false;
      if (!KeyIsNull(*sides[1], keys_[1], right)) {
        for (int64_t left : lefts[groups[1][right]]) {
          add(left, right);
          left_matched[left] = true;
          matched = true;
        }
      }
      if (!matched && type_.right_outer) add(kNoRow, right);
    }
    if (type_.left_outer) {
      for (int64_t left = 0; left < sides[0]->num_rows(); ++left) {
        if (!left_matched[left]) add(left, kNoRow);
      }
    }
    const int64_t rows = left_indices.length();
    if (rows == 0) return;
    std::vector<std::shared_ptr<arrow::Array>> columns;
    arrow::Int64Builder* builders[2] = {&left_indices, &right_indices};
    for (int input = 0; input < 2; ++input) {
      auto indices = ValueOrThrow(builders[input]->Finish(), "window join");
      auto taken = ValueOrThrow(arrow::compute::Take(arrow::Datum(sides[input]), arrow::Datum(indices)),
                                "window join output");
      for (const auto& column : taken.record_batch()->columns()) columns.push_back(column);
    }
    auto result = std::make_unique<ColumnarBatch>(arrow::RecordBatch::Make(output_schema_, rows, columns));
    result->timestamps.assign(static_cast<size_t>(rows), end - 1);
    out.Collect(std::move(result));
  }

  // SEMI: each left row with a match in its window, once; ANTI: each left row without.
  void FireSemiOrAnti(int64_t end, const std::shared_ptr<arrow::RecordBatch> sides[2],
                      const std::vector<uint32_t> groups[2], uint32_t num_groups, runtime::Collector& out) {
    std::vector<bool> has_right(num_groups, false);
    for (int64_t right = 0; right < sides[1]->num_rows(); ++right) {
      if (!KeyIsNull(*sides[1], keys_[1], right)) has_right[groups[1][right]] = true;
    }
    arrow::Int64Builder indices;
    for (int64_t left = 0; left < sides[0]->num_rows(); ++left) {
      const bool matched = !KeyIsNull(*sides[0], keys_[0], left) && has_right[groups[0][left]];
      if (matched == type_.semi) CheckArrow(indices.Append(left), "window join");
    }
    const int64_t rows = indices.length();
    if (rows == 0) return;
    auto taken = ValueOrThrow(arrow::compute::Take(arrow::Datum(sides[0]),
                                                   arrow::Datum(ValueOrThrow(indices.Finish(), "window join"))),
                              "window join output");
    auto result = std::make_unique<ColumnarBatch>(
        arrow::RecordBatch::Make(output_schema_, rows, taken.record_batch()->columns()));
    result->timestamps.assign(static_cast<size_t>(rows), end - 1);
    out.Collect(std::move(result));
  }

  std::vector<int> keys_[2];
  int ends_[2];
  std::shared_ptr<arrow::Schema> schemas_[2];
  std::shared_ptr<arrow::Schema> output_schema_;
  JoinType type_;
  std::vector<std::shared_ptr<arrow::DataType>> key_types_;
  StateProbe probe_;
  int64_t watermark_ = runtime::kMinWatermark;
  ReleasingRowStore stores_[2];
  std::map<int64_t, Window> windows_;  // by window end
};

// TABLE(TUMBLE/HOP/CUMULATE(TABLE t, DESCRIPTOR(time), ...)): each row once per window.
class WindowTableFunction : public runtime::Operator {
 public:
  explicit WindowTableFunction(const py::dict& spec)
      : time_(spec["time"].cast<int>()),
        windows_of_(spec["window"].cast<std::string>(), spec["size"].cast<int64_t>(), spec["slide"].cast<int64_t>(),
                    spec["offset"].cast<int64_t>()),
        output_schema_(ImportSchema(spec["output_schema"])) {}

  void ProcessBatch(int, runtime::BatchPtr batch, runtime::Collector& out) override {
    auto& input = AsColumnar(*batch);
    if (input.size() == 0) return;
    for (size_t row = 0; row < input.size(); ++row) {
      if (!IsAccumulate(input.kind(row))) {
        throw UserError("a window table function needs an append-only input, but its input updates rows");
      }
    }
    const std::vector<int64_t> times = EpochMillis(input.data->column(time_), "window table function, time");
    std::vector<uint32_t> rows;
    arrow::TimestampBuilder starts(arrow::timestamp(arrow::TimeUnit::MILLI), arrow::default_memory_pool());
    arrow::TimestampBuilder ends(arrow::timestamp(arrow::TimeUnit::MILLI), arrow::default_memory_pool());
    std::vector<int64_t> timestamps;
    for (size_t row = 0; row < times.size(); ++row) {
      windows_of_.ForEachWindow(times[row], [&](int64_t start, int64_t end) {
        rows.push_back(static_cast<uint32_t>(row));
        CheckArrow(starts.Append(start), "window table function");
        CheckArrow(ends.Append(end), "window table function");
        timestamps.push_back(end - 1);
      });
    }
    if (rows.empty()) return;
    auto selected = input.Select(rows);
    std::vector<std::shared_ptr<arrow::Array>> columns = AsColumnar(*selected).data->columns();
    auto end_array = ValueOrThrow(ends.Finish(), "window table function");
    columns.push_back(ValueOrThrow(starts.Finish(), "window table function"));
    columns.push_back(end_array);
    // window_time: the window's last millisecond, the time attribute of the result.
    auto one = ValueOrThrow(arrow::MakeScalar(arrow::duration(arrow::TimeUnit::MILLI), int64_t{1}), "window time");
    auto window_time = ValueOrThrow(arrow::compute::Subtract(arrow::Datum(end_array), arrow::Datum(one)),
                                    "window table function");
    columns.push_back(window_time.make_array());
    const auto count = static_cast<int64_t>(rows.size());
    for (size_t i = 0; i < columns.size(); ++i) {
      columns[i] = ToArray(columns[i], count, output_schema_->field(static_cast<int>(i))->type());
    }
    auto result = std::make_unique<ColumnarBatch>(arrow::RecordBatch::Make(output_schema_, count, columns));
    result->timestamps = std::move(timestamps);
    out.Collect(std::move(result));
  }

 private:
  int time_;
  WindowAssigner windows_of_;
  std::shared_ptr<arrow::Schema> output_schema_;
};

}  // namespace

std::unique_ptr<runtime::Operator> MakeWindowJoinOperator(const py::dict& spec) {
  return std::make_unique<WindowJoinOperator>(spec);
}

std::unique_ptr<runtime::Operator> MakeWindowTableFunction(const py::dict& spec) {
  return std::make_unique<WindowTableFunction>(spec);
}

}  // namespace fluvial::table
