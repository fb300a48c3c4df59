#pragma once

#include <cstdint>
#include <limits>
#include <string>

#include "runtime/batch.h"

namespace fluvial::runtime {

/// The smallest and largest event times. A watermark of kMaxWatermark means
/// "no more records": every event-time timer and window fires.
constexpr int64_t kMinWatermark = std::numeric_limits<int64_t>::min();
constexpr int64_t kMaxWatermark = std::numeric_limits<int64_t>::max();
/// The id a worker's last snapshot carries: taken after every input has
/// ended and the chain has finished (the job's final checkpoint).
constexpr int64_t kFinalCheckpoint = -1;
/// "No timer pending" for NextProcessingTimer.
constexpr int64_t kNoTimer = std::numeric_limits<int64_t>::max();

/// Receives what an operator emits: batches on its main output or on a side
/// output (numbered from 1), and watermarks. Emitting hands the batch over.
class Collector {
 public:
  virtual ~Collector() = default;
  virtual void Collect(BatchPtr batch) = 0;
  /// Emits on side output 'tag' (>= 1); dropped if nothing consumes it.
  virtual void CollectSide(int tag, BatchPtr batch) = 0;
  /// Tells everything downstream that no record older than 'watermark' follows.
  virtual void EmitWatermark(int64_t watermark) = 0;
  /// Tells everything downstream that this output went idle (no records for
  /// a while: leave it out of the event-time minimum) or is active again.
  virtual void EmitWatermarkStatus(bool idle) = 0;
};

/// Where a running operator instance sits in the job.
struct OperatorInfo {
  std::string name;
  int subtask_index = 0;
  int parallelism = 1;
  int max_parallelism = 128;
  /// First and one-past-last key group this subtask owns (keyed operators).
  uint32_t key_group_begin = 0;
  uint32_t key_group_end = 128;
  /// The job's processing-time clock (never null while the job runs).
  const class Clock* clock = nullptr;
};

/// The contract of every operator that consumes input.
///
/// Implementation rules:
/// - Records keep their order per input channel; a watermark follows every
///   record sent before it on that channel.
/// - All methods of one instance are called on the same worker thread and
///   never concurrently, so an operator needs no locks for its own state.
/// - Open is called once before any input; Finish once after every input has
///   ended (it may still emit); Close last, also after a failure or a cancel
///   (it must not emit).
/// - If RequiresPython() is true the worker holds the Python interpreter lock
///   around every call; otherwise it never does.
/// - An exception thrown from any method fails the whole job; the worker
///   attaches the operator's name.
class Operator {
 public:
  virtual ~Operator() = default;
  virtual void Open(const OperatorInfo& info) { (void)info; }
  /// Processes one batch that arrived on input 'input' (0, or 1 for the
  /// second input of a two-input operator).
  virtual void ProcessBatch(int input, BatchPtr batch, Collector& out) = 0;
  /// Called when the event-time clock (the minimum watermark over all input
  /// channels) advances: fire what is due, then pass the watermark on.
  virtual void ProcessWatermark(int64_t watermark, Collector& out) { out.EmitWatermark(watermark); }
  /// Called when all inputs went idle, or one came back.
  virtual void ProcessWatermarkStatus(bool idle, Collector& out) { out.EmitWatermarkStatus(idle); }
  /// Returns the earliest processing time (ms) at which OnProcessingTime must
  /// run, or kNoTimer.
  virtual int64_t NextProcessingTimer() const { return kNoTimer; }
  /// Called when the processing-time clock reached NextProcessingTimer().
  virtual void OnProcessingTime(int64_t now, Collector& out) { (void)now, (void)out; }
  /// Called when checkpoint barrier 'checkpoint_id' has passed this operator
  /// (every record before it processed, none after): hands a copy of the
  /// state to checkpoint storage. kFinalCheckpoint after Finish.
  virtual void SnapshotState(int64_t checkpoint_id) { (void)checkpoint_id; }
  /// Called once checkpoint 'checkpoint_id' is durable: commit what was
  /// pre-committed up to it.
  virtual void NotifyCheckpointComplete(int64_t checkpoint_id) { (void)checkpoint_id; }
  virtual void Finish(Collector& out) { (void)out; }
  virtual void Close() {}
  virtual bool RequiresPython() const { return false; }
};

enum class SourceStatus {
  kMoreAvailable,  ///< Call Poll again right away.
  kIdle,           ///< Nothing now; poll again after a short wait.
  kEnded,          ///< The (bounded) input is exhausted.
};

/// The contract of a source: the worker polls it in a loop. Same rules as
/// Operator, plus Cancel, the one method called from another thread.
class SourceOperator {
 public:
  virtual ~SourceOperator() = default;
  virtual void Open(const OperatorInfo& info) { (void)info; }
  /// Emits what is available now, preferably one batch of a few hundred
  /// records or more, and says whether more will come.
  virtual SourceStatus Poll(Collector& out) = 0;
  /// Asks a running Poll to return soon. Thread-safe.
  virtual void Cancel() {}
  /// Returns true when everything the source has read was emitted, so its
  /// position can be snapshotted and a barrier follow.
  virtual bool CanSnapshot() const { return true; }
  /// Stores the source's position for checkpoint 'checkpoint_id'.
  virtual void SnapshotState(int64_t checkpoint_id) { (void)checkpoint_id; }
  virtual void NotifyCheckpointComplete(int64_t checkpoint_id) { (void)checkpoint_id; }
  virtual void Close() {}
  virtual bool RequiresPython() const { return false; }
};

}  // namespace fluvial::runtime
