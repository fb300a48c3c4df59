// Event-time temporal join (FOR SYSTEM_TIME AS OF left.rowtime) of a table
// against a versioned table, as Flink's TemporalRowTimeJoinOperator:
// - the right (versioned) side keeps, per join key, its versions ordered by
//   their time: an accumulating row (+I/+U) starts a version at its time, a
//   -D row ends the key's validity from its time (a tombstone); -U rows are
//   ignored (Flink feeds this join only the "after" half of an update);
// - left (probe) rows wait until the operator's watermark (the minimum over
//   both inputs) passes their time, then join the version valid then: the
//   latest one whose time is <= the probe's time. INNER drops a probe without
//   a valid version, LEFT pads it with NULLs. The output row keeps the probe's
//   row kind and its time (the left rowtime stays the time attribute);
// - once the watermark passes a key's version time, the versions before the
//   one valid at the watermark can never be chosen again and are dropped
//   (Flink's cleanup), so state stays bounded by the versions newer than the
//   watermark, one per key, and the probes waiting for it.
// Checkpoints hold the kept versions (with their times; a tombstone keeps the
// -D row, for its key), the waiting probes (with their row kinds) and the
// watermark, each row under the key group of its join key.
#include <arrow/compute/api.h>

#include <algorithm>
#include <functional>
#include <map>
#include <queue>

#include "common/errors.h"
#include "table/columnar_batch.h"
#include "table/key_grouper.h"
#include "table/key_hash.h"
#include "table/row_store.h"
#include "table/table_state.h"
#include "table/table_support.h"

namespace fluvial::table {
namespace {

// A version of a key: the right row valid from its time on, or a tombstone ("no row from this
// time on"), which keeps its -D row for the key it names.
struct Version {
  int64_t row;
  bool tombstone;
};

// Rows addressed by increasing ids, like RowStore, but able to forget rows:
// Compact keeps only the live ids (in one batch) and frees the rest.
class CompactingRows {
 public:
  int64_t Append(const std::shared_ptr<arrow::RecordBatch>& batch) {
    const int64_t first = next_id_;
    segments_.push_back({first, stored_, batch, {}});
    next_id_ += batch->num_rows();
    stored_ += batch->num_rows();
    table_.reset();
    return first;
  }

  int64_t stored() const { return stored_; }
  size_t segments() const { return segments_.size(); }

  /// Keeps only the rows 'live' (ascending ids); their ids stay valid.
  void Compact(std::vector<int64_t> live) {
    if (live.empty()) {
      segments_.clear();
      stored_ = 0;
      table_.reset();
      return;
    }
    const auto schema = segments_.front().batch->schema();
    std::vector<std::shared_ptr<arrow::Array>> columns = Take(live, schema);
    auto batch = arrow::RecordBatch::Make(schema, static_cast<int64_t>(live.size()), columns);
    const int64_t first = live.front();
    segments_.clear();
    segments_.push_back({first, 0, batch, std::move(live)});
    stored_ = batch->num_rows();
    table_.reset();
  }

  /// Columns of the rows 'ids' (kNoRow gives NULLs).
  std::vector<std::shared_ptr<arrow::Array>> Take(const std::vector<int64_t>& ids,
                                                  const std::shared_ptr<arrow::Schema>& schema) {
    arrow::Int64Builder builder;
    for (int64_t id : ids) {
      CheckArrow(id == kNoRow ? builder.AppendNull() : builder.Append(Position(id)), "temporal join output");
    }
    auto indices = ValueOrThrow(builder.Finish(), "temporal join output");
    if (segments_.empty()) return TakeColumns(nullptr, indices, schema, "temporal join output");
    if (!table_) {
      std::vector<std::shared_ptr<arrow::RecordBatch>> batches;
      for (const auto& segment : segments_) batches.push_back(segment.batch);
      table_ = ValueOrThrow(arrow::Table::FromRecordBatches(batches), "temporal join state");
    }
    return TakeColumns(table_, indices, schema, "temporal join output");
  }

