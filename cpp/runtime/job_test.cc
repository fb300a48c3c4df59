#include "runtime/job.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <mutex>
#include <numeric>
#include <thread>

#include "common/errors.h"
#include "runtime/key_groups.h"
#include "runtime/test_batch.h"

namespace fluvial::runtime {
namespace {

using testing::IntBatch;

// Emits [begin, end) split over the subtasks, or forever when unbounded.
class RangeSource : public SourceOperator {
 public:
  RangeSource(int64_t begin, int64_t end, bool unbounded) : next_(begin), end_(end), unbounded_(unbounded) {}
  SourceStatus Poll(Collector& out) override {
    if (unbounded_) {
      out.Collect(std::make_unique<IntBatch>(std::vector<int64_t>{next_++}));
      return cancelled_ ? SourceStatus::kEnded : SourceStatus::kIdle;
    }
    auto batch = std::make_unique<IntBatch>();
    while (next_ < end_ && batch->values.size() < 100) batch->values.push_back(next_++);
    if (batch->size() > 0) {
      out.Collect(std::move(batch));
      out.EmitWatermark(next_ - 1);  // event time = the value
    }
    return next_ < end_ ? SourceStatus::kMoreAvailable : SourceStatus::kEnded;
  }
  void Cancel() override { cancelled_ = true; }

 private:
  int64_t next_, end_;
  bool unbounded_;
  std::atomic<bool> cancelled_{false};
};

class Multiply : public Operator {
 public:
  explicit Multiply(int64_t factor, int64_t fail_on = -1) : factor_(factor), fail_on_(fail_on) {}
  void ProcessBatch(int, BatchPtr batch, Collector& out) override {
    for (auto& value : static_cast<IntBatch&>(*batch).values) {
      if (value == fail_on_) throw UserError("cannot take this value");
      value *= factor_;
    }
    out.Collect(std::move(batch));
  }

 private:
  int64_t factor_, fail_on_;
};

// key = value % 10, routed by its key group.
class AssignKeys : public Operator {
 public:
  void ProcessBatch(int, BatchPtr batch, Collector& out) override {
    batch->routing.clear();
    for (int64_t value : static_cast<IntBatch&>(*batch).values) {
      batch->routing.push_back(KeyGroupForHash(static_cast<uint64_t>(value % 10), 128));
    }
    out.Collect(std::move(batch));
  }
};

// Running sum per key; checks that every key arrives at its owning subtask.
class SumPerKey : public Operator {
 public:
  void Open(const OperatorInfo& info) override { info_ = info; }
  void ProcessBatch(int, BatchPtr batch, Collector& out) override {
    auto& values = static_cast<IntBatch&>(*batch).values;
    for (size_t i = 0; i < values.size(); ++i) {
      uint32_t group = batch->routing[i];
      if (group < info_.key_group_begin || group >= info_.key_group_end) {
        throw InternalError("key group at wrong subtask");
      }
      values[i] = (sums_[values[i] % 10] += values[i]);
    }
    out.Collect(std::move(batch));
  }

 private:
  OperatorInfo info_;
  std::map<int64_t, int64_t> sums_;
};

struct Collected {
  std::mutex mutex;
  std::vector<int64_t> values;
  std::map<int, int> finished_subtasks;
};

class CollectSink : public Operator {
 public:
  explicit CollectSink(Collected* collected) : collected_(collected) {}
  void Open(const OperatorInfo& info) override { subtask_ = info.subtask_index; }
  void ProcessBatch(int, BatchPtr batch, Collector&) override {
    std::lock_guard lock(collected_->mutex);
    auto& values = static_cast<IntBatch&>(*batch).values;
    collected_->values.insert(collected_->values.end(), values.begin(), values.end());
  }
  void Finish(Collector&) override {
    std::lock_guard lock(collected_->mutex);
    collected_->finished_subtasks[subtask_]++;
  }

