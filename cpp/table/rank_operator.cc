// Top-N and deduplication: ROW_NUMBER() OVER (PARTITION BY p ORDER BY o) with a
// filter rn <= N, over an append-only input. Per partition the operator keeps
// the current top N rows in order (a row that falls out can never come back
// without retractions, so nothing else is kept in the ranking) and emits
// Flink's changelog as the ranking changes: with the rank number in the
// output, every rank whose row changed is updated (-U old, +U new; +I for a
// rank filled the first time); without it, rows entering the top N are
// inserted and rows leaving it deleted — except for deduplication (N = 1),
// where the partition's row is updated (-U old, +U new), as in Flink.
#include <arrow/compute/api.h>
#include <arrow/compute/exec.h>
#include <arrow/compute/row/grouper.h>

#include <variant>

#include "common/errors.h"
#include "table/columnar_batch.h"
#include "table/key_grouper.h"
#include "table/key_hash.h"
#include "table/row_store.h"
#include "table/table_state.h"
#include "table/table_support.h"

namespace fluvial::table {
namespace {

using SortValue = std::variant<std::monostate, int64_t, double, std::string>;  // monostate: NULL

std::vector<SortValue> ColumnValues(const std::shared_ptr<arrow::Array>& column) {
  std::vector<SortValue> values(static_cast<size_t>(column->length()));
  const auto id = column->type_id();
  if (id == arrow::Type::STRING || id == arrow::Type::BINARY) {
    const auto& strings = static_cast<const arrow::BinaryArray&>(*column);
    for (int64_t i = 0; i < column->length(); ++i) {
      if (!strings.IsNull(i)) values[i] = std::string(strings.GetView(i));
    }
  } else if (arrow::is_floating(id) || arrow::is_decimal(id)) {
    auto doubles = std::static_pointer_cast<arrow::DoubleArray>(CastArray(column, arrow::float64(), false, "rank"));
    for (int64_t i = 0; i < column->length(); ++i) {
      if (!doubles->IsNull(i)) values[i] = doubles->Value(i);
    }
  } else {
    auto ints = std::static_pointer_cast<arrow::Int64Array>(CastArray(column, arrow::int64(), false, "rank"));
    for (int64_t i = 0; i < column->length(); ++i) {
      if (!ints->IsNull(i)) values[i] = ints->Value(i);
    }
  }
  return values;
}

class RankOperator : public TableOperator {
 public:
  explicit RankOperator(const py::dict& spec)
      : TableOperator(spec),
        partition_(IntList(spec["partition"])),
        limit_(spec["limit"].cast<int64_t>()),
        with_rank_(spec["with_rank"].cast<bool>()),
        final_only_(spec["final_only"].cast<bool>()),
        output_schema_(ImportSchema(spec["output_schema"])),
        input_schema_(ImportSchema(spec["input_schema"])),
        grouper_(partition_, *input_schema_, "rank") {
    for (const py::handle& key : spec["order"]) {
      auto pair = key.cast<py::tuple>();
      order_.push_back(pair[0].cast<int>());
      ascending_.push_back(pair[1].cast<bool>());
    }
    for (const auto& rows : RestoredPart("rankings")) Restore(rows);
  }

  void ProcessBatch(int, runtime::BatchPtr batch, runtime::Collector& out) override {
    auto& input = AsColumnar(*batch);
    const int64_t rows = input.data->num_rows();
    for (int64_t row = 0; row < rows; ++row) {
      if (!IsAccumulate(input.kind(static_cast<size_t>(row)))) {
        throw UserError("Top-N (ROW_NUMBER() ... WHERE rn <= N) over an updating input is not supported yet; "
                        "it needs an append-only input");
      }
    }
    std::vector<uint32_t> groups = grouper_.Consume(*input.data);
    std::vector<std::vector<SortValue>> sort_columns;
    for (int column : order_) sort_columns.push_back(ColumnValues(input.data->column(column)));
    const int64_t first = store_.Append(input.data);
    Emitted emitted;
    for (int64_t row = 0; row < rows; ++row) {
      if (groups[row] >= rankings_.size()) rankings_.resize(groups[row] + 1);
      auto& ranking = rankings_[groups[row]];
      Entry entry{first + row, {}};
      for (auto& column : sort_columns) entry.key.push_back(std::move(column[row]));
      // The first position whose row the new one sorts before (after equals: the earlier row stays ahead).
      size_t position = ranking.size();
      for (size_t i = 0; i < ranking.size(); ++i) {
        if (Before(entry.key, ranking[i].key)) {
          position = i;
          break;
        }
      }
      if (position >= static_cast<size_t>(limit_)) continue;  // not in the top N
      ranking.insert(ranking.begin() + static_cast<std::ptrdiff_t>(position), std::move(entry));
      std::optional<Entry> evicted;
      if (ranking.size() > static_cast<size_t>(limit_)) {
        evicted = std::move(ranking.back());
        ranking.pop_back();
      }
      if (with_rank_) {
        // Every rank from the new row's down moved: the old row of each is retracted.
        for (size_t rank = position; rank < ranking.size(); ++rank) {
          const bool filled_before = rank + 1 < ranking.size() || evicted.has_value();
          if (filled_before) {
            const int64_t previous = rank + 1 < ranking.size() ? ranking[rank + 1].row : evicted->row;
            emitted.Add(previous, static_cast<int64_t>(rank + 1), RowKind::kUpdateBefore);
            emitted.Add(ranking[rank].row, static_cast<int64_t>(rank + 1), RowKind::kUpdateAfter);
          } else {
            emitted.Add(ranking[rank].row, static_cast<int64_t>(rank + 1), RowKind::kInsert);
          }
        }
      } else if (evicted && limit_ == 1) {
        // Deduplication (Top-1) replaces the partition's row: an update, as Flink's deduplicate emits it.
        emitted.Add(evicted->row, 0, RowKind::kUpdateBefore);
        emitted.Add(ranking[position].row, 0, RowKind::kUpdateAfter);
      } else {
        if (evicted) emitted.Add(evicted->row, 0, RowKind::kDelete);
        emitted.Add(ranking[position].row, 0, RowKind::kInsert);
      }
    }
    if (final_only_ || emitted.kinds.empty()) return;
    Emit(std::move(emitted), out);
  }

