#include "table/aggregates.h"

#include <arrow/compute/api.h>

#include <map>
#include <string>
#include <unordered_map>

#include "common/errors.h"
#include "table/columnar_batch.h"

namespace fluvial::table {
namespace {

// Integers, dates and timestamps aggregate as int64; floating point and
// decimals as double. The result is cast to the declared type at the end.
bool IsIntegral(const arrow::DataType& type) {
  return arrow::is_integer(type.id()) || type.id() == arrow::Type::TIMESTAMP ||
         type.id() == arrow::Type::DATE32 || type.id() == arrow::Type::DATE64 ||
         type.id() == arrow::Type::BOOL;
}

template <typename T>
std::shared_ptr<arrow::Array> AsValues(const arrow::Array& input) {
  using ArrowType = std::conditional_t<
      std::is_same_v<T, int64_t>, arrow::Int64Type,
      std::conditional_t<std::is_same_v<T, float>, arrow::FloatType, arrow::DoubleType>>;
  return CastArray(input.Slice(0), std::make_shared<ArrowType>(), false, "converting an aggregate's input");
}

template <typename T>
const T* RawValues(const std::shared_ptr<arrow::Array>& values) {
  return reinterpret_cast<const T*>(values->data()->buffers[1]->data()) + values->offset();
}

std::shared_ptr<arrow::Array> CastTo(std::shared_ptr<arrow::Array> array,
                                     const std::shared_ptr<arrow::DataType>& type) {
  return CastArray(array, type, false, "producing an aggregate's result");
}

// Accumulators in checkpoints: plain columns, and for the aggregates that keep
// values with their multiplicities (MIN, MAX, COUNT DISTINCT) a list of
// (value, count) per group.
template <typename T>
struct StateColumn;
template <>
struct StateColumn<int64_t> {
  using Builder = arrow::Int64Builder;
  using Array = arrow::Int64Array;
  static int64_t Get(const Array& array, int64_t i) { return array.Value(i); }
};
template <>
struct StateColumn<double> {
  using Builder = arrow::DoubleBuilder;
  using Array = arrow::DoubleArray;
  static double Get(const Array& array, int64_t i) { return array.Value(i); }
};
template <>
struct StateColumn<float> {
  using Builder = arrow::FloatBuilder;
  using Array = arrow::FloatArray;
  static float Get(const Array& array, int64_t i) { return array.Value(i); }
};
template <>
struct StateColumn<std::string> {
  using Builder = arrow::BinaryBuilder;
  using Array = arrow::BinaryArray;
  static std::string Get(const Array& array, int64_t i) { return std::string(array.GetView(i)); }
};

template <typename T>
std::shared_ptr<arrow::Array> StateValues(const std::vector<T>& values, const std::vector<uint32_t>& groups) {
  typename StateColumn<T>::Builder builder;
  for (uint32_t group : groups) CheckArrow(builder.Append(values[group]), "snapshotting an aggregate");
  return ValueOrThrow(builder.Finish(), "snapshotting an aggregate");
}

template <typename T>
void AddStateValues(std::vector<T>& values, const uint32_t* groups, const arrow::Array& state) {
  const auto& column = static_cast<const typename StateColumn<T>::Array&>(state);
  for (int64_t row = 0; row < column.length(); ++row) values[groups[row]] += StateColumn<T>::Get(column, row);
}

template <typename Map>
std::shared_ptr<arrow::Array> MultisetState(const std::vector<Map>& sets, const std::vector<uint32_t>& groups) {
  using Key = typename Map::key_type;
  typename StateColumn<Key>::Builder values;
  arrow::Int64Builder counts;
  arrow::Int32Builder offsets;
  int32_t offset = 0;
  CheckArrow(offsets.Append(0), "snapshotting an aggregate");
  for (uint32_t group : groups) {
    for (const auto& [value, count] : sets[group]) {
      CheckArrow(values.Append(value), "snapshotting an aggregate");
      CheckArrow(counts.Append(count), "snapshotting an aggregate");
      ++offset;
    }
    CheckArrow(offsets.Append(offset), "snapshotting an aggregate");
  }
  auto entries = ValueOrThrow(
      arrow::StructArray::Make({ValueOrThrow(values.Finish(), "snapshotting an aggregate"),
                                ValueOrThrow(counts.Finish(), "snapshotting an aggregate")},
                               std::vector<std::string>{"value", "count"}),
      "snapshotting an aggregate");
  auto offset_array = ValueOrThrow(offsets.Finish(), "snapshotting an aggregate");
  return ValueOrThrow(arrow::ListArray::FromArrays(*offset_array, *entries), "snapshotting an aggregate");
}

template <typename Map>
void RestoreMultiset(std::vector<Map>& sets, const uint32_t* groups, const arrow::Array& state) {
  using Key = typename Map::key_type;
  const auto& list = static_cast<const arrow::ListArray&>(state);
  auto entries = std::static_pointer_cast<arrow::StructArray>(list.values());
  const auto& values = static_cast<const typename StateColumn<Key>::Array&>(*entries->field(0));
  const auto& counts = static_cast<const arrow::Int64Array&>(*entries->field(1));
  for (int64_t row = 0; row < list.length(); ++row) {
    auto& set = sets[groups[row]];
    for (int64_t i = list.value_offset(row); i < list.value_offset(row + 1); ++i) {
      set[StateColumn<Key>::Get(values, i)] += counts.Value(i);
    }
  }
}

class CountAggregate : public Aggregate {
 public:
  CountAggregate(bool star, std::shared_ptr<arrow::DataType> output) : star_(star), output_(std::move(output)) {}
  void Resize(size_t count) override { counts_.resize(count, 0); }
  void Update(const uint32_t* groups, int64_t rows, const arrow::Array* input,
              const std::vector<bool>& retract) override {
    for (int64_t row = 0; row < rows; ++row) {
      if (!star_ && input->IsNull(row)) continue;
      counts_[groups[row]] += retract[row] ? -1 : 1;
    }
  }
  std::shared_ptr<arrow::Array> Output(const std::vector<uint32_t>& groups) const override {
    arrow::Int64Builder builder;
    CheckArrow(builder.Reserve(static_cast<int64_t>(groups.size())), "count");
    for (uint32_t group : groups) builder.UnsafeAppend(counts_[group]);
    return CastTo(ValueOrThrow(builder.Finish(), "count"), output_);
  }
  std::shared_ptr<arrow::Array> State(const std::vector<uint32_t>& groups) const override {
    return StateValues(counts_, groups);
  }
  void Restore(const uint32_t* groups, const arrow::Array& state) override {
    AddStateValues(counts_, groups, state);
  }

