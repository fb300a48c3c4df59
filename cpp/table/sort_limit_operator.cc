// ORDER BY / LIMIT / OFFSET over a bounded input (batch mode): rows are
// buffered and, at the end of input, sorted by Arrow's sort kernel and cut.
// A LIMIT without ORDER BY stops buffering once it has its rows.
#include <arrow/compute/api.h>

#include "common/errors.h"
#include "table/columnar_batch.h"
#include "table/table_support.h"

namespace fluvial::table {
namespace {

class SortLimitOperator : public runtime::Operator {
 public:
  explicit SortLimitOperator(const py::dict& spec)
      : limit_(spec["limit"].cast<int64_t>()), offset_(spec["offset"].cast<int64_t>()) {
    for (const py::handle& key : spec["keys"]) {
      auto pair = key.cast<py::tuple>();
      keys_.emplace_back(arrow::FieldRef(pair[0].cast<int>()),
                         pair[1].cast<bool>() ? arrow::compute::SortOrder::Ascending
                                              : arrow::compute::SortOrder::Descending);
    }
  }

  void ProcessBatch(int, runtime::BatchPtr batch, runtime::Collector&) override {
    auto& input = AsColumnar(*batch);
    for (size_t row = 0; row < input.size(); ++row) {
      if (!IsAccumulate(input.kind(row))) {
        throw UserError("ORDER BY / LIMIT over an updating input is not supported yet: run the query in batch mode");
      }
    }
    if (keys_.empty() && limit_ >= 0 && buffered_ >= offset_ + limit_) return;
    buffered_ += input.data->num_rows();
    batches_.push_back(input.data);
  }

  void Finish(runtime::Collector& out) override {
    if (batches_.empty()) return;
    auto table = ValueOrThrow(arrow::Table::FromRecordBatches(batches_), "ORDER BY");
    auto combined = ValueOrThrow(table->CombineChunksToBatch(), "ORDER BY");
    if (!keys_.empty()) {
      // Flink sorts NULLs first in ascending order and last in descending order.
      arrow::compute::SortOptions options(keys_, arrow::compute::NullPlacement::AtStart);
      auto indices = ValueOrThrow(arrow::compute::SortIndices(arrow::Datum(combined), options), "ORDER BY");
      combined = ValueOrThrow(arrow::compute::Take(arrow::Datum(combined), arrow::Datum(indices)), "ORDER BY")
                     .record_batch();
    }
    const int64_t rows = combined->num_rows();
    const int64_t start = std::min(offset_, rows);
    const int64_t length = limit_ < 0 ? rows - start : std::min(limit_, rows - start);
    if (length <= 0) return;
    out.Collect(std::make_unique<ColumnarBatch>(combined->Slice(start, length)));
  }

 private:
  std::vector<arrow::compute::SortKey> keys_;
  int64_t limit_;   // -1: no LIMIT
  int64_t offset_;
  int64_t buffered_ = 0;
  std::vector<std::shared_ptr<arrow::RecordBatch>> batches_;
};

}  // namespace

std::unique_ptr<runtime::Operator> MakeSortLimitOperator(const py::dict& spec) {
  return std::make_unique<SortLimitOperator>(spec);
}

}  // namespace fluvial::table