 private:
  Collected* collected_;
  int subtask_ = 0;
};

JobNode Source(int id, int parallelism, int64_t total, bool unbounded = false) {
  JobNode node;
  node.id = id;
  node.name = "Source";
  node.parallelism = parallelism;
  node.make_source = [=](int subtask) {
    int64_t begin = total * subtask / parallelism, end = total * (subtask + 1) / parallelism;
    return std::make_unique<RangeSource>(begin, end, unbounded);
  };
  return node;
}

JobNode Node(int id, std::string name, int parallelism, std::vector<JobEdge> inputs,
             std::function<std::unique_ptr<Operator>()> make) {
  JobNode node;
  node.id = id;
  node.name = std::move(name);
  node.parallelism = parallelism;
  node.inputs = std::move(inputs);
  node.make_operator = [make](int) { return make(); };
  return node;
}

std::vector<int64_t> Sorted(std::vector<int64_t> values) {
  std::sort(values.begin(), values.end());
  return values;
}

TEST(JobTest, ChainedPipelineAtParallelismOne) {
  Collected collected;
  JobGraph graph;
  graph.nodes.push_back(Source(1, 1, 1000));
  graph.nodes.push_back(Node(2, "Multiply", 1, {{1, 0, PartitionKind::kForward}},
                             [] { return std::make_unique<Multiply>(3); }));
  graph.nodes.push_back(Node(3, "Sink", 1, {{2, 0, PartitionKind::kForward}},
                             [&] { return std::make_unique<CollectSink>(&collected); }));
  EXPECT_TRUE(IsChainedToInput(graph, graph.nodes[1]));
  Job job(graph, nullptr);
  job.Start();
  job.Wait();
  ASSERT_FALSE(job.failure());
  std::vector<int64_t> expected(1000);
  for (int i = 0; i < 1000; ++i) expected[i] = 3 * i;
  EXPECT_EQ(collected.values, expected) << "a single chain keeps order";
  EXPECT_EQ(collected.finished_subtasks[0], 1);
}

TEST(JobTest, KeyedExchangeAtParallelismFourMatchesReference) {
  Collected collected;
  JobGraph graph;
  graph.nodes.push_back(Source(1, 4, 10000));
  graph.nodes.push_back(Node(2, "AssignKeys", 4, {{1, 0, PartitionKind::kForward}},
                             [] { return std::make_unique<AssignKeys>(); }));
  graph.nodes.push_back(Node(3, "SumPerKey", 4, {{2, 0, PartitionKind::kHash}},
                             [] { return std::make_unique<SumPerKey>(); }));
  graph.nodes.push_back(Node(4, "Sink", 2, {{3, 0, PartitionKind::kRebalance}},
                             [&] { return std::make_unique<CollectSink>(&collected); }));
  Job job(graph, nullptr);
  job.Start();
  job.Wait();
  if (auto failure = job.failure()) std::rethrow_exception(failure);
  // Every running sum is emitted; the final sum of each key must be among them.
  std::map<int64_t, int64_t> expected;
  for (int64_t i = 0; i < 10000; ++i) expected[i % 10] += i;
  int64_t total_emitted = static_cast<int64_t>(collected.values.size());
  EXPECT_EQ(total_emitted, 10000);
  int64_t max_value = *std::max_element(collected.values.begin(), collected.values.end());
  EXPECT_EQ(max_value, expected[9]);
  for (auto& [key, sum] : expected) {
    EXPECT_NE(std::find(collected.values.begin(), collected.values.end(), sum), collected.values.end())
        << "final sum of key " << key;
  }
  EXPECT_EQ(collected.finished_subtasks.size(), 2u);
}

TEST(JobTest, UnionOfTwoSourcesDeliversEverything) {
  Collected collected;
  JobGraph graph;
  graph.nodes.push_back(Source(1, 2, 500));
  graph.nodes.push_back(Source(2, 3, 700));
  graph.nodes.push_back(Node(3, "Sink", 1,
                             {{1, 0, PartitionKind::kRebalance}, {2, 0, PartitionKind::kRebalance}},
                             [&] { return std::make_unique<CollectSink>(&collected); }));
  Job job(graph, nullptr);
  job.Start();
  job.Wait();
  ASSERT_FALSE(job.failure());
  std::vector<int64_t> expected;
  for (int i = 0; i < 500; ++i) expected.push_back(i);
  for (int i = 0; i < 700; ++i) expected.push_back(i);
  EXPECT_EQ(Sorted(collected.values), Sorted(expected));
}

TEST(JobTest, FailureNamesOperatorAndStopsEveryWorker) {
  Collected collected;
  JobGraph graph;
  graph.nodes.push_back(Source(1, 2, 100000));
  graph.nodes.push_back(Node(2, "Picky", 2, {{1, 0, PartitionKind::kRebalance}},
                             [] { return std::make_unique<Multiply>(1, 777); }));
  graph.nodes.push_back(Node(3, "Sink", 1, {{2, 0, PartitionKind::kRebalance}},
                             [&] { return std::make_unique<CollectSink>(&collected); }));
  Job job(graph, nullptr);
  job.Start();
  job.Wait();
  auto failure = job.failure();
  ASSERT_TRUE(failure);
  try {
    std::rethrow_exception(failure);
  } catch (const OperatorFailure& error) {
    EXPECT_EQ(error.operator_name(), "Picky");
    EXPECT_NE(std::string(error.what()).find("cannot take this value"), std::string::npos);
    EXPECT_NE(error.location().find("operator 'Picky' (subtask"), std::string::npos);
  }
  EXPECT_TRUE(job.done());
}

TEST(JobTest, CancelStopsUnboundedJob) {
  Collected collected;
  JobGraph graph;
  graph.nodes.push_back(Source(1, 2, 0, /*unbounded=*/true));
  graph.nodes.push_back(Node(2, "Sink", 1, {{1, 0, PartitionKind::kRebalance}},
                             [&] { return std::make_unique<CollectSink>(&collected); }));
  Job job(graph, nullptr);
  job.Start();
  EXPECT_FALSE(job.WaitFor(50));
  job.Cancel();
  EXPECT_TRUE(job.WaitFor(5000));
  EXPECT_FALSE(job.failure()) << "a cancel is not a failure";
}

TEST(JobTest, ForwardWithDifferentParallelismIsRejected) {
  JobGraph graph;
  graph.nodes.push_back(Source(1, 2, 10));
  graph.nodes.push_back(Node(2, "Sink", 3, {{1, 0, PartitionKind::kForward}},
                             [] { return std::make_unique<Multiply>(1); }));
  try {
    Job job(graph, nullptr);
    FAIL() << "expected a UserError";
  } catch (const UserError& error) {
    EXPECT_NE(std::string(error.what()).find("forward partitioning needs equal parallelism"),
              std::string::npos);
  }
}

// Records every watermark it is given; even values go to the main output,
// odd ones to side output 1.
class SplitAndWatch : public Operator {
 public:
  explicit SplitAndWatch(std::vector<int64_t>* watermarks) : watermarks_(watermarks) {}
  void ProcessBatch(int, BatchPtr batch, Collector& out) override {
    auto evens = std::make_unique<IntBatch>(), odds = std::make_unique<IntBatch>();
    for (int64_t value : static_cast<IntBatch&>(*batch).values) {
      (value % 2 == 0 ? evens : odds)->values.push_back(value);
    }
    out.Collect(std::move(evens));
    out.CollectSide(1, std::move(odds));
  }
  void ProcessWatermark(int64_t watermark, Collector& out) override {
    watermarks_->push_back(watermark);
    out.EmitWatermark(watermark);
  }