 private:
  bool star_;
  std::shared_ptr<arrow::DataType> output_;
  std::vector<int64_t> counts_;
};

// SUM and AVG: a running sum and count of non-null values per group.
template <typename T>
class SumAggregate : public Aggregate {
 public:
  SumAggregate(bool average, std::shared_ptr<arrow::DataType> output)
      : average_(average), output_(std::move(output)) {}
  void Resize(size_t count) override {
    sums_.resize(count, 0);
    counts_.resize(count, 0);
  }
  void Update(const uint32_t* groups, int64_t rows, const arrow::Array* input,
              const std::vector<bool>& retract) override {
    auto values = AsValues<T>(*input);
    const T* raw = RawValues<T>(values);
    for (int64_t row = 0; row < rows; ++row) {
      if (values->IsNull(row)) continue;
      const uint32_t group = groups[row];
      if (retract[row]) {
        sums_[group] -= raw[row];
        --counts_[group];
      } else {
        sums_[group] += raw[row];
        ++counts_[group];
      }
    }
  }
  std::shared_ptr<arrow::Array> Output(const std::vector<uint32_t>& groups) const override {
    std::shared_ptr<arrow::Array> result;
    if (average_) {
      // Flink's AVG keeps the argument's type (integer AVG truncates); the
      // cast below does that from the double.
      arrow::DoubleBuilder builder;
      for (uint32_t group : groups) {
        if (counts_[group] == 0) {
          CheckArrow(builder.AppendNull(), "avg");
        } else {
          CheckArrow(builder.Append(static_cast<double>(sums_[group]) / counts_[group]), "avg");
        }
      }
      result = ValueOrThrow(builder.Finish(), "avg");
    } else {
      using Builder = std::conditional_t<
          std::is_same_v<T, int64_t>, arrow::Int64Builder,
          std::conditional_t<std::is_same_v<T, float>, arrow::FloatBuilder, arrow::DoubleBuilder>>;
      Builder builder;
      for (uint32_t group : groups) {
        if (counts_[group] == 0) {
          CheckArrow(builder.AppendNull(), "sum");
        } else {
          CheckArrow(builder.Append(sums_[group]), "sum");
        }
      }
      result = ValueOrThrow(builder.Finish(), "sum");
    }
    return CastTo(result, output_);
  }
  std::shared_ptr<arrow::Array> State(const std::vector<uint32_t>& groups) const override {
    return ValueOrThrow(arrow::StructArray::Make({StateValues(sums_, groups), StateValues(counts_, groups)},
                                                 std::vector<std::string>{"sum", "count"}),
                        "snapshotting an aggregate");
  }
  void Restore(const uint32_t* groups, const arrow::Array& state) override {
    const auto& fields = static_cast<const arrow::StructArray&>(state);
    AddStateValues(sums_, groups, *fields.field(0));
    AddStateValues(counts_, groups, *fields.field(1));
  }

