#include "python/python_error.h"

namespace fluvial::python {

PythonError PythonError::FetchCurrent() {
  PyObject *type, *value, *traceback;
  PyErr_Fetch(&type, &value, &traceback);
  if (type == nullptr) {
    return PythonError(nullptr, "unknown Python error (no exception was set)");
  }
  PyErr_NormalizeException(&type, &value, &traceback);
  if (traceback != nullptr) PyException_SetTraceback(value, traceback);
  std::string summary = reinterpret_cast<PyTypeObject*>(type)->tp_name;
  if (PyObject* text = PyObject_Str(value)) {
    if (const char* utf8 = PyUnicode_AsUTF8(text); utf8 != nullptr && *utf8 != '\0') {
      summary += ": ";
      summary += utf8;
    }
    Py_DECREF(text);
  }
  PyErr_Clear();
  Py_XDECREF(type);
  Py_XDECREF(traceback);
  return PythonError(value, std::move(summary));
}

PythonError::PythonError(PyObject* value, std::string summary)
    : value_(value), summary_(std::move(summary)) {}

PythonError::PythonError(const PythonError& other)
    : value_(other.value_), summary_(other.summary_) {
  if (value_ != nullptr) {
    PyGILState_STATE state = PyGILState_Ensure();
    Py_INCREF(value_);
    PyGILState_Release(state);
  }
}

PythonError::~PythonError() {
  // May be destroyed on any thread, with or without the GIL.
  if (value_ != nullptr && Py_IsInitialized()) {
    PyGILState_STATE state = PyGILState_Ensure();
    Py_DECREF(value_);
    PyGILState_Release(state);
  }
}

PyObject* PythonError::NewReference() const {
  if (value_ == nullptr) {
    return PyObject_CallFunction(PyExc_RuntimeError, "s", summary_.c_str());
  }
  Py_INCREF(value_);
  return value_;
}

void ThrowPythonError() { throw PythonError::FetchCurrent(); }

}  // namespace fluvial::python
