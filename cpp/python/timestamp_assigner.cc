#include "python/timestamp_assigner.h"

#include <algorithm>

#include "common/errors.h"
#include "python/python_error.h"
#include "python/python_operator.h"

namespace fluvial::python {

TimestampAssigner::TimestampAssigner(const py::dict& spec)
    : assigner_(spec.contains("timestamp_assigner") ? py::object(spec["timestamp_assigner"]) : py::none()) {
  if (spec.contains("watermark_delay") && !spec["watermark_delay"].is_none()) {
    emits_watermarks_ = true;
    delay_ = spec["watermark_delay"].cast<int64_t>();
  }
  if (spec.contains("idle_timeout") && !spec["idle_timeout"].is_none()) {
    idle_timeout_ = spec["idle_timeout"].cast<int64_t>();
  }
  splits_ = runtime::SplitWatermarks(delay_ + 1, idle_timeout_);
  activity_ = runtime::SourceActivity(idle_timeout_);
}

void TimestampAssigner::Assign(ObjectBatch& batch, const int32_t* splits, int64_t now) {
  if (assigner_.is_none()) {
    if (splits != nullptr) {
      for (size_t i = 0; i < batch.timestamps.size(); ++i) splits_.Observe(splits[i], batch.timestamps[i], now);
    }
    for (int64_t timestamp : batch.timestamps) max_timestamp_ = std::max(max_timestamp_, timestamp);
    return;
  }
  const bool had_timestamps = !batch.timestamps.empty();
  batch.timestamps.resize(batch.records.size(), runtime::kMinWatermark);
  for (size_t i = 0; i < batch.records.size(); ++i) {
    PyObject* previous = PyLong_FromLongLong(had_timestamps ? batch.timestamps[i] : runtime::kMinWatermark);
    if (previous == nullptr) ThrowPythonError();
    PyObject* args[] = {batch.records[i], previous};
    PyObject* result = PyObject_Vectorcall(assigner_.ptr(), args, 2, nullptr);
    Py_DECREF(previous);
    if (result == nullptr) ThrowPythonError();
    if (!PyLong_Check(result)) {
      std::string type = Py_TYPE(result)->tp_name;
      Py_DECREF(result);
      throw UserError("the TimestampAssigner must return an int (epoch milliseconds), got " + type);
    }
    const int64_t timestamp = PyLong_AsLongLong(result);
    Py_DECREF(result);
    if (timestamp == -1 && PyErr_Occurred()) ThrowPythonError();
    batch.timestamps[i] = timestamp;
    max_timestamp_ = std::max(max_timestamp_, timestamp);
    if (splits != nullptr) splits_.Observe(splits[i], timestamp, now);
  }
}

void TimestampAssigner::EmitWatermark(runtime::Collector& out, int64_t now) {
  if (!emits_watermarks_) return;
  int64_t watermark = runtime::kMinWatermark;
  if (splits_.enabled()) {
    watermark = splits_.Current(now);
  } else if (max_timestamp_ != runtime::kMinWatermark) {
    watermark = max_timestamp_ - delay_ - 1;
  }
  if (watermark == runtime::kMinWatermark || watermark <= last_watermark_) return;
  last_watermark_ = watermark;
  out.EmitWatermark(watermark);
}

namespace {

/// assign_timestamps_and_watermarks(): replaces upstream event time with its
/// own. Upstream watermarks are dropped, all but the final one, as in Flink.
class TimestampsOperator : public PythonOperator {
 public:
  explicit TimestampsOperator(const py::dict& spec) : PythonOperator(spec), assigner_(spec) {}

  void ProcessBatch(int, runtime::BatchPtr batch, runtime::Collector& out) override {
    assigner_.Assign(AsObjectBatch(*batch));
    out.Collect(std::move(batch));
    assigner_.EmitWatermark(out);
  }

  void ProcessWatermark(int64_t watermark, runtime::Collector& out) override {
    if (watermark == runtime::kMaxWatermark) out.EmitWatermark(watermark);
  }

 private:
  TimestampAssigner assigner_;
};

}  // namespace

std::unique_ptr<runtime::Operator> MakeTimestampsOperator(const py::dict& spec) {
  return std::make_unique<TimestampsOperator>(spec);
}

}  // namespace fluvial::python