 private:
  std::vector<int64_t>* watermarks_;
};

TEST(JobTest, WatermarkIsMinimumOverChannelsAndEndsAtMax) {
  Collected evens, odds;
  std::vector<int64_t> watermarks;
  JobGraph graph;
  graph.nodes.push_back(Source(1, 3, 3000));
  graph.nodes.push_back(Node(2, "Split", 1, {{1, 0, PartitionKind::kRebalance}},
                             [&] { return std::make_unique<SplitAndWatch>(&watermarks); }));
  graph.nodes.push_back(Node(3, "Evens", 1, {{2, 0, PartitionKind::kForward, 0}},
                             [&] { return std::make_unique<CollectSink>(&evens); }));
  JobEdge side{2, 0, PartitionKind::kForward, 1};
  graph.nodes.push_back(Node(4, "Odds", 1, {side},
                             [&] { return std::make_unique<CollectSink>(&odds); }));
  Job job(graph, nullptr);
  job.Start();
  job.Wait();
  ASSERT_FALSE(job.failure());
  ASSERT_FALSE(watermarks.empty());
  EXPECT_TRUE(std::is_sorted(watermarks.begin(), watermarks.end()));
  EXPECT_EQ(watermarks.back(), kMaxWatermark);
  // Event time never passes the largest timestamp before the inputs end.
  for (int64_t watermark : watermarks) {
    EXPECT_TRUE(watermark < 3000 || watermark == kMaxWatermark) << watermark;
  }
  EXPECT_EQ(std::count(watermarks.begin(), watermarks.end(), kMaxWatermark), 1);
  EXPECT_EQ(evens.values.size(), 1500u);
  EXPECT_EQ(odds.values.size(), 1500u);
  for (int64_t value : odds.values) EXPECT_EQ(value % 2, 1);
}

// Fires a processing-time timer every 'period' ms of the job clock, counting.
class Ticker : public Operator {
 public:
  Ticker(int64_t period, std::atomic<int>* fired) : period_(period), fired_(fired) {}
  void Open(const OperatorInfo& info) override { next_ = info.clock->NowMillis() + period_; }
  void ProcessBatch(int, BatchPtr, Collector&) override {}
  int64_t NextProcessingTimer() const override { return next_; }
  void OnProcessingTime(int64_t now, Collector&) override {
    ++*fired_;
    next_ = now + period_;
  }

