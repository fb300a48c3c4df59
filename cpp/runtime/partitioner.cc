#include "runtime/partitioner.h"

#include <numeric>

#include "common/errors.h"
#include "runtime/key_groups.h"

namespace fluvial::runtime {
namespace {

std::vector<int> Range(int begin, int end) {
  std::vector<int> targets(end - begin);
  std::iota(targets.begin(), targets.end(), begin);
  return targets;
}

// Sends every record to the subtasks chosen per record by TargetOf, splitting
// the batch only when it really goes to more than one place.
template <typename TargetOf>
void RoutePerRecord(BatchPtr batch, int receivers, TargetOf target_of,
                    std::vector<std::pair<int, BatchPtr>>* out) {
  const size_t size = batch->size();
  if (size == 0) return;
  std::vector<int> targets(size);
  bool single_target = true;
  for (size_t i = 0; i < size; ++i) {
    targets[i] = target_of(i);
    single_target &= targets[i] == targets[0];
  }
  if (single_target) {
    out->emplace_back(targets[0], std::move(batch));
    return;
  }
  std::vector<std::vector<uint32_t>> indices(receivers);
  for (size_t i = 0; i < size; ++i) indices[targets[i]].push_back(static_cast<uint32_t>(i));
  for (int target = 0; target < receivers; ++target) {
    if (!indices[target].empty()) out->emplace_back(target, batch->Select(indices[target]));
  }
}

class ForwardPartitioner : public Partitioner {
 public:
  explicit ForwardPartitioner(int sender) : sender_(sender) {}
  void Route(BatchPtr batch, std::vector<std::pair<int, BatchPtr>>* out) override {
    if (batch->size() > 0) out->emplace_back(sender_, std::move(batch));
  }
  std::vector<int> PossibleTargets() const override { return {sender_}; }

 private:
  int sender_;
};

// Round robin over the targets [begin, end); used by rebalance (all targets)
// and rescale (a local subset).
class RoundRobinPartitioner : public Partitioner {
 public:
  RoundRobinPartitioner(int begin, int end, int receivers, int start)
      : begin_(begin), count_(end - begin), receivers_(receivers), next_(start % count_) {}
  void Route(BatchPtr batch, std::vector<std::pair<int, BatchPtr>>* out) override {
    RoutePerRecord(std::move(batch), receivers_, [&](size_t) {
      int target = begin_ + next_;
      next_ = (next_ + 1) % count_;
      return target;
    }, out);
  }
  std::vector<int> PossibleTargets() const override { return Range(begin_, begin_ + count_); }

 private:
  int begin_;
  int count_;
  int receivers_;
  int next_;
};

class ShufflePartitioner : public Partitioner {
 public:
  ShufflePartitioner(int receivers, int seed) : receivers_(receivers), random_(seed) {}
  void Route(BatchPtr batch, std::vector<std::pair<int, BatchPtr>>* out) override {
    std::uniform_int_distribution<int> pick(0, receivers_ - 1);
    RoutePerRecord(std::move(batch), receivers_, [&](size_t) { return pick(random_); }, out);
  }
  std::vector<int> PossibleTargets() const override { return Range(0, receivers_); }

 private:
  int receivers_;
  std::mt19937 random_;
};

class BroadcastPartitioner : public Partitioner {
 public:
  explicit BroadcastPartitioner(int receivers) : receivers_(receivers) {}
  void Route(BatchPtr batch, std::vector<std::pair<int, BatchPtr>>* out) override {
    if (batch->size() == 0) return;
    for (int target = 0; target + 1 < receivers_; ++target) {
      out->emplace_back(target, batch->Share());
    }
    out->emplace_back(receivers_ - 1, std::move(batch));
  }
  std::vector<int> PossibleTargets() const override { return Range(0, receivers_); }

 private:
  int receivers_;
};

// Hash and custom partitioning read the per-record routing values that an
// upstream operator (key_by's key assigner, partition_custom's partitioner)
// computed while it still had the record's key at hand.
class RoutingPartitioner : public Partitioner {
 public:
  RoutingPartitioner(bool by_key_group, int receivers, int max_parallelism)
      : by_key_group_(by_key_group), receivers_(receivers), max_parallelism_(max_parallelism) {}
  void Route(BatchPtr batch, std::vector<std::pair<int, BatchPtr>>* out) override {
    FLUVIAL_CHECK(batch->routing.size() == batch->size(),
                  "a hash or custom exchange received a batch without routing values");
    const std::vector<uint32_t>& routing = batch->routing;
    RoutePerRecord(std::move(batch), receivers_, [&](size_t i) {
      return by_key_group_ ? SubtaskForKeyGroup(routing[i], max_parallelism_, receivers_)
                           : static_cast<int>(routing[i]);
    }, out);
  }
  std::vector<int> PossibleTargets() const override { return Range(0, receivers_); }

 private:
  bool by_key_group_;
  int receivers_;
  int max_parallelism_;
};

}  // namespace

std::unique_ptr<Partitioner> MakePartitioner(PartitionKind kind, int sender, int sender_parallelism,
                                             int receiver_parallelism, int max_parallelism) {
  switch (kind) {
    case PartitionKind::kForward:
      return std::make_unique<ForwardPartitioner>(sender);
    case PartitionKind::kRebalance:
      // Senders start at different targets so small inputs still spread out.
      return std::make_unique<RoundRobinPartitioner>(0, receiver_parallelism, receiver_parallelism,
                                                     sender);
    case PartitionKind::kRescale: {
      // Each sender feeds a contiguous share of the receivers (or, with more
      // senders than receivers, exactly one), as Flink's rescale does.
      int begin, end;
      if (receiver_parallelism >= sender_parallelism) {
        begin = sender * receiver_parallelism / sender_parallelism;
        end = (sender + 1) * receiver_parallelism / sender_parallelism;
      } else {
        begin = sender * receiver_parallelism / sender_parallelism;
        end = begin + 1;
      }
      return std::make_unique<RoundRobinPartitioner>(begin, end, receiver_parallelism, 0);
    }
    case PartitionKind::kShuffle:
      return std::make_unique<ShufflePartitioner>(receiver_parallelism, 17 + sender);
    case PartitionKind::kBroadcast:
      return std::make_unique<BroadcastPartitioner>(receiver_parallelism);
    case PartitionKind::kHash:
      return std::make_unique<RoutingPartitioner>(true, receiver_parallelism, max_parallelism);
    case PartitionKind::kCustom:
      return std::make_unique<RoutingPartitioner>(false, receiver_parallelism, max_parallelism);
  }
  throw InternalError("unknown partition kind");
}

}  // namespace fluvial::runtime
