#include "table/columnar_batch.h"

#include <arrow/compute/api.h>

#include "common/errors.h"

namespace fluvial::table {

void CheckArrow(const arrow::Status& status, const char* what) {
  if (status.ok()) return;
  // Invalid input and type errors come from the data or the query; anything
  // else is a bug or an environment failure.
  if (status.IsInvalid() || status.IsTypeError() || status.IsKeyError() || status.IsIndexError()) {
    throw UserError(std::string(what) + ": " + status.message());
  }
  throw InternalError(std::string(what) + ": " + status.ToString());
}

std::unique_ptr<runtime::Batch> ColumnarBatch::SelectRecords(const std::vector<uint32_t>& indices) const {
  arrow::UInt32Builder builder;
  CheckArrow(builder.AppendValues(indices.data(), static_cast<int64_t>(indices.size())),
             "selecting rows");
  auto index_array = ValueOrThrow(builder.Finish(), "selecting rows");
  auto taken = ValueOrThrow(arrow::compute::Take(data, index_array), "selecting rows");
  auto selected = std::make_unique<ColumnarBatch>(taken.record_batch());
  if (!row_kinds.empty()) {
    selected->row_kinds.reserve(indices.size());
    for (uint32_t index : indices) selected->row_kinds.push_back(row_kinds[index]);
  }
  return selected;
}

std::unique_ptr<runtime::Batch> ColumnarBatch::ShareRecords() const {
  auto shared = std::make_unique<ColumnarBatch>(data);
  shared->row_kinds = row_kinds;
  return shared;
}

std::shared_ptr<arrow::Array> CastArray(const std::shared_ptr<arrow::Array>& array,
                                       const std::shared_ptr<arrow::DataType>& type, bool safe,
                                       const char* what) {
  if (array->type()->Equals(*type)) return array;
  auto options = safe ? arrow::compute::CastOptions::Safe(type) : arrow::compute::CastOptions::Unsafe(type);
  arrow::Datum cast = ValueOrThrow(arrow::compute::Cast(arrow::Datum(array), options), what);
  return cast.make_array();
}

ColumnarBatch& AsColumnar(runtime::Batch& batch) {
  auto* columnar = dynamic_cast<ColumnarBatch*>(&batch);
  if (columnar == nullptr) {
    throw InternalError("a table operator received a batch of Python objects: the plan is missing a conversion");
  }
  return *columnar;
}

}  // namespace fluvial::table
