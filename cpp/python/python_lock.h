#pragma once

#include "runtime/execution_lock.h"

namespace fluvial::python {

/// Guards Python operators with the GIL. Each worker thread gets one thread
/// state for its whole life: creating one per call costs ~20 µs, switching a
/// persistent one costs ~70 ns.
class PythonExecutionLock : public runtime::ExecutionLock {
 public:
  std::unique_ptr<ThreadScope> AttachThread() override;
};

}  // namespace fluvial::python
