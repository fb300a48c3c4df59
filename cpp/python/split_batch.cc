#include "python/split_batch.h"

#include <pybind11/stl.h>

#include <cstring>

#include "common/errors.h"
#include "python/python_error.h"

namespace fluvial::python {
namespace {

// Copies a buffer of native 'T's ('array.array' of 'i'/'q', bytes, numpy arrays).
template <typename T>
std::vector<T> ReadBuffer(PyObject* object, const char* field) {
  Py_buffer view;
  if (PyObject_GetBuffer(object, &view, PyBUF_C_CONTIGUOUS) != 0) {
    PyErr_Clear();
    throw UserError(detail::Concat("poll() returned a SplitBatch whose ", field, " must be a buffer of ",
                                   sizeof(T) * 8, "-bit ints (array.array), got ",
                                   Py_TYPE(object)->tp_name));
  }
  const auto bytes = static_cast<size_t>(view.len);
  if (bytes % sizeof(T) != 0 || (view.itemsize != 1 && static_cast<size_t>(view.itemsize) != sizeof(T))) {
    const auto itemsize = view.itemsize;
    PyBuffer_Release(&view);
    throw UserError(detail::Concat("poll() returned a SplitBatch whose ", field, " must hold ", sizeof(T) * 8,
                                   "-bit ints, got items of ", itemsize, " bytes (", bytes, " bytes)"));
  }
  std::vector<T> values(bytes / sizeof(T));
  if (bytes > 0) std::memcpy(values.data(), view.buf, bytes);
  PyBuffer_Release(&view);
  return values;
}

}  // namespace

SplitBatchReader::SplitBatchReader()
    : type_(py::module_::import("fluvial.datastream.connectors.base").attr("SplitBatch")) {}

bool SplitBatchReader::Unpack(py::object& result, SplitTags& tags) const {
  tags.splits.clear();
  tags.timestamps.clear();
  tags.assigned_changed = false;
  if (Py_TYPE(result.ptr()) != reinterpret_cast<PyTypeObject*>(type_.ptr())) return false;
  py::object batch = result;
  result = batch.attr("records");
  py::object splits = batch.attr("splits");
  py::object timestamps = batch.attr("timestamps");
  py::object assigned = batch.attr("assigned");
  tags.splits = ReadBuffer<int32_t>(splits.ptr(), "splits");
  if (!timestamps.is_none()) tags.timestamps = ReadBuffer<int64_t>(timestamps.ptr(), "timestamps");
  if (!assigned.is_none()) {
    tags.assigned_changed = true;
    tags.assigned = assigned.cast<std::vector<int32_t>>();
  }
  return true;
}

void SplitBatchReader::CheckCount(const SplitTags& tags, size_t count) const {
  FLUVIAL_USER_CHECK(tags.splits.size() == count, "poll() returned a SplitBatch of ", count,
                     " records but ", tags.splits.size(), " splits; give one split per record");
  FLUVIAL_USER_CHECK(tags.timestamps.empty() || tags.timestamps.size() == count,
                     "poll() returned a SplitBatch of ", count, " records but ", tags.timestamps.size(),
                     " timestamps; give one timestamp per record, or None");
}

}  // namespace fluvial::python
