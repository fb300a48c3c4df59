#pragma once

#include <memory>

namespace fluvial::runtime {

/// Lets an embedded interpreter guard the operators that call into it,
/// without the runtime knowing which interpreter it is. The Python embedding
/// implements it with the GIL and one persistent thread state per worker.
class ExecutionLock {
 public:
  /// A worker thread's binding to the interpreter, alive for the whole run
  /// of the thread. Enter and Leave nest as a pair around operator calls.
  class ThreadScope {
   public:
    virtual ~ThreadScope() = default;
    virtual void Enter() = 0;
    virtual void Leave() = 0;
  };

  virtual ~ExecutionLock() = default;
  /// Called first thing on each worker thread.
  virtual std::unique_ptr<ThreadScope> AttachThread() = 0;
};

}  // namespace fluvial::runtime
