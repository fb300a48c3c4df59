#include "runtime/split_watermarks.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <vector>

namespace fluvial::runtime {
namespace {

TEST(SplitWatermarksTest, TheSplitBehindHoldsTheWatermark) {
  SplitWatermarks watermarks(/*lag=*/1, /*idle_timeout=*/-1);
  watermarks.SetSplits({0, 1}, 0);
  watermarks.Observe(0, 10'000, 0);
  // Split 1 has no record yet: no watermark, however far split 0 runs.
  EXPECT_EQ(watermarks.Current(0), kMinWatermark);
  watermarks.Observe(1, 100, 0);
  EXPECT_EQ(watermarks.Current(0), 99);
  watermarks.Observe(1, 50, 0);  // out of order: the largest timestamp counts
  EXPECT_EQ(watermarks.Current(0), 99);
  watermarks.Observe(1, 20'000, 0);
  EXPECT_EQ(watermarks.Current(0), 9'999);
}

TEST(SplitWatermarksTest, AnIdleSplitStopsCountingUntilItHasRecordsAgain) {
  SplitWatermarks watermarks(/*lag=*/0, /*idle_timeout=*/100);
  watermarks.SetSplits({0, 1}, 1'000);
  watermarks.Observe(0, 500, 1'050);
  EXPECT_EQ(watermarks.Current(1'099), kMinWatermark);  // split 1 not idle yet
  EXPECT_EQ(watermarks.Current(1'100), 500);            // now it is
  // Split 0 is idle too: its watermark stands, split 1 (never a record) is ignored.
  EXPECT_EQ(watermarks.Current(1'150), 500);
  watermarks.Observe(1, 200, 1'160);
  EXPECT_EQ(watermarks.Current(1'160), 200);  // split 1 is back, split 0 idle
  watermarks.Observe(0, 700, 1'170);
  EXPECT_EQ(watermarks.Current(1'170), 200);
}

TEST(SplitWatermarksTest, FinishedSplitsAreForgottenAndNewOnesHoldBack) {
  SplitWatermarks watermarks(/*lag=*/0, /*idle_timeout=*/-1);
  EXPECT_FALSE(watermarks.enabled());
  watermarks.SetSplits({3, 7}, 0);
  EXPECT_TRUE(watermarks.enabled());
  watermarks.Observe(3, 40, 0);
  watermarks.Observe(7, 90, 0);
  EXPECT_EQ(watermarks.Current(0), 40);
  watermarks.SetSplits({7}, 0);  // split 3 finished
  EXPECT_EQ(watermarks.Current(0), 90);
  watermarks.Observe(3, 60, 0);  // its last records, polled with the news: no split again
  EXPECT_EQ(watermarks.Current(0), 90);
  watermarks.SetSplits({7, 9}, 0);  // a new partition was discovered
  EXPECT_EQ(watermarks.Current(0), kMinWatermark);
  watermarks.Observe(9, 95, 0);
  EXPECT_EQ(watermarks.Current(0), 90);
  EXPECT_EQ(watermarks.size(), 2u);
}

TEST(SplitWatermarksTest, AnEmptySplitGoingIdleWithTheOthersDoesNotHideThem) {
  // The records of split 0 came in the very poll that named both splits.
  SplitWatermarks watermarks(/*lag=*/1, /*idle_timeout=*/300);
  watermarks.SetSplits({0, 1}, 5'000);
  watermarks.Observe(0, 42'000, 5'000);
  EXPECT_EQ(watermarks.Current(5'299), kMinWatermark);  // split 1 may still have records
  EXPECT_EQ(watermarks.Current(5'300), 41'999);         // both idle: split 0's stands
  SplitWatermarks empty(/*lag=*/1, /*idle_timeout=*/300);
  empty.SetSplits({0, 1}, 5'000);
  EXPECT_EQ(empty.Current(9'000), kMinWatermark);  // no split ever had a record
}

TEST(SplitWatermarksTest, SplitsNeverListedAreAddedByTheirFirstRecord) {
  SplitWatermarks watermarks(/*lag=*/0, /*idle_timeout=*/-1);
  watermarks.Observe(1, 300, 0);
  EXPECT_EQ(watermarks.Current(0), 300);
  watermarks.Observe(2, 100, 0);
  EXPECT_EQ(watermarks.Current(0), 100);
}

TEST(SplitWatermarksTest, AgreesWithTheMinimumOverPerSplitMaximaOnRandomInput) {
  std::mt19937 random(7);
  SplitWatermarks watermarks(/*lag=*/5, /*idle_timeout=*/-1);
  watermarks.SetSplits({0, 1, 2, 3}, 0);
  std::vector<int64_t> maxima(4, kMinWatermark);
  for (int i = 0; i < 2'000; ++i) {
    const int32_t split = static_cast<int32_t>(random() % 4);
    const int64_t timestamp = static_cast<int64_t>(random() % 100'000) + split * 1'000'000;
    watermarks.Observe(split, timestamp, 0);
    maxima[split] = std::max(maxima[split], timestamp);
    int64_t expected = kMaxWatermark;
    for (int64_t maximum : maxima) {
      expected = maximum == kMinWatermark ? kMinWatermark : std::min(expected, maximum - 5);
      if (expected == kMinWatermark) break;
    }
    ASSERT_EQ(watermarks.Current(0), expected) << "after record " << i;
  }
}

// Records the statuses a source subtask emits.
class StatusLog : public Collector {
 public:
  void Collect(BatchPtr) override {}
  void CollectSide(int, BatchPtr) override {}
  void EmitWatermark(int64_t) override {}
  void EmitWatermarkStatus(bool idle) override { statuses.push_back(idle); }
  std::vector<bool> statuses;
};

TEST(SourceActivityTest, IdleAfterTheTimeoutWithoutRecordsActiveWithTheNextOne) {
  SourceActivity activity(/*idle_timeout=*/100);
  StatusLog out;
  activity.Track(false, 1'000, out);  // the first poll starts the clock
  activity.Track(false, 1'099, out);
  EXPECT_TRUE(out.statuses.empty());
  activity.Track(false, 1'100, out);
  activity.Track(false, 5'000, out);  // idle once, not again
  EXPECT_EQ(out.statuses, std::vector<bool>({true}));
  activity.Track(true, 5'001, out);
  activity.Track(true, 5'002, out);
  EXPECT_EQ(out.statuses, std::vector<bool>({true, false}));
  activity.Track(false, 5'101, out);  // 99 ms after the last records: not yet
  EXPECT_EQ(out.statuses.size(), 2u);
}

TEST(SourceActivityTest, ANegativeTimeoutNeverGoesIdle) {
  SourceActivity activity(/*idle_timeout=*/-1);
  StatusLog out;
  activity.Track(false, 0, out);
  activity.Track(false, 1'000'000, out);
  EXPECT_TRUE(out.statuses.empty());
}

}  // namespace
}  // namespace fluvial::runtime
