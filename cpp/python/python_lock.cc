#include "python/python_lock.h"

#include <Python.h>

namespace fluvial::python {
namespace {

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