 private:
  bool average_;
  std::shared_ptr<arrow::DataType> output_;
  std::vector<T> sums_;
  std::vector<int64_t> counts_;
};

// MIN and MAX keep every value with its multiplicity, so a retraction can
// remove the current extreme (Flink keeps a map view for the same reason).
template <typename T>
class ExtremeAggregate : public Aggregate {
 public:
  ExtremeAggregate(bool max, std::shared_ptr<arrow::DataType> input, std::shared_ptr<arrow::DataType> output)
      : max_(max), input_(std::move(input)), output_(std::move(output)) {}
  void Resize(size_t count) override { values_.resize(count); }
  void Update(const uint32_t* groups, int64_t rows, const arrow::Array* input,
              const std::vector<bool>& retract) override {
    auto values = AsValues<T>(*input);
    const T* raw = RawValues<T>(values);
    for (int64_t row = 0; row < rows; ++row) {
      if (values->IsNull(row)) continue;
      auto& counts = values_[groups[row]];
      if (retract[row]) {
        auto found = counts.find(raw[row]);
        if (found != counts.end() && --found->second == 0) counts.erase(found);
      } else {
        ++counts[raw[row]];
      }
    }
  }
  std::shared_ptr<arrow::Array> Output(const std::vector<uint32_t>& groups) const override {
    using Builder = std::conditional_t<std::is_same_v<T, int64_t>, arrow::Int64Builder, arrow::DoubleBuilder>;
    Builder builder;
    for (uint32_t group : groups) {
      const auto& counts = values_[group];
      if (counts.empty()) {
        CheckArrow(builder.AppendNull(), "min/max");
      } else {
        CheckArrow(builder.Append(max_ ? counts.rbegin()->first : counts.begin()->first), "min/max");
      }
    }
    auto result = ValueOrThrow(builder.Finish(), "min/max");
    // Back to the input's own type first (a timestamp stays a timestamp).
    if (!result->type()->Equals(*input_)) {
      result = CastArray(result, input_, false, "min/max");
    }
    return CastTo(result, output_);
  }
  std::shared_ptr<arrow::Array> State(const std::vector<uint32_t>& groups) const override {
    return MultisetState(values_, groups);
  }
  void Restore(const uint32_t* groups, const arrow::Array& state) override {
    RestoreMultiset(values_, groups, state);
  }

