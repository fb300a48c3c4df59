#include <algorithm>
#include <chrono>

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
    PyObject** items = PySequence_Fast_ITEMS(list);
    // The records go down the chain in chunks: a chained pipeline hands a
    // chunk from operator to operator, so a record waits for the rest of its
    // chunk at every step. The chunk size adapts so that a chunk's trip takes
    // about kTargetChunkMicros: short trips for cheap functions cost nothing,
    // and heavy functions (big JSON records) keep their latency low.
    Py_ssize_t offset = 0;
    try {
      while (offset < size) {
        const Py_ssize_t count = std::min<Py_ssize_t>(chunk_size_, size - offset);
        auto batch = std::make_unique<ObjectBatch>();
        batch->records.reserve(static_cast<size_t>(count));
        for (Py_ssize_t i = offset; i < offset + count; ++i) {
          Py_INCREF(items[i]);
          batch->records.push_back(items[i]);
        }
        offset += count;
        const auto started = std::chrono::steady_clock::now();
        // Watermarks are generated per source subtask (Flink generates them
        // per split), right after the records that move them.
        timestamps_.Assign(*batch);
        out.Collect(std::move(batch));
        timestamps_.EmitWatermark(out);
        AdaptChunkSize(count, std::chrono::steady_clock::now() - started);
      }
    } catch (...) {
      Py_DECREF(list);
      throw;
    }
    Py_DECREF(list);
    return runtime::SourceStatus::kMoreAvailable;
  }

 private:
  static void CallOptional(const py::object& hook) {
    if (hook.is_none()) return;
    PyObject* result = PyObject_CallNoArgs(hook.ptr());
    if (result == nullptr) ThrowPythonError();
    Py_DECREF(result);
  }

  // Halves the chunk after a slow trip, doubles it after a quick one.
  void AdaptChunkSize(Py_ssize_t count, std::chrono::steady_clock::duration took) {
    const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(took).count();
    if (micros > 2 * kTargetChunkMicros && chunk_size_ > 1) {
      chunk_size_ /= 2;
    } else if (micros < kTargetChunkMicros / 2 && count == chunk_size_ && chunk_size_ < kMaxChunk) {
      chunk_size_ *= 2;
    }
  }

  static constexpr int64_t kTargetChunkMicros = 200;
  static constexpr Py_ssize_t kMaxChunk = 1024;

  TimestampAssigner timestamps_;
  Py_ssize_t chunk_size_ = 64;
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
