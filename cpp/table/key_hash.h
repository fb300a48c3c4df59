#pragma once

// The key group of a row of a table, from a hash of its key columns: the
// same in every process, so the keyed exchange (table_key_assigner) and the
// operators' checkpoints (table_state) agree on which subtask owns a key.
#include <arrow/api.h>

#include <cstdint>
#include <vector>

namespace fluvial::table {

/// Returns the key group (of 'max_parallelism') of every row of 'batch' by
/// the values of 'columns'; every row is key group 0 without columns.
std::vector<int32_t> KeyGroupsOf(const arrow::RecordBatch& batch, const std::vector<int>& columns,
                                 int max_parallelism);

}  // namespace fluvial::table