  // Batch mode: the final ranking of every partition, once, as inserts.
  void Finish(runtime::Collector& out) override {
    if (!final_only_) return;
    Emitted emitted;
    for (const auto& ranking : rankings_) {
      for (size_t rank = 0; rank < ranking.size(); ++rank) {
        emitted.Add(ranking[rank].row, static_cast<int64_t>(rank + 1), RowKind::kInsert);
      }
    }
    if (!emitted.kinds.empty()) Emit(std::move(emitted), out);
  }

 protected:
  // Every partition's ranking (its top rows, in rank order), by the key group of the partition.
  std::vector<StatePart> SnapshotTables() override {
    std::vector<int64_t> ids;
    for (const auto& ranking : rankings_) {
      for (const auto& entry : ranking) ids.push_back(entry.row);
    }
    auto rows = arrow::RecordBatch::Make(input_schema_, static_cast<int64_t>(ids.size()), store_.Take(ids, input_schema_));
    return {{"rankings", WithKeyGroups(rows, KeyGroupsOf(*rows, partition_, max_parallelism()))}};
  }

 private:
  // Puts back snapshotted rankings: their rows come in rank order per partition.
  void Restore(const std::shared_ptr<arrow::RecordBatch>& restored) {
    if (restored->num_columns() != input_schema_->num_fields()) {
      throw UserError("the checkpoint's Top-N rows have " + std::to_string(restored->num_columns()) +
                      " columns, the query's " + std::to_string(input_schema_->num_fields()) +
                      ": the query changed since the checkpoint");
    }
    auto rows = arrow::RecordBatch::Make(input_schema_, restored->num_rows(), restored->columns());
    std::vector<uint32_t> groups = grouper_.Consume(*rows);
    std::vector<std::vector<SortValue>> sort_columns;
    for (int column : order_) sort_columns.push_back(ColumnValues(rows->column(column)));
    const int64_t first = store_.Append(rows);
    for (int64_t row = 0; row < rows->num_rows(); ++row) {
      if (groups[row] >= rankings_.size()) rankings_.resize(groups[row] + 1);
      Entry entry{first + row, {}};
      for (auto& column : sort_columns) entry.key.push_back(std::move(column[row]));
      rankings_[groups[row]].push_back(std::move(entry));
    }
  }

  struct Emitted;
  void Emit(Emitted emitted, runtime::Collector& out) {
    std::vector<std::shared_ptr<arrow::Array>> columns = store_.Take(emitted.rows, input_schema_);
    if (with_rank_) {
      arrow::Int64Builder builder;
      CheckArrow(builder.AppendValues(emitted.ranks), "rank");
      columns.push_back(ValueOrThrow(builder.Finish(), "rank"));
    }
    auto result = std::make_unique<ColumnarBatch>(
        arrow::RecordBatch::Make(output_schema_, static_cast<int64_t>(emitted.kinds.size()), columns));
    result->row_kinds = std::move(emitted.kinds);
    out.Collect(std::move(result));
  }

  struct Entry {
    int64_t row;
    std::vector<SortValue> key;
  };
  struct Emitted {
    std::vector<int64_t> rows, ranks;
    std::vector<int8_t> kinds;
    void Add(int64_t row, int64_t rank, RowKind kind) {
      rows.push_back(row);
      ranks.push_back(rank);
      kinds.push_back(static_cast<int8_t>(kind));
    }
  };

  // True if 'a' sorts strictly before 'b' (NULLs first in ascending order, last in descending).
  bool Before(const std::vector<SortValue>& a, const std::vector<SortValue>& b) const {
    for (size_t i = 0; i < a.size(); ++i) {
      if (a[i] == b[i]) continue;
      const bool less = a[i].index() == 0 ? true : b[i].index() == 0 ? false : a[i] < b[i];
      return ascending_[i] ? less : !less;
    }
    return false;
  }

  std::vector<int> partition_;
  std::vector<int> order_;
  std::vector<bool> ascending_;
  int64_t limit_;
  bool with_rank_;
  bool final_only_;
  std::shared_ptr<arrow::Schema> output_schema_;
  std::shared_ptr<arrow::Schema> input_schema_;
  KeyGrouper grouper_;
  RowStore store_;
  std::vector<std::vector<Entry>> rankings_;  // per partition, the top rows in order
};

}  // namespace

std::unique_ptr<runtime::Operator> MakeRankOperator(const py::dict& spec) {
  return std::make_unique<RankOperator>(spec);
}

}  // namespace fluvial::table