 private:
  bool max_;
  std::shared_ptr<arrow::DataType> input_;
  std::shared_ptr<arrow::DataType> output_;
  std::vector<std::map<T, int64_t>> values_;
};

// MIN and MAX of strings: each group's values with their multiplicities, as for numbers.
class StringExtremeAggregate : public Aggregate {
 public:
  StringExtremeAggregate(bool max, std::shared_ptr<arrow::DataType> output) : max_(max), output_(std::move(output)) {}
  void Resize(size_t count) override { values_.resize(count); }
  void Update(const uint32_t* groups, int64_t rows, const arrow::Array* input,
              const std::vector<bool>& retract) override {
    auto values = CastArray(input->Slice(0), arrow::utf8(), false, "min/max");
    const auto& strings = static_cast<const arrow::StringArray&>(*values);
    for (int64_t row = 0; row < rows; ++row) {
      if (strings.IsNull(row)) continue;
      auto& counts = values_[groups[row]];
      std::string value(strings.GetView(row));
      if (retract[row]) {
        auto found = counts.find(value);
        if (found != counts.end() && --found->second == 0) counts.erase(found);
      } else {
        ++counts[value];
      }
    }
  }
  std::shared_ptr<arrow::Array> Output(const std::vector<uint32_t>& groups) const override {
    arrow::StringBuilder builder;
    for (uint32_t group : groups) {
      const auto& counts = values_[group];
      if (counts.empty()) {
        CheckArrow(builder.AppendNull(), "min/max");
      } else {
        CheckArrow(builder.Append(max_ ? counts.rbegin()->first : counts.begin()->first), "min/max");
      }
    }
    return CastTo(ValueOrThrow(builder.Finish(), "min/max"), output_);
  }
  std::shared_ptr<arrow::Array> State(const std::vector<uint32_t>& groups) const override {
    return MultisetState(values_, groups);
  }
  void Restore(const uint32_t* groups, const arrow::Array& state) override {
    RestoreMultiset(values_, groups, state);
  }

 private:
  bool max_;
  std::shared_ptr<arrow::DataType> output_;
  std::vector<std::map<std::string, int64_t>> values_;
};

// The bytes identifying each row's value, for counting distinct values.
std::vector<std::string> DistinctKeys(const arrow::Array& input) {
  std::vector<std::string> keys(static_cast<size_t>(input.length()));
  const auto id = input.type_id();
  if (id == arrow::Type::STRING || id == arrow::Type::BINARY) {
    const auto& values = static_cast<const arrow::BinaryArray&>(input);
    for (int64_t i = 0; i < input.length(); ++i) keys[i] = std::string(values.GetView(i));
  } else if (IsIntegral(*input.type())) {
    auto values = AsValues<int64_t>(input);
    const int64_t* raw = RawValues<int64_t>(values);
    for (int64_t i = 0; i < input.length(); ++i) keys[i].assign(reinterpret_cast<const char*>(raw + i), 8);
  } else if (arrow::is_floating(id)) {
    auto values = AsValues<double>(input);
    const double* raw = RawValues<double>(values);
    for (int64_t i = 0; i < input.length(); ++i) {
      const double value = raw[i] == 0.0 ? 0.0 : raw[i];  // -0.0 and 0.0 are one value
      keys[i].assign(reinterpret_cast<const char*>(&value), 8);
    }
  } else {
    for (int64_t i = 0; i < input.length(); ++i) {
      keys[i] = ValueOrThrow(input.GetScalar(i), "distinct aggregate")->ToString();
    }
  }
  return keys;
}

// AGG(DISTINCT x) for COUNT, SUM, AVG, MIN and MAX: the distinct non-null
// values of each group with their multiplicities (so retractions work),
// keyed by the value's bytes. The wrapped aggregate sees a value once: added
// when its multiplicity becomes 1, retracted when it drops back to 0.
class DistinctAggregate : public Aggregate {
 public:
  explicit DistinctAggregate(std::unique_ptr<Aggregate> inner) : inner_(std::move(inner)) {}
  void Resize(size_t count) override {
    values_.resize(count);
    inner_->Resize(count);
  }
  void Update(const uint32_t* groups, int64_t rows, const arrow::Array* input,
              const std::vector<bool>& retract) override {
    std::vector<std::string> keys = DistinctKeys(*input);
    arrow::Int64Builder changed_rows;
    std::vector<uint32_t> changed_groups;
    std::vector<bool> changed_retract;
    for (int64_t row = 0; row < rows; ++row) {
      if (input->IsNull(row)) continue;
      auto& counts = values_[groups[row]];
      bool changed = false;
      if (retract[row]) {
        auto found = counts.find(keys[row]);
        if (found != counts.end() && --found->second == 0) {
          counts.erase(found);
          changed = true;
        }
      } else {
        changed = ++counts[keys[row]] == 1;
      }
      if (changed) {
        CheckArrow(changed_rows.Append(row), "distinct aggregate");
        changed_groups.push_back(groups[row]);
        changed_retract.push_back(retract[row]);
      }
    }
    if (changed_groups.empty()) return;
    auto indices = ValueOrThrow(changed_rows.Finish(), "distinct aggregate");
    auto taken = ValueOrThrow(arrow::compute::Take(*input, *indices), "distinct aggregate");
    inner_->Update(changed_groups.data(), static_cast<int64_t>(changed_groups.size()), taken.get(), changed_retract);
  }
  std::shared_ptr<arrow::Array> Output(const std::vector<uint32_t>& groups) const override {
    return inner_->Output(groups);
  }
  // The distinct values with their multiplicities beside the wrapped aggregate's own state.
  std::shared_ptr<arrow::Array> State(const std::vector<uint32_t>& groups) const override {
    return ValueOrThrow(arrow::StructArray::Make({MultisetState(values_, groups), inner_->State(groups)},
                                                 std::vector<std::string>{"values", "inner"}),
                        "snapshotting an aggregate");
  }
  void Restore(const uint32_t* groups, const arrow::Array& state) override {
    const auto& parts = static_cast<const arrow::StructArray&>(state);
    RestoreMultiset(values_, groups, *parts.field(0));
    inner_->Restore(groups, *parts.field(1));
  }

