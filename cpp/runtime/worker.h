#pragma once

#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <vector>

#include "runtime/channel.h"
#include "runtime/execution_lock.h"
#include "runtime/job_graph.h"
#include "runtime/mailbox.h"
#include "runtime/operator.h"
#include "runtime/partitioner.h"

namespace fluvial::runtime {

class Job;

/// Where one output of an operator instance goes: chained operators called
/// directly and exchange writers, each handed every batch and watermark.
class OutputTargets {
 public:
  void Add(Collector* target) { targets_.push_back(target); }
  void Collect(BatchPtr batch);
  void EmitWatermark(int64_t watermark);
  void EmitWatermarkStatus(bool idle);

 private:
  std::vector<Collector*> targets_;
};

/// One running operator instance inside a worker, with its outputs.
struct ChainNode : public Collector {
  std::unique_ptr<Operator> op;            // set unless this is the source
  std::unique_ptr<SourceOperator> source;  // set for the head of a source chain
  OperatorInfo info;
  OutputTargets main_output;
  std::map<int, OutputTargets> side_outputs;
  /// How the predecessor in the chain calls this node (null for the head).
  std::unique_ptr<Collector> chained_input;

  /// The operator's own output: this node is the Collector it emits into.
  Collector& output() { return *this; }
  OutputTargets& targets_for(int tag) { return tag == 0 ? main_output : side_outputs[tag]; }

  void Collect(BatchPtr batch) override { main_output.Collect(std::move(batch)); }
  void CollectSide(int tag, BatchPtr batch) override;
  void EmitWatermark(int64_t watermark) override;
  void EmitWatermarkStatus(bool idle) override;
};

/// Sends one operator instance's output over an exchange: partitions each
/// batch and keeps the parts, with watermarks in order, until Flush, which
/// the worker calls after leaving the interpreter lock, because pushing may
/// wait for space.
class ExchangeWriter : public Collector {
 public:
  explicit ExchangeWriter(std::unique_ptr<Partitioner> partitioner);
  /// Connects receiver subtask 'target' through 'channel'.
  void Connect(int target, std::unique_ptr<OutputChannel> channel);
  std::vector<int> PossibleTargets() const { return partitioner_->PossibleTargets(); }

  void Collect(BatchPtr batch) override;
  void CollectSide(int tag, BatchPtr batch) override;
  /// Queues the watermark (or status) for every connected receiver.
  void EmitWatermark(int64_t watermark) override;
  void EmitWatermarkStatus(bool idle) override;
  /// Pushes what is pending; returns false if a receiver was closed.
  bool Flush();
  /// Queues checkpoint barrier 'checkpoint_id' for every connected receiver.
  void EmitBarrier(int64_t checkpoint_id);
  /// Tells every connected receiver this sender is done.
  void SendEndOfInput();
  /// Drops what was never sent (after a failure).
  void DropPending() { pending_.clear(); }

 private:
  void QueueForAll(MessageKind kind, int64_t value, int64_t checkpoint_id = 0);

  std::unique_ptr<Partitioner> partitioner_;
  std::vector<std::unique_ptr<OutputChannel>> receivers_;  // by target subtask; null if unconnected
  std::vector<std::pair<int, StreamMessage>> pending_;
  std::vector<std::pair<int, BatchPtr>> routed_;
};

/// One subtask of a chain of operators, run on its own thread as a loop:
/// take what the mailbox holds (or poll the source), enter the interpreter
/// lock once, push everything through the chain, leave, flush the exchanges.
/// The worker also keeps event time (the minimum watermark over its input
/// channels) and runs processing-time timers when due.
class Worker {
 public:
  Worker(Job* job, size_t mailbox_capacity, bool is_source);