 private:
  int64_t period_;
  int64_t next_ = kNoTimer;
  std::atomic<int>* fired_;
};

TEST(JobTest, ProcessingTimersFollowTheJobClock) {
  auto clock = std::make_shared<ManualClock>(1000);
  std::atomic<int> fired{0};
  JobGraph graph;
  graph.clock = clock;
  graph.nodes.push_back(Source(1, 1, 0, /*unbounded=*/true));
  graph.nodes.push_back(Node(2, "Ticker", 1, {{1, 0, PartitionKind::kForward}},
                             [&] { return std::make_unique<Ticker>(50, &fired); }));
  graph.nodes[1].chaining_enabled = false;
  Job job(graph, nullptr);
  job.Start();
  std::this_thread::sleep_for(std::chrono::milliseconds(60));
  EXPECT_EQ(fired.load(), 0) << "the manual clock has not moved";
  clock->Advance(50);
  for (int i = 0; i < 200 && fired.load() == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_EQ(fired.load(), 1);
  job.Cancel();
  job.Wait();
  EXPECT_FALSE(job.failure());
}

}  // namespace
}  // namespace fluvial::runtime

namespace fluvial::runtime {
namespace {

// What the checkpoint tests observe: per checkpoint id, the records each source
// had emitted and each counter had processed when they snapshotted.
struct Snapshots {
  std::mutex mutex;
  std::map<int64_t, int64_t> emitted;
  std::map<int64_t, int64_t> processed;
  std::map<int64_t, int> reports;
  std::map<int64_t, int> notified;
  void Report(std::map<int64_t, int64_t>& into, int64_t id, int64_t value) {
    std::lock_guard lock(mutex);
    into[id] += value;
    reports[id]++;
  }
  int ReportsOf(int64_t id) {
    std::lock_guard lock(mutex);
    return reports[id];
  }
};

// Emits 'count' values, ten per poll, idling in between so checkpoints land mid-stream.
class SlowSource : public SourceOperator {
 public:
  SlowSource(int64_t count, Snapshots* snapshots) : count_(count), snapshots_(snapshots) {}
  SourceStatus Poll(Collector& out) override {
    auto batch = std::make_unique<IntBatch>();
    while (emitted_ < count_ && batch->values.size() < 10) batch->values.push_back(emitted_++);
    if (batch->size() > 0) out.Collect(std::move(batch));
    return emitted_ < count_ ? SourceStatus::kIdle : SourceStatus::kEnded;
  }
  void SnapshotState(int64_t id) override { snapshots_->Report(snapshots_->emitted, id, emitted_); }
  void NotifyCheckpointComplete(int64_t id) override {
    std::lock_guard lock(snapshots_->mutex);
    snapshots_->notified[id]++;
  }

