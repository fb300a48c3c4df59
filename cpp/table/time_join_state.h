#pragma once

// What the time-bounded joins (interval join, window join) share: a row store
// that lets go of rows, the join type, the shape of their output, and the
// debug counter of buffered rows the tests read.
#include <arrow/api.h>
#include <arrow/compute/api.h>
#include <pybind11/pybind11.h>

#include <algorithm>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/errors.h"
#include "table/columnar_batch.h"
#include "table/row_store.h"

namespace fluvial::table {

namespace py = pybind11;

/// INNER, LEFT, RIGHT or FULL (OUTER): which unmatched rows are kept, padded with NULLs;
/// SEMI and ANTI: the left rows with (without) a match, alone.
struct JoinType {
  bool left_outer = false;
  bool right_outer = false;
  bool semi = false;
  bool anti = false;

  static JoinType Parse(const std::string& name) {
    if (name == "inner") return {false, false, false, false};
    if (name == "left") return {true, false, false, false};
    if (name == "right") return {false, true, false, false};
    if (name == "full") return {true, true, false, false};
    if (name == "semi") return {false, false, true, false};
    if (name == "anti") return {false, false, false, true};
    throw InternalError("unknown join type '" + name + "'");
  }
  bool Outer(int input) const { return input == 0 ? left_outer : right_outer; }
};

/// True if a key column of row 'row' is NULL: such a row never matches (SQL semantics).
inline bool KeyIsNull(const arrow::RecordBatch& data, const std::vector<int>& keys, int64_t row) {
  for (int column : keys) {
    if (data.column(column)->IsNull(row)) return true;
  }
  return false;
}

/// Rows kept by id (ids count every row ever appended), and released again:
/// a batch is dropped once none of its rows is live, so memory follows the
/// live rows, not the stream's length.
class ReleasingRowStore {
 public:
  int64_t Append(const std::shared_ptr<arrow::RecordBatch>& batch) {
    const int64_t first = next_id_;
    if (batch->num_rows() == 0) return first;
    batches_[first] = Entry{batch, 0};
    next_id_ += batch->num_rows();
    return first;
  }

  /// Marks row 'id' as kept (call once per kept row).
  void Keep(int64_t id) {
    ++Find(id)->second.live;
    ++live_rows_;
  }

  /// Lets go of a kept row.
  void Release(int64_t id) {
    auto found = Find(id);
    --live_rows_;
    if (--found->second.live == 0) batches_.erase(found);
  }

  /// Drops batches none of whose rows were kept (call after processing a batch).
  void DropUnkept() {
    for (auto it = batches_.begin(); it != batches_.end();) {
      it = it->second.live == 0 ? batches_.erase(it) : std::next(it);
    }
  }

  int64_t live_rows() const { return live_rows_; }

  /// Columns of the rows 'ids' (kNoRow gives NULLs); every id must still be held.
  std::vector<std::shared_ptr<arrow::Array>> Take(const std::vector<int64_t>& ids,
                                                  const std::shared_ptr<arrow::Schema>& schema) const {
    std::vector<std::shared_ptr<arrow::Array>> columns;
    if (batches_.empty()) {
      for (const auto& field : schema->fields()) {
        columns.push_back(ValueOrThrow(arrow::MakeArrayOfNull(field->type(), static_cast<int64_t>(ids.size())),
                                       "join output"));
      }
      return columns;
    }
    // Positions in the concatenation of the batches held now.
    std::map<int64_t, int64_t> offsets;  // first id of a batch → its first position
    std::vector<std::shared_ptr<arrow::RecordBatch>> batches;
    int64_t position = 0;
    for (const auto& [first, entry] : batches_) {
      offsets[first] = position;
      position += entry.batch->num_rows();
      batches.push_back(entry.batch);
    }
    arrow::Int64Builder builder;
    for (int64_t id : ids) {
      if (id == kNoRow) {
        CheckArrow(builder.AppendNull(), "join output");
        continue;
      }
      auto found = Find(id);
      CheckArrow(builder.Append(offsets[found->first] + id - found->first), "join output");
    }
    auto indices = ValueOrThrow(builder.Finish(), "join output");
    auto table = ValueOrThrow(arrow::Table::FromRecordBatches(batches), "join state");
    for (int i = 0; i < table->num_columns(); ++i) {
      auto taken = ValueOrThrow(arrow::compute::Take(arrow::Datum(table->column(i)), arrow::Datum(indices)),
                                "join output");
      auto chunked = taken.chunked_array();
      columns.push_back(chunked->num_chunks() == 1
                            ? chunked->chunk(0)
                            : ValueOrThrow(arrow::Concatenate(chunked->chunks()), "join output"));
    }
    return columns;
  }

