// GROUP BY without windows: incremental, with Flink's changelog semantics.
// Streaming: every input record makes its group emit +I (new), -U/+U (changed)
// or -D (emptied), as Flink's GroupAggFunction does without mini-batch; with
// 'table.exec.mini-batch.enabled' (spec "per_record" false) a group emits once
// per batch, its changes folded. Batch mode: the final value of each group
// once, as +I, at the end of input.
#include <arrow/compute/api.h>

#include <unordered_set>

#include "common/errors.h"
#include "table/columnar_batch.h"
#include "table/group_table.h"
#include "table/key_hash.h"
#include "table/table_state.h"
#include "table/table_support.h"

namespace fluvial::table {
namespace {

std::vector<AggregateCall> ReadCalls(const py::handle& calls) {
  std::vector<AggregateCall> result;
  for (const py::handle& call : calls) {
    auto pair = call.cast<py::tuple>();
    result.push_back(AggregateCall{pair[0].cast<std::string>(), pair[1].cast<int>()});
  }
  return result;
}

class GroupAggregateOperator : public TableOperator {
 public:
  explicit GroupAggregateOperator(const py::dict& spec)
      : TableOperator(spec),
        keys_(IntList(spec["keys"])),
        calls_(ReadCalls(spec["calls"])),
        input_schema_(ImportSchema(spec["input_schema"])),
        output_schema_(ImportSchema(spec["output_schema"])),
        final_only_(spec["final_only"].cast<bool>()),
        per_record_(spec.contains("per_record") && spec["per_record"].cast<bool>()),
        table_(keys_, calls_, input_schema_, output_schema_) {
    for (const auto& state : RestoredPart("groups")) table_.Restore(*state);
  }

  void ProcessBatch(int, runtime::BatchPtr batch, runtime::Collector& out) override {
    auto& input = AsColumnar(*batch);
    const int64_t rows = input.data->num_rows();
    std::vector<bool> retract(static_cast<size_t>(rows));
    for (int64_t row = 0; row < rows; ++row) retract[row] = !IsAccumulate(input.kind(row));
    std::vector<uint32_t> groups = table_.Consume(*input.data);
    if (final_only_) {
      table_.Update(groups, *input.data, retract);
      return;
    }
    if (!per_record_) {
      ProcessRange(groups, *input.data, retract, out);
      return;
    }
    // Per record, as Flink: the batch is cut into runs in which no group repeats, so
    // folding the changes within a run is the same as emitting them record by record.
    std::unordered_set<uint32_t> in_run;
    int64_t start = 0;
    for (int64_t row = 0; row <= rows; ++row) {
      if (row < rows && in_run.insert(groups[row]).second) continue;
      const auto length = row - start;
      std::vector<uint32_t> run_groups(groups.begin() + start, groups.begin() + row);
      std::vector<bool> run_retract(retract.begin() + start, retract.begin() + row);
      ProcessRange(run_groups, *input.data->Slice(start, length), run_retract, out);
      if (row == rows) break;
      in_run.clear();
      in_run.insert(groups[row]);
      start = row;
    }
  }

  void ProcessRange(const std::vector<uint32_t>& groups, const arrow::RecordBatch& data,
                    const std::vector<bool>& retract, runtime::Collector& out) {
    // Touched groups in order of first appearance, with their state before.
    std::vector<uint32_t> touched;
    std::unordered_set<uint32_t> seen;
    for (uint32_t group : groups) {
      if (seen.insert(group).second) touched.push_back(group);
    }
    std::vector<int64_t> rows_before;
    for (uint32_t group : touched) rows_before.push_back(table_.rows(group));
    auto before = table_.Output(touched);
    table_.Update(groups, data, retract);
    auto after = table_.Output(touched);

    // One output batch: each group's retraction directly followed by its new value.
    std::vector<std::pair<bool, uint32_t>> order;  // (from 'after'?, row)
    std::vector<int8_t> kinds;
    for (size_t i = 0; i < touched.size(); ++i) {
      const bool existed = rows_before[i] > 0;
      const bool exists = table_.rows(touched[i]) > 0;
      if (!existed && exists) {
        order.emplace_back(true, i);
        kinds.push_back(static_cast<int8_t>(RowKind::kInsert));
      } else if (existed && !exists) {
        order.emplace_back(false, i);
        kinds.push_back(static_cast<int8_t>(RowKind::kDelete));
      } else if (existed && exists && !RowEquals(*before, *after, static_cast<int64_t>(i))) {
        order.emplace_back(false, i);
        kinds.push_back(static_cast<int8_t>(RowKind::kUpdateBefore));
        order.emplace_back(true, i);
        kinds.push_back(static_cast<int8_t>(RowKind::kUpdateAfter));
      }
    }
    if (order.empty()) return;
    out.Collect(Interleave(*before, *after, order, std::move(kinds)));
  }