 private:
  int64_t count_;
  int64_t emitted_ = 0;
  Snapshots* snapshots_;
};

class CountRecords : public Operator {
 public:
  explicit CountRecords(Snapshots* snapshots) : snapshots_(snapshots) {}
  void ProcessBatch(int, BatchPtr batch, Collector&) override { processed_ += batch->size(); }
  void SnapshotState(int64_t id) override {
    snapshots_->Report(snapshots_->processed, id, processed_);
  }
  void NotifyCheckpointComplete(int64_t id) override {
    std::lock_guard lock(snapshots_->mutex);
    snapshots_->notified[id]++;
  }

 private:
  Snapshots* snapshots_;
  int64_t processed_ = 0;
};

void RunCheckpointedJob(bool exactly_once, Snapshots& snapshots) {
  constexpr int kSources = 3, kCounters = 2, kPerSource = 4000;
  JobGraph graph;
  graph.checkpointing = true;
  graph.exactly_once = exactly_once;
  JobNode source;
  source.id = 1;
  source.name = "SlowSource";
  source.parallelism = kSources;
  source.make_source = [&](int) { return std::make_unique<SlowSource>(kPerSource, &snapshots); };
  graph.nodes.push_back(source);
  graph.nodes.push_back(Node(2, "Count", kCounters, {{1, 0, PartitionKind::kRebalance}},
                             [&] { return std::make_unique<CountRecords>(&snapshots); }));
  Job job(graph, nullptr);
  job.Start();
  int64_t id = 1;
  for (; id <= 5; ++id) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    job.TriggerCheckpoint(id);
    while (snapshots.ReportsOf(id) < kSources + kCounters &&
           snapshots.ReportsOf(kFinalCheckpoint) == 0) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    if (snapshots.ReportsOf(id) < kSources + kCounters) break;  // a source ended first
    job.NotifyCheckpointComplete(id);
  }
  // The final snapshot: every worker reports kFinalCheckpoint, then waits for it.
  while (snapshots.ReportsOf(kFinalCheckpoint) < kSources + kCounters) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  job.CompleteFinalCheckpoint(100);
  job.Wait();
  if (auto failure = job.failure()) std::rethrow_exception(failure);
  ASSERT_GE(id, 3) << "the sources ended before two checkpoints";
  EXPECT_EQ(snapshots.emitted[kFinalCheckpoint], kSources * kPerSource);
  EXPECT_EQ(snapshots.processed[kFinalCheckpoint], kSources * kPerSource);
  EXPECT_EQ(snapshots.notified[100], kSources + kCounters);
}

TEST(JobTest, AlignedBarriersGiveAConsistentCut) {
  Snapshots snapshots;
  RunCheckpointedJob(/*exactly_once=*/true, snapshots);
  for (auto& [id, emitted] : snapshots.emitted) {
    if (id == kFinalCheckpoint || snapshots.ReportsOf(id) < 5) continue;
    // Exactly the records sent before the barriers were processed before the snapshots.
    EXPECT_EQ(snapshots.processed[id], emitted) << "checkpoint " << id;
    EXPECT_GT(emitted, 0) << "checkpoint " << id;
    EXPECT_EQ(snapshots.notified[id], 5) << "checkpoint " << id;
  }
}

TEST(JobTest, UnalignedBarriersMaySnapshotLaterRecords) {
  Snapshots snapshots;
  RunCheckpointedJob(/*exactly_once=*/false, snapshots);
  for (auto& [id, emitted] : snapshots.emitted) {
    if (snapshots.ReportsOf(id) < 5) continue;
    EXPECT_GE(snapshots.processed[id], emitted) << "checkpoint " << id;
  }
}

}  // namespace
}  // namespace fluvial::runtime
