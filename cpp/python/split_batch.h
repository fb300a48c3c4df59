#pragma once

#include <pybind11/pybind11.h>

#include <cstdint>
#include <vector>

namespace fluvial::python {

namespace py = pybind11;

/// What a reader of splits returned from poll() besides its records
/// (fluvial.datastream.connectors.base.SplitBatch): the split of every record,
/// optionally every record's timestamp from the source (a Kafka message's),
/// and, when they changed, the splits the reader reads now.
struct SplitTags {
  std::vector<int32_t> splits;      // one per record; empty: not a SplitBatch
  std::vector<int64_t> timestamps;  // one per record, or empty
  bool assigned_changed = false;
  std::vector<int32_t> assigned;
};

/// Recognises SplitBatch results of a source's poll() (GIL held).
class SplitBatchReader {
 public:
  SplitBatchReader();

  /// If 'result' is a SplitBatch, replaces it with its records and fills
  /// 'tags' (cleared otherwise); returns whether it was one. The caller checks
  /// the tags against the record count with CheckCount.
  bool Unpack(py::object& result, SplitTags& tags) const;
  /// Throws a UserError unless 'tags' has 'count' entries (the engine adds the operator's name).
  void CheckCount(const SplitTags& tags, size_t count) const;

 private:
  py::object type_;
};

}  // namespace fluvial::python
