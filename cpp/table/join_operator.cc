// Regular equi-joins of two dynamic tables (INNER, LEFT, RIGHT and FULL OUTER),
// with Flink's changelog semantics: every input row is kept (per side, indexed
// by join key), and each arriving row is matched against the other side's rows.
// Inner join: the output row carries the input row's kind. Outer joins: a row
// of an outer side without matches is emitted padded with NULLs, and replaced
// (-D of the padded row, +I of the joined one) when its first match arrives —
// and back when its last match is retracted.
//
// State is unbounded (no state TTL yet): every row of both inputs is kept.
#include <arrow/compute/api.h>
#include <arrow/compute/exec.h>
#include <arrow/compute/row/grouper.h>

#include <unordered_map>

#include "common/errors.h"
#include "table/columnar_batch.h"
#include "table/key_grouper.h"
#include "table/key_hash.h"
#include "table/row_store.h"
#include "table/table_state.h"
#include "table/table_support.h"

namespace fluvial::table {
namespace {

bool RowsEqual(const arrow::RecordBatch& a, int64_t row_a, const arrow::RecordBatch& b, int64_t row_b) {
  for (int column = 0; column < a.num_columns(); ++column) {
    if (!a.column(column)->RangeEquals(row_a, row_a + 1, row_b, *b.column(column))) return false;
  }
  return true;
}

class JoinOperator : public TableOperator {
 public:
  explicit JoinOperator(const py::dict& spec)
      : TableOperator(spec),
        keys_{IntList(spec["left_keys"]), IntList(spec["right_keys"])},
        schemas_{ImportSchema(spec["left_schema"]), ImportSchema(spec["right_schema"])},
        output_schema_(ImportSchema(spec["output_schema"])),
        outer_{spec["left_outer"].cast<bool>(), spec.contains("right_outer") && spec["right_outer"].cast<bool>()},
        final_only_(spec["final_only"].cast<bool>()),
        grouper_(keys_[0], *schemas_[0], "join") {
    // The right side's keys are cast to the left's types, so equal keys share a group.
    for (int column : keys_[0]) key_types_.push_back(schemas_[0]->field(column)->type());
    Restore();
  }

  void ProcessBatch(int input, runtime::BatchPtr batch, runtime::Collector& out) override {
    auto& columnar = AsColumnar(*batch);
    const auto& data = columnar.data;
    const int64_t rows = data->num_rows();
    std::vector<uint32_t> groups = Groups(input, *data);
    RowStore& mine = stores_[input];
    RowStore& other = stores_[1 - input];
    const int64_t first = mine.Append(data);
    matches_[input].resize(static_cast<size_t>(first + rows), 0);
    if (final_only_) {
      // Batch mode: keep the rows; the result is computed once, at the end of input.
      for (int64_t row = 0; row < rows; ++row) {
        if (!IsAccumulate(columnar.kind(static_cast<size_t>(row)))) {
          throw InternalError("a batch-mode join received a retraction");
        }
        mine.Live(groups[row]).push_back(first + row);
      }
      return;
    }

    Output output;
    for (int64_t row = 0; row < rows; ++row) {
      const int64_t id = first + row;
      const RowKind kind = columnar.kind(static_cast<size_t>(row));
      const bool accumulate = IsAccumulate(kind);
      std::vector<int64_t>& live = mine.Live(groups[row]);
      int64_t subject = id;  // the stored row this input row adds or retracts
      if (accumulate) {
        live.push_back(id);
      } else {
        subject = RemoveEqual(mine, live, *data, row);
        if (subject == kNoRow) continue;  // retracting a row never seen: nothing to undo
      }
      // An outer side's row is padded with NULLs while it has no partner: its first partner
      // retracts the padded row (-D) before the joined one, its last one's retraction brings it back.
      const int them = 1 - input;
      const std::vector<int64_t>& partners = Partners(other, groups[row]);
      for (int64_t partner : partners) {
        if (outer_[them] && accumulate && matches_[them][partner]++ == 0) AddPadded(output, them, partner, RowKind::kDelete);
        AddPair(output, input, subject, partner, kind);
        if (outer_[them] && !accumulate && --matches_[them][partner] == 0) AddPadded(output, them, partner, RowKind::kInsert);
      }
      if (partners.empty() && outer_[input]) {
        AddPadded(output, input, subject, accumulate ? RowKind::kInsert : RowKind::kDelete);
      }
      if (accumulate) matches_[input][subject] = static_cast<int64_t>(partners.size());
    }
    if (output.kinds.empty()) return;
    std::vector<std::shared_ptr<arrow::Array>> columns = stores_[0].Take(output.left, schemas_[0]);
    for (auto& column : stores_[1].Take(output.right, schemas_[1])) columns.push_back(std::move(column));
    auto result = std::make_unique<ColumnarBatch>(
        arrow::RecordBatch::Make(output_schema_, static_cast<int64_t>(output.kinds.size()), columns));
    result->row_kinds = std::move(output.kinds);
    out.Collect(std::move(result));
  }

