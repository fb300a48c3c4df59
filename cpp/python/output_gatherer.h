#pragma once

#include <pybind11/pybind11.h>

#include <map>
#include <memory>

#include "python/object_batch.h"
#include "runtime/operator.h"

namespace fluvial::python {

namespace py = pybind11;

/// Gathers what Python functions return or yield while an operator works
/// through a batch: plain values go to the main output, `(OutputTag, value)`
/// pairs to that tag's side output (PyFlink's `yield tag, value`); outputs
/// inherit the timestamp of the record (or timer) that produced them.
///
/// Reads from the operator's spec: "output_tag_class" (the OutputTag type),
/// "side_outputs" (dict OutputTag -> side output number, for the tags some
/// consumer asked for; other tags' values are dropped, as in Flink) and the
/// optional "validate" (checks main-output values against output_type).
class OutputGatherer {
 public:
  explicit OutputGatherer(const py::dict& spec);

  /// Consumes 'result' (a new reference): None emits nothing; anything else
  /// is iterated. 'timestamp' is kMinWatermark for "no timestamp". With a
  /// 'timestamp_cell', an element for which cell[4] is an int gets that
  /// timestamp instead (the window operator stamps each window's output).
  /// Throws PythonError if iteration or validation fails.
  void AddAll(PyObject* result, int64_t timestamp, PyObject* timestamp_cell = nullptr);
  /// Adds one value (a new reference).
  void Add(PyObject* value, int64_t timestamp);
  /// Emits what was gathered and starts over.
  void Emit(runtime::Collector& out);

 private:
  ObjectBatch& SideBatch(int tag);

  py::object tag_class_;
  py::object side_outputs_;
  py::object validate_;
  std::unique_ptr<ObjectBatch> main_;
  std::map<int, std::unique_ptr<ObjectBatch>> sides_;
  bool any_timestamp_ = false;
};

/// Appends 'timestamp' for the record just added to 'batch', keeping the
/// timestamps vector either empty (no record has one) or complete.
void AppendTimestamp(ObjectBatch& batch, int64_t timestamp);

}  // namespace fluvial::python