 private:
  struct Segment {
    int64_t first_id;                 // id of the segment's first row
    int64_t offset;                   // position of its first row among all kept rows
    std::shared_ptr<arrow::RecordBatch> batch;
    std::vector<int64_t> ids;         // a compacted segment's ids (ascending); empty: consecutive ids
  };

  // The position of row 'id' among all kept rows (the concatenation of the segments).
  int64_t Position(int64_t id) const {
    auto after = std::upper_bound(segments_.begin(), segments_.end(), id,
                                  [](int64_t value, const Segment& s) { return value < s.first_id; });
    if (after == segments_.begin()) throw InternalError("temporal join state: row id before the kept rows");
    const Segment& segment = *std::prev(after);
    if (segment.ids.empty()) return segment.offset + (id - segment.first_id);
    auto found = std::lower_bound(segment.ids.begin(), segment.ids.end(), id);
    if (found == segment.ids.end() || *found != id) throw InternalError("temporal join state: row was dropped");
    return segment.offset + (found - segment.ids.begin());
  }

  std::vector<Segment> segments_;
  int64_t next_id_ = 0;
  int64_t stored_ = 0;
  std::shared_ptr<arrow::Table> table_;
};

// True for every row whose key columns are all non-NULL (a NULL key never joins, as in SQL).
std::vector<bool> KeysPresent(const arrow::RecordBatch& data, const std::vector<int>& keys) {
  std::vector<bool> present(static_cast<size_t>(data.num_rows()), true);
  for (int column : keys) {
    const auto& array = *data.column(column);
    if (array.null_count() == 0) continue;
    for (int64_t row = 0; row < data.num_rows(); ++row) {
      if (array.IsNull(row)) present[row] = false;
    }
  }
  return present;
}

class TemporalJoinOperator : public TableOperator {
 public:
  explicit TemporalJoinOperator(const py::dict& spec)
      : TableOperator(spec),
        keys_{IntList(spec["left_keys"]), IntList(spec["right_keys"])},
        times_{spec["left_time"].cast<int>(), spec["right_time"].cast<int>()},
        time_names_{py::str(spec["left_time_name"]), py::str(spec["right_time_name"])},
        schemas_{ImportSchema(spec["left_schema"]), ImportSchema(spec["right_schema"])},
        output_schema_(ImportSchema(spec["output_schema"])),
        left_outer_(spec["left_outer"].cast<bool>()),
        grouper_(keys_[0], *schemas_[0], "temporal join") {
    // The right side's keys are cast to the left's types, so equal keys share a group.
    for (int column : keys_[0]) key_types_.push_back(schemas_[0]->field(column)->type());
    Restore();
  }

  void Open(const runtime::OperatorInfo& info) override {
    key_group_begin_ = info.key_group_begin;
    key_group_end_ = info.key_group_end;
  }

  void ProcessBatch(int input, runtime::BatchPtr batch, runtime::Collector& out) override {
    (void)out;
    auto& columnar = AsColumnar(*batch);
    const auto& data = columnar.data;
    const int64_t rows = data->num_rows();
    if (rows == 0) return;
    const std::string what = "temporal join: the " + std::string(input == 0 ? "left" : "right") +
                             " table's time attribute '" + time_names_[input] + "'";
    std::vector<int64_t> times = EpochMillis(data->column(times_[input]), what.c_str());
    std::vector<uint32_t> groups = grouper_.Consume(*data, &keys_[input], &key_types_);
    std::vector<bool> present = KeysPresent(*data, keys_[input]);
    if (input == 0) {
      AddProbes(columnar, times, groups, present);
    } else {
      AddVersions(columnar, times, groups, present);
    }
  }

  // Late probes (older than the watermark when they came) are due at the next advance, joined with
  // the versions still kept, as in Flink.
  void ProcessWatermark(int64_t watermark, runtime::Collector& out) override {
    if (watermark > watermark_) {
      watermark_ = watermark;
      EmitProbesUpTo(watermark, out);
      DropOldVersions(watermark);
      CompactIfWasteful();
    }
    out.EmitWatermark(watermark);
  }