  // Batch mode: every left row with each of its matches (or padded), then the right rows of an
  // outer right side that matched nothing, as inserts.
  void Finish(runtime::Collector& out) override {
    if (!final_only_) return;
    Output output;
    size_t groups = 0;
    for (uint32_t group = 0; group < grouper_.num_groups(); ++group) {
      const std::vector<int64_t>& lefts = stores_[0].Live(group);
      const std::vector<int64_t>& rights = Partners(stores_[1], group);
      for (int64_t left : lefts) {
        for (int64_t right : rights) output.Add(left, right, RowKind::kInsert);
        if (rights.empty() && outer_[0]) output.Add(left, kNoRow, RowKind::kInsert);
      }
      if (outer_[1] && Partners(stores_[0], group).empty()) {
        for (int64_t right : stores_[1].Live(group)) output.Add(kNoRow, right, RowKind::kInsert);
      }
      ++groups;
    }
    (void)groups;
    if (output.kinds.empty()) return;
    std::vector<std::shared_ptr<arrow::Array>> columns = stores_[0].Take(output.left, schemas_[0]);
    for (auto& column : stores_[1].Take(output.right, schemas_[1])) columns.push_back(std::move(column));
    out.Collect(std::make_unique<ColumnarBatch>(
        arrow::RecordBatch::Make(output_schema_, static_cast<int64_t>(output.kinds.size()), columns)));
  }

  // Rows of a join carry no single event time; the watermark passes on.

 protected:
  // The live rows of each side, by the key group of their join key (how many matches a left row
  // has follows from the other side's rows, so it is recomputed on restore).
  std::vector<StatePart> SnapshotTables() override {
    std::vector<StatePart> parts;
    for (int side = 0; side < 2; ++side) {
      std::vector<int64_t> ids;
      for (uint32_t group = 0; group < grouper_.num_groups(); ++group) {
        const auto& live = stores_[side].Live(group);
        ids.insert(ids.end(), live.begin(), live.end());
      }
      auto rows = arrow::RecordBatch::Make(schemas_[side], static_cast<int64_t>(ids.size()),
                                           stores_[side].Take(ids, schemas_[side]));
      parts.push_back({kSideNames[side], WithKeyGroups(rows, KeyGroupsOf(*rows, keys_[side], max_parallelism()))});
    }
    return parts;
  }

 private:
  static constexpr const char* kSideNames[2] = {"left", "right"};

