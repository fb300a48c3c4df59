#include <memory>
#include <string>
#include <vector>

#include "common/errors.h"
#include "python/object_batch.h"
#include "python/output_gatherer.h"
#include "python/python_error.h"
#include "python/python_operator.h"
#include "python/timer_queue.h"
#include "python/timer_service.h"
#include "runtime/clock.h"

namespace fluvial::python {

TimerOwner* TimerService::owner() const {
  FLUVIAL_USER_CHECK(owner_ != nullptr, "the timer service belongs to a job that has ended");
  return owner_;
}

namespace {

// Indexes of the per-record cell that Python contexts and keyed state read.
enum CellSlot : Py_ssize_t {
  kTimestamp = 0,
  kKey = 1,
  kKeyGroup = 2,
  kTimeDomain = 3,
  kOutputTimestamp = 4,  // set by Python per output when spec "stamps_outputs"
};

/// Runs the process functions of one or two inputs with the current record's
/// key, timestamp and key group published in spec["cell"] (a Python list the
/// contexts and keyed state read), plus event- and processing-time timers
/// per key: KeyedProcessFunction, KeyedCoProcessFunction, the window
/// operator and the broadcast functions. Unkeyed inputs (spec "keyed" false,
/// or the broadcast side) run with key None; timers need a key.
class KeyedProcessOperator : public PythonOperator, public TimerOwner {
 public:
  explicit KeyedProcessOperator(const py::dict& spec)
      : PythonOperator(spec),
        context_(spec["context"]),
        cell_(spec["cell"]),
        on_timer_(Optional(spec, "on_timer")),
        gatherer_(spec),
        stamps_outputs_(spec.contains("stamps_outputs") && spec["stamps_outputs"].cast<bool>()),
        timer_service_(std::make_shared<TimerService>(this)) {
    for (const py::handle& call : spec["process"]) process_.push_back(py::reinterpret_borrow<py::object>(call));
    py::object bind = Optional(spec, "bind_timer_service");
    if (!bind.is_none()) bind(py::cast(timer_service_));
  }

  ~KeyedProcessOperator() override { timer_service_->Detach(); }

  void Open(const runtime::OperatorInfo& info) override {
    clock_ = info.clock;
    PythonOperator::Open(info);
  }

 protected:
  // {"event": [(timestamp, key, key group)], "processing": [...]}
  py::object NativeState() override {
    py::list event;
    py::list processing;
    event_timers_.AppendEntries(event);
    processing_timers_.AppendEntries(processing);
    py::dict state;
    state["event"] = event;
    state["processing"] = processing;
    return state;
  }

  void RestoreNative(const py::handle& state) override {
    auto timers = state.cast<py::dict>();
    for (const char* domain : {"event", "processing"}) {
      TimerQueue& queue = std::string(domain) == "event" ? event_timers_ : processing_timers_;
      if (!timers.contains(domain)) continue;
      for (const py::handle& entry : timers[domain]) {
        auto timer = entry.cast<py::tuple>();
        queue.Register(timer[0].cast<int64_t>(), timer[1].ptr(), timer[2].cast<uint32_t>());
      }
    }
  }

 public:
  void ProcessBatch(int input, runtime::BatchPtr batch, runtime::Collector& out) override {
    ObjectBatch& objects = AsObjectBatch(*batch);
    FLUVIAL_CHECK(input < static_cast<int>(process_.size()), "no process function for input ", input);
    PyObject* call = process_[input].ptr();
    PyObject* context = context_.ptr();
    const bool keyed = !objects.keys.empty();
    const bool timed = !objects.timestamps.empty();
    SetCell(kTimeDomain, Py_NewRef(Py_None));
    for (size_t i = 0; i < objects.records.size(); ++i) {
      const int64_t timestamp = timed ? objects.timestamps[i] : runtime::kMinWatermark;
      SetCurrent(keyed ? objects.keys[i] : Py_None, keyed ? objects.routing[i] : 0, timestamp);
      PyObject* args[] = {objects.records[i], context};
      PyObject* result = PyObject_Vectorcall(call, args, 2, nullptr);
      if (result == nullptr) ThrowPythonError();
      gatherer_.AddAll(result, timestamp, stamp_cell());
    }
    current_key_ = nullptr;
    gatherer_.Emit(out);
  }