  // The end of input: every probe is due.
  void Finish(runtime::Collector& out) override { EmitProbesUpTo(runtime::kMaxWatermark, out); }

 protected:
  // The kept versions (right rows with "__version_time" and "__tombstone"), the waiting probes
  // (left rows with "__kind"), each under the key group of its join key; and the watermark.
  std::vector<StatePart> SnapshotTables() override {
    std::vector<int64_t> ids;
    arrow::Int64Builder times;
    arrow::BooleanBuilder tombstones;
    for (const auto& versions : versions_) {
      for (const auto& [time, version] : versions) {
        ids.push_back(version.row);
        CheckArrow(times.Append(time), "snapshotting a temporal join");
        CheckArrow(tombstones.Append(version.tombstone), "snapshotting a temporal join");
      }
    }
    auto versions = arrow::RecordBatch::Make(schemas_[1], static_cast<int64_t>(ids.size()),
                                             right_rows_.Take(ids, schemas_[1]));
    std::vector<int32_t> version_groups = KeyGroupsOf(*versions, keys_[1], max_parallelism());
    versions = WithStateColumn(versions, kVersionTime, ValueOrThrow(times.Finish(), "snapshotting a temporal join"));
    versions = WithStateColumn(versions, kTombstoneColumn,
                              ValueOrThrow(tombstones.Finish(), "snapshotting a temporal join"));

    ids.clear();
    arrow::Int8Builder kinds;
    for (const ProbeRun& run : runs_) {
      for (size_t i = run.next; i < run.probes.size(); ++i) {
        ids.push_back(run.probes[i].id);
        CheckArrow(kinds.Append(run.probes[i].kind), "snapshotting a temporal join");
      }
    }
    auto probes = arrow::RecordBatch::Make(schemas_[0], static_cast<int64_t>(ids.size()),
                                           left_rows_.Take(ids, schemas_[0]));
    std::vector<int32_t> probe_groups = KeyGroupsOf(*probes, keys_[0], max_parallelism());
    probes = WithStateColumn(probes, kKindColumn, ValueOrThrow(kinds.Finish(), "snapshotting a temporal join"));
    return {{"versions", WithKeyGroups(versions, version_groups)},
            {"probes", WithKeyGroups(probes, probe_groups)},
            WatermarkPart(watermark_, key_group_begin_, key_group_end_)};
  }

 private:
  static constexpr const char* kVersionTime = "__version_time";
  static constexpr const char* kTombstoneColumn = "__tombstone";
  static constexpr const char* kKindColumn = "__kind";

  // Puts back the versions and the waiting probes of this subtask's key groups, and the watermark.
  void Restore() {
    for (const auto& restored : RestoredPart("versions")) {
      auto rows = RestoredRows(restored, schemas_[1], 2, "versions of the temporal join");
      const int columns = schemas_[1]->num_fields();
      const auto& times = static_cast<const arrow::Int64Array&>(*restored->column(columns));
      const auto& tombstones = static_cast<const arrow::BooleanArray&>(*restored->column(columns + 1));
      std::vector<uint32_t> groups = grouper_.Consume(*rows, &keys_[1], &key_types_);
      const int64_t first = right_rows_.Append(rows);
      for (int64_t row = 0; row < rows->num_rows(); ++row) {
        if (groups[row] >= versions_.size()) versions_.resize(groups[row] + 1);
        versions_[groups[row]][times.Value(row)] = Version{first + row, tombstones.Value(row)};
        ++versions_kept_;
        cleanups_.emplace(times.Value(row), groups[row]);
      }
    }
    for (const auto& restored : RestoredPart("probes")) {
      ColumnarBatch batch(RestoredRows(restored, schemas_[0], 1, "waiting rows of the temporal join"));
      const auto& kinds = static_cast<const arrow::Int8Array&>(*restored->column(schemas_[0]->num_fields()));
      batch.row_kinds.assign(kinds.raw_values(), kinds.raw_values() + kinds.length());
      std::vector<int64_t> times = EpochMillis(batch.data->column(times_[0]), "a restored temporal join row's time");
      std::vector<uint32_t> groups = grouper_.Consume(*batch.data, &keys_[0], &key_types_);
      AddProbes(batch, times, groups, KeysPresent(*batch.data, keys_[0]));
    }
    watermark_ = RestoredWatermark(watermark_);
  }

