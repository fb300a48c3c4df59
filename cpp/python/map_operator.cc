#include "python/object_batch.h"
#include "python/python_error.h"
#include "python/python_operator.h"

namespace fluvial::python {
namespace {

/// Replaces each record by call(record), in place: no new batch, no copy.
class MapOperator : public PythonOperator {
 public:
  explicit MapOperator(const py::dict& spec)
      : PythonOperator(spec), call_(spec["call"]), validate_(Optional(spec, "validate")) {}

  void ProcessBatch(int, runtime::BatchPtr batch, runtime::Collector& out) override {
    ObjectBatch& objects = AsObjectBatch(*batch);
    PyObject* call = call_.ptr();
    PyObject* validate = validate_.is_none() ? nullptr : validate_.ptr();
    for (PyObject*& record : objects.records) {
      PyObject* result = PyObject_CallOneArg(call, record);
      if (result == nullptr) ThrowPythonError();
      Py_SETREF(record, result);
      if (validate != nullptr) {
        PyObject* checked = PyObject_CallOneArg(validate, result);
        if (checked == nullptr) ThrowPythonError();
        Py_DECREF(checked);
      }
    }
    objects.ClearKeys();
    out.Collect(std::move(batch));
  }

 private:
  py::object call_;
  py::object validate_;
};

}  // namespace

std::unique_ptr<runtime::Operator> MakeMapOperator(const py::dict& spec) {
  return std::make_unique<MapOperator>(spec);
}

}  // namespace fluvial::python
