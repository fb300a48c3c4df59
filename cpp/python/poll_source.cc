#include "python/object_batch.h"
#include "python/python_error.h"
#include "python/python_operator.h"
#include "python/timestamp_assigner.h"
#include "runtime/clock.h"

namespace fluvial::python {
namespace {

/// Calls spec["poll"]() for every batch; see MakePollSource.
class PollSource : public runtime::SourceOperator {
 public:
  explicit PollSource(const py::dict& spec)
      : timestamps_(spec),
        poll_(spec["poll"]),
        open_(spec.contains("open") ? py::object(spec["open"]) : py::none()),
        close_(spec.contains("close") ? py::object(spec["close"]) : py::none()) {}

  void Open(const runtime::OperatorInfo& info) override {
    clock_ = info.clock;
    CallOptional(open_);
  }
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
      timestamps_.TrackActivity(false, clock_->NowMillis(), out);
      return runtime::SourceStatus::kIdle;
    }
    // Active again before the records, so they count for event time.
    timestamps_.TrackActivity(true, clock_->NowMillis(), out);
    auto batch = std::make_unique<ObjectBatch>();
    batch->records.reserve(static_cast<size_t>(size));
    PyObject** items = PySequence_Fast_ITEMS(list);
    for (Py_ssize_t i = 0; i < size; ++i) {
      Py_INCREF(items[i]);
      batch->records.push_back(items[i]);
    }
    Py_DECREF(list);
    // Watermarks are generated per source subtask (Flink generates them per
    // split), right after the records that move them.
    timestamps_.Assign(*batch);
    out.Collect(std::move(batch));
    timestamps_.EmitWatermark(out);
    return runtime::SourceStatus::kMoreAvailable;
  }

 private:
  static void CallOptional(const py::object& hook) {
    if (hook.is_none()) return;
    PyObject* result = PyObject_CallNoArgs(hook.ptr());
    if (result == nullptr) ThrowPythonError();
    Py_DECREF(result);
  }

  TimestampAssigner timestamps_;
  const runtime::Clock* clock_ = nullptr;
  py::object poll_;
  py::object open_;
  py::object close_;
};

}  // namespace

std::unique_ptr<runtime::SourceOperator> MakePollSource(const py::dict& spec) {
  return std::make_unique<PollSource>(spec);
}

}  // namespace fluvial::python
