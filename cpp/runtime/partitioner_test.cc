#include "runtime/partitioner.h"

#include <gtest/gtest.h>

#include <map>

#include "runtime/key_groups.h"
#include "runtime/test_batch.h"

namespace fluvial::runtime {
namespace {

using testing::IntBatch;

std::map<int, std::vector<int64_t>> RouteAll(Partitioner& partitioner, std::vector<int64_t> values,
                                             std::vector<uint32_t> routing = {}) {
  auto batch = std::make_unique<IntBatch>(std::move(values));
  batch->routing = std::move(routing);
  std::vector<std::pair<int, BatchPtr>> out;
  partitioner.Route(std::move(batch), &out);
  std::map<int, std::vector<int64_t>> by_target;
  for (auto& [target, part] : out) {
    auto& values_of = static_cast<IntBatch&>(*part).values;
    by_target[target].insert(by_target[target].end(), values_of.begin(), values_of.end());
  }
  return by_target;
}

TEST(PartitionerTest, ForwardKeepsSubtask) {
  auto partitioner = MakePartitioner(PartitionKind::kForward, 2, 4, 4, 128);
  auto routed = RouteAll(*partitioner, {1, 2, 3});
  ASSERT_EQ(routed.size(), 1u);
  EXPECT_EQ(routed[2], (std::vector<int64_t>{1, 2, 3}));
}

TEST(PartitionerTest, RebalanceIsRoundRobinPerRecord) {
  auto partitioner = MakePartitioner(PartitionKind::kRebalance, 0, 1, 3, 128);
  auto routed = RouteAll(*partitioner, {0, 1, 2, 3, 4, 5, 6});
  EXPECT_EQ(routed[0], (std::vector<int64_t>{0, 3, 6}));
  EXPECT_EQ(routed[1], (std::vector<int64_t>{1, 4}));
  EXPECT_EQ(routed[2], (std::vector<int64_t>{2, 5}));
}

TEST(PartitionerTest, RescaleStaysWithinLocalShare) {
  auto partitioner = MakePartitioner(PartitionKind::kRescale, 1, 2, 4, 128);
  EXPECT_EQ(partitioner->PossibleTargets(), (std::vector<int>{2, 3}));
  auto routed = RouteAll(*partitioner, {0, 1, 2, 3});
  EXPECT_EQ(routed[2], (std::vector<int64_t>{0, 2}));
  EXPECT_EQ(routed[3], (std::vector<int64_t>{1, 3}));
  auto down = MakePartitioner(PartitionKind::kRescale, 3, 4, 2, 128);
  EXPECT_EQ(down->PossibleTargets(), (std::vector<int>{1}));
}

TEST(PartitionerTest, BroadcastSendsEverythingEverywhere) {
  auto partitioner = MakePartitioner(PartitionKind::kBroadcast, 0, 1, 3, 128);
  auto routed = RouteAll(*partitioner, {7, 8});
  ASSERT_EQ(routed.size(), 3u);
  for (int target = 0; target < 3; ++target) EXPECT_EQ(routed[target], (std::vector<int64_t>{7, 8}));
}

TEST(PartitionerTest, ShuffleLosesNothing) {
  auto partitioner = MakePartitioner(PartitionKind::kShuffle, 0, 1, 4, 128);
  std::vector<int64_t> values(1000);
  for (int i = 0; i < 1000; ++i) values[i] = i;
  auto routed = RouteAll(*partitioner, values);
  size_t total = 0;
  for (auto& [target, part] : routed) total += part.size();
  EXPECT_EQ(total, 1000u);
  EXPECT_EQ(routed.size(), 4u);
}

TEST(PartitionerTest, HashRoutesByKeyGroupRange) {
  auto partitioner = MakePartitioner(PartitionKind::kHash, 0, 1, 4, 128);
  // Key groups 0..31 belong to subtask 0, 32..63 to 1, and so on.
  auto routed = RouteAll(*partitioner, {10, 20, 30, 40}, {0, 40, 127, 31});
  EXPECT_EQ(routed[0], (std::vector<int64_t>{10, 40}));
  EXPECT_EQ(routed[1], (std::vector<int64_t>{20}));
  EXPECT_EQ(routed[3], (std::vector<int64_t>{30}));
}

TEST(PartitionerTest, CustomUsesRoutingAsTarget) {
  auto partitioner = MakePartitioner(PartitionKind::kCustom, 0, 1, 3, 128);
  auto routed = RouteAll(*partitioner, {1, 2, 3}, {2, 2, 0});
  EXPECT_EQ(routed[2], (std::vector<int64_t>{1, 2}));
  EXPECT_EQ(routed[0], (std::vector<int64_t>{3}));
}

TEST(KeyGroupsTest, RangesCoverAllKeyGroupsOnce) {
  for (int parallelism : {1, 3, 4, 7, 128}) {
    uint32_t expected_begin = 0;
    for (int subtask = 0; subtask < parallelism; ++subtask) {
      uint32_t begin = FirstKeyGroup(subtask, 128, parallelism);
      uint32_t end = FirstKeyGroup(subtask + 1, 128, parallelism);
      EXPECT_EQ(begin, expected_begin);
      for (uint32_t group = begin; group < end; ++group) {
        EXPECT_EQ(SubtaskForKeyGroup(group, 128, parallelism), subtask);
      }
      expected_begin = end;
    }
    EXPECT_EQ(expected_begin, 128u);
  }
}

}  // namespace
}  // namespace fluvial::runtime
