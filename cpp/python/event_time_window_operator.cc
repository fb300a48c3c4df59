#include <algorithm>
#include <map>
#include <string>

#include "common/errors.h"
#include "python/object_batch.h"
#include "python/python_error.h"
#include "python/python_operator.h"

namespace fluvial::python {
namespace {

/// The common window, natively: tumbling or sliding event-time windows with
/// the default EventTimeTrigger and an incremental reduce or aggregate
/// function, allowed lateness and the late-data side output — what
/// `key_by(...).window(TumblingEventTimeWindows.of(...)).aggregate(f)` asks.
/// The only Python calls per record are the user's add/reduce; window
/// assignment, state and firing are C++. Everything else (other assigners,
/// triggers, window functions) runs in Python (_window_operator.py) with the
/// same results.
///
/// State: window start -> {key: accumulator}. All windows have the same size,
/// so start order is end order: the watermark closes windows from the front.
class EventTimeWindowOperator : public PythonOperator {
 public:
  explicit EventTimeWindowOperator(const py::dict& spec)
      : PythonOperator(spec),
        size_(spec["size"].cast<int64_t>()),
        slide_(spec["slide"].cast<int64_t>()),
        offset_(spec["offset"].cast<int64_t>()),
        lateness_(spec["lateness"].cast<int64_t>()),
        late_output_(spec["late_output"].is_none() ? 0 : spec["late_output"].cast<int>()),
        create_(Optional(spec, "create_accumulator")),
        add_(spec["add"]),
        result_(Optional(spec, "get_result")),
        validate_(Optional(spec, "validate")),
        missing_timestamp_(spec["missing_timestamp_message"].cast<std::string>()) {}

  void ProcessBatch(int, runtime::BatchPtr batch, runtime::Collector& out) override {
    ObjectBatch& objects = AsObjectBatch(*batch);
    FLUVIAL_CHECK(objects.keys.size() == objects.records.size(), "window received records without keys");
    if (objects.timestamps.empty() && !objects.records.empty()) MissingTimestamp(objects.records[0]);
    auto fired = std::make_unique<ObjectBatch>();
    auto late = std::make_unique<ObjectBatch>();
    for (size_t i = 0; i < objects.records.size(); ++i) {
      const int64_t timestamp = objects.timestamps[i];
      if (timestamp == runtime::kMinWatermark) MissingTimestamp(objects.records[i]);
      bool assigned = false;
      // The windows holding 'timestamp', latest first (Flink's sliding assignment).
      const int64_t last_start = timestamp - Modulo(timestamp - offset_ + slide_, slide_);
      for (int64_t start = last_start; start > timestamp - size_; start -= slide_) {
        const int64_t max_timestamp = start + size_ - 1;
        if (CleanupTime(max_timestamp) <= watermark_) continue;  // too late for this window
        assigned = true;
        // A window that begins after the watermark passed its end fires per
        // element only, never again when the watermark moves.
        if (max_timestamp <= watermark_) windows_[start].fired = true;
        PyObject* accumulator = Add(start, objects.keys[i], objects.records[i]);
        // A late element within the allowed lateness fires its window again at once.
        if (max_timestamp <= watermark_) Emit(accumulator, max_timestamp, *fired);
      }
      if (!assigned && late_output_ != 0 && timestamp + lateness_ <= watermark_) {
        Py_INCREF(objects.records[i]);
        late->AddStolen(objects.records[i]);
        late->timestamps.push_back(timestamp);
      }
    }
    if (fired->size() > 0) out.Collect(std::move(fired));
    if (late->size() > 0) out.CollectSide(late_output_, std::move(late));
  }

  void ProcessWatermark(int64_t watermark, runtime::Collector& out) override {
    watermark_ = watermark;
    auto fired = std::make_unique<ObjectBatch>();
    for (auto it = windows_.begin(); it != windows_.end();) {
      const int64_t max_timestamp = it->first + size_ - 1;
      if (max_timestamp > watermark) break;
      Window& window = it->second;
      if (!window.fired) {
        window.fired = true;
        PyObject* key;
        PyObject* accumulator;
        Py_ssize_t position = 0;
        while (PyDict_Next(window.accumulators.ptr(), &position, &key, &accumulator)) {
          Emit(accumulator, max_timestamp, *fired);
        }
      }
      if (CleanupTime(max_timestamp) <= watermark) {
        it = windows_.erase(it);
      } else {
        ++it;
      }
    }
    if (fired->size() > 0) out.Collect(std::move(fired));
    out.EmitWatermark(watermark);
  }