 private:
  struct Entry {
    std::shared_ptr<arrow::RecordBatch> batch;
    int64_t live = 0;
  };

  std::map<int64_t, Entry>::iterator Find(int64_t id) {
    auto it = batches_.upper_bound(id);
    if (it == batches_.begin()) throw InternalError("join state: row id " + std::to_string(id) + " not held");
    return std::prev(it);
  }
  std::map<int64_t, Entry>::const_iterator Find(int64_t id) const {
    auto it = batches_.upper_bound(id);
    if (it == batches_.begin()) throw InternalError("join state: row id " + std::to_string(id) + " not held");
    return std::prev(it);
  }

  std::map<int64_t, Entry> batches_;  // by the id of their first row
  int64_t next_id_ = 0;
  int64_t live_rows_ = 0;
};

/// The rows a join emits: pairs of row ids (kNoRow pads) and each row's event time.
struct JoinedRows {
  std::vector<int64_t> left, right, timestamps;

  void Add(int64_t left_id, int64_t right_id, int64_t timestamp) {
    left.push_back(left_id);
    right.push_back(right_id);
    timestamps.push_back(timestamp);
  }

  /// Emits the rows as one insert-only batch (left columns, then right columns) and clears them.
  void Emit(const ReleasingRowStore& left_store, const std::shared_ptr<arrow::Schema>& left_schema,
            const ReleasingRowStore& right_store, const std::shared_ptr<arrow::Schema>& right_schema,
            const std::shared_ptr<arrow::Schema>& output_schema, runtime::Collector& out) {
    if (left.empty()) return;
    std::vector<std::shared_ptr<arrow::Array>> columns = left_store.Take(left, left_schema);
    for (auto& column : right_store.Take(right, right_schema)) columns.push_back(std::move(column));
    auto batch = std::make_unique<ColumnarBatch>(
        arrow::RecordBatch::Make(output_schema, static_cast<int64_t>(left.size()), columns));
    batch->timestamps = std::move(timestamps);
    out.Collect(std::move(batch));
    left.clear();
    right.clear();
    timestamps.clear();
  }
};

/// A debug counter the planner can hand over (spec["state_probe"], a writable
/// buffer of three int64: rows buffered now, most rows ever buffered, most join
/// keys ever held), so tests can check that the state stays bounded. Written by
/// the worker thread only.
class StateProbe {
 public:
  explicit StateProbe(const py::dict& spec) {
    if (!spec.contains("state_probe") || spec["state_probe"].is_none()) return;
    owner_ = spec["state_probe"];
    py::buffer_info info = py::buffer(owner_).request(true);
    if (info.size * info.itemsize < static_cast<py::ssize_t>(3 * sizeof(int64_t))) {
      throw InternalError("state_probe needs room for three int64 values");
    }
    values_ = static_cast<int64_t*>(info.ptr);
  }

  void Record(int64_t rows, int64_t keys = 0) {
    if (values_ == nullptr) return;
    values_[0] = rows;
    values_[1] = std::max(values_[1], rows);
    values_[2] = std::max(values_[2], keys);
  }

 private:
  py::object owner_;  // keeps the buffer alive
  int64_t* values_ = nullptr;
};

}  // namespace fluvial::table
