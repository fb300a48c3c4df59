#include "python/object_batch.h"
#include "python/python_error.h"
#include "python/python_operator.h"

namespace fluvial::python {
namespace {

/// The end of a stream: hands each batch to spec["write"] as one Python list
/// (print, collect, file and user sinks are written in Python on top of it),
/// and calls spec["finish"] once the input has ended.
class BatchSink : public PythonOperator {
 public:
  explicit BatchSink(const py::dict& spec)
      : PythonOperator(spec), write_(spec["write"]), finish_(Optional(spec, "finish")) {}

  void ProcessBatch(int, runtime::BatchPtr batch, runtime::Collector&) override {
    ObjectBatch& objects = AsObjectBatch(*batch);
    const Py_ssize_t size = static_cast<Py_ssize_t>(objects.records.size());
    PyObject* list = PyList_New(size);
    if (list == nullptr) ThrowPythonError();
    // The list takes over the batch's references.
    for (Py_ssize_t i = 0; i < size; ++i) PyList_SET_ITEM(list, i, objects.records[i]);
    objects.records.clear();
    PyObject* result = PyObject_CallOneArg(write_.ptr(), list);
    Py_DECREF(list);
    if (result == nullptr) ThrowPythonError();
    Py_DECREF(result);
  }

  void Finish(runtime::Collector&) override { CallHook(finish_); }

 private:
  py::object write_;
  py::object finish_;
};

/// Calls spec["poll"]() for every batch; see MakePollSource.
class PollSource : public runtime::SourceOperator {
 public:
  explicit PollSource(const py::dict& spec)
      : poll_(spec["poll"]),
        open_(spec.contains("open") ? py::object(spec["open"]) : py::none()),
        close_(spec.contains("close") ? py::object(spec["close"]) : py::none()) {}

  void Open(const runtime::OperatorInfo&) override { CallOptional(open_); }
  void Close() override { CallOptional(close_); }
  bool RequiresPython() const override { return true; }

  runtime::SourceStatus Poll(runtime::Collector& out) override {
    PyObject* result = PyObject_CallNoArgs(poll_.ptr());
    if (result == nullptr) ThrowPythonError();
    if (result == Py_None) {
      Py_DECREF(result);
      return runtime::SourceStatus::kEnded;
    }
    PyObject* list = PySequence_Fast(result, "poll() must return a list of records or None");
    Py_DECREF(result);
    if (list == nullptr) ThrowPythonError();
    const Py_ssize_t size = PySequence_Fast_GET_SIZE(list);
    if (size == 0) {
      Py_DECREF(list);
      return runtime::SourceStatus::kIdle;
    }
    auto batch = std::make_unique<ObjectBatch>();
    batch->records.reserve(static_cast<size_t>(size));
    PyObject** items = PySequence_Fast_ITEMS(list);
    for (Py_ssize_t i = 0; i < size; ++i) {
      Py_INCREF(items[i]);
      batch->records.push_back(items[i]);
    }
    Py_DECREF(list);
    out.Collect(std::move(batch));
    return runtime::SourceStatus::kMoreAvailable;
  }

 private:
  static void CallOptional(const py::object& hook) {
    if (hook.is_none()) return;
    PyObject* result = PyObject_CallNoArgs(hook.ptr());
    if (result == nullptr) ThrowPythonError();
    Py_DECREF(result);
  }

  py::object poll_;
  py::object open_;
  py::object close_;
};

}  // namespace

std::unique_ptr<runtime::Operator> MakeBatchSink(const py::dict& spec) {
  return std::make_unique<BatchSink>(spec);
}

std::unique_ptr<runtime::SourceOperator> MakePollSource(const py::dict& spec) {
  return std::make_unique<PollSource>(spec);
}

}  // namespace fluvial::python
