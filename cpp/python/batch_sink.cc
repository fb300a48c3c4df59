#include "python/object_batch.h"
#include "python/python_error.h"
#include "python/python_operator.h"

namespace fluvial::python {
namespace {

/// The end of a stream: hands each batch to spec["write"] as one Python list
/// (print, collect, file and user sinks are written in Python on top of it),
/// and calls spec["finish"] once the input has ended.
class BatchSink : public PythonOperator {
 public:
  explicit BatchSink(const py::dict& spec)
      : PythonOperator(spec), write_(spec["write"]), finish_(Optional(spec, "finish")) {}

  void ProcessBatch(int, runtime::BatchPtr batch, runtime::Collector&) override {
    ObjectBatch& objects = AsObjectBatch(*batch);
    const Py_ssize_t size = static_cast<Py_ssize_t>(objects.records.size());
    PyObject* list = PyList_New(size);
    if (list == nullptr) ThrowPythonError();
    // The list takes over the batch's references.
    for (Py_ssize_t i = 0; i < size; ++i) PyList_SET_ITEM(list, i, objects.records[i]);
    objects.records.clear();
    PyObject* result = PyObject_CallOneArg(write_.ptr(), list);
    Py_DECREF(list);
    if (result == nullptr) ThrowPythonError();
    Py_DECREF(result);
  }

  void Finish(runtime::Collector&) override { CallHook(finish_); }

 private:
  py::object write_;
  py::object finish_;
};

}  // namespace

std::unique_ptr<runtime::Operator> MakeBatchSink(const py::dict& spec) {
  return std::make_unique<BatchSink>(spec);
}

}  // namespace fluvial::python