  void Restore() {
    for (int side = 0; side < 2; ++side) {
      for (const auto& rows : RestoredPart(kSideNames[side])) {
        if (rows->num_columns() != schemas_[side]->num_fields()) {
          throw UserError("the checkpoint's rows of the join's " + std::string(kSideNames[side]) + " side have " +
                          std::to_string(rows->num_columns()) + " columns, the query's " +
                          std::to_string(schemas_[side]->num_fields()) + ": the query changed since the checkpoint");
        }
        auto data = arrow::RecordBatch::Make(schemas_[side], rows->num_rows(), rows->columns());
        std::vector<uint32_t> groups = Groups(side, *data);
        const int64_t first = stores_[side].Append(data);
        for (int64_t row = 0; row < data->num_rows(); ++row) stores_[side].Live(groups[row]).push_back(first + row);
        matches_[side].resize(static_cast<size_t>(first + data->num_rows()), 0);
      }
    }
    for (uint32_t group = 0; group < grouper_.num_groups(); ++group) {
      for (int side = 0; side < 2; ++side) {
        const auto matches = static_cast<int64_t>(Partners(stores_[1 - side], group).size());
        for (int64_t id : stores_[side].Live(group)) matches_[side][id] = matches;
      }
    }
  }

  struct Output {
    std::vector<int64_t> left, right;
    std::vector<int8_t> kinds;
    void Add(int64_t l, int64_t r, RowKind kind) {
      left.push_back(l);
      right.push_back(r);
      kinds.push_back(static_cast<int8_t>(kind));
    }
  };

  // The joined row of 'subject' (a row of side 'side') and 'partner' (a row of the other side).
  static void AddPair(Output& output, int side, int64_t subject, int64_t partner, RowKind kind) {
    if (side == 0) {
      output.Add(subject, partner, kind);
    } else {
      output.Add(partner, subject, kind);
    }
  }
  // Row 'id' of side 'side' padded with NULLs for the other side's columns.
  static void AddPadded(Output& output, int side, int64_t id, RowKind kind) {
    AddPair(output, side, id, kNoRow, kind);
  }

  // The join key group of each row; a key with a NULL in it marks its group as one that never
  // matches (SQL: NULL = NULL is not true), though a left join still emits its left rows.
  std::vector<uint32_t> Groups(int input, const arrow::RecordBatch& data) {
    std::vector<uint32_t> groups = grouper_.Consume(data, &keys_[input], &key_types_);
    null_groups_.resize(grouper_.num_groups(), false);
    for (int column : keys_[input]) {
      const auto& values = *data.column(column);
      if (values.null_count() == 0) continue;
      for (int64_t row = 0; row < data.num_rows(); ++row) {
        if (values.IsNull(row)) null_groups_[groups[static_cast<size_t>(row)]] = true;
      }
    }
    return groups;
  }

  // The rows of the other side that a row of 'group' joins.
  const std::vector<int64_t>& Partners(RowStore& other, uint32_t group) {
    static const std::vector<int64_t> kNone;
    return null_groups_[group] ? kNone : other.Live(group);
  }

  // Removes from 'live' a stored row equal to row 'row' of 'data'; returns its id or kNoRow.
  static int64_t RemoveEqual(RowStore& store, std::vector<int64_t>& live, const arrow::RecordBatch& data,
                             int64_t row) {
    for (size_t i = live.size(); i-- > 0;) {
      auto [batch, offset] = store.Locate(live[i]);
      if (RowsEqual(*batch, offset, data, row)) {
        const int64_t id = live[i];
        live.erase(live.begin() + static_cast<std::ptrdiff_t>(i));
        return id;
      }
    }
    return kNoRow;
  }

  std::vector<int> keys_[2];
  std::shared_ptr<arrow::Schema> schemas_[2];
  std::shared_ptr<arrow::Schema> output_schema_;
  bool outer_[2];  // LEFT, RIGHT; both for FULL OUTER
  bool final_only_;
  KeyGrouper grouper_;
  std::vector<std::shared_ptr<arrow::DataType>> key_types_;
  RowStore stores_[2];
  std::vector<int64_t> matches_[2];  // per side, per row id: how many rows of the other side it joins now
  std::vector<bool> null_groups_;      // per key group: its key has a NULL, so it joins nothing
};

}  // namespace

std::unique_ptr<runtime::Operator> MakeJoinOperator(const py::dict& spec) {
  return std::make_unique<JoinOperator>(spec);
}

}  // namespace fluvial::table