  struct Probe {
    int64_t time;
    int64_t id;
    uint32_t group;
    bool has_key;
    int8_t kind;
  };

  // Probes sorted by time, then arrival.
  static bool EarlierProbe(const Probe& a, const Probe& b) {
    return a.time != b.time ? a.time < b.time : a.id < b.id;
  }

  // The waiting probes of one left batch, sorted; those before 'next' were emitted.
  struct ProbeRun {
    std::vector<Probe> probes;
    size_t next = 0;
  };

  void AddProbes(const ColumnarBatch& batch, const std::vector<int64_t>& times, const std::vector<uint32_t>& groups,
                 const std::vector<bool>& present) {
    const int64_t first = left_rows_.Append(batch.data);
    ProbeRun run;
    for (size_t row = 0; row < times.size(); ++row) {
      // An INNER join never emits a probe whose key is NULL; a LEFT join pads it.
      if (!present[row] && !left_outer_) continue;
      run.probes.push_back({times[row], first + static_cast<int64_t>(row), groups[row], present[row],
                            static_cast<int8_t>(batch.kind(row))});
    }
    if (run.probes.empty()) return;
    if (!std::is_sorted(run.probes.begin(), run.probes.end(), EarlierProbe)) {
      std::sort(run.probes.begin(), run.probes.end(), EarlierProbe);
    }
    waiting_ += static_cast<int64_t>(run.probes.size());
    runs_.push_back(std::move(run));
  }

  void AddVersions(const ColumnarBatch& batch, const std::vector<int64_t>& times,
                   const std::vector<uint32_t>& groups, const std::vector<bool>& present) {
    const int64_t first = right_rows_.Append(batch.data);
    for (size_t row = 0; row < times.size(); ++row) {
      const RowKind kind = batch.kind(row);
      if (!present[row] || kind == RowKind::kUpdateBefore) continue;
      if (groups[row] >= versions_.size()) versions_.resize(groups[row] + 1);
      const Version entry{first + static_cast<int64_t>(row), !IsAccumulate(kind)};
      auto [position, inserted] = versions_[groups[row]].insert_or_assign(times[row], entry);
      (void)position;
      if (inserted) ++versions_kept_;
      // Like Flink's cleanup timer at the version's time: once the watermark passes it, older ones go.
      cleanups_.emplace(times[row], groups[row]);
    }
  }

  // Joins and emits (in time order) every probe whose time is <= 'watermark'.
  void EmitProbesUpTo(int64_t watermark, runtime::Collector& out) {
    // Each run is sorted, so its due probes are a prefix: the cost is the due probes' and one step per
    // run, however many probes wait for a later watermark.
    std::vector<Probe> due;
    for (ProbeRun& run : runs_) {
      while (run.next < run.probes.size() && run.probes[run.next].time <= watermark) {
        due.push_back(run.probes[run.next++]);
      }
    }
    if (due.empty()) return;
    runs_.erase(std::remove_if(runs_.begin(), runs_.end(),
                               [](const ProbeRun& run) { return run.next == run.probes.size(); }),
                runs_.end());
    waiting_ -= static_cast<int64_t>(due.size());
    if (!std::is_sorted(due.begin(), due.end(), EarlierProbe)) std::sort(due.begin(), due.end(), EarlierProbe);

    std::vector<int64_t> left_ids, right_ids, times;
    std::vector<int8_t> kinds;
    for (const Probe& probe : due) {
      const int64_t version = probe.has_key ? VersionAt(probe.group, probe.time) : kNoRow;
      if (version == kNoRow && !left_outer_) continue;
      left_ids.push_back(probe.id);
      right_ids.push_back(version);
      times.push_back(probe.time);
      kinds.push_back(probe.kind);
    }
    if (left_ids.empty()) return;
    std::vector<std::shared_ptr<arrow::Array>> columns = left_rows_.Take(left_ids, schemas_[0]);
    for (auto& column : right_rows_.Take(right_ids, schemas_[1])) columns.push_back(std::move(column));
    auto result = std::make_unique<ColumnarBatch>(
        arrow::RecordBatch::Make(output_schema_, static_cast<int64_t>(left_ids.size()), columns));
    if (std::any_of(kinds.begin(), kinds.end(), [](int8_t kind) { return kind != 0; })) {
      result->row_kinds = std::move(kinds);
    }
    result->timestamps = std::move(times);
    out.Collect(std::move(result));
  }

