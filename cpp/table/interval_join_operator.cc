// Interval joins of two append-only tables with event-time attributes:
//   l JOIN r ON l.k = r.k AND r.ts + lower <= l.ts <= r.ts + upper
// (BETWEEN, </<=/>/>= pairs and l.ts = r.ts all come down to 'lower' and
// 'upper' on l.ts - r.ts). Each arriving row is joined with the other side's
// buffered rows of its key within the bounds, then buffered itself until the
// watermark makes any further match impossible: a left row at time t waits
// for right rows up to t - lower, a right row at s for left rows up to
// s + upper. When a row of an outer side leaves the buffer without having
// matched, it is emitted padded with NULLs. The output is insert-only; each
// row carries the time of the side whose time column stays the time
// attribute (the left's; the right's in a RIGHT join; a padded row its own
// side's), and the watermark is held back by what the join may still emit
// behind it.
//
// Rows behind their input's own watermark are late: the LateRowFilter placed
// on each input before the exchange drops them (deterministically, where the
// input's order is known), as Flink's window operators drop late rows.
//
// On processing time (PROCTIME() columns on both sides) a row's time is the
// moment it reaches the join, as in Flink, and rows expire by the clock.
#include <arrow/compute/api.h>

#include <algorithm>
#include <map>
#include <unordered_map>

#include "common/errors.h"
#include "table/columnar_batch.h"
#include "table/key_grouper.h"
#include "table/table_support.h"
#include "table/time_join_state.h"
#include "runtime/clock.h"

namespace fluvial::table {
namespace {

class IntervalJoinOperator : public runtime::Operator {
 public:
  explicit IntervalJoinOperator(const py::dict& spec)
      : keys_{IntList(spec["left_keys"]), IntList(spec["right_keys"])},
        times_{spec["left_time"].cast<int>(), spec["right_time"].cast<int>()},
        schemas_{ImportSchema(spec["left_schema"]), ImportSchema(spec["right_schema"])},
        output_schema_(ImportSchema(spec["output_schema"])),
        lower_(spec["lower"].cast<int64_t>()),
        upper_(spec["upper"].cast<int64_t>()),
        type_(JoinType::Parse(spec["join_type"].cast<std::string>())),
        processing_time_(spec["processing_time"].cast<bool>()),
        stamp_side_(spec["stamp_side"].cast<int>()),
        grouper_(keys_[0], *schemas_[0], "interval join"),
        probe_(spec) {
    if (lower_ > upper_) {
      throw UserError("interval join: the time bounds leave no interval (lower bound " + std::to_string(lower_) +
                      " ms > upper bound " + std::to_string(upper_) + " ms on left time - right time)");
    }
    if (type_.semi || type_.anti) throw InternalError("interval joins are not planned as semi or anti joins");
    for (int column : keys_[0]) key_types_.push_back(schemas_[0]->field(column)->type());
    // Output rows may lie this far behind the input watermark (see ProcessWatermark).
    // A row stamped with the left time t is emitted when a right row s > watermark arrives, and
    // t >= s + lower; one stamped with the right time s when a left row t arrives, s >= t - upper.
    delay_ = std::max<int64_t>(0, stamp_side_ == 0 ? -lower_ : upper_);
    if (type_.right_outer) delay_ = std::max(delay_, upper_);  // right rows padded on expiry
    if (type_.left_outer) delay_ = std::max(delay_, -lower_);   // left rows padded on expiry
  }

