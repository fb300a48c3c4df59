// Projection and filter over record batches with Arrow compute expressions
// (built in Python by the planner, serialized, bound here): no Python at run time.
#include <arrow/compute/api.h>
#include <arrow/compute/expression.h>

#include "common/errors.h"
#include "table/columnar_batch.h"
#include "table/table_operators.h"
#include "table/table_state.h"
#include "table/table_support.h"

namespace fluvial::table {
namespace {

class CalcOperator : public TableOperator {
 public:
  explicit CalcOperator(const py::dict& spec) : TableOperator(spec), output_schema_(ImportSchema(spec["output_schema"])) {
    if (!spec["filter"].is_none()) filter_ = DeserializeExpression(spec["filter"]);
    for (const py::handle& projection : spec["projections"]) {
      projections_.push_back(DeserializeExpression(projection));
    }
  }

  void ProcessBatch(int, runtime::BatchPtr batch, runtime::Collector& out) override {
    auto& input = AsColumnar(*batch);
    Bind(*input.data->schema());
    arrow::compute::ExecBatch exec_batch(*input.data);
    if (filter_) {
      arrow::Datum mask = Evaluate(*bound_filter_, exec_batch, "the WHERE condition");
      std::vector<uint32_t> selected = SelectedRows(mask, input.data->num_rows());
      if (selected.empty()) return;
      if (selected.size() != static_cast<size_t>(input.data->num_rows())) {
        batch = batch->Select(selected);
        exec_batch = arrow::compute::ExecBatch(*AsColumnar(*batch).data);
      }
    }
    auto& kept = AsColumnar(*batch);
    const int64_t rows = kept.data->num_rows();
    std::vector<std::shared_ptr<arrow::Array>> columns;
    columns.reserve(bound_projections_.size());
    for (size_t i = 0; i < bound_projections_.size(); ++i) {
      arrow::Datum value = Evaluate(bound_projections_[i], exec_batch,
                                    "column '" + output_schema_->field(static_cast<int>(i))->name() + "'");
      columns.push_back(ToArray(value, rows, output_schema_->field(static_cast<int>(i))->type()));
    }
    auto result = std::make_unique<ColumnarBatch>(arrow::RecordBatch::Make(output_schema_, rows, columns));
    result->row_kinds = std::move(kept.row_kinds);
    result->timestamps = std::move(kept.timestamps);
    out.Collect(std::move(result));
  }

 private:
  void Bind(const arrow::Schema& schema) {
    if (bound_schema_ != nullptr && bound_schema_->Equals(schema)) return;
    if (filter_) bound_filter_ = ValueOrThrow(filter_->Bind(schema), "binding the WHERE condition");
    bound_projections_.clear();
    for (const auto& projection : projections_) {
      bound_projections_.push_back(ValueOrThrow(projection.Bind(schema), "binding a SELECT expression"));
    }
    bound_schema_ = std::make_shared<arrow::Schema>(schema);
  }

  // The message names what the user wrote (a column of the query, its WHERE condition), not
  // Arrow's rendering of the expression (kernel names and cast options); the Python side
  // rewrites Arrow's own wording of the failure (fluvial/_arrow_messages.py).
  static arrow::Datum Evaluate(const arrow::compute::Expression& expression,
                               const arrow::compute::ExecBatch& batch, const std::string& what) {
    auto result = arrow::compute::ExecuteScalarExpression(expression, batch);
    if (!result.ok()) {
      throw UserError("computing " + what + " failed: " + result.status().message());
    }
    return *result;
  }

  // A null condition drops the row, as SQL's WHERE does.
  static std::vector<uint32_t> SelectedRows(const arrow::Datum& mask, int64_t rows) {
    std::vector<uint32_t> selected;
    if (mask.is_scalar()) {
      const auto& scalar = mask.scalar_as<arrow::BooleanScalar>();
      if (scalar.is_valid && scalar.value) {
        selected.resize(static_cast<size_t>(rows));
        for (int64_t i = 0; i < rows; ++i) selected[i] = static_cast<uint32_t>(i);
      }
      return selected;
    }
    auto array = std::static_pointer_cast<arrow::BooleanArray>(mask.make_array());
    for (int64_t i = 0; i < rows; ++i) {
      if (array->IsValid(i) && array->Value(i)) selected.push_back(static_cast<uint32_t>(i));
    }
    return selected;
  }

  std::shared_ptr<arrow::Schema> output_schema_;
  std::optional<arrow::compute::Expression> filter_;
  std::vector<arrow::compute::Expression> projections_;
  std::shared_ptr<arrow::Schema> bound_schema_;
  std::optional<arrow::compute::Expression> bound_filter_;
  std::vector<arrow::compute::Expression> bound_projections_;
};

}  // namespace

std::unique_ptr<runtime::Operator> MakeCalcOperator(const py::dict& spec) {
  return std::make_unique<CalcOperator>(spec);
}

}  // namespace fluvial::table
