// A source whose Python reader returns Arrow record batches (from_elements,
// from_pandas, datagen, files): the batches go down as they are. With a time
// attribute, each row's event time comes from the rowtime column and the
// watermark follows the table's WATERMARK clause (max time - delay), per split
// when the reader names the split of every row (a Kafka table's partitions).
#include "python/python_error.h"
#include "python/split_batch.h"
#include "runtime/clock.h"
#include "runtime/split_watermarks.h"
#include "table/arrow_python.h"
#include "table/columnar_batch.h"
#include "table/table_operators.h"
#include "table/table_state.h"
#include "table/table_support.h"

namespace fluvial::table {
namespace {

// Event time from a rowtime column; the watermark trails the largest time
// seen by the declared delay (WATERMARK FOR ts AS ts - INTERVAL ...), or with
// splits, the minimum over the splits of each one's largest time - delay; with
// an idle timeout (table.exec.source.idle-timeout), over the splits that had
// rows within it.
class RowtimeWatermarks {
 public:
  RowtimeWatermarks(int rowtime, int64_t delay, int64_t idle_timeout = -1)
      : rowtime_(rowtime), delay_(delay), splits_(delay, idle_timeout) {}

  bool enabled() const { return rowtime_ >= 0; }
  /// Sets the splits the reader reads at 'now' (ms).
  void SetSplits(const std::vector<int32_t>& splits, int64_t now) { splits_.SetSplits(splits, now); }

  /// Stamps 'batch' with its rows' times ('splits': the split of each row, or
  /// null) at 'now'; returns the new watermark or kMinWatermark.
  int64_t Assign(ColumnarBatch& batch, const int32_t* splits = nullptr, int64_t now = 0) {
    if (rowtime_ < 0 || batch.data->num_rows() == 0) return runtime::kMinWatermark;
    batch.timestamps = EpochMillis(batch.data->column(rowtime_), "reading the time attribute");
    if (splits != nullptr || splits_.enabled()) {
      if (splits != nullptr) {
        for (size_t i = 0; i < batch.timestamps.size(); ++i) splits_.Observe(splits[i], batch.timestamps[i], now);
      }
      return Advance(splits_.Current(now));
    }
    int64_t batch_max = runtime::kMinWatermark;
    for (int64_t timestamp : batch.timestamps) batch_max = std::max(batch_max, timestamp);
    return Advance(batch_max - delay_);
  }

  /// A poll at 'now' brought no rows: a split may have gone idle, so the
  /// others' watermark may move. Returns it or kMinWatermark.
  int64_t Refresh(int64_t now) {
    if (rowtime_ < 0 || !splits_.enabled()) return runtime::kMinWatermark;
    return Advance(splits_.Current(now));
  }

 private:
  int64_t Advance(int64_t candidate) {
    if (candidate == runtime::kMinWatermark || candidate <= watermark_) return runtime::kMinWatermark;
    watermark_ = candidate;
    return watermark_;
  }

  int rowtime_;
  int64_t delay_;
  int64_t watermark_ = runtime::kMinWatermark;
  runtime::SplitWatermarks splits_;
};

/// Assigns event time and watermarks to a table that did not get them at its
/// source (a table from a DataStream with WATERMARK FOR on a column).
class RowtimeOperator : public TableOperator {
 public:
  explicit RowtimeOperator(const py::dict& spec)
      : TableOperator(spec), watermarks_(spec["rowtime"].cast<int>(), spec["watermark_delay"].cast<int64_t>()) {}

  void ProcessBatch(int, runtime::BatchPtr batch, runtime::Collector& out) override {
    const int64_t watermark = watermarks_.Assign(AsColumnar(*batch));
    out.Collect(std::move(batch));
    if (watermark != runtime::kMinWatermark) out.EmitWatermark(watermark);
  }
  // Upstream watermarks are replaced by the ones derived from the column.
  void ProcessWatermark(int64_t watermark, runtime::Collector& out) override {
    if (watermark == runtime::kMaxWatermark) out.EmitWatermark(watermark);
  }

 private:
  RowtimeWatermarks watermarks_;
};

class TableSource : public runtime::SourceOperator {
 public:
  explicit TableSource(const py::dict& spec)
      : poll_(spec["poll"]),
        open_(spec.contains("open") ? py::object(spec["open"]) : py::none()),
        close_(spec.contains("close") ? py::object(spec["close"]) : py::none()),
        snapshot_(spec.contains("snapshot") ? py::object(spec["snapshot"]) : py::none()),
        notify_(spec.contains("notify_checkpoint_complete") ? py::object(spec["notify_checkpoint_complete"])
                                                            : py::none()),
        watermarks_(spec.contains("rowtime") ? spec["rowtime"].cast<int>() : -1,
                    spec.contains("watermark_delay") ? spec["watermark_delay"].cast<int64_t>() : 0,
                    IdleTimeout(spec)),
        activity_(watermarks_.enabled() ? IdleTimeout(spec) : -1) {}

