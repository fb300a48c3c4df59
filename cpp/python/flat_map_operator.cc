#include "python/object_batch.h"
#include "python/python_error.h"
#include "python/python_operator.h"

namespace fluvial::python {
namespace {

/// Calls call(record) — or call(record, context) for a ProcessFunction — and
/// emits every element of what it returns or yields; None emits nothing.
class FlatMapOperator : public PythonOperator {
 public:
  FlatMapOperator(const py::dict& spec, bool with_context)
      : PythonOperator(spec),
        call_(spec["call"]),
        context_(with_context ? py::object(spec["context"]) : py::none()),
        validate_(Optional(spec, "validate")) {}

  void ProcessBatch(int, runtime::BatchPtr batch, runtime::Collector& out) override {
    ObjectBatch& objects = AsObjectBatch(*batch);
    auto output = std::make_unique<ObjectBatch>();
    output->records.reserve(objects.records.size());
    PyObject* call = call_.ptr();
    PyObject* context = context_.is_none() ? nullptr : context_.ptr();
    PyObject* validate = validate_.is_none() ? nullptr : validate_.ptr();
    for (PyObject* record : objects.records) {
      PyObject* result = context == nullptr ? PyObject_CallOneArg(call, record)
                                            : PyObject_CallFunctionObjArgs(call, record, context, nullptr);
      if (result == nullptr) ThrowPythonError();
      if (result == Py_None) {
        Py_DECREF(result);
        continue;
      }
      PyObject* iterator = PyObject_GetIter(result);
      Py_DECREF(result);
      if (iterator == nullptr) ThrowPythonError();
      while (PyObject* element = PyIter_Next(iterator)) {
        output->AddStolen(element);
        if (validate != nullptr) {
          PyObject* checked = PyObject_CallOneArg(validate, element);
          if (checked == nullptr) {
            Py_DECREF(iterator);
            ThrowPythonError();
          }
          Py_DECREF(checked);
        }
      }
      Py_DECREF(iterator);
      if (PyErr_Occurred()) ThrowPythonError();
    }
    if (output->size() > 0) out.Collect(std::move(output));
  }

 private:
  py::object call_;
  py::object context_;
  py::object validate_;
};

}  // namespace

std::unique_ptr<runtime::Operator> MakeFlatMapOperator(const py::dict& spec, bool with_context) {
  return std::make_unique<FlatMapOperator>(spec, with_context);
}

}  // namespace fluvial::python
