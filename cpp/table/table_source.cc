// A source whose Python reader returns Arrow record batches (from_elements,
// from_pandas, datagen, files): the batches go down as they are. With a time
// attribute, each row's event time comes from the rowtime column and the
// watermark follows the table's WATERMARK clause (max time - delay), per split
// when the reader names the split of every row (a Kafka table's partitions).
#include "python/python_error.h"
#include "python/split_batch.h"
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
// splits, the minimum over the splits of each one's largest time - delay.
class RowtimeWatermarks {
 public:
  RowtimeWatermarks(int rowtime, int64_t delay) : rowtime_(rowtime), delay_(delay), splits_(delay, -1) {}

  /// Sets the splits the reader reads now.
  void SetSplits(const std::vector<int32_t>& splits) { splits_.SetSplits(splits, 0); }

  /// Stamps 'batch' with its rows' times ('splits': the split of each row, or
  /// null); returns the new watermark or kMinWatermark.
  int64_t Assign(ColumnarBatch& batch, const int32_t* splits = nullptr) {
    if (rowtime_ < 0 || batch.data->num_rows() == 0) return runtime::kMinWatermark;
    batch.timestamps = EpochMillis(batch.data->column(rowtime_), "reading the time attribute");
    int64_t candidate = runtime::kMinWatermark;
    if (splits != nullptr || splits_.enabled()) {
      if (splits != nullptr) {
        for (size_t i = 0; i < batch.timestamps.size(); ++i) splits_.Observe(splits[i], batch.timestamps[i], 0);
      }
      candidate = splits_.Current(0);
      if (candidate == runtime::kMinWatermark) return candidate;
    } else {
      int64_t batch_max = runtime::kMinWatermark;
      for (int64_t timestamp : batch.timestamps) batch_max = std::max(batch_max, timestamp);
      candidate = batch_max - delay_;
    }
    if (candidate <= watermark_) return runtime::kMinWatermark;
    watermark_ = candidate;
    return watermark_;
  }

 private:
  int rowtime_;
  int64_t delay_;
  int64_t watermark_ = runtime::kMinWatermark;
  runtime::SplitWatermarks splits_;  // SQL has no idle timeout here yet
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
                    spec.contains("watermark_delay") ? spec["watermark_delay"].cast<int64_t>() : 0) {}

  bool RequiresPython() const override { return true; }
  void Open(const runtime::OperatorInfo&) override { CallOptional(open_); }
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
    const bool tagged = split_batches_.Unpack(result, tags_);
    if (tagged && tags_.assigned_changed) watermarks_.SetSplits(tags_.assigned);
    py::object kinds = py::none();
    if (py::isinstance<py::tuple>(result)) {
      auto pair = result.cast<py::tuple>();
      result = pair[0];
      kinds = pair[1];
    }
    auto batch = std::make_unique<ColumnarBatch>(ImportRecordBatch(result));
    if (batch->data->num_rows() == 0) return runtime::SourceStatus::kIdle;
    if (!kinds.is_none()) {
      std::string bytes = kinds.cast<std::string>();
      batch->row_kinds.assign(bytes.begin(), bytes.end());
    }
    if (tagged) split_batches_.CheckCount(tags_, static_cast<size_t>(batch->data->num_rows()));
    const int64_t watermark = watermarks_.Assign(*batch, tagged ? tags_.splits.data() : nullptr);
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

  static void CallWithId(const py::object& hook, int64_t checkpoint_id) {
    if (hook.is_none()) return;
    PyObject* id = PyLong_FromLongLong(checkpoint_id);
    if (id == nullptr) python::ThrowPythonError();
    PyObject* result = PyObject_CallOneArg(hook.ptr(), id);
    Py_DECREF(id);
    if (result == nullptr) python::ThrowPythonError();
    Py_DECREF(result);
  }

  py::object poll_;
  py::object open_;
  py::object close_;
  py::object snapshot_;
  py::object notify_;
  RowtimeWatermarks watermarks_;
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
