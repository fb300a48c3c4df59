#include "table/table_support.h"

#include <arrow/c/abi.h>
#include <arrow/c/bridge.h>
#include <arrow/compute/api.h>
#include <arrow/compute/initialize.h>

#include "common/errors.h"
#include "table/columnar_batch.h"
#include "table/table_operators.h"

namespace fluvial::table {

std::shared_ptr<arrow::Schema> ImportSchema(const py::handle& object) {
  py::object capsule = object.attr("__arrow_c_schema__")();
  auto* schema = static_cast<ArrowSchema*>(PyCapsule_GetPointer(capsule.ptr(), "arrow_schema"));
  if (schema == nullptr) throw py::error_already_set();
  return ValueOrThrow(arrow::ImportSchema(schema), "importing a schema from Python");
}

arrow::compute::Expression DeserializeExpression(const py::handle& serialized) {
  std::string bytes = serialized.cast<std::string>();
  auto buffer = arrow::Buffer::FromString(std::move(bytes));
  return ValueOrThrow(arrow::compute::Deserialize(buffer), "reading a planned expression");
}

std::shared_ptr<arrow::Array> ToArray(const arrow::Datum& value, int64_t rows,
                                      const std::shared_ptr<arrow::DataType>& type) {
  std::shared_ptr<arrow::Array> array =
      value.is_scalar() ? ValueOrThrow(arrow::MakeArrayFromScalar(*value.scalar(), rows), "expanding a constant")
                        : value.make_array();
  return CastArray(array, type, true, "casting a result column");
}

std::vector<int64_t> EpochMillis(const std::shared_ptr<arrow::Array>& column, const char* what) {
  std::shared_ptr<arrow::Array> values = column;
  const auto id = column->type()->id();
  if (id == arrow::Type::TIMESTAMP) {
    values = CastArray(column, arrow::timestamp(arrow::TimeUnit::MILLI), false, what);
  } else if (id == arrow::Type::DATE32) {
    values = CastArray(column, arrow::date64(), false, what);
  }
  values = CastArray(values, arrow::int64(), false, what);
  std::vector<int64_t> result(static_cast<size_t>(values->length()));
  auto int_values = std::static_pointer_cast<arrow::Int64Array>(values);
  for (int64_t i = 0; i < values->length(); ++i) {
    if (int_values->IsNull(i)) {
      throw UserError(std::string(what) + ": row " + std::to_string(i) +
                      " of the batch has a NULL time attribute; rows need a time to be placed in event time");
    }
    result[i] = int_values->Value(i);
  }
  return result;
}

std::vector<int> IntList(const py::handle& list) {
  std::vector<int> result;
  for (const py::handle& item : list) result.push_back(item.cast<int>());
  return result;
}

std::unique_ptr<runtime::Operator> MakeTableOperator(const py::dict& spec) {
  static const bool initialized = [] {
    // Arrow 21+ registers its compute kernels on request.
    CheckArrow(arrow::compute::Initialize(), "initializing Arrow compute");
    return true;
  }();
  (void)initialized;
  const std::string kind = py::str(spec["kind"]);
  if (kind == "table_calc") return MakeCalcOperator(spec);
  if (kind == "table_group_agg") return MakeGroupAggregateOperator(spec);
  if (kind == "table_window_agg") {
    if (py::str(spec["window"]).cast<std::string>() == "session") return MakeSessionWindowOperator(spec);
    return MakeWindowAggregateOperator(spec);
  }
  if (kind == "table_key_by") return MakeTableKeyAssigner(spec);
  if (kind == "table_rowtime") return MakeRowtimeOperator(spec);
  if (kind == "table_join") return MakeJoinOperator(spec);
  if (kind == "table_temporal_join") return MakeTemporalJoinOperator(spec);
  if (kind == "table_interval_join") return MakeIntervalJoinOperator(spec);
  if (kind == "table_drop_late") return MakeLateRowFilter(spec);
  if (kind == "table_window_join") return MakeWindowJoinOperator(spec);
  if (kind == "table_window_tvf") return MakeWindowTableFunction(spec);
  if (kind == "table_sort_limit") return MakeSortLimitOperator(spec);
  if (kind == "table_rank") return MakeRankOperator(spec);
  if (kind == "table_over_agg") return MakeOverAggregateOperator(spec);
  if (kind == "table_python_calc" || kind == "table_sink" || kind == "table_to_objects" ||
      kind == "table_from_objects") {
    return MakePythonTableOperator(spec);
  }
  return nullptr;
}

}  // namespace fluvial::table