  bool RequiresPython() const override { return true; }
  void Open(const runtime::OperatorInfo& info) override {
    clock_ = info.clock;
    CallOptional(open_);
  }
  void Close() override { CallOptional(close_); }
  // The reader's position (spec "snapshot"(checkpoint_id) stores it); every
  // batch read was emitted, so a barrier may follow at any poll.
  void SnapshotState(int64_t checkpoint_id) override { CallWithId(snapshot_, checkpoint_id); }
  void NotifyCheckpointComplete(int64_t checkpoint_id) override { CallWithId(notify_, checkpoint_id); }

  runtime::SourceStatus Poll(runtime::Collector& out) override {
    PyObject* raw = PyObject_CallNoArgs(poll_.ptr());
    if (raw == nullptr) python::ThrowPythonError();
    py::object result = py::reinterpret_steal<py::object>(raw);
    if (result.is_none()) return runtime::SourceStatus::kEnded;
    const int64_t now = clock_->NowMillis();
    const bool tagged = split_batches_.Unpack(result, tags_);
    if (tagged && tags_.assigned_changed) watermarks_.SetSplits(tags_.assigned, now);
    py::object kinds = py::none();
    if (py::isinstance<py::tuple>(result)) {
      auto pair = result.cast<py::tuple>();
      result = pair[0];
      kinds = pair[1];
    }
    auto batch = std::make_unique<ColumnarBatch>(ImportRecordBatch(result));
    if (batch->data->num_rows() == 0) {
      // A split may have gone idle (the others' watermark moves), then the subtask.
      const int64_t watermark = watermarks_.Refresh(now);
      if (watermark != runtime::kMinWatermark) out.EmitWatermark(watermark);
      activity_.Track(false, now, out);
      return runtime::SourceStatus::kIdle;
    }
    activity_.Track(true, now, out);  // active again before the rows, so they count
    if (!kinds.is_none()) {
      std::string bytes = kinds.cast<std::string>();
      batch->row_kinds.assign(bytes.begin(), bytes.end());
    }
    if (tagged) split_batches_.CheckCount(tags_, static_cast<size_t>(batch->data->num_rows()));
    const int64_t watermark = watermarks_.Assign(*batch, tagged ? tags_.splits.data() : nullptr, now);
    out.Collect(std::move(batch));
    if (watermark != runtime::kMinWatermark) out.EmitWatermark(watermark);
    return runtime::SourceStatus::kMoreAvailable;
  }

 private:
  static void CallOptional(const py::object& hook) {
    if (hook.is_none()) return;
    PyObject* result = PyObject_CallNoArgs(hook.ptr());
    if (result == nullptr) python::ThrowPythonError();
    Py_DECREF(result);
  }
  // spec["idle_timeout"]: ms, or absent / None for never.
  static int64_t IdleTimeout(const py::dict& spec) {
    return spec.contains("idle_timeout") && !spec["idle_timeout"].is_none() ? spec["idle_timeout"].cast<int64_t>()
                                                                               : -1;
  }

  static void CallWithId(const py::object& hook, int64_t checkpoint_id) {
    if (hook.is_none()) return;
    PyObject* id = PyLong_FromLongLong(checkpoint_id);
    if (id == nullptr) python::ThrowPythonError();
    PyObject* result = PyObject_CallOneArg(hook.ptr(), id);
    Py_DECREF(id);
    if (result == nullptr) python::ThrowPythonError();
    Py_DECREF(result);
  }

  const runtime::Clock* clock_ = nullptr;
  py::object poll_;
  py::object open_;
  py::object close_;
  py::object snapshot_;
  py::object notify_;
  RowtimeWatermarks watermarks_;
  runtime::SourceActivity activity_;
  python::SplitBatchReader split_batches_;
  python::SplitTags tags_;
};

}  // namespace

std::unique_ptr<runtime::Operator> MakeRowtimeOperator(const py::dict& spec) {
  return std::make_unique<RowtimeOperator>(spec);
}

std::unique_ptr<runtime::SourceOperator> MakeTableSource(const py::dict& spec) {
  return std::make_unique<TableSource>(spec);
}

}  // namespace fluvial::table
