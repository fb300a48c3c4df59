#pragma once

// Built-in aggregate functions over group ids: each keeps one value per group
// in plain vectors and is updated a whole batch at a time, with retraction
// for updating inputs (Flink's changelog: -U and -D rows subtract).
#include <arrow/api.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace fluvial::table {

class Aggregate {
 public:
  virtual ~Aggregate() = default;
  /// Makes room for groups [0, count).
  virtual void Resize(size_t count) = 0;
  /// Adds (or, where retract[row] is true, removes) row 'row' of 'input' to
  /// group groups[row], for every row. 'input' is null for COUNT(*).
  virtual void Update(const uint32_t* groups, int64_t rows, const arrow::Array* input,
                      const std::vector<bool>& retract) = 0;
  /// The current value of each group in 'groups', of type output_type().
  virtual std::shared_ptr<arrow::Array> Output(const std::vector<uint32_t>& groups) const = 0;
  /// A copy of the accumulator of each group in 'groups', one row per group
  /// (for checkpoints; its type is the same for every batch).
  virtual std::shared_ptr<arrow::Array> State(const std::vector<uint32_t>& groups) const = 0;
  /// Adds the accumulators 'state' (rows as State returns them) to groups[row].
  virtual void Restore(const uint32_t* groups, const arrow::Array& state) = 0;
};

/// Makes the aggregate 'kind' (count_star, count, sum, min, max, avg, or
/// count/sum/avg/min/max followed by _distinct for AGG(DISTINCT x)) over a
/// column of 'input_type' producing 'output_type'. Throws UserError when the
/// combination is not supported natively.
std::unique_ptr<Aggregate> MakeAggregate(const std::string& kind,
                                         const std::shared_ptr<arrow::DataType>& input_type,
                                         const std::shared_ptr<arrow::DataType>& output_type);

}  // namespace fluvial::table
