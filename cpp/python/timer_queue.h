#pragma once

#include <pybind11/pybind11.h>

#include <cstdint>
#include <map>

namespace fluvial::python {

namespace py = pybind11;

/// The timers of one keyed operator instance in one time domain: at most one
/// timer per (timestamp, key), as in Flink, fired in timestamp order and, for
/// equal timestamps, in registration order. Keys are Python objects compared
/// with Python equality. Call with the GIL held.
class TimerQueue {
 public:
  void Register(int64_t timestamp, PyObject* key, uint32_t key_group);
  void Delete(int64_t timestamp, PyObject* key);
  /// Returns the earliest timestamp, or INT64_MAX if there is no timer.
  int64_t Earliest() const;
  /// Removes the earliest timer if it is due at 'time'; returns false if none.
  bool PopDue(int64_t time, int64_t* timestamp, py::object* key, uint32_t* key_group);
  size_t size() const { return size_; }
  /// Appends every timer as (timestamp, key, key group) to 'out', in firing order.
  void AppendEntries(py::list& out) const;

 private:
  // timestamp -> {key: key_group}; a dict keeps registration order.
  std::map<int64_t, py::dict> by_time_;
  size_t size_ = 0;
};

}  // namespace fluvial::python
