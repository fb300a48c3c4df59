#include "python/object_batch.h"
#include "python/output_gatherer.h"
#include "python/python_error.h"
#include "python/python_operator.h"

namespace fluvial::python {
namespace {

/// Calls call(record) — or, for a ProcessFunction, call(record, context) —
/// and emits every element of what it returns or yields; None emits nothing.
/// A ProcessFunction's context reads the current record's timestamp from
/// spec["cell"][0], which this operator keeps up to date.
class FlatMapOperator : public PythonOperator {
 public:
  FlatMapOperator(const py::dict& spec, bool with_context)
      : PythonOperator(spec),
        call_(spec["call"]),
        context_(with_context ? py::object(spec["context"]) : py::none()),
        cell_(with_context ? py::object(spec["cell"]) : py::none()),
        gatherer_(spec) {}

  void ProcessBatch(int, runtime::BatchPtr batch, runtime::Collector& out) override {
    ObjectBatch& objects = AsObjectBatch(*batch);
    PyObject* call = call_.ptr();
    PyObject* context = context_.is_none() ? nullptr : context_.ptr();
    const bool timed = !objects.timestamps.empty();
    for (size_t i = 0; i < objects.records.size(); ++i) {
      PyObject* record = objects.records[i];
      const int64_t timestamp = timed ? objects.timestamps[i] : runtime::kMinWatermark;
      PyObject* result;
      if (context == nullptr) {
        result = PyObject_CallOneArg(call, record);
      } else {
        SetCellTimestamp(timed, timestamp);
        PyObject* args[] = {record, context};
        result = PyObject_Vectorcall(call, args, 2, nullptr);
      }
      if (result == nullptr) ThrowPythonError();
      gatherer_.AddAll(result, timestamp);
    }
    gatherer_.Emit(out);
  }

 private:
  void SetCellTimestamp(bool timed, int64_t timestamp) {
    PyObject* value = timed && timestamp != runtime::kMinWatermark ? PyLong_FromLongLong(timestamp)
                                                                   : Py_NewRef(Py_None);
    if (value == nullptr) ThrowPythonError();
    if (PyList_SetItem(cell_.ptr(), 0, value) < 0) ThrowPythonError();
  }

  py::object call_;
  py::object context_;
  py::object cell_;
  OutputGatherer gatherer_;
};

}  // namespace

std::unique_ptr<runtime::Operator> MakeFlatMapOperator(const py::dict& spec, bool with_context) {
  return std::make_unique<FlatMapOperator>(spec, with_context);
}

}  // namespace fluvial::python