  void ProcessWatermark(int64_t watermark, runtime::Collector& out) override {
    current_watermark_ = watermark;
    FireTimers(event_timers_, watermark, /*event_time=*/true);
    gatherer_.Emit(out);
    out.EmitWatermark(watermark);
  }

  int64_t NextProcessingTimer() const override {
    return processing_timers_.size() == 0 ? runtime::kNoTimer : processing_timers_.Earliest();
  }

  void OnProcessingTime(int64_t now, runtime::Collector& out) override {
    FireTimers(processing_timers_, now, /*event_time=*/false);
    gatherer_.Emit(out);
  }

  // TimerOwner, called from Python while a record or timer is processed.
  void RegisterTimer(bool event_time, int64_t timestamp) override {
    CheckKeyed("registered");
    (event_time ? event_timers_ : processing_timers_).Register(timestamp, current_key_, current_key_group_);
  }
  void DeleteTimer(bool event_time, int64_t timestamp) override {
    CheckKeyed("deleted");
    (event_time ? event_timers_ : processing_timers_).Delete(timestamp, current_key_);
  }
  int64_t CurrentWatermark() const override { return current_watermark_; }
  int64_t CurrentProcessingTime() const override { return clock_->NowMillis(); }

 private:
  void CheckKeyed(const char* action) const {
    FLUVIAL_USER_CHECK(current_key_ != nullptr && current_key_ != Py_None, "timers can only be ", action,
                       " on a keyed stream, while an element or timer of a key is processed: "
                       "use stream.key_by(...).process(KeyedProcessFunction)");
  }

  PyObject* stamp_cell() const { return stamps_outputs_ ? cell_.ptr() : nullptr; }

  void SetCell(CellSlot slot, PyObject* value) {
    if (value == nullptr || PyList_SetItem(cell_.ptr(), slot, value) < 0) ThrowPythonError();
  }

  void SetCurrent(PyObject* key, uint32_t key_group, int64_t timestamp) {
    current_key_ = key;
    current_key_group_ = key_group;
    SetCell(kKey, Py_NewRef(key));
    SetCell(kKeyGroup, PyLong_FromUnsignedLong(key_group));
    SetCell(kTimestamp, timestamp == runtime::kMinWatermark ? Py_NewRef(Py_None)
                                                            : PyLong_FromLongLong(timestamp));
  }

  void FireTimers(TimerQueue& timers, int64_t time, bool event_time) {
    int64_t timestamp;
    py::object key;
    uint32_t key_group;
    // Timers registered while firing are fired too if already due.
    while (timers.PopDue(time, &timestamp, &key, &key_group)) {
      SetCurrent(key.ptr(), key_group, timestamp);
      SetCell(kTimeDomain, PyLong_FromLong(event_time ? 0 : 1));
      if (!on_timer_.is_none()) {
        PyObject* stamp = PyLong_FromLongLong(timestamp);
        if (stamp == nullptr) ThrowPythonError();
        PyObject* args[] = {stamp, context_.ptr()};
        PyObject* result = PyObject_Vectorcall(on_timer_.ptr(), args, 2, nullptr);
        Py_DECREF(stamp);
        if (result == nullptr) ThrowPythonError();
        // Event-time timer output carries the timer's time; processing-time output none.
        gatherer_.AddAll(result, event_time ? timestamp : runtime::kMinWatermark, stamp_cell());
      }
    }
    current_key_ = nullptr;
  }

  std::vector<py::object> process_;
  py::object context_;
  py::object cell_;
  py::object on_timer_;
  OutputGatherer gatherer_;
  bool stamps_outputs_;
  std::shared_ptr<TimerService> timer_service_;
  TimerQueue event_timers_;
  TimerQueue processing_timers_;
  const runtime::Clock* clock_ = nullptr;
  PyObject* current_key_ = nullptr;  // borrowed, valid while processing
  uint32_t current_key_group_ = 0;
  int64_t current_watermark_ = runtime::kMinWatermark;
};

}  // namespace

std::unique_ptr<runtime::Operator> MakeKeyedProcessOperator(const py::dict& spec) {
  return std::make_unique<KeyedProcessOperator>(spec);
}

}  // namespace fluvial::python
