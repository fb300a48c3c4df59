#pragma once

// What the columnar operators share: reading their spec and shaping results.
#include <arrow/api.h>
#include <arrow/compute/expression.h>
#include <pybind11/pybind11.h>

#include <memory>
#include <vector>

#include "runtime/operator.h"

namespace fluvial::table {

namespace py = pybind11;

/// A pyarrow.Schema (anything with __arrow_c_schema__) as an arrow::Schema.
std::shared_ptr<arrow::Schema> ImportSchema(const py::handle& object);

/// An expression serialized by pyarrow (Expression.__reduce__'s buffer, as bytes).
arrow::compute::Expression DeserializeExpression(const py::handle& serialized);

/// 'value' as an array of 'rows' rows of 'type' (a scalar is repeated, a
/// differing type is cast).
std::shared_ptr<arrow::Array> ToArray(const arrow::Datum& value, int64_t rows,
                                      const std::shared_ptr<arrow::DataType>& type);

/// The values of a timestamp/date/integer column in epoch milliseconds.
std::vector<int64_t> EpochMillis(const std::shared_ptr<arrow::Array>& column, const char* what);

std::vector<int> IntList(const py::handle& list);

std::unique_ptr<runtime::Operator> MakeCalcOperator(const py::dict& spec);
std::unique_ptr<runtime::Operator> MakeGroupAggregateOperator(const py::dict& spec);
std::unique_ptr<runtime::Operator> MakeWindowAggregateOperator(const py::dict& spec);
std::unique_ptr<runtime::Operator> MakePythonTableOperator(const py::dict& spec);
std::unique_ptr<runtime::Operator> MakeTableKeyAssigner(const py::dict& spec);
std::unique_ptr<runtime::Operator> MakeRowtimeOperator(const py::dict& spec);
std::unique_ptr<runtime::Operator> MakeJoinOperator(const py::dict& spec);
std::unique_ptr<runtime::Operator> MakeTemporalJoinOperator(const py::dict& spec);
std::unique_ptr<runtime::Operator> MakeIntervalJoinOperator(const py::dict& spec);
std::unique_ptr<runtime::Operator> MakeLateRowFilter(const py::dict& spec);
std::unique_ptr<runtime::Operator> MakeWindowJoinOperator(const py::dict& spec);
std::unique_ptr<runtime::Operator> MakeWindowTableFunction(const py::dict& spec);
std::unique_ptr<runtime::Operator> MakeSortLimitOperator(const py::dict& spec);
std::unique_ptr<runtime::Operator> MakeRankOperator(const py::dict& spec);
std::unique_ptr<runtime::Operator> MakeSessionWindowOperator(const py::dict& spec);
std::unique_ptr<runtime::Operator> MakeOverAggregateOperator(const py::dict& spec);

}  // namespace fluvial::table
