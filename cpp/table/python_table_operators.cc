// The columnar operators that call Python: UDF projections (the batch goes
// to Python as a pyarrow.RecordBatch, zero-copy, and comes back with the
// UDF's columns), sinks, and the conversions to and from the object path
// (Table <-> DataStream).
#include "common/errors.h"
#include "python/object_batch.h"
#include "python/python_error.h"
#include "python/python_operator.h"
#include "table/arrow_python.h"
#include "table/columnar_batch.h"
#include "table/table_support.h"

#include <pybind11/stl.h>

namespace fluvial::table {
namespace {

py::object RowKindsBytes(const ColumnarBatch& batch) {
  if (batch.row_kinds.empty()) return py::none();
  return py::bytes(reinterpret_cast<const char*>(batch.row_kinds.data()), batch.row_kinds.size());
}

class PythonTableOperator : public python::PythonOperator {
 public:
  explicit PythonTableOperator(const py::dict& spec)
      : PythonOperator(spec),
        kind_(py::str(spec["kind"])),
        call_(spec.contains("call") ? py::object(spec["call"]) : py::object(spec["write"])),
        finish_(Optional(spec, "finish")),
        rowtime_column_(spec.contains("rowtime_column") ? spec["rowtime_column"].cast<std::string>() : "") {}

  void ProcessBatch(int, runtime::BatchPtr batch, runtime::Collector& out) override {
    if (kind_ == "table_from_objects") {
      FromObjects(std::move(batch), out);
      return;
    }
    auto& input = AsColumnar(*batch);
    py::object exported = ExportRecordBatch(input.data);
    py::object result = Call(exported, RowKindsBytes(input));
    if (kind_ == "table_sink") return;
    if (kind_ == "table_to_objects") {
      auto objects = std::make_unique<python::ObjectBatch>();
      for (const py::handle& record : result) objects->records.push_back(py::reinterpret_borrow<py::object>(record).release().ptr());
      objects->timestamps = std::move(input.timestamps);
      if (objects->records.size() != input.size()) {
        throw InternalError("table-to-stream conversion changed the number of rows");
      }
      out.Collect(std::move(objects));
      return;
    }
    // table_python_calc: new columns for the same rows; or (batch, rows) when the
    // step keeps or repeats some input rows (a lookup join): output row i comes
    // from input row rows[i], whose kind and time it takes.
    if (py::isinstance<py::tuple>(result) && py::isinstance<py::bytes>(result.cast<py::tuple>()[1])) {
      // (batch, row kinds): a step that makes new rows with their own kinds (a Python aggregation).
      auto pair = result.cast<py::tuple>();
      auto produced = std::make_unique<ColumnarBatch>(ImportRecordBatch(pair[0]));
      std::string kinds = pair[1].cast<std::string>();
      if (kinds.size() != produced->size()) throw InternalError("a Python table step returned mismatched row kinds");
      produced->row_kinds.assign(kinds.begin(), kinds.end());
      if (produced->size() > 0) out.Collect(std::move(produced));
      return;
    }
    if (py::isinstance<py::tuple>(result)) {
      auto pair = result.cast<py::tuple>();
      auto data = ImportRecordBatch(pair[0]);
      std::vector<uint32_t> rows = pair[1].cast<std::vector<uint32_t>>();
      if (rows.size() != static_cast<size_t>(data->num_rows())) {
        throw InternalError("a Python table step returned " + std::to_string(data->num_rows()) + " rows and " +
                            std::to_string(rows.size()) + " source rows");
      }
      auto projected = std::make_unique<ColumnarBatch>(std::move(data));
      for (uint32_t row : rows) {
        if (row >= input.size()) throw InternalError("a Python table step named a row beyond its input");
        if (!input.row_kinds.empty()) projected->row_kinds.push_back(input.row_kinds[row]);
        if (!input.timestamps.empty()) projected->timestamps.push_back(input.timestamps[row]);
      }
      if (projected->size() > 0) out.Collect(std::move(projected));
      return;
    }
    auto data = ImportRecordBatch(result);
    if (data->num_rows() != input.data->num_rows()) {
      throw InternalError("a Python projection returned " + std::to_string(data->num_rows()) + " rows for " +
                          std::to_string(input.data->num_rows()));
    }
    auto projected = std::make_unique<ColumnarBatch>(std::move(data));
    projected->row_kinds = std::move(input.row_kinds);
    projected->timestamps = std::move(input.timestamps);
    out.Collect(std::move(projected));
  }

  // A step may return rows from finish() too: (batch, row kinds), e.g. the final
  // results of a Python aggregation in batch mode.
  void Finish(runtime::Collector& out) override {
    if (finish_.is_none()) return;
    PyObject* raw = PyObject_CallNoArgs(finish_.ptr());
    if (raw == nullptr) python::ThrowPythonError();
    py::object result = py::reinterpret_steal<py::object>(raw);
    if (result.is_none() || kind_ == "table_sink") return;
    auto pair = result.cast<py::tuple>();
    auto produced = std::make_unique<ColumnarBatch>(ImportRecordBatch(pair[0]));
    std::string kinds = pair[1].cast<std::string>();
    produced->row_kinds.assign(kinds.begin(), kinds.end());
    if (produced->size() > 0) out.Collect(std::move(produced));
  }

 private:
  py::object Call(const py::object& first, const py::object& second) {
    PyObject* result = PyObject_CallFunctionObjArgs(call_.ptr(), first.ptr(), second.ptr(), nullptr);
    if (result == nullptr) python::ThrowPythonError();
    return py::reinterpret_steal<py::object>(result);
  }

  // Records of the object path → one record batch (+ row kinds) via Python.
  void FromObjects(runtime::BatchPtr batch, runtime::Collector& out) {
    auto& objects = python::AsObjectBatch(*batch);
    py::list records(objects.records.size());
    for (size_t i = 0; i < objects.records.size(); ++i) {
      records[i] = py::reinterpret_borrow<py::object>(objects.records[i]);
    }
    py::object result = Call(records, py::none());
    py::tuple pair = result.cast<py::tuple>();
    auto data = ImportRecordBatch(pair[0]);
    if (!rowtime_column_.empty()) {
      // The stream's record timestamps become the table's rowtime column.
      if (objects.timestamps.size() != objects.records.size()) {
        throw UserError("the table's rowtime is the stream's record timestamp, but the stream has none: assign "
                        "timestamps with a WatermarkStrategy before from_data_stream");
      }
      arrow::TimestampBuilder builder(arrow::timestamp(arrow::TimeUnit::MILLI, "UTC"), arrow::default_memory_pool());
      CheckArrow(builder.AppendValues(objects.timestamps), "rowtime column");
      auto column = ValueOrThrow(builder.Finish(), "rowtime column");
      data = ValueOrThrow(data->AddColumn(data->num_columns(), arrow::field(rowtime_column_, column->type()), column),
                          "rowtime column");
    }
    auto converted = std::make_unique<ColumnarBatch>(std::move(data));
    if (!pair[1].is_none()) {
      std::string kinds = pair[1].cast<std::string>();
      converted->row_kinds.assign(kinds.begin(), kinds.end());
    }
    converted->timestamps = std::move(objects.timestamps);
    out.Collect(std::move(converted));
  }

  std::string kind_;
  py::object call_;
  py::object finish_;
  std::string rowtime_column_;  // the column the stream's timestamps fill, or empty
};

}  // namespace

std::unique_ptr<runtime::Operator> MakePythonTableOperator(const py::dict& spec) {
  return std::make_unique<PythonTableOperator>(spec);
}

}  // namespace fluvial::table