 protected:
  // [(window start, fired, {key: accumulator})]
  py::object NativeState() override {
    py::list windows;
    for (const auto& [start, window] : windows_) {
      windows.append(py::make_tuple(start, window.fired, window.accumulators));
    }
    return windows;
  }

  void RestoreNative(const py::handle& state) override {
    for (const py::handle& entry : state) {
      auto window = entry.cast<py::tuple>();
      Window& restored = windows_[window[0].cast<int64_t>()];
      restored.fired = restored.fired || window[1].cast<bool>();
      for (auto [key, accumulator] : window[2].cast<py::dict>()) {
        restored.accumulators[key] = accumulator;
      }
    }
  }

 private:
  struct Window {
    py::dict accumulators;  // key -> accumulator (or the running reduce value)
    bool fired = false;
  };

  static int64_t Modulo(int64_t value, int64_t divisor) {
    const int64_t remainder = value % divisor;
    return remainder < 0 ? remainder + divisor : remainder;
  }

  int64_t CleanupTime(int64_t max_timestamp) const {
    return max_timestamp > runtime::kMaxWatermark - lateness_ ? runtime::kMaxWatermark
                                                              : max_timestamp + lateness_;
  }

  // Adds 'record' to the window's accumulator for 'key'; returns it (borrowed).
  PyObject* Add(int64_t start, PyObject* key, PyObject* record) {
    PyObject* accumulators = windows_[start].accumulators.ptr();
    PyObject* current = PyDict_GetItemWithError(accumulators, key);  // borrowed
    if (current == nullptr && PyErr_Occurred()) ThrowPythonError();
    PyObject* next;
    if (create_.is_none()) {  // reduce: the first record is the value
      if (current == nullptr) {
        next = Py_NewRef(record);
      } else {
        PyObject* args[] = {current, record};
        next = PyObject_Vectorcall(add_.ptr(), args, 2, nullptr);
      }
    } else {  // aggregate: add(value, accumulator)
      PyObject* accumulator = current;
      if (accumulator == nullptr) {
        accumulator = PyObject_CallNoArgs(create_.ptr());
        if (accumulator == nullptr) ThrowPythonError();
      } else {
        Py_INCREF(accumulator);
      }
      PyObject* args[] = {record, accumulator};
      next = PyObject_Vectorcall(add_.ptr(), args, 2, nullptr);
      Py_DECREF(accumulator);
    }
    if (next == nullptr) ThrowPythonError();
    const int status = PyDict_SetItem(accumulators, key, next);
    Py_DECREF(next);  // the dict holds it
    if (status < 0) ThrowPythonError();
    return next;
  }

  void Emit(PyObject* accumulator, int64_t max_timestamp, ObjectBatch& fired) {
    PyObject* result = result_.is_none() ? Py_NewRef(accumulator)
                                         : PyObject_CallOneArg(result_.ptr(), accumulator);
    if (result == nullptr) ThrowPythonError();
    fired.AddStolen(result);  // owned by the batch before anything else can throw
    fired.timestamps.push_back(max_timestamp);
    if (!validate_.is_none()) {
      PyObject* checked = PyObject_CallOneArg(validate_.ptr(), result);
      if (checked == nullptr) ThrowPythonError();
      Py_DECREF(checked);
    }
  }

  [[noreturn]] void MissingTimestamp(PyObject* record) {
    std::string shown = "?";
    if (PyObject* text = PyObject_Repr(record)) {
      if (const char* utf8 = PyUnicode_AsUTF8(text)) shown = utf8;
      Py_DECREF(text);
    }
    PyErr_Clear();
    if (shown.size() > 80) shown = shown.substr(0, 77) + "...";
    throw UserError(missing_timestamp_ + " (element: " + shown + ")");
  }

  const int64_t size_, slide_, offset_, lateness_;
  const int late_output_;
  py::object create_, add_, result_, validate_;
  const std::string missing_timestamp_;
  std::map<int64_t, Window> windows_;
  int64_t watermark_ = runtime::kMinWatermark;
};

}  // namespace

std::unique_ptr<runtime::Operator> MakeEventTimeWindowOperator(const py::dict& spec) {
  return std::make_unique<EventTimeWindowOperator>(spec);
}

}  // namespace fluvial::python
