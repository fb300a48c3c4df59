#pragma once

#include <arrow/api.h>

#include <cstdint>
#include <memory>
#include <vector>

#include "runtime/batch.h"

namespace fluvial::table {

/// Flink's RowKind: what a row of an updating (changelog) stream means.
enum class RowKind : int8_t {
  kInsert = 0,         ///< +I
  kUpdateBefore = 1,   ///< -U: retracts the previous value of an updated row
  kUpdateAfter = 2,    ///< +U: the new value of an updated row
  kDelete = 3,         ///< -D
};

/// True for the kinds that add a row (+I, +U), false for those that retract one.
inline bool IsAccumulate(RowKind kind) {
  return kind == RowKind::kInsert || kind == RowKind::kUpdateAfter;
}

/// The columnar path's batch: an Arrow record batch, and the row kind of each
/// row (empty when every row is an insert: append-only streams carry none).
class ColumnarBatch : public runtime::Batch {
 public:
  explicit ColumnarBatch(std::shared_ptr<arrow::RecordBatch> data) : data(std::move(data)) {}

  size_t size() const override { return static_cast<size_t>(data->num_rows()); }

  RowKind kind(size_t row) const {
    return row_kinds.empty() ? RowKind::kInsert : static_cast<RowKind>(row_kinds[row]);
  }

  std::shared_ptr<arrow::RecordBatch> data;
  std::vector<int8_t> row_kinds;

 protected:
  std::unique_ptr<runtime::Batch> SelectRecords(const std::vector<uint32_t>& indices) const override;
  std::unique_ptr<runtime::Batch> ShareRecords() const override;
};

/// Returns 'batch' as a ColumnarBatch; throws InternalError if it is not one
/// (a plan that feeds Python objects into a table operator).
ColumnarBatch& AsColumnar(runtime::Batch& batch);

/// Throws UserError/InternalError for a failed Arrow status, naming 'what'.
void CheckArrow(const arrow::Status& status, const char* what);

/// 'array' cast to 'type' (unsafe casts truncate instead of failing).
std::shared_ptr<arrow::Array> CastArray(const std::shared_ptr<arrow::Array>& array,
                                       const std::shared_ptr<arrow::DataType>& type, bool safe,
                                       const char* what);

template <typename T>
T ValueOrThrow(arrow::Result<T> result, const char* what) {
  CheckArrow(result.status(), what);
  return std::move(result).ValueUnsafe();
}

}  // namespace fluvial::table
