#pragma once

#include <pybind11/pybind11.h>

#include <memory>

#include "runtime/operator.h"

namespace fluvial::table {

namespace py = pybind11;

/// Builds the columnar operator named by spec["kind"] (table_calc,
/// table_python_calc, table_key_by, table_group_agg, table_window_agg,
/// table_sink, table_to_objects, table_from_objects); nullptr for any other kind.
std::unique_ptr<runtime::Operator> MakeTableOperator(const py::dict& spec);

/// Builds a source whose spec["poll"]() returns Arrow record batches.
std::unique_ptr<runtime::SourceOperator> MakeTableSource(const py::dict& spec);

}  // namespace fluvial::table
