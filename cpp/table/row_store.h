#pragma once

#include <arrow/api.h>
#include <arrow/compute/api.h>

#include <memory>
#include <utility>
#include <vector>

#include "common/errors.h"
#include "table/columnar_batch.h"

namespace fluvial::table {

/// "No row": Take gives NULLs for it (the padding of outer joins).
constexpr int64_t kNoRow = -1;

/// The rows of 'table' at 'indices' (a NULL index gives NULLs), one array per column; with no
/// table (no rows kept), NULL columns of 'schema'.
inline std::vector<std::shared_ptr<arrow::Array>> TakeColumns(const std::shared_ptr<arrow::Table>& table,
                                                              const std::shared_ptr<arrow::Array>& indices,
                                                              const std::shared_ptr<arrow::Schema>& schema,
                                                              const char* what) {
  std::vector<std::shared_ptr<arrow::Array>> columns;
  if (!table) {
    for (const auto& field : schema->fields()) {
      columns.push_back(ValueOrThrow(arrow::MakeArrayOfNull(field->type(), indices->length()), what));
    }
    return columns;
  }
  for (int i = 0; i < table->num_columns(); ++i) {
    auto taken = ValueOrThrow(arrow::compute::Take(arrow::Datum(table->column(i)), arrow::Datum(indices)), what);
    auto chunked = taken.chunked_array();
    columns.push_back(chunked->num_chunks() == 1 ? chunked->chunk(0)
                                                 : ValueOrThrow(arrow::Concatenate(chunked->chunks()), what));
  }
  return columns;
}

/// The rows an operator keeps: the batches they came in (ids are positions in
/// their concatenation), and per group (join key, partition) the live row ids.
class RowStore {
 public:
  int64_t Append(const std::shared_ptr<arrow::RecordBatch>& batch) {
    const int64_t first = rows_;
    batches_.push_back(batch);
    rows_ += batch->num_rows();
    table_.reset();
    return first;
  }

  std::vector<int64_t>& Live(uint32_t group) {
    if (group >= live_.size()) live_.resize(group + 1);
    return live_[group];
  }

  /// The row 'id' as (batch, row in batch).
  std::pair<const arrow::RecordBatch*, int64_t> Locate(int64_t id) const {
    // Batches are few compared with rows; a linear scan from the back finds recent rows fast.
    int64_t end = rows_;
    for (size_t i = batches_.size(); i-- > 0;) {
      const int64_t start = end - batches_[i]->num_rows();
      if (id >= start) return {batches_[i].get(), id - start};
      end = start;
    }
    throw InternalError("join state: row id out of range");
  }

  /// Columns of the rows 'ids' (kNoRow gives NULLs).
  std::vector<std::shared_ptr<arrow::Array>> Take(const std::vector<int64_t>& ids,
                                                  const std::shared_ptr<arrow::Schema>& schema) {
    arrow::Int64Builder builder;
    for (int64_t id : ids) CheckArrow(id == kNoRow ? builder.AppendNull() : builder.Append(id), "operator output");
    auto indices = ValueOrThrow(builder.Finish(), "operator output");
    if (batches_.empty()) return TakeColumns(nullptr, indices, schema, "operator output");
    if (!table_) {
      if (batches_.size() > 64) {
        // Compact: one batch instead of many small ones (row ids stay the same).
        auto table = ValueOrThrow(arrow::Table::FromRecordBatches(batches_), "operator state");
        auto combined = ValueOrThrow(table->CombineChunksToBatch(), "operator state");
        batches_ = {combined};
      }
      table_ = ValueOrThrow(arrow::Table::FromRecordBatches(batches_), "operator state");
    }
    return TakeColumns(table_, indices, schema, "operator output");
  }

 private:
  std::vector<std::shared_ptr<arrow::RecordBatch>> batches_;
  std::shared_ptr<arrow::Table> table_;
  int64_t rows_ = 0;
  std::vector<std::vector<int64_t>> live_;
};

}  // namespace fluvial::table