  void Finish(runtime::Collector& out) override {
    if (!final_only_) return;
    std::vector<uint32_t> groups;
    for (uint32_t group = 0; group < table_.num_groups(); ++group) {
      if (table_.rows(group) > 0) groups.push_back(group);
    }
    if (groups.empty()) return;
    out.Collect(std::make_unique<ColumnarBatch>(WithSchema(table_.Output(groups))));
  }

 protected:
  // The groups: keys, row counts and accumulators, by the key group of their keys.
  std::vector<StatePart> SnapshotTables() override {
    auto groups = table_.Snapshot();
    std::vector<int> key_columns(keys_.size());
    for (size_t i = 0; i < keys_.size(); ++i) key_columns[i] = static_cast<int>(i);
    return {{"groups", WithKeyGroups(groups, KeyGroupsOf(*groups, key_columns, max_parallelism()))}};
  }

 private:
  static bool RowEquals(const arrow::RecordBatch& left, const arrow::RecordBatch& right, int64_t row) {
    for (int column = 0; column < left.num_columns(); ++column) {
      if (!left.column(column)->RangeEquals(row, row + 1, row, *right.column(column))) return false;
    }
    return true;
  }

  std::unique_ptr<ColumnarBatch> Interleave(const arrow::RecordBatch& before, const arrow::RecordBatch& after,
                                            const std::vector<std::pair<bool, uint32_t>>& order,
                                            std::vector<int8_t> kinds) const {
    // Concatenate [before; after] once, then take rows in the wanted order.
    const int64_t offset = before.num_rows();
    arrow::UInt32Builder builder;
    for (const auto& [from_after, row] : order) {
      CheckArrow(builder.Append(static_cast<uint32_t>(from_after ? row + offset : row)), "aggregate output");
    }
    auto indices = ValueOrThrow(builder.Finish(), "aggregate output");
    std::vector<std::shared_ptr<arrow::Array>> columns;
    for (int column = 0; column < before.num_columns(); ++column) {
      auto both = ValueOrThrow(arrow::Concatenate({before.column(column), after.column(column)}), "aggregate output");
      columns.push_back(ValueOrThrow(arrow::compute::Take(*both, *indices), "aggregate output"));
    }
    auto result = std::make_unique<ColumnarBatch>(
        arrow::RecordBatch::Make(output_schema_, static_cast<int64_t>(order.size()), columns));
    result->row_kinds = std::move(kinds);
    return result;
  }

  std::shared_ptr<arrow::RecordBatch> WithSchema(const std::shared_ptr<arrow::RecordBatch>& batch) const {
    return arrow::RecordBatch::Make(output_schema_, batch->num_rows(), batch->columns());
  }

  std::vector<int> keys_;
  std::vector<AggregateCall> calls_;
  std::shared_ptr<arrow::Schema> input_schema_;
  std::shared_ptr<arrow::Schema> output_schema_;
  bool final_only_;
  bool per_record_;
  GroupTable table_;
};

}  // namespace

std::unique_ptr<runtime::Operator> MakeGroupAggregateOperator(const py::dict& spec) {
  return std::make_unique<GroupAggregateOperator>(spec);
}

std::vector<AggregateCall> ReadAggregateCalls(const py::handle& calls) { return ReadCalls(calls); }

}  // namespace fluvial::table
