#include "python/timer_queue.h"

#include <limits>

#include "python/python_error.h"

namespace fluvial::python {

void TimerQueue::Register(int64_t timestamp, PyObject* key, uint32_t key_group) {
  py::dict& keys = by_time_[timestamp];
  const Py_ssize_t before = PyDict_Size(keys.ptr());
  PyObject* group = PyLong_FromUnsignedLong(key_group);
  if (group == nullptr || PyDict_SetItem(keys.ptr(), key, group) < 0) {
    Py_XDECREF(group);
    ThrowPythonError();
  }
  Py_DECREF(group);
  size_ += static_cast<size_t>(PyDict_Size(keys.ptr()) - before);
}

void TimerQueue::Delete(int64_t timestamp, PyObject* key) {
  auto found = by_time_.find(timestamp);
  if (found == by_time_.end()) return;
  PyObject* keys = found->second.ptr();
  if (PyDict_Contains(keys, key) == 1) {
    if (PyDict_DelItem(keys, key) < 0) ThrowPythonError();
    --size_;
  }
  if (PyDict_Size(keys) == 0) by_time_.erase(found);
}

void TimerQueue::AppendEntries(py::list& out) const {
  for (const auto& [timestamp, keys] : by_time_) {
    for (auto [key, group] : keys) {
      out.append(py::make_tuple(timestamp, key, group));
    }
  }
}

int64_t TimerQueue::Earliest() const {
  return by_time_.empty() ? std::numeric_limits<int64_t>::max() : by_time_.begin()->first;
}

bool TimerQueue::PopDue(int64_t time, int64_t* timestamp, py::object* key, uint32_t* key_group) {
  if (by_time_.empty() || by_time_.begin()->first > time) return false;
  auto first = by_time_.begin();
  PyObject* keys = first->second.ptr();
  Py_ssize_t position = 0;
  PyObject* first_key;
  PyObject* group;
  PyDict_Next(keys, &position, &first_key, &group);
  *timestamp = first->first;
  *key = py::reinterpret_borrow<py::object>(first_key);
  *key_group = static_cast<uint32_t>(PyLong_AsUnsignedLong(group));
  if (PyDict_DelItem(keys, first_key) < 0) ThrowPythonError();
  --size_;
  if (PyDict_Size(keys) == 0) by_time_.erase(first);
  return true;
}

}  // namespace fluvial::python
