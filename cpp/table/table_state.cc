#include "table/table_state.h"

#include "common/errors.h"
#include "python/python_error.h"
#include "table/arrow_python.h"
#include "table/columnar_batch.h"

namespace fluvial::table {

std::shared_ptr<arrow::RecordBatch> WithKeyGroups(const std::shared_ptr<arrow::RecordBatch>& batch,
                                                  const std::vector<int32_t>& key_groups) {
  arrow::Int32Builder builder;
  CheckArrow(builder.AppendValues(key_groups), "snapshotting key groups");
  auto column = ValueOrThrow(builder.Finish(), "snapshotting key groups");
  return ValueOrThrow(batch->AddColumn(batch->num_columns(), arrow::field(kKeyGroupColumn, arrow::int32()), column),
                      "snapshotting key groups");
}

std::shared_ptr<arrow::RecordBatch> WithoutKeyGroups(const std::shared_ptr<arrow::RecordBatch>& batch) {
  const int last = batch->num_columns() - 1;
  if (last < 0 || batch->schema()->field(last)->name() != kKeyGroupColumn) {
    throw InternalError("a restored table state part lacks its " + std::string(kKeyGroupColumn) + " column");
  }
  return ValueOrThrow(batch->RemoveColumn(last), "restoring table state");
}

TableOperator::TableOperator(const py::dict& spec) {
  if (spec.contains("snapshot")) snapshot_ = spec["snapshot"];
  if (spec.contains("restored_native")) restored_ = spec["restored_native"];
  if (spec.contains("max_parallelism")) max_parallelism_ = spec["max_parallelism"].cast<int>();
}

void TableOperator::SnapshotState(int64_t checkpoint_id) {
  if (!snapshot_ || snapshot_.is_none()) return;
  // The copy is native work: done before taking the interpreter lock (which a
  // chain of native operators does not hold; one that calls Python does, and
  // taking it again is then a no-op).
  std::vector<StatePart> parts = SnapshotTables();
  py::gil_scoped_acquire gil;
  py::dict state;
  for (const auto& part : parts) {
    py::str name(part.name);
    if (!state.contains(name)) state[name] = py::list();
    state[name].cast<py::list>().append(ExportRecordBatch(part.rows));
  }
  PyObject* id = PyLong_FromLongLong(checkpoint_id);
  if (id == nullptr) python::ThrowPythonError();
  PyObject* result = PyObject_CallFunctionObjArgs(snapshot_.ptr(), id, state.ptr(), nullptr);
  Py_DECREF(id);
  if (result == nullptr) python::ThrowPythonError();
  Py_DECREF(result);
}

StatePart TableOperator::WatermarkPart(int64_t watermark, uint32_t begin, uint32_t end) {
  std::vector<int32_t> owned;
  arrow::Int64Builder watermarks;
  for (uint32_t group = begin; group < end; ++group) {
    owned.push_back(static_cast<int32_t>(group));
    CheckArrow(watermarks.Append(watermark), "snapshotting a watermark");
  }
  auto column = ValueOrThrow(watermarks.Finish(), "snapshotting a watermark");
  auto batch = arrow::RecordBatch::Make(arrow::schema({arrow::field("watermark", arrow::int64())}),
                                        static_cast<int64_t>(owned.size()), {column});
  return {"watermark", WithKeyGroups(batch, owned)};
}

int64_t TableOperator::RestoredWatermark(int64_t otherwise) const {
  bool restored = false;
  int64_t watermark = runtime::kMaxWatermark;
  for (const auto& part : RestoredPart("watermark")) {
    const auto& values = static_cast<const arrow::Int64Array&>(*part->column(0));
    for (int64_t row = 0; row < values.length(); ++row) {
      watermark = std::min(watermark, values.Value(row));
      restored = true;
    }
  }
  return restored ? watermark : otherwise;
}

std::vector<std::shared_ptr<arrow::RecordBatch>> TableOperator::RestoredPart(const std::string& name) const {
  std::vector<std::shared_ptr<arrow::RecordBatch>> batches;
  if (!restored_ || restored_.is_none()) return batches;
  py::dict parts = restored_.cast<py::dict>();
  if (!parts.contains(name)) return batches;
  for (const py::handle& batch : parts[py::str(name)]) {
    batches.push_back(WithoutKeyGroups(ImportRecordBatch(batch)));
  }
  return batches;
}

}  // namespace fluvial::table