  /// Adds an operator instance; the first one added is the head of the chain.
  ChainNode* AddNode(std::unique_ptr<ChainNode> node);
  /// Registers one more upstream channel; returns its id in this mailbox.
  int RegisterChannel() { return channel_count_++; }
  ExchangeWriter* AddWriter(std::unique_ptr<ExchangeWriter> writer);
  Mailbox* mailbox() { return mailbox_.get(); }

  /// The thread body.
  void Run();
  /// Called from another thread when the job is cancelled.
  void Cancel();

  // Checkpoints; called from other threads.
  /// Asks a source worker to inject barrier 'checkpoint_id' (ignored once
  /// its source has ended: its final snapshot stands for every later one).
  void TriggerCheckpoint(int64_t checkpoint_id);
  /// Tells every operator of the chain that 'checkpoint_id' is complete.
  void NotifyCheckpointComplete(int64_t checkpoint_id);
  bool is_source() const { return !mailbox_; }

 private:
  void RunSource(ExecutionLock::ThreadScope* scope);
  void RunOperators(ExecutionLock::ThreadScope* scope);
  bool FlushWriters();
  /// Updates channel 'channel' to 'watermark' and advances event time if the
  /// minimum over all channels moved (inside the interpreter lock).
  void AdvanceWatermark(int channel, int64_t watermark);
  /// Marks channel 'channel' idle or active and recomputes event time.
  void SetChannelIdle(int channel, bool idle);
  /// Tells the chain that all input channels went idle, or that one came back.
  void SetAllChannelsIdle(bool idle);
  void RecomputeWatermark();
  /// Handles one message from the mailbox (inside the interpreter lock).
  void Dispatch(StreamMessage message, int* ended_channels);
  /// A barrier arrived on 'channel': align (exactly once) or count it.
  void OnBarrier(int channel, int64_t checkpoint_id);
  /// Snapshots the chain and sends the barrier on once every channel that
  /// has not ended delivered it; unblocks the held channels.
  void MaybeCompleteAlignment();
  /// Snapshots every operator of the chain, then queues the barrier on
  /// every exchange (inside the interpreter lock).
  void SnapshotChain(int64_t checkpoint_id);
  void NotifyChain(int64_t checkpoint_id);
  /// Source workers: injects the triggered barriers once the source can
  /// snapshot, and passes on completed checkpoints.
  void ServeSourceCheckpoints();
  /// After the end of input: the final snapshot, then the wait for the
  /// job's final checkpoint to complete.
  void TakeFinalCheckpoint(ExecutionLock::ThreadScope* scope);
  /// The earliest processing-time timer of any operator in the chain.
  int64_t NextProcessingTimer() const;
  /// Runs the processing-time timers that are due (inside the lock).
  void FireProcessingTimers();
  /// How long to wait for input before timers must run, at most 'cap' ms.
  std::chrono::steady_clock::time_point WaitDeadline(int64_t cap_millis) const;

  Job* job_;
  std::unique_ptr<Mailbox> mailbox_;
  std::vector<std::unique_ptr<ChainNode>> nodes_;
  std::vector<std::unique_ptr<ExchangeWriter>> writers_;
  int channel_count_ = 0;
  bool requires_python_ = false;
  std::vector<int64_t> channel_watermarks_;
  std::vector<bool> channel_idle_;
  bool all_channels_idle_ = false;
  int64_t current_watermark_ = kMinWatermark;

  // Checkpoints (see OnBarrier). Messages wait in inbox_ for their turn;
  // those of a channel blocked for alignment wait in held_.
  std::deque<StreamMessage> inbox_;
  int64_t aligning_ = 0;  // the checkpoint being aligned, 0 if none
  std::vector<bool> barrier_received_;
  std::vector<bool> channel_ended_;
  std::vector<std::deque<StreamMessage>> held_;
  // Source workers: triggers and completions from the job's coordinator.
  std::mutex control_mutex_;
  std::vector<int64_t> triggers_;
  std::vector<int64_t> completed_;
  bool source_ended_ = false;
};

}  // namespace fluvial::runtime
