#pragma once

// The state of a grouped aggregation: key columns → dense group ids (Arrow's
// Grouper), the distinct keys in group-id order, the aggregates' values and
// the number of rows each group holds (a group with none is gone).
#include <arrow/api.h>
#include <arrow/compute/row/grouper.h>

#include <memory>
#include <vector>

#include "table/aggregates.h"
#include "table/columnar_batch.h"

namespace fluvial::table {

struct AggregateCall {
  std::string kind;  ///< count_star, count, sum, min, max, avg
  int input = -1;    ///< column of the input batch; -1 for count_star
};

class GroupTable {
 public:
  GroupTable(std::vector<int> key_columns, const std::vector<AggregateCall>& calls,
             const std::shared_ptr<arrow::Schema>& input_schema,
             const std::shared_ptr<arrow::Schema>& output_schema);

  /// Assigns every row of 'keys' (the key columns, in order) its group id;
  /// new groups get the next ids.
  std::vector<uint32_t> Consume(const arrow::RecordBatch& input);

  /// Applies the rows of 'input' (accumulating or retracting by 'kinds') to
  /// their groups.
  void Update(const std::vector<uint32_t>& groups, const arrow::RecordBatch& input,
              const std::vector<bool>& retract);

  /// The output rows (keys then aggregate values) of 'groups', in order.
  std::shared_ptr<arrow::RecordBatch> Output(const std::vector<uint32_t>& groups) const;

  /// The keys, row count ("__rows") and accumulators ("__state<i>") of every
  /// group holding rows, one row each: a copy for a checkpoint.
  std::shared_ptr<arrow::RecordBatch> Snapshot() const;

  /// Adds the groups of 'state' (rows as Snapshot returns them) to the table.
  /// Throws UserError if they do not fit its keys and aggregates (the query changed).
  void Restore(const arrow::RecordBatch& state);

  /// The group ids of rows given by their key columns (in key order); new groups get the next ids.
  std::vector<uint32_t> ConsumeKeys(const std::vector<std::shared_ptr<arrow::Array>>& keys, int64_t rows);

  int64_t rows(uint32_t group) const { return row_counts_[group]; }
  size_t num_groups() const { return row_counts_.size(); }
  const std::vector<int>& key_columns() const { return key_columns_; }

 private:
  std::vector<int> key_columns_;
  std::vector<AggregateCall> calls_;
  std::shared_ptr<arrow::Schema> output_schema_;
  std::unique_ptr<arrow::compute::Grouper> grouper_;
  std::vector<std::unique_ptr<Aggregate>> aggregates_;
  std::shared_ptr<arrow::Table> keys_;  // one row per group, in group-id order
  std::vector<int64_t> row_counts_;
};

}  // namespace fluvial::table
