#include <algorithm>
#include <chrono>

#include "python/object_batch.h"
#include "python/python_error.h"
#include "python/python_operator.h"
#include "python/split_batch.h"
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
        close_(spec.contains("close") ? py::object(spec["close"]) : py::none()),
        snapshot_(spec.contains("snapshot") ? py::object(spec["snapshot"]) : py::none()),
        notify_(spec.contains("notify_checkpoint_complete")
                    ? py::object(spec["notify_checkpoint_complete"])
                    : py::none()) {
    if (spec.contains("min_chunk")) {
      min_chunk_ = std::clamp<Py_ssize_t>(spec["min_chunk"].cast<Py_ssize_t>(), 1, kMaxChunk);
      chunk_size_ = std::max(chunk_size_, min_chunk_);
    }
  }

  void Open(const runtime::OperatorInfo& info) override {
    clock_ = info.clock;
    CallOptional(open_);
  }
  void Close() override {
    pending_ = py::none();
    CallOptional(close_);
  }
  bool RequiresPython() const override { return true; }

  // A polled list is sent in chunks: the reader's position covers all of it,
  // so a barrier waits until the last chunk is out.
  bool CanSnapshot() const override { return pending_.is_none(); }
  void SnapshotState(int64_t checkpoint_id) override { CallWithId(snapshot_, checkpoint_id); }
  void NotifyCheckpointComplete(int64_t checkpoint_id) override {
    CallWithId(notify_, checkpoint_id);
  }

  runtime::SourceStatus Poll(runtime::Collector& out) override {
    if (pending_.is_none()) {
      PyObject* result = PyObject_CallNoArgs(poll_.ptr());
      if (result == nullptr) ThrowPythonError();
      if (result == Py_None) {
        Py_DECREF(result);
        return runtime::SourceStatus::kEnded;
      }
      auto polled = py::reinterpret_steal<py::object>(result);
      const int64_t now = clock_->NowMillis();
      // A reader of splits names each record's split: watermarks per split.
      const bool tagged = split_batches_.Unpack(polled, tags_);
      if (tagged && tags_.assigned_changed) {
        timestamps_.SetSplits(tags_.assigned, now);
      }
      PyObject* list = PySequence_Fast(polled.ptr(), "poll() must return a list of records or None");
      if (list == nullptr) ThrowPythonError();
      auto records = py::reinterpret_steal<py::object>(list);
      if (PySequence_Fast_GET_SIZE(list) == 0) {
        // A split may have become idle: the others' watermark may move now,
        // before the subtask itself is marked idle.
        timestamps_.EmitWatermark(out, now);
        timestamps_.TrackActivity(false, now, out);
        return runtime::SourceStatus::kIdle;
      }
      if (tagged) {
        split_batches_.CheckCount(tags_, static_cast<size_t>(PySequence_Fast_GET_SIZE(list)));
      } else {
        timestamps_.ForgetSplits();
      }
      // Active again before the records, so they count for event time.
      timestamps_.TrackActivity(true, now, out);
      polled_at_ = now;
      pending_ = std::move(records);
      offset_ = 0;
    }
    EmitChunk(out);
    return runtime::SourceStatus::kMoreAvailable;
  }

 private:
  static void CallWithId(const py::object& hook, int64_t checkpoint_id) {
    if (hook.is_none()) return;
    PyObject* id = PyLong_FromLongLong(checkpoint_id);
    if (id == nullptr) ThrowPythonError();
    PyObject* result = PyObject_CallOneArg(hook.ptr(), id);
    Py_DECREF(id);
    if (result == nullptr) ThrowPythonError();
    Py_DECREF(result);
  }

  static void CallOptional(const py::object& hook) {
    if (hook.is_none()) return;
    PyObject* result = PyObject_CallNoArgs(hook.ptr());
    if (result == nullptr) ThrowPythonError();
    Py_DECREF(result);
  }

  // Sends the next chunk of the polled records down the chain. One chunk per
  // Poll: the worker flushes exchanges and lets go of the GIL between chunks,
  // so records crossing to other workers do not wait for the whole poll.
  //
  // Records go in chunks because a chained pipeline hands a chunk from
  // operator to operator: a record waits for the rest of its chunk at every
  // step. The chunk size adapts so a chunk's trip takes about
  // kTargetChunkMicros: cheap functions keep large chunks, heavy ones (big
  // JSON records) keep their latency low.
  void EmitChunk(runtime::Collector& out) {
    PyObject* list = pending_.ptr();
    const Py_ssize_t size = PySequence_Fast_GET_SIZE(list);
    PyObject** items = PySequence_Fast_ITEMS(list);
    const Py_ssize_t count = std::min<Py_ssize_t>(chunk_size_, size - offset_);
    auto batch = std::make_unique<ObjectBatch>();
    batch->records.reserve(static_cast<size_t>(count));
    for (Py_ssize_t i = offset_; i < offset_ + count; ++i) {
      Py_INCREF(items[i]);
      batch->records.push_back(items[i]);
    }
    const int32_t* splits = tags_.splits.empty() ? nullptr : tags_.splits.data() + offset_;
    if (!tags_.timestamps.empty()) {
      batch->timestamps.assign(tags_.timestamps.begin() + offset_, tags_.timestamps.begin() + offset_ + count);
    }
    offset_ += count;
    if (offset_ >= size) pending_ = py::none();
    const auto started = std::chrono::steady_clock::now();
    // Watermarks are generated per source subtask (Flink generates them per
    // split), after the polled batch that moves them: after its last chunk,
    // so where a watermark falls does not depend on how the chunk size
    // adapted to the machine's speed (results stay deterministic).
    timestamps_.Assign(*batch, splits, polled_at_);
    out.Collect(std::move(batch));
    if (pending_.is_none()) timestamps_.EmitWatermark(out, polled_at_);
    AdaptChunkSize(count, std::chrono::steady_clock::now() - started);
  }

  // Halves the chunk after a slow trip (not below min_chunk_, which a job with
  // a batch map sets: its round trip per chunk does not shrink with the chunk),
  // doubles it after a quick one.
  void AdaptChunkSize(Py_ssize_t count, std::chrono::steady_clock::duration took) {
    const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(took).count();
    if (micros > 2 * kTargetChunkMicros && chunk_size_ > min_chunk_) {
      chunk_size_ /= 2;
    } else if (micros < kTargetChunkMicros / 2 && count == chunk_size_ && chunk_size_ < kMaxChunk) {
      chunk_size_ *= 2;
    }
  }

  static constexpr int64_t kTargetChunkMicros = 200;
  static constexpr Py_ssize_t kMaxChunk = 1024;

  TimestampAssigner timestamps_;
  SplitBatchReader split_batches_;
  SplitTags tags_;          // of the polled list still being sent
  int64_t polled_at_ = 0;   // when it was polled (ms, the job's clock)
  py::object pending_ = py::none();  // the polled list still being sent, or None
  Py_ssize_t offset_ = 0;
  Py_ssize_t chunk_size_ = 8;  // starts small: the first records are not kept waiting
  Py_ssize_t min_chunk_ = 1;
  const runtime::Clock* clock_ = nullptr;
  py::object poll_;
  py::object open_;
  py::object close_;
  py::object snapshot_;
  py::object notify_;
};

}  // namespace

std::unique_ptr<runtime::SourceOperator> MakePollSource(const py::dict& spec) {
  return std::make_unique<PollSource>(spec);
}

}  // namespace fluvial::python
