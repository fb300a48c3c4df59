#pragma once

// Key columns → dense group ids with Arrow's Grouper: what every keyed columnar
// operator does first with a batch (partitions of OVER, Top-N and sessions;
// join keys; GROUP BY keys).
#include <arrow/api.h>
#include <arrow/compute/exec.h>
#include <arrow/compute/row/grouper.h>

#include <algorithm>
#include <memory>
#include <vector>

#include "table/columnar_batch.h"

namespace fluvial::table {

class KeyGrouper {
 public:
  /// Groups by 'columns' of batches of 'schema'; no columns: every row is group 0.
  KeyGrouper(const std::vector<int>& columns, const arrow::Schema& schema, const char* what)
      : columns_(columns), what_(what) {
    std::vector<arrow::TypeHolder> types;
    for (int column : columns_) types.emplace_back(schema.field(column)->type());
    if (!types.empty()) grouper_ = ValueOrThrow(arrow::compute::Grouper::Make(types), what_);
  }

  /// The group id of every row of 'batch' (new keys get the next ids). With 'key_types', the key
  /// columns are first cast to them (the two sides of a join group as one).
  std::vector<uint32_t> Consume(const arrow::RecordBatch& batch, const std::vector<int>* columns = nullptr,
                                const std::vector<std::shared_ptr<arrow::DataType>>* key_types = nullptr) {
    const int64_t rows = batch.num_rows();
    std::vector<uint32_t> groups(static_cast<size_t>(rows), 0);
    if (!grouper_) return groups;
    const std::vector<int>& keys = columns != nullptr ? *columns : columns_;
    std::vector<arrow::Datum> values;
    for (size_t i = 0; i < keys.size(); ++i) {
      auto column = batch.column(keys[i]);
      if (key_types != nullptr) column = CastArray(column, (*key_types)[i], true, what_);
      values.emplace_back(column);
    }
    arrow::compute::ExecBatch key_batch(std::move(values), rows);
    auto ids = ValueOrThrow(grouper_->Consume(arrow::compute::ExecSpan(key_batch)), what_).make_array();
    auto array = std::static_pointer_cast<arrow::UInt32Array>(ids);
    std::copy(array->raw_values(), array->raw_values() + rows, groups.begin());
    return groups;
  }

  uint32_t num_groups() const { return grouper_ ? grouper_->num_groups() : 1; }

 private:
  std::vector<int> columns_;
  const char* what_;
  std::unique_ptr<arrow::compute::Grouper> grouper_;
};

}  // namespace fluvial::table
