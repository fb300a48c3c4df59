#include <vector>

#include "common/errors.h"
#include "python/object_batch.h"
#include "python/python_error.h"
#include "python/python_operator.h"

namespace fluvial::python {
namespace {

/// KeyedStream.reduce: keeps one value per key, combines each new record into
/// it with call(current, record) and emits the new value (a running reduce,
/// as Flink emits on every record) — or, in BATCH mode (spec "final_only"),
/// only each key's final value once the input has ended, in the order of the
/// spec's "final_order" (a Python function given the [(key, value)] pairs and
/// returning the values in order: Flink's BATCH mode emits keys sorted) or else
/// key group by key group. The values live in
/// one dict per key group, so a subtask's state splits along key groups when
/// rescaled.
class KeyedReduceOperator : public PythonOperator {
 public:
  explicit KeyedReduceOperator(const py::dict& spec)
      : PythonOperator(spec),
        call_(spec["call"]),
        final_only_(spec.contains("final_only") && spec["final_only"].cast<bool>()),
        final_order_(spec.contains("final_order") ? py::object(spec["final_order"]) : py::none()) {}

  void Open(const runtime::OperatorInfo& info) override {
    key_group_begin_ = info.key_group_begin;
    state_.assign(info.key_group_end - info.key_group_begin, py::none());
    PythonOperator::Open(info);
  }

 protected:
  // {key group: {key: value}}
  py::object NativeState() override {
    py::dict groups;
    for (size_t i = 0; i < state_.size(); ++i) {
      if (!state_[i].is_none()) groups[py::int_(key_group_begin_ + i)] = state_[i];
    }
    return groups;
  }

  void RestoreNative(const py::handle& state) override {
    for (auto [group, values] : state.cast<py::dict>()) {
      const uint32_t key_group = group.cast<uint32_t>();
      FLUVIAL_CHECK(key_group >= key_group_begin_ && key_group - key_group_begin_ < state_.size(),
                    "restored state of key group ", key_group, " reached the wrong subtask");
      state_[key_group - key_group_begin_] = py::dict(py::reinterpret_borrow<py::dict>(values));
    }
  }

 public:

  void ProcessBatch(int, runtime::BatchPtr batch, runtime::Collector& out) override {
    ObjectBatch& objects = AsObjectBatch(*batch);
    FLUVIAL_CHECK(objects.keys.size() == objects.records.size(),
                  "reduce received records without keys");
    PyObject* call = call_.ptr();
    for (size_t i = 0; i < objects.records.size(); ++i) {
      PyObject* values = ValuesOfKeyGroup(objects.routing[i]);
      PyObject* key = objects.keys[i];
      PyObject* record = objects.records[i];
      PyObject* current = PyDict_GetItemWithError(values, key);  // borrowed
      PyObject* next;
      if (current == nullptr) {
        if (PyErr_Occurred()) ThrowPythonError();
        Py_INCREF(record);
        next = record;
      } else {
        PyObject* args[] = {current, record};
        next = PyObject_Vectorcall(call, args, 2, nullptr);
        if (next == nullptr) ThrowPythonError();
      }
      if (PyDict_SetItem(values, key, next) < 0) {
        Py_DECREF(next);
        ThrowPythonError();
      }
      Py_SETREF(objects.records[i], next);
    }
    objects.ClearKeys();
    if (!final_only_) out.Collect(std::move(batch));
  }

  void Finish(runtime::Collector& out) override {
    if (!final_only_) return;
    auto batch = std::make_unique<ObjectBatch>();
    if (!final_order_.is_none()) {
      py::list pairs;
      for (py::object& values : state_) {
        if (values.is_none()) continue;
        for (auto [key, value] : values.cast<py::dict>()) pairs.append(py::make_tuple(key, value));
      }
      py::object ordered = final_order_(pairs);
      for (py::handle value : ordered) batch->AddStolen(py::reinterpret_borrow<py::object>(value).release().ptr());
      if (batch->size() > 0) out.Collect(std::move(batch));
      return;
    }
    for (py::object& values : state_) {
      if (values.is_none()) continue;
      PyObject* key;
      PyObject* value;
      Py_ssize_t position = 0;
      while (PyDict_Next(values.ptr(), &position, &key, &value)) {
        Py_INCREF(value);
        batch->AddStolen(value);
      }
    }
    if (batch->size() > 0) out.Collect(std::move(batch));
  }

 private:
  PyObject* ValuesOfKeyGroup(uint32_t key_group) {
    FLUVIAL_CHECK(key_group >= key_group_begin_ && key_group - key_group_begin_ < state_.size(),
                  "record of key group ", key_group, " reached the wrong subtask");
    py::object& values = state_[key_group - key_group_begin_];
    if (values.is_none()) values = py::dict();
    return values.ptr();
  }

  py::object call_;
  bool final_only_;
  py::object final_order_;
  uint32_t key_group_begin_ = 0;
  std::vector<py::object> state_;
};

}  // namespace

std::unique_ptr<runtime::Operator> MakeKeyedReduceOperator(const py::dict& spec) {
  return std::make_unique<KeyedReduceOperator>(spec);
}

}  // namespace fluvial::python
