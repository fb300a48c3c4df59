#pragma once

#include <pybind11/pybind11.h>

#include <memory>
#include <string>

#include "runtime/operator.h"

namespace fluvial::python {

namespace py = pybind11;

/// Base of the operators that run Python functions. The Python API prepares,
/// per subtask, a 'spec' dict: the callables the operator calls per record
/// (already bound to that subtask's copy of the user's function) and the
/// optional 'open', 'finish' and 'close' hooks.
///
/// Checkpoints: spec "snapshot"(checkpoint_id, native_state) receives the
/// state the operator keeps in C++ (NativeState) and stores it with the
/// Python state; spec "notify_checkpoint_complete"(checkpoint_id) follows
/// once the checkpoint is durable; spec "restored_native" is handed to
/// RestoreNative before open on recovery.
class PythonOperator : public runtime::Operator {
 public:
  explicit PythonOperator(const py::dict& spec);
  void Open(const runtime::OperatorInfo& info) override;
  void Close() override;
  bool RequiresPython() const override { return true; }
  void SnapshotState(int64_t checkpoint_id) override;
  void NotifyCheckpointComplete(int64_t checkpoint_id) override;

 protected:
  /// The state kept in C++ as Python objects (None if there is none); the
  /// snapshot hook serializes it at once, so live objects may be returned.
  virtual py::object NativeState() { return py::none(); }
  /// Puts back what NativeState returned (possibly merged from several
  /// subtasks after rescaling); called before the open hook.
  virtual void RestoreNative(const py::handle& state) { (void)state; }

  /// Returns spec[name], or None if absent.
  static py::object Optional(const py::dict& spec, const char* name);
  /// Calls 'hook' if it is not None, turning a Python exception into PythonError.
  static void CallHook(const py::object& hook);

  py::object open_;
  py::object close_;
  py::object snapshot_;
  py::object notify_;
  py::object restored_native_;
};

/// Builds the operator named by spec["kind"]: map, map_batch, flat_map, filter, key_by,
/// partition_custom, reduce, keyed_process, event_time_window, timestamps or
/// sink.
/// Throws UserError on an unknown kind.
std::unique_ptr<runtime::Operator> MakePythonOperator(const py::dict& spec);

/// Builds a source that calls spec["poll"]() for each batch: it returns a
/// list of records (empty when nothing is available yet) or None at the end.
std::unique_ptr<runtime::SourceOperator> MakePollSource(const py::dict& spec);

}  // namespace fluvial::python
