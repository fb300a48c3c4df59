#include "python/python_operator.h"

#include "common/errors.h"
#include "python/python_error.h"

namespace fluvial::python {

std::unique_ptr<runtime::Operator> MakeMapOperator(const py::dict& spec);
std::unique_ptr<runtime::Operator> MakeMapBatchOperator(const py::dict& spec);
std::unique_ptr<runtime::Operator> MakeFilterOperator(const py::dict& spec);
std::unique_ptr<runtime::Operator> MakeFlatMapOperator(const py::dict& spec);
std::unique_ptr<runtime::Operator> MakeKeyAssigner(const py::dict& spec, bool custom_partition);
std::unique_ptr<runtime::Operator> MakeKeyedReduceOperator(const py::dict& spec);
std::unique_ptr<runtime::Operator> MakeBatchSink(const py::dict& spec);
std::unique_ptr<runtime::Operator> MakeKeyedProcessOperator(const py::dict& spec);
std::unique_ptr<runtime::Operator> MakeTimestampsOperator(const py::dict& spec);
std::unique_ptr<runtime::Operator> MakeEventTimeWindowOperator(const py::dict& spec);

PythonOperator::PythonOperator(const py::dict& spec)
    : open_(Optional(spec, "open")),
      close_(Optional(spec, "close")),
      snapshot_(Optional(spec, "snapshot")),
      notify_(Optional(spec, "notify_checkpoint_complete")),
      restored_native_(Optional(spec, "restored_native")) {}

py::object PythonOperator::Optional(const py::dict& spec, const char* name) {
  return spec.contains(name) ? py::object(spec[name]) : py::none();
}

void PythonOperator::CallHook(const py::object& hook) {
  if (hook.is_none()) return;
  PyObject* result = PyObject_CallNoArgs(hook.ptr());
  if (result == nullptr) ThrowPythonError();
  Py_DECREF(result);
}

void PythonOperator::Open(const runtime::OperatorInfo&) {
  if (!restored_native_.is_none()) {
    RestoreNative(restored_native_);
    restored_native_ = py::none();
  }
  CallHook(open_);
}

void PythonOperator::SnapshotState(int64_t checkpoint_id) {
  if (snapshot_.is_none()) return;
  py::object native = NativeState();
  PyObject* id = PyLong_FromLongLong(checkpoint_id);
  if (id == nullptr) ThrowPythonError();
  PyObject* args[] = {id, native.ptr()};
  PyObject* result = PyObject_Vectorcall(snapshot_.ptr(), args, 2, nullptr);
  Py_DECREF(id);
  if (result == nullptr) ThrowPythonError();
  Py_DECREF(result);
}

void PythonOperator::NotifyCheckpointComplete(int64_t checkpoint_id) {
  if (notify_.is_none()) return;
  PyObject* id = PyLong_FromLongLong(checkpoint_id);
  if (id == nullptr) ThrowPythonError();
  PyObject* result = PyObject_CallOneArg(notify_.ptr(), id);
  Py_DECREF(id);
  if (result == nullptr) ThrowPythonError();
  Py_DECREF(result);
}

void PythonOperator::Close() { CallHook(close_); }

std::unique_ptr<runtime::Operator> MakePythonOperator(const py::dict& spec) {
  const std::string kind = py::str(spec["kind"]);
  if (kind == "map") return MakeMapOperator(spec);
  if (kind == "map_batch") return MakeMapBatchOperator(spec);
  if (kind == "filter") return MakeFilterOperator(spec);
  if (kind == "flat_map") return MakeFlatMapOperator(spec);
  if (kind == "key_by") return MakeKeyAssigner(spec, false);
  if (kind == "partition_custom") return MakeKeyAssigner(spec, true);
  if (kind == "reduce") return MakeKeyedReduceOperator(spec);
  if (kind == "sink") return MakeBatchSink(spec);
  if (kind == "keyed_process") return MakeKeyedProcessOperator(spec);
  if (kind == "timestamps") return MakeTimestampsOperator(spec);
  if (kind == "event_time_window") return MakeEventTimeWindowOperator(spec);
  throw UserError("unknown operator kind '" + kind + "'");
}

}  // namespace fluvial::python
