#pragma once

// Record batches across the Python boundary through the Arrow C data
// interface (PyCapsules): no copy, and no dependence on pyarrow's C++ layer.
#include <arrow/api.h>
#include <pybind11/pybind11.h>

#include <memory>

namespace fluvial::table {

namespace py = pybind11;

/// Imports a pyarrow.RecordBatch (or anything with __arrow_c_array__ giving a
/// struct array). Caller holds the GIL.
std::shared_ptr<arrow::RecordBatch> ImportRecordBatch(const py::handle& object);

/// Exports 'batch' as a pyarrow.RecordBatch sharing its buffers. Caller holds the GIL.
py::object ExportRecordBatch(const std::shared_ptr<arrow::RecordBatch>& batch);

/// Imports a pyarrow.Array. Caller holds the GIL.
std::shared_ptr<arrow::Array> ImportArray(const py::handle& object);

}  // namespace fluvial::table
