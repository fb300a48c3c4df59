#include "table/group_table.h"

#include <arrow/compute/api.h>
#include <arrow/compute/exec.h>

#include "common/errors.h"

namespace fluvial::table {

GroupTable::GroupTable(std::vector<int> key_columns, const std::vector<AggregateCall>& calls,
                       const std::shared_ptr<arrow::Schema>& input_schema,
                       const std::shared_ptr<arrow::Schema>& output_schema)
    : key_columns_(std::move(key_columns)), calls_(calls), output_schema_(output_schema) {
  std::vector<arrow::TypeHolder> key_types;
  std::vector<std::shared_ptr<arrow::Field>> key_fields;
  for (int column : key_columns_) {
    key_types.emplace_back(input_schema->field(column)->type());
    key_fields.push_back(output_schema->field(static_cast<int>(key_fields.size())));
  }
  if (!key_types.empty()) {
    grouper_ = ValueOrThrow(arrow::compute::Grouper::Make(key_types), "grouping");
  }
  const int first_value = static_cast<int>(key_columns_.size());
  for (size_t i = 0; i < calls.size(); ++i) {
    auto input_type = calls[i].input >= 0 ? input_schema->field(calls[i].input)->type() : arrow::int64();
    aggregates_.push_back(MakeAggregate(calls[i].kind, input_type,
                                        output_schema->field(first_value + static_cast<int>(i))->type()));
  }
  keys_ = ValueOrThrow(arrow::Table::MakeEmpty(arrow::schema(key_fields)), "grouping");
}

std::vector<uint32_t> GroupTable::Consume(const arrow::RecordBatch& input) {
  std::vector<std::shared_ptr<arrow::Array>> keys;
  for (int column : key_columns_) keys.push_back(input.column(column));
  return ConsumeKeys(keys, input.num_rows());
}

std::vector<uint32_t> GroupTable::ConsumeKeys(const std::vector<std::shared_ptr<arrow::Array>>& key_arrays,
                                              int64_t rows) {
  std::vector<uint32_t> groups(static_cast<size_t>(rows), 0);
  const size_t before = row_counts_.size();
  if (grouper_ == nullptr) {
    // No GROUP BY: one group for everything.
    if (before == 0 && rows > 0) row_counts_.push_back(0);
  } else {
    std::vector<arrow::Datum> keys(key_arrays.begin(), key_arrays.end());
    arrow::compute::ExecBatch key_batch(std::move(keys), rows);
    arrow::Datum ids = ValueOrThrow(grouper_->Consume(arrow::compute::ExecSpan(key_batch)), "grouping");
    auto id_array = std::static_pointer_cast<arrow::UInt32Array>(ids.make_array());
    std::copy(id_array->raw_values(), id_array->raw_values() + rows, groups.begin());
    const size_t after = grouper_->num_groups();
    if (after > before) {
      // The rows where new groups first appear hold their keys.
      std::vector<uint32_t> first_rows(after - before);
      for (int64_t row = rows - 1; row >= 0; --row) {
        if (groups[row] >= before) first_rows[groups[row] - before] = static_cast<uint32_t>(row);
      }
      arrow::UInt32Builder builder;
      CheckArrow(builder.AppendValues(first_rows), "grouping");
      auto indices = ValueOrThrow(builder.Finish(), "grouping");
      std::vector<std::shared_ptr<arrow::Array>> columns;
      for (const auto& key : key_arrays) {
        columns.push_back(ValueOrThrow(arrow::compute::Take(*key, *indices), "grouping"));
      }
      auto fresh = arrow::Table::Make(keys_->schema(), columns);
      keys_ = ValueOrThrow(arrow::ConcatenateTables({keys_, fresh}), "grouping");
      if (keys_->column(0)->num_chunks() > 32) keys_ = ValueOrThrow(keys_->CombineChunks(), "grouping");
      row_counts_.resize(after, 0);
    }
  }
  for (auto& aggregate : aggregates_) aggregate->Resize(row_counts_.size());
  return groups;
}

std::shared_ptr<arrow::RecordBatch> GroupTable::Snapshot() const {
  std::vector<uint32_t> groups;
  for (uint32_t group = 0; group < row_counts_.size(); ++group) {
    if (row_counts_[group] != 0) groups.push_back(group);
  }
  std::vector<std::shared_ptr<arrow::Field>> fields;
  std::vector<std::shared_ptr<arrow::Array>> columns;
  auto output = Output(groups);
  for (size_t i = 0; i < key_columns_.size(); ++i) {
    fields.push_back(output->schema()->field(static_cast<int>(i)));
    columns.push_back(output->column(static_cast<int>(i)));
  }
  arrow::Int64Builder counts;
  for (uint32_t group : groups) CheckArrow(counts.Append(row_counts_[group]), "snapshotting a group table");
  fields.push_back(arrow::field("__rows", arrow::int64()));
  columns.push_back(ValueOrThrow(counts.Finish(), "snapshotting a group table"));
  for (size_t i = 0; i < aggregates_.size(); ++i) {
    auto state = aggregates_[i]->State(groups);
    fields.push_back(arrow::field("__state" + std::to_string(i), state->type()));
    columns.push_back(std::move(state));
  }
  return arrow::RecordBatch::Make(arrow::schema(fields), static_cast<int64_t>(groups.size()), columns);
}

void GroupTable::Restore(const arrow::RecordBatch& state) {
  auto expected = Snapshot()->schema();
  if (state.num_columns() != expected->num_fields()) {
    throw UserError("the checkpoint's state of an aggregation has columns " + state.schema()->ToString() +
                    " but the query needs " + expected->ToString() +
                    ": the query changed since the checkpoint (restore it into the same query)");
  }
  for (int i = 0; i < expected->num_fields(); ++i) {
    if (!state.column(i)->type()->Equals(*expected->field(i)->type())) {
      throw UserError("the checkpoint's state of an aggregation has column '" + state.schema()->field(i)->name() +
                      "' of type " + state.column(i)->type()->ToString() + " but the query needs " +
                      expected->field(i)->type()->ToString() +
                      ": the query changed since the checkpoint (restore it into the same query)");
    }
  }
  const int key_count = static_cast<int>(key_columns_.size());
  std::vector<std::shared_ptr<arrow::Array>> keys;
  for (int i = 0; i < key_count; ++i) keys.push_back(state.column(i));
  std::vector<uint32_t> groups = ConsumeKeys(keys, state.num_rows());
  const auto& counts = static_cast<const arrow::Int64Array&>(*state.column(key_count));
  for (int64_t row = 0; row < state.num_rows(); ++row) row_counts_[groups[row]] += counts.Value(row);
  for (size_t i = 0; i < aggregates_.size(); ++i) {
    aggregates_[i]->Restore(groups.data(), *state.column(key_count + 1 + static_cast<int>(i)));
  }
}

void GroupTable::Update(const std::vector<uint32_t>& groups, const arrow::RecordBatch& input,
                        const std::vector<bool>& retract) {
  const int64_t rows = input.num_rows();
  for (int64_t row = 0; row < rows; ++row) row_counts_[groups[row]] += retract[row] ? -1 : 1;
  for (size_t i = 0; i < aggregates_.size(); ++i) {
    const arrow::Array* column = calls_[i].input >= 0 ? input.column(calls_[i].input).get() : nullptr;
    aggregates_[i]->Update(groups.data(), rows, column, retract);
  }
}

std::shared_ptr<arrow::RecordBatch> GroupTable::Output(const std::vector<uint32_t>& groups) const {
  std::vector<std::shared_ptr<arrow::Array>> columns;
  if (!key_columns_.empty()) {
    arrow::UInt32Builder builder;
    CheckArrow(builder.AppendValues(groups), "aggregate output");
    auto indices = ValueOrThrow(builder.Finish(), "aggregate output");
    for (int i = 0; i < keys_->num_columns(); ++i) {
      auto taken = ValueOrThrow(arrow::compute::Take(arrow::Datum(keys_->column(i)), arrow::Datum(indices)),
                                "aggregate output");
      auto chunked = taken.chunked_array();
      if (chunked->num_chunks() == 0) {
        columns.push_back(ValueOrThrow(arrow::MakeEmptyArray(chunked->type()), "aggregate output"));
      } else {
        columns.push_back(chunked->num_chunks() == 1
                              ? chunked->chunk(0)
                              : ValueOrThrow(arrow::Concatenate(chunked->chunks()), "aggregate output"));
      }
    }
  }
  for (const auto& aggregate : aggregates_) columns.push_back(aggregate->Output(groups));
  // Window columns (if any) are appended by the caller: take the matching prefix of the schema.
  std::vector<std::shared_ptr<arrow::Field>> fields;
  for (size_t i = 0; i < columns.size(); ++i) {
    fields.push_back(output_schema_->field(static_cast<int>(i))->WithType(columns[i]->type()));
  }
  return arrow::RecordBatch::Make(arrow::schema(fields), static_cast<int64_t>(groups.size()), columns);
}

}  // namespace fluvial::table
