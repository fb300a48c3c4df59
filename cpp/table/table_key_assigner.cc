// Routes rows to the subtask owning their key before a keyed table operator
// (GROUP BY at parallelism > 1): a hash of the key columns → key group.
#include <arrow/compute/api.h>

#include <cstring>
#include <string_view>

#include "common/errors.h"
#include "runtime/key_groups.h"
#include "table/columnar_batch.h"
#include "table/table_support.h"

namespace fluvial::table {
namespace {

uint64_t Mix(uint64_t hash, uint64_t value) {
  // 64-bit multiply-xorshift mixing (splitmix64's finalizer).
  value += 0x9e3779b97f4a7c15ULL + hash;
  value = (value ^ (value >> 30)) * 0xbf58476d1ce4e5b9ULL;
  value = (value ^ (value >> 27)) * 0x94d049bb133111ebULL;
  return value ^ (value >> 31);
}

uint64_t HashBytes(std::string_view bytes) {
  uint64_t hash = 1469598103934665603ULL;  // FNV-1a
  for (unsigned char c : bytes) hash = (hash ^ c) * 1099511628211ULL;
  return hash;
}

class TableKeyAssigner : public runtime::Operator {
 public:
  explicit TableKeyAssigner(const py::dict& spec)
      : columns_(IntList(spec["columns"])), max_parallelism_(spec["max_parallelism"].cast<int>()) {}

  void ProcessBatch(int, runtime::BatchPtr batch, runtime::Collector& out) override {
    auto& input = AsColumnar(*batch);
    const int64_t rows = input.data->num_rows();
    std::vector<uint64_t> hashes(static_cast<size_t>(rows), 0);
    for (int column : columns_) HashColumn(input.data->column(column), hashes);
    input.routing.resize(static_cast<size_t>(rows));
    for (int64_t row = 0; row < rows; ++row) {
      input.routing[row] = runtime::KeyGroupForHash(hashes[row], max_parallelism_);
    }
    out.Collect(std::move(batch));
  }

 private:
  static void HashColumn(const std::shared_ptr<arrow::Array>& column, std::vector<uint64_t>& hashes) {
    const auto id = column->type()->id();
    if (arrow::is_integer(id) || id == arrow::Type::TIMESTAMP || id == arrow::Type::DATE32 ||
        id == arrow::Type::DATE64 || id == arrow::Type::BOOL) {
      auto values = std::static_pointer_cast<arrow::Int64Array>(
          CastArray(column, arrow::int64(), false, "hashing a key"));
      for (int64_t row = 0; row < values->length(); ++row) {
        hashes[row] = Mix(hashes[row], values->IsNull(row) ? 0 : static_cast<uint64_t>(values->Value(row)));
      }
    } else if (arrow::is_floating(id)) {
      auto values = std::static_pointer_cast<arrow::DoubleArray>(
          CastArray(column, arrow::float64(), false, "hashing a key"));
      for (int64_t row = 0; row < values->length(); ++row) {
        double value = values->IsNull(row) ? 0.0 : values->Value(row);
        if (value == 0.0) value = 0.0;  // -0.0 and 0.0 are one key
        uint64_t bits;
        std::memcpy(&bits, &value, sizeof bits);
        hashes[row] = Mix(hashes[row], bits);
      }
    } else if (id == arrow::Type::STRING || id == arrow::Type::BINARY) {
      auto values = std::static_pointer_cast<arrow::BinaryArray>(column);
      for (int64_t row = 0; row < values->length(); ++row) {
        hashes[row] = Mix(hashes[row], values->IsNull(row) ? 0 : HashBytes(values->GetView(row)));
      }
    } else {
      // Other types: their text form (slow, but the same on every subtask).
      for (int64_t row = 0; row < column->length(); ++row) {
        auto scalar = ValueOrThrow(column->GetScalar(row), "hashing a key");
        hashes[row] = Mix(hashes[row], HashBytes(scalar->ToString()));
      }
    }
  }

  std::vector<int> columns_;
  int max_parallelism_;
};

}  // namespace

std::unique_ptr<runtime::Operator> MakeTableKeyAssigner(const py::dict& spec) {
  return std::make_unique<TableKeyAssigner>(spec);
}

}  // namespace fluvial::table
