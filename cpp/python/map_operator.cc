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

/// Replaces the records by call(list of records), one call per batch: for
/// functions that do better with many records at once (a lookup that fetches
/// all of a batch's keys in one round trip). The result must be a list of the
/// same length, element i replacing record i.
class MapBatchOperator : public PythonOperator {
 public:
  explicit MapBatchOperator(const py::dict& spec)
      : PythonOperator(spec), call_(spec["call"]), validate_(Optional(spec, "validate")) {}

  void ProcessBatch(int, runtime::BatchPtr batch, runtime::Collector& out) override {
    ObjectBatch& objects = AsObjectBatch(*batch);
    const Py_ssize_t size = static_cast<Py_ssize_t>(objects.records.size());
    PyObject* input = PyList_New(size);
    if (input == nullptr) ThrowPythonError();
    for (Py_ssize_t i = 0; i < size; ++i) {
      Py_INCREF(objects.records[i]);
      PyList_SET_ITEM(input, i, objects.records[i]);
    }
    PyObject* result = PyObject_CallOneArg(call_.ptr(), input);
    Py_DECREF(input);
    if (result == nullptr) ThrowPythonError();
    if (!PyList_Check(result) || PyList_GET_SIZE(result) != size) {
      if (PyList_Check(result)) {
        PyErr_Format(PyExc_ValueError,
                     "a batch map function must return a list of as many records as it was "
                     "given (%zd), got a list of %zd",
                     size, PyList_GET_SIZE(result));
      } else {
        PyErr_Format(PyExc_TypeError,
                     "a batch map function must return a list of %zd records, got %s", size,
                     Py_TYPE(result)->tp_name);
      }
      Py_DECREF(result);
      ThrowPythonError();
    }
    PyObject* validate = validate_.is_none() ? nullptr : validate_.ptr();
    for (Py_ssize_t i = 0; i < size; ++i) {
      PyObject* record = PyList_GET_ITEM(result, i);
      Py_INCREF(record);
      Py_SETREF(objects.records[i], record);
      if (validate != nullptr) {
        PyObject* checked = PyObject_CallOneArg(validate, record);
        if (checked == nullptr) {
          Py_DECREF(result);
          ThrowPythonError();
        }
        Py_DECREF(checked);
      }
    }
    Py_DECREF(result);
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

std::unique_ptr<runtime::Operator> MakeMapBatchOperator(const py::dict& spec) {
  return std::make_unique<MapBatchOperator>(spec);
}

}  // namespace fluvial::python
