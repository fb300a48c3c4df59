#pragma once

// Checkpoints of the native columnar operators. An operator hands its state
// over as Arrow record batches — "parts" such as a GROUP BY's keys with their
// accumulators — each row carrying the key group it belongs to in a last
// int32 column "__key_group". The Python side (fluvial/table/_table_state.py)
// splits the parts by key group and stores them as Arrow IPC in the
// checkpoint's keyed parts, so a job resumes at another parallelism; on
// restore the operator gets back the rows of its key groups, before open.
#include <arrow/api.h>
#include <pybind11/pybind11.h>

#include <memory>
#include <string>
#include <vector>

#include "runtime/operator.h"

namespace fluvial::table {

namespace py = pybind11;

/// One named part of an operator's state; the last column of 'rows' is "__key_group".
struct StatePart {
  std::string name;
  std::shared_ptr<arrow::RecordBatch> rows;
};

inline constexpr const char* kKeyGroupColumn = "__key_group";

/// Returns 'batch' with 'key_groups' appended as the column "__key_group".
std::shared_ptr<arrow::RecordBatch> WithKeyGroups(const std::shared_ptr<arrow::RecordBatch>& batch,
                                                  const std::vector<int32_t>& key_groups);

/// Returns 'batch' without its last column (the key groups).
std::shared_ptr<arrow::RecordBatch> WithoutKeyGroups(const std::shared_ptr<arrow::RecordBatch>& batch);

/// Base of the columnar operators that take part in checkpoints. When the
/// job checkpoints, the spec holds a "snapshot"(checkpoint_id, parts) hook:
/// SnapshotState hands it SnapshotTables() as {name: [pyarrow.RecordBatch]};
/// after a restore, spec "restored_native" holds {name: [pyarrow.RecordBatch]}
/// with the rows of this subtask's key groups, read by RestoredPart.
class TableOperator : public runtime::Operator {
 public:
  /// Reads the hooks from 'spec' (GIL held, as when operators are built).
  explicit TableOperator(const py::dict& spec);
  void SnapshotState(int64_t checkpoint_id) final;

 protected:
  /// Returns a copy of the operator's state; called on the worker thread
  /// between two batches, without the GIL. None by default (a stateless operator).
  virtual std::vector<StatePart> SnapshotTables() { return {}; }
  /// Returns the restored rows of part 'name' without their key-group
  /// column (several batches after rescaling; none on a fresh start). GIL held:
  /// call it from the constructor.
  std::vector<std::shared_ptr<arrow::RecordBatch>> RestoredPart(const std::string& name) const;
  /// Returns a part "watermark" holding 'watermark' once for each key group in
  /// [begin, end), the ones this subtask owns: a subtask restored with some of them
  /// resumes from the smallest (RestoredWatermark).
  static StatePart WatermarkPart(int64_t watermark, uint32_t begin, uint32_t end);
  /// Returns the watermark restored from a WatermarkPart, or 'otherwise'. GIL held.
  int64_t RestoredWatermark(int64_t otherwise) const;
  /// Returns the max parallelism the key groups are counted in.
  int max_parallelism() const { return max_parallelism_; }

 private:
  py::object snapshot_;
  py::object restored_;
  int max_parallelism_ = 128;
};

}  // namespace fluvial::table