 private:
  std::unique_ptr<Aggregate> inner_;
  std::vector<std::unordered_map<std::string, int64_t>> values_;
};

}  // namespace

std::unique_ptr<Aggregate> MakeAggregate(const std::string& kind,
                                         const std::shared_ptr<arrow::DataType>& input_type,
                                         const std::shared_ptr<arrow::DataType>& output_type) {
  if (kind == "count_star") return std::make_unique<CountAggregate>(true, output_type);
  if (kind == "count") return std::make_unique<CountAggregate>(false, output_type);
  const std::string suffix = "_distinct";
  if (kind.size() > suffix.size() && kind.compare(kind.size() - suffix.size(), suffix.size(), suffix) == 0) {
    // COUNT/SUM/AVG/MIN/MAX(DISTINCT x): the plain aggregate behind a distinct filter.
    return std::make_unique<DistinctAggregate>(
        MakeAggregate(kind.substr(0, kind.size() - suffix.size()), input_type, output_type));
  }
  if ((kind == "min" || kind == "max") &&
      (input_type->id() == arrow::Type::STRING || input_type->id() == arrow::Type::LARGE_STRING)) {
    return std::make_unique<StringExtremeAggregate>(kind == "max", output_type);
  }
  const bool integral = IsIntegral(*input_type);
  const bool numeric = integral || arrow::is_floating(input_type->id()) || arrow::is_decimal(input_type->id());
  if (!numeric) {
    throw UserError(kind + " over " + input_type->ToString() +
                    " is not supported by the native executor yet (numeric, date and timestamp columns are)");
  }
  if (kind == "sum" || kind == "avg") {
    if (integral && kind == "sum") return std::make_unique<SumAggregate<int64_t>>(false, output_type);
    // Flink sums a FLOAT column in 32-bit floats (FloatSumAggFunction): the result's rounding shows.
    if (kind == "sum" && input_type->id() == arrow::Type::FLOAT) {
      return std::make_unique<SumAggregate<float>>(false, output_type);
    }
    return std::make_unique<SumAggregate<double>>(kind == "avg", output_type);
  }
  if (kind == "min" || kind == "max") {
    if (integral) return std::make_unique<ExtremeAggregate<int64_t>>(kind == "max", input_type, output_type);
    return std::make_unique<ExtremeAggregate<double>>(kind == "max", input_type, output_type);
  }
  throw UserError("unknown aggregate function '" + kind + "'");
}

}  // namespace fluvial::table
