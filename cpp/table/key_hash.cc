#include "table/key_hash.h"

#include <cstring>
#include <string_view>

#include "common/errors.h"
#include "runtime/key_groups.h"
#include "table/columnar_batch.h"

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

void HashColumn(const std::shared_ptr<arrow::Array>& column, std::vector<uint64_t>& hashes) {
  const auto id = column->type()->id();
  if (arrow::is_integer(id) || id == arrow::Type::TIMESTAMP || id == arrow::Type::DATE32 ||
      id == arrow::Type::DATE64 || id == arrow::Type::BOOL) {
    auto values =
        std::static_pointer_cast<arrow::Int64Array>(CastArray(column, arrow::int64(), false, "hashing a key"));
    for (int64_t row = 0; row < values->length(); ++row) {
      hashes[row] = Mix(hashes[row], values->IsNull(row) ? 0 : static_cast<uint64_t>(values->Value(row)));
    }
  } else if (arrow::is_floating(id)) {
    auto values =
        std::static_pointer_cast<arrow::DoubleArray>(CastArray(column, arrow::float64(), false, "hashing a key"));
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

}  // namespace

std::vector<int32_t> KeyGroupsOf(const arrow::RecordBatch& batch, const std::vector<int>& columns,
                                 int max_parallelism) {
  const int64_t rows = batch.num_rows();
  std::vector<int32_t> groups(static_cast<size_t>(rows), 0);
  if (columns.empty()) return groups;
  std::vector<uint64_t> hashes(static_cast<size_t>(rows), 0);
  for (int column : columns) HashColumn(batch.column(column), hashes);
  for (int64_t row = 0; row < rows; ++row) {
    groups[row] = static_cast<int32_t>(runtime::KeyGroupForHash(hashes[row], max_parallelism));
  }
  return groups;
}

}  // namespace fluvial::table
