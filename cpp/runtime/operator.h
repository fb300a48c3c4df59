#pragma once

#include <string>

#include "runtime/batch.h"

namespace fluvial::runtime {

/// Receives the batches an operator emits. Emitting hands the batch over.
class Collector {
 public:
  virtual ~Collector() = default;
  virtual void Collect(BatchPtr batch) = 0;
};

/// Where a running operator instance sits in the job.
struct OperatorInfo {
  std::string name;
  int subtask_index = 0;
  int parallelism = 1;
  int max_parallelism = 128;
  /// First and one-past-last key group this subtask owns (keyed operators).
  uint32_t key_group_begin = 0;
  uint32_t key_group_end = 128;
};

/// The contract of every operator that consumes input.
///
/// Implementation rules:
/// - All methods of one instance are called on the same worker thread and
///   never concurrently, so an operator needs no locks for its own state.
/// - Open is called once before any input; Finish once after every input has
///   ended (it may still emit); Close last, also after a failure or a cancel
///   (it must not emit).
/// - If RequiresPython() is true the worker holds the Python interpreter lock
///   around every call; otherwise it never does.
/// - An exception thrown from any method fails the whole job; the worker
///   attaches the operator's name.
class Operator {
 public:
  virtual ~Operator() = default;
  virtual void Open(const OperatorInfo& info) { (void)info; }
  /// Processes one batch that arrived on input 'input' (0, or 1 for the
  /// second input of a two-input operator).
  virtual void ProcessBatch(int input, BatchPtr batch, Collector& out) = 0;
  virtual void Finish(Collector& out) { (void)out; }
  virtual void Close() {}
  virtual bool RequiresPython() const { return false; }
};

enum class SourceStatus {
  kMoreAvailable,  ///< Call Poll again right away.
  kIdle,           ///< Nothing now; poll again after a short wait.
  kEnded,          ///< The (bounded) input is exhausted.
};

/// The contract of a source: the worker polls it in a loop. Same rules as
/// Operator, plus Cancel, the one method called from another thread.
class SourceOperator {
 public:
  virtual ~SourceOperator() = default;
  virtual void Open(const OperatorInfo& info) { (void)info; }
  /// Emits what is available now, preferably one batch of a few hundred
  /// records or more, and says whether more will come.
  virtual SourceStatus Poll(Collector& out) = 0;
  /// Asks a running Poll to return soon. Thread-safe.
  virtual void Cancel() {}
  virtual void Close() {}
  virtual bool RequiresPython() const { return false; }
};

}  // namespace fluvial::runtime
