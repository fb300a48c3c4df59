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