  // The right row valid at 'time' for 'group': the latest version at or before it, unless that is a tombstone.
  int64_t VersionAt(uint32_t group, int64_t time) const {
    if (group >= versions_.size()) return kNoRow;
    const auto& versions = versions_[group];
    auto after = versions.upper_bound(time);
    if (after == versions.begin()) return kNoRow;
    const Version& entry = std::prev(after)->second;
    return entry.tombstone ? kNoRow : entry.row;
  }

  // Drops, for every key whose version times the watermark passed, the versions before the one valid at it.
  void DropOldVersions(int64_t watermark) {
    while (!cleanups_.empty() && cleanups_.top().first <= watermark) {
      const uint32_t group = cleanups_.top().second;
      cleanups_.pop();
      auto& versions = versions_[group];
      auto after = versions.upper_bound(watermark);
      if (after == versions.begin()) continue;
      auto valid = std::prev(after);
      const auto dropped = std::distance(versions.begin(), valid);
      versions.erase(versions.begin(), valid);
      versions_kept_ -= dropped;
      // A tombstone with nothing before it says no more than an empty history.
      if (versions.begin()->second.tombstone) {
        versions.erase(versions.begin());
        --versions_kept_;
      }
    }
  }

  // Frees the rows no version and no probe refers to any more, once they are most of what is kept.
  void CompactIfWasteful() {
    constexpr int64_t kSlack = 1024;
    if (right_rows_.stored() > 2 * versions_kept_ + kSlack || right_rows_.segments() > 64) {
      std::vector<int64_t> live;
      for (const auto& versions : versions_) {
        for (const auto& [time, entry] : versions) live.push_back(entry.row);  // a tombstone's row names its key
      }
      std::sort(live.begin(), live.end());
      right_rows_.Compact(std::move(live));
    }
    if (left_rows_.stored() > 2 * waiting_ + kSlack || left_rows_.segments() > 64) {
      std::vector<int64_t> live;
      live.reserve(static_cast<size_t>(waiting_));
      for (const ProbeRun& run : runs_) {
        for (size_t i = run.next; i < run.probes.size(); ++i) live.push_back(run.probes[i].id);
      }
      std::sort(live.begin(), live.end());
      left_rows_.Compact(std::move(live));
    }
  }

  std::vector<int> keys_[2];
  int times_[2];
  std::string time_names_[2];
  std::shared_ptr<arrow::Schema> schemas_[2];
  std::shared_ptr<arrow::Schema> output_schema_;
  bool left_outer_;
  KeyGrouper grouper_;
  std::vector<std::shared_ptr<arrow::DataType>> key_types_;

  CompactingRows left_rows_, right_rows_;
  std::vector<ProbeRun> runs_;  // left rows waiting for the watermark, one sorted run per batch
  int64_t waiting_ = 0;        // how many
  std::vector<std::map<int64_t, Version>> versions_;  // per key group: version time → version
  int64_t versions_kept_ = 0;
  // (version time, key group): when the watermark passes the time, the key's older versions are dropped.
  std::priority_queue<std::pair<int64_t, uint32_t>, std::vector<std::pair<int64_t, uint32_t>>, std::greater<>>
      cleanups_;
  int64_t watermark_ = runtime::kMinWatermark;
  uint32_t key_group_begin_ = 0;
  uint32_t key_group_end_ = 0;
};

}  // namespace

std::unique_ptr<runtime::Operator> MakeTemporalJoinOperator(const py::dict& spec) {
  return std::make_unique<TemporalJoinOperator>(spec);
}

}  // namespace fluvial::table
