#include "python/output_gatherer.h"

#include "python/python_error.h"

namespace fluvial::python {

void AppendTimestamp(ObjectBatch& batch, int64_t timestamp) {
  if (timestamp == runtime::kMinWatermark && batch.timestamps.empty()) return;
  // A first timestamped record after untimestamped ones: those get "none".
  if (batch.timestamps.size() + 1 < batch.records.size()) {
    batch.timestamps.resize(batch.records.size() - 1, runtime::kMinWatermark);
  }
  batch.timestamps.push_back(timestamp);
}

OutputGatherer::OutputGatherer(const py::dict& spec)
    : tag_class_(spec.contains("output_tag_class") ? py::object(spec["output_tag_class"]) : py::none()),
      side_outputs_(spec.contains("side_outputs") ? py::object(spec["side_outputs"]) : py::dict()),
      validate_(spec.contains("validate") ? py::object(spec["validate"]) : py::none()),
      main_(std::make_unique<ObjectBatch>()) {}

ObjectBatch& OutputGatherer::SideBatch(int tag) {
  auto& batch = sides_[tag];
  if (!batch) batch = std::make_unique<ObjectBatch>();
  return *batch;
}

void OutputGatherer::Add(PyObject* value, int64_t timestamp) {
  // (OutputTag, value): a side output.
  if (!tag_class_.is_none() && PyTuple_CheckExact(value) && PyTuple_GET_SIZE(value) == 2) {
    PyObject* tag = PyTuple_GET_ITEM(value, 0);
    int is_tag = PyObject_IsInstance(tag, tag_class_.ptr());
    if (is_tag < 0) {
      Py_DECREF(value);
      ThrowPythonError();
    }
    if (is_tag) {
      PyObject* number = PyDict_GetItemWithError(side_outputs_.ptr(), tag);  // borrowed
      if (number == nullptr && PyErr_Occurred()) {
        Py_DECREF(value);
        ThrowPythonError();
      }
      if (number != nullptr) {
        PyObject* element = PyTuple_GET_ITEM(value, 1);
        Py_INCREF(element);
        ObjectBatch& side = SideBatch(static_cast<int>(PyLong_AsLong(number)));
        side.AddStolen(element);
        AppendTimestamp(side, timestamp);
      }
      Py_DECREF(value);
      return;
    }
  }
  if (!validate_.is_none()) {
    PyObject* checked = PyObject_CallOneArg(validate_.ptr(), value);
    if (checked == nullptr) {
      Py_DECREF(value);
      ThrowPythonError();
    }
    Py_DECREF(checked);
  }
  main_->AddStolen(value);
  AppendTimestamp(*main_, timestamp);
}

void OutputGatherer::AddAll(PyObject* result, int64_t timestamp, PyObject* timestamp_cell) {
  if (result == Py_None) {
    Py_DECREF(result);
    return;
  }
  PyObject* iterator = PyObject_GetIter(result);
  Py_DECREF(result);
  if (iterator == nullptr) ThrowPythonError();
  while (PyObject* element = PyIter_Next(iterator)) {
    int64_t element_timestamp = timestamp;
    if (timestamp_cell != nullptr) {
      PyObject* stamp = PyList_GET_ITEM(timestamp_cell, 4);  // borrowed
      if (stamp != Py_None) element_timestamp = PyLong_AsLongLong(stamp);
    }
    try {
      Add(element, element_timestamp);
    } catch (...) {
      Py_DECREF(iterator);
      throw;
    }
  }
  Py_DECREF(iterator);
  if (PyErr_Occurred()) ThrowPythonError();
}

void OutputGatherer::Emit(runtime::Collector& out) {
  if (main_->size() > 0) {
    out.Collect(std::move(main_));
    main_ = std::make_unique<ObjectBatch>();
  }
  for (auto& [tag, batch] : sides_) {
    if (batch && batch->size() > 0) out.CollectSide(tag, std::move(batch));
  }
  sides_.clear();
}

}  // namespace fluvial::python