  void ProcessBatch(int input, runtime::BatchPtr batch, runtime::Collector& out) override {
    auto& columnar = AsColumnar(*batch);
    const auto& data = columnar.data;
    const int64_t rows = data->num_rows();
    if (rows == 0) return;
    for (size_t row = 0; row < columnar.size(); ++row) {
      if (!IsAccumulate(columnar.kind(row))) {
        throw UserError("an interval join needs append-only inputs, but its " +
                        std::string(input == 0 ? "left" : "right") +
                        " input updates rows; use a regular join (without time bounds)");
      }
    }
    std::vector<int64_t> times;
    if (processing_time_) {
      const int64_t now = clock_->NowMillis();
      Expire(now - 1, out);  // rows arriving from now on have times >= now
      times.assign(static_cast<size_t>(rows), now);
    } else {
      times = EpochMillis(data->column(times_[input]), input == 0 ? "interval join, left time attribute"
                                                                  : "interval join, right time attribute");
    }
    const std::vector<uint32_t> groups = grouper_.Consume(*data, &keys_[input], &key_types_);
    if (groups_.size() < grouper_.num_groups()) groups_.resize(grouper_.num_groups());
    ReleasingRowStore& mine = stores_[input];
    const int64_t first = mine.Append(data);
    JoinedRows output;
    for (int64_t row = 0; row < rows; ++row) {
      const int64_t id = first + row;
      const int64_t time = times[static_cast<size_t>(row)];
      // A row whose key is NULL never matches (SQL semantics); an outer side still emits it.
      const bool null_key = KeyIsNull(*data, keys_[input], row);
      bool matched = false;
      if (!null_key) {
        for (Buffered& other : groups_[groups[row]].rows[1 - input]) {
          const int64_t left_time = input == 0 ? time : other.time;
          const int64_t right_time = input == 0 ? other.time : time;
          const int64_t difference = left_time - right_time;
          if (difference < lower_ || difference > upper_) continue;
          matched = true;
          other.matched = true;
          if (input == 0) {
            output.Add(id, other.id, stamp_side_ == 0 ? left_time : right_time);
          } else {
            output.Add(other.id, id, stamp_side_ == 0 ? left_time : right_time);
          }
        }
      }
      // Left rows wait for right rows up to time - lower; right rows for left rows up to time + upper.
      const int64_t expires = input == 0 ? time - lower_ : time + upper_;
      if (expires <= watermark_ || null_key) {
        // Nothing can match it any more (or ever): not buffered.
        if (!matched && type_.Outer(input)) Pad(input, id, time, output);
        continue;
      }
      groups_[groups[row]].rows[input].push_back(Buffered{id, time, matched});
      expiry_[input].emplace(expires, std::make_pair(groups[row], id));
      mine.Keep(id);
    }
    output.Emit(stores_[0], schemas_[0], stores_[1], schemas_[1], output_schema_, out);
    mine.DropUnkept();
    probe_.Record(stores_[0].live_rows() + stores_[1].live_rows(), grouper_.num_groups());
  }

  void Open(const runtime::OperatorInfo& info) override { clock_ = info.clock; }

  void ProcessWatermark(int64_t watermark, runtime::Collector& out) override {
    if (processing_time_) {
      out.EmitWatermark(watermark);
      return;
    }
    Expire(watermark, out);
    // A right row arriving now (time > watermark) joins left rows from its time + lower on,
    // and rows padded later lie up to 'delay_' behind the watermark too.
    const bool extreme = watermark == runtime::kMaxWatermark || watermark == runtime::kMinWatermark;
    out.EmitWatermark(extreme ? watermark : std::max(runtime::kMinWatermark + delay_, watermark) - delay_);
  }

  // Processing time: a row's time is the moment it reaches the join; rows expire as the clock
  // passes their bound (and all at the end of a bounded input).
  int64_t NextProcessingTimer() const override {
    if (!processing_time_) return runtime::kNoTimer;
    int64_t next = runtime::kNoTimer;
    for (const auto& expiry : expiry_) {
      if (!expiry.empty()) next = std::min(next, expiry.begin()->first + 1);
    }
    return next;
  }

  void OnProcessingTime(int64_t now, runtime::Collector& out) override { Expire(now - 1, out); }

  void Finish(runtime::Collector& out) override {
    if (processing_time_) Expire(runtime::kMaxWatermark, out);
  }

 private:
  // Lets go of the rows no row after 'watermark' can match, padding the unmatched outer ones.
  void Expire(int64_t watermark, runtime::Collector& out) {
    watermark_ = std::max(watermark_, watermark);
    JoinedRows output;
    for (int input = 0; input < 2; ++input) {
      auto& expiry = expiry_[input];
      while (!expiry.empty() && expiry.begin()->first <= watermark_) {
        auto [group, id] = expiry.begin()->second;
        expiry.erase(expiry.begin());
        auto& buffered = groups_[group].rows[input];
        auto found = std::find_if(buffered.begin(), buffered.end(), [id = id](const Buffered& b) { return b.id == id; });
        if (found == buffered.end()) throw InternalError("interval join: an expiring row is not buffered");
        if (!found->matched && type_.Outer(input)) Pad(input, id, found->time, output);
        released_[input].push_back(id);
        *found = buffered.back();
        buffered.pop_back();
      }
    }
    // Emit before releasing: padded rows are read from the stores.
    output.Emit(stores_[0], schemas_[0], stores_[1], schemas_[1], output_schema_, out);
    for (int input = 0; input < 2; ++input) {
      for (int64_t id : released_[input]) stores_[input].Release(id);
      released_[input].clear();
    }
    CompactKeys();
    probe_.Record(stores_[0].live_rows() + stores_[1].live_rows(), grouper_.num_groups());
  }

  struct Buffered {
    int64_t id;
    int64_t time;
    bool matched;
  };
  struct Group {
    std::vector<Buffered> rows[2];
  };

