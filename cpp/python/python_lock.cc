#include "python/python_lock.h"

#include <Python.h>
#include <pythread.h>

namespace fluvial::python {
namespace {

// threading.current_thread() (called by Thread.join, logging, user code ...)
// on a thread Python did not start registers a threading._DummyThread in
// threading._active, and Python never removes it: every job would leave one
// "thread" per worker behind in threading.active_count() and enumerate().
// The worker thread is about to end, so its entry goes now (GIL held).
void ForgetDummyThread() {
  PyObject* saved_type;
  PyObject* saved_value;
  PyObject* saved_traceback;
  PyErr_Fetch(&saved_type, &saved_value, &saved_traceback);
  PyObject* modules = PyImport_GetModuleDict();  // borrowed
  PyObject* threading = modules ? PyDict_GetItemString(modules, "threading") : nullptr;
  if (threading != nullptr) {
    PyObject* active = PyObject_GetAttrString(threading, "_active");
    PyObject* dummy_type = PyObject_GetAttrString(threading, "_DummyThread");
    PyObject* ident = PyLong_FromUnsignedLong(PyThread_get_thread_ident());
    if (active != nullptr && dummy_type != nullptr && ident != nullptr && PyDict_Check(active)) {
      PyObject* entry = PyDict_GetItemWithError(active, ident);  // borrowed
      if (entry != nullptr && PyObject_IsInstance(entry, dummy_type) == 1) {
        PyDict_DelItem(active, ident);
      }
    }
    Py_XDECREF(ident);
    Py_XDECREF(dummy_type);
    Py_XDECREF(active);
  }
  PyErr_Clear();
  PyErr_Restore(saved_type, saved_value, saved_traceback);
}

class PythonThreadScope : public runtime::ExecutionLock::ThreadScope {
 public:
  PythonThreadScope() {
    // Creates this thread's state (the GIL is taken), then lets go of the
    // GIL but keeps the state for every later Enter.
    gil_state_ = PyGILState_Ensure();
    saved_ = PyEval_SaveThread();
  }
  ~PythonThreadScope() override {
    PyEval_RestoreThread(saved_);
    ForgetDummyThread();
    PyGILState_Release(gil_state_);
  }
  void Enter() override { PyEval_RestoreThread(saved_); }
  void Leave() override { saved_ = PyEval_SaveThread(); }

 private:
  PyGILState_STATE gil_state_;
  PyThreadState* saved_ = nullptr;
};

}  // namespace

std::unique_ptr<runtime::ExecutionLock::ThreadScope> PythonExecutionLock::AttachThread() {
  return std::make_unique<PythonThreadScope>();
}

}  // namespace fluvial::python