  // The grouper gives every key ever seen an id, and keys of time-bounded joins often come
  // and go (an order id): once most ids are of keys with no buffered row, the buffered rows'
  // keys are grouped afresh, so the key dictionary follows the state too.
  void CompactKeys() {
    size_t live_groups = 0;
    for (const Group& group : groups_) live_groups += (!group.rows[0].empty() || !group.rows[1].empty()) ? 1 : 0;
    if (grouper_.num_groups() < kMinGroupsToCompact || grouper_.num_groups() < 4 * live_groups) return;
    KeyGrouper fresh(keys_[0], *schemas_[0], "interval join");
    std::vector<Group> regrouped;
    std::unordered_map<int64_t, uint32_t> new_groups[2];  // row id → its new group
    for (int input = 0; input < 2; ++input) {
      std::vector<int64_t> ids;
      for (const Group& group : groups_) {
        for (const Buffered& row : group.rows[input]) ids.push_back(row.id);
      }
      if (ids.empty()) continue;
      auto rows = arrow::RecordBatch::Make(schemas_[input], static_cast<int64_t>(ids.size()),
                                           stores_[input].Take(ids, schemas_[input]));
      const std::vector<uint32_t> groups = fresh.Consume(*rows, &keys_[input], &key_types_);
      regrouped.resize(fresh.num_groups());
      size_t next = 0;
      for (const Group& group : groups_) {
        for (const Buffered& row : group.rows[input]) {
          regrouped[groups[next]].rows[input].push_back(row);
          new_groups[input][row.id] = groups[next];
          ++next;
        }
      }
    }
    for (int input = 0; input < 2; ++input) {
      for (auto& [expires, entry] : expiry_[input]) entry.first = new_groups[input].at(entry.second);
    }
    grouper_ = std::move(fresh);
    groups_ = std::move(regrouped);
    groups_.resize(grouper_.num_groups());
  }

  static constexpr uint32_t kMinGroupsToCompact = 4096;

  // Emits row 'id' of 'input' padded with NULLs on the other side.
  static void Pad(int input, int64_t id, int64_t time, JoinedRows& output) {
    if (input == 0) {
      output.Add(id, kNoRow, time);
    } else {
      output.Add(kNoRow, id, time);
    }
  }

  std::vector<int> keys_[2];
  int times_[2];
  std::shared_ptr<arrow::Schema> schemas_[2];
  std::shared_ptr<arrow::Schema> output_schema_;
  int64_t lower_;
  int64_t upper_;
  JoinType type_;
  bool processing_time_;
  int stamp_side_;  // whose time a joined row carries: 0 left, 1 right (the output's time attribute)
  const runtime::Clock* clock_ = nullptr;
  KeyGrouper grouper_;
  std::vector<std::shared_ptr<arrow::DataType>> key_types_;
  StateProbe probe_;
  int64_t delay_ = 0;
  int64_t watermark_ = runtime::kMinWatermark;
  ReleasingRowStore stores_[2];
  std::vector<Group> groups_;  // by key group id
  std::multimap<int64_t, std::pair<uint32_t, int64_t>> expiry_[2];  // expiry time → (group, row id)
  std::vector<int64_t> released_[2];  // expired rows, let go of once the output is built
};

// Drops the rows of one input of a time-bounded join that are behind that input's own
// watermark (time <= watermark): late rows. Runs before the join's exchange, so at
// parallelism 1 it sees its input's rows and watermarks in their order.
class LateRowFilter : public runtime::Operator {
 public:
  explicit LateRowFilter(const py::dict& spec)
      : time_(spec["time"].cast<int>()), what_(spec["what"].cast<std::string>()) {}

  void ProcessBatch(int, runtime::BatchPtr batch, runtime::Collector& out) override {
    auto& columnar = AsColumnar(*batch);
    if (watermark_ == runtime::kMinWatermark || columnar.size() == 0) {
      out.Collect(std::move(batch));
      return;
    }
    const std::vector<int64_t> times = EpochMillis(columnar.data->column(time_), what_.c_str());
    std::vector<uint32_t> kept;
    for (size_t row = 0; row < times.size(); ++row) {
      if (times[row] > watermark_) kept.push_back(static_cast<uint32_t>(row));
    }
    if (kept.size() == times.size()) {
      out.Collect(std::move(batch));
    } else if (!kept.empty()) {
      out.Collect(batch->Select(kept));
    }
  }

  void ProcessWatermark(int64_t watermark, runtime::Collector& out) override {
    watermark_ = std::max(watermark_, watermark);
    out.EmitWatermark(watermark);
  }

 private:
  int time_;
  std::string what_;
  int64_t watermark_ = runtime::kMinWatermark;
};

}  // namespace

std::unique_ptr<runtime::Operator> MakeIntervalJoinOperator(const py::dict& spec) {
  return std::make_unique<IntervalJoinOperator>(spec);
}

std::unique_ptr<runtime::Operator> MakeLateRowFilter(const py::dict& spec) {
  return std::make_unique<LateRowFilter>(spec);
}

}  // namespace fluvial::table
