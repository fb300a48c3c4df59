#include "runtime/worker.h"

#include <algorithm>
#include <chrono>
#include <thread>

#include "common/errors.h"
#include "runtime/job.h"

namespace fluvial::runtime {
namespace {

// Runs 'call' and, if it throws, names the operator instance it threw in.
// A failure already named by an operator further down the chain passes as is.
template <typename Call>
auto Guarded(const OperatorInfo& info, Call&& call) -> decltype(call()) {
  try {
    return call();
  } catch (const OperatorFailure&) {
    throw;
  } catch (...) {
    throw OperatorFailure(std::current_exception(), info.name, info.subtask_index,
                          info.parallelism);
  }
}

// Holds the interpreter lock for one turn of the loop; a no-op for chains
// that never call into the interpreter.
class Turn {
 public:
  explicit Turn(ExecutionLock::ThreadScope* scope) : scope_(scope) {
    if (scope_) scope_->Enter();
  }
  ~Turn() {
    if (scope_) scope_->Leave();
  }

 private:
  ExecutionLock::ThreadScope* scope_;
};

// Feeds a chained operator directly from its predecessor's output.
class ChainedInput : public Collector {
 public:
  explicit ChainedInput(ChainNode* node) : node_(node) {}
  void Collect(BatchPtr batch) override {
    Guarded(node_->info, [&] { node_->op->ProcessBatch(0, std::move(batch), node_->output()); });
  }
  void CollectSide(int, BatchPtr) override {
    throw InternalError("a chained input receives its predecessor's output, never a side output");
  }
  void EmitWatermark(int64_t watermark) override {
    Guarded(node_->info, [&] { node_->op->ProcessWatermark(watermark, node_->output()); });
  }
  void EmitWatermarkStatus(bool idle) override {
    Guarded(node_->info, [&] { node_->op->ProcessWatermarkStatus(idle, node_->output()); });
  }

 private:
  ChainNode* node_;
};

}  // namespace

void OutputTargets::Collect(BatchPtr batch) {
  if (targets_.empty()) return;  // nothing consumes this output
  for (size_t i = 0; i + 1 < targets_.size(); ++i) targets_[i]->Collect(batch->Share());
  targets_.back()->Collect(std::move(batch));
}

void OutputTargets::EmitWatermark(int64_t watermark) {
  for (Collector* target : targets_) target->EmitWatermark(watermark);
}

void OutputTargets::EmitWatermarkStatus(bool idle) {
  for (Collector* target : targets_) target->EmitWatermarkStatus(idle);
}

void ChainNode::CollectSide(int tag, BatchPtr batch) {
  auto found = side_outputs.find(tag);
  if (found != side_outputs.end()) found->second.Collect(std::move(batch));
}

void ChainNode::EmitWatermark(int64_t watermark) {
  main_output.EmitWatermark(watermark);
  for (auto& [tag, targets] : side_outputs) targets.EmitWatermark(watermark);
}

void ChainNode::EmitWatermarkStatus(bool idle) {
  main_output.EmitWatermarkStatus(idle);
  for (auto& [tag, targets] : side_outputs) targets.EmitWatermarkStatus(idle);
}

ExchangeWriter::ExchangeWriter(std::unique_ptr<Partitioner> partitioner)
    : partitioner_(std::move(partitioner)) {}

void ExchangeWriter::Connect(int target, std::unique_ptr<OutputChannel> channel) {
  if (static_cast<int>(receivers_.size()) <= target) receivers_.resize(target + 1);
  receivers_[target] = std::move(channel);
}

void ExchangeWriter::Collect(BatchPtr batch) {
  partitioner_->Route(std::move(batch), &routed_);
  for (auto& [target, part] : routed_) {
    StreamMessage message;
    message.kind = MessageKind::kData;
    message.batch = std::move(part);
    pending_.emplace_back(target, std::move(message));
  }
  routed_.clear();
}

void ExchangeWriter::CollectSide(int, BatchPtr) {
  throw InternalError("an exchange receives one output of its sender, never a side output");
}

void ExchangeWriter::EmitWatermark(int64_t watermark) {
  QueueForAll(MessageKind::kWatermark, watermark);
}

void ExchangeWriter::EmitWatermarkStatus(bool idle) {
  QueueForAll(MessageKind::kWatermarkStatus, idle ? 1 : 0);
}

void ExchangeWriter::EmitBarrier(int64_t checkpoint_id) {
  QueueForAll(MessageKind::kBarrier, 0, checkpoint_id);
}

void ExchangeWriter::QueueForAll(MessageKind kind, int64_t value, int64_t checkpoint_id) {
  for (size_t target = 0; target < receivers_.size(); ++target) {
    if (!receivers_[target]) continue;
    StreamMessage message;
    message.kind = kind;
    message.watermark = value;
    message.checkpoint_id = checkpoint_id;
    pending_.emplace_back(static_cast<int>(target), std::move(message));
  }
}

bool ExchangeWriter::Flush() {
  bool open = true;
  for (auto& [target, message] : pending_) {
    OutputChannel* channel = receivers_.at(target).get();
    FLUVIAL_CHECK(channel != nullptr, "no channel to subtask ", target);
    if (!channel->Send(std::move(message))) {
      open = false;
      break;
    }
  }
  pending_.clear();
  return open;
}

void ExchangeWriter::SendEndOfInput() {
  for (auto& channel : receivers_) {
    if (!channel) continue;
    StreamMessage message;
    message.kind = MessageKind::kEndOfInput;
    channel->Send(std::move(message));
  }
}

Worker::Worker(Job* job, size_t mailbox_capacity, bool is_source) : job_(job) {
  if (!is_source) mailbox_ = std::make_unique<Mailbox>(mailbox_capacity);
}

ChainNode* Worker::AddNode(std::unique_ptr<ChainNode> node) {
  requires_python_ |= node->op ? node->op->RequiresPython() : node->source->RequiresPython();
  nodes_.push_back(std::move(node));
  ChainNode* added = nodes_.back().get();
  // Chained nodes are reached from their predecessor's outputs.
  if (nodes_.size() > 1) added->chained_input = std::make_unique<ChainedInput>(added);
  return added;
}

ExchangeWriter* Worker::AddWriter(std::unique_ptr<ExchangeWriter> writer) {
  writers_.push_back(std::move(writer));
  return writers_.back().get();
}

bool Worker::FlushWriters() {
  bool open = true;
  for (auto& writer : writers_) open &= writer->Flush();
  return open;
}

void Worker::Cancel() {
  if (!nodes_.empty() && nodes_[0]->source) nodes_[0]->source->Cancel();
}

int64_t Worker::NextProcessingTimer() const {
  int64_t next = kNoTimer;
  for (const auto& node : nodes_) {
    if (node->op) next = std::min(next, node->op->NextProcessingTimer());
  }
  return next;
}

void Worker::FireProcessingTimers() {
  const int64_t now = nodes_[0]->info.clock->NowMillis();
  for (auto& node : nodes_) {
    if (node->op && node->op->NextProcessingTimer() <= now) {
      Guarded(node->info, [&] { node->op->OnProcessingTime(now, node->output()); });
    }
  }
}

std::chrono::steady_clock::time_point Worker::WaitDeadline(int64_t cap_millis) const {
  int64_t wait = cap_millis;
  const int64_t next = NextProcessingTimer();
  if (next != kNoTimer) {
    wait = std::clamp<int64_t>(next - nodes_[0]->info.clock->NowMillis(), 0, cap_millis);
  }
  return std::chrono::steady_clock::now() + std::chrono::milliseconds(wait);
}

void Worker::AdvanceWatermark(int channel, int64_t watermark) {
  int64_t& channel_watermark = channel_watermarks_.at(channel);
  if (watermark <= channel_watermark) return;  // watermarks never go back
  channel_watermark = watermark;
  RecomputeWatermark();
}

void Worker::SetChannelIdle(int channel, bool idle) {
  if (channel_idle_.at(channel) == idle) return;
  channel_idle_[channel] = idle;
  RecomputeWatermark();
}

void Worker::RecomputeWatermark() {
  // Event time is the minimum over the channels that are not idle; with all
  // of them idle, this worker's outputs go idle too, after the maximum over
  // all channels: none of them moves any more, so what each one reached
  // stands (Flink's StatusWatermarkValve flushes the same way).
  ChainNode& head = *nodes_[0];
  int64_t combined = kMaxWatermark;
  int64_t flushed = kMinWatermark;
  bool any_active = false;
  for (size_t i = 0; i < channel_watermarks_.size(); ++i) {
    flushed = std::max(flushed, channel_watermarks_[i]);
    if (channel_idle_[i]) continue;
    any_active = true;
    combined = std::min(combined, channel_watermarks_[i]);
  }
  if (!any_active) combined = flushed;
  // Active again before a watermark, idle only after the flushed one.
  if (any_active && all_channels_idle_) SetAllChannelsIdle(false);
  if (combined > current_watermark_ && combined != kMinWatermark) {
    current_watermark_ = combined;
    Guarded(head.info, [&] { head.op->ProcessWatermark(combined, head.output()); });
  }
  if (!any_active && !all_channels_idle_) SetAllChannelsIdle(true);
}

void Worker::SetAllChannelsIdle(bool idle) {
  ChainNode& head = *nodes_[0];
  all_channels_idle_ = idle;
  Guarded(head.info, [&] { head.op->ProcessWatermarkStatus(idle, head.output()); });
}

void Worker::Run() {
  std::unique_ptr<ExecutionLock::ThreadScope> scope;
  if (requires_python_ && job_->lock() != nullptr) scope = job_->lock()->AttachThread();
  try {
    {
      Turn turn(scope.get());
      for (auto& node : nodes_) {
        Guarded(node->info, [&] {
          if (node->source) {
            node->source->Open(node->info);
          } else {
            node->op->Open(node->info);
          }
        });
      }
    }
    if (nodes_[0]->source) {
      RunSource(scope.get());
    } else {
      RunOperators(scope.get());
    }
    if (!job_->cancelled()) {
      {
        Turn turn(scope.get());
        // Nodes were added in topological order: finishing a node may emit
        // into the nodes after it, which are finished next.
        for (auto& node : nodes_) {
          if (node->op) Guarded(node->info, [&] { node->op->Finish(node->output()); });
        }
      }
      if (FlushWriters()) {
        for (auto& writer : writers_) writer->SendEndOfInput();
      }
      if (job_->checkpointing()) TakeFinalCheckpoint(scope.get());
    }
  } catch (...) {
    job_->ReportFailure(std::current_exception());
  }
  {
    // Close everything and free whatever records are left, inside the
    // interpreter lock since records may be interpreter objects.
    Turn turn(scope.get());
    for (auto& node : nodes_) {
      try {
        Guarded(node->info, [&] {
          if (node->source) {
            node->source->Close();
          } else {
            node->op->Close();
          }
        });
      } catch (...) {
        job_->ReportFailure(std::current_exception());
      }
    }
    for (auto& writer : writers_) writer->DropPending();
    if (mailbox_) mailbox_->Drain();
  }
  scope.reset();
  job_->WorkerEnded();
}

void Worker::RunSource(ExecutionLock::ThreadScope* scope) {
  ChainNode& head = *nodes_[0];
  while (!job_->cancelled()) {
    SourceStatus status;
    {
      Turn turn(scope);
      if (job_->checkpointing()) ServeSourceCheckpoints();
      status = Guarded(head.info, [&] { return head.source->Poll(head.output()); });
      if (NextProcessingTimer() != kNoTimer) FireProcessingTimers();
      if (status == SourceStatus::kEnded) {
        if (job_->checkpointing()) {
          // Barriers already triggered are injected before the end (the
          // source has emitted everything). For later checkpoints the
          // source's final snapshot stands in: its state no longer changes.
          ServeSourceCheckpoints();
          std::lock_guard lock(control_mutex_);
          source_ended_ = true;
          triggers_.clear();
        }
        // A bounded input is over: event time jumps to its end, so every
        // pending event-time timer and window downstream fires.
        head.EmitWatermark(kMaxWatermark);
      }
    }
    if (!FlushWriters()) return;
    if (status == SourceStatus::kEnded) return;
    if (status == SourceStatus::kIdle) std::this_thread::sleep_until(WaitDeadline(1));
  }
}

void Worker::RunOperators(ExecutionLock::ThreadScope* scope) {
  channel_watermarks_.assign(channel_count_, kMinWatermark);
  channel_idle_.assign(channel_count_, false);
  barrier_received_.assign(channel_count_, false);
  channel_ended_.assign(channel_count_, false);
  held_.resize(channel_count_);
  int ended_channels = 0;
  std::vector<StreamMessage> messages;
  while (ended_channels < channel_count_) {
    // Without pending timers, wait for input for as long as it takes (in
    // slices, so a manual test clock is noticed too).
    const bool timers_pending = NextProcessingTimer() != kNoTimer;
    if (!mailbox_->PopAll(&messages, 64, WaitDeadline(timers_pending ? 10 : 100))) return;
    if (messages.empty() && !timers_pending) continue;
    for (auto& message : messages) inbox_.push_back(std::move(message));
    messages.clear();
    {
      Turn turn(scope);
      while (!inbox_.empty()) {
        StreamMessage message = std::move(inbox_.front());
        inbox_.pop_front();
        Dispatch(std::move(message), &ended_channels);
      }
      if (timers_pending) FireProcessingTimers();
    }
    if (!FlushWriters()) return;
  }
}

void Worker::Dispatch(StreamMessage message, int* ended_channels) {
  ChainNode& head = *nodes_[0];
  if (message.kind == MessageKind::kCheckpointComplete) {
    NotifyChain(message.checkpoint_id);
    return;
  }
  if (aligning_ != 0 && barrier_received_[message.channel] && job_->exactly_once()) {
    // The channel delivered the barrier being aligned: what follows it
    // belongs to the next checkpoint and waits.
    held_[message.channel].push_back(std::move(message));
    return;
  }
  switch (message.kind) {
    case MessageKind::kData:
      Guarded(head.info, [&] {
        head.op->ProcessBatch(message.input, std::move(message.batch), head.output());
      });
      break;
    case MessageKind::kWatermark:
      AdvanceWatermark(message.channel, message.watermark);
      break;
    case MessageKind::kWatermarkStatus:
      SetChannelIdle(message.channel, message.watermark != 0);
      break;
    case MessageKind::kEndOfInput:
      // An ended channel holds event time back no more, nor a checkpoint.
      ++*ended_channels;
      channel_idle_[message.channel] = false;
      channel_ended_[message.channel] = true;
      AdvanceWatermark(message.channel, kMaxWatermark);
      MaybeCompleteAlignment();
      break;
    case MessageKind::kBarrier:
      OnBarrier(message.channel, message.checkpoint_id);
      break;
    case MessageKind::kCheckpointComplete:
      break;
  }
}

void Worker::OnBarrier(int channel, int64_t checkpoint_id) {
  if (aligning_ != 0 && checkpoint_id < aligning_) return;  // of an abandoned checkpoint
  if (aligning_ != 0 && checkpoint_id > aligning_) {
    // A channel skipped the checkpoint being aligned (it cannot happen
    // with FIFO channels and in-order triggers): give that one up.
    aligning_ = 0;
    MaybeCompleteAlignment();
  }
  if (aligning_ == 0) {
    aligning_ = checkpoint_id;
    barrier_received_.assign(channel_count_, false);
  }
  barrier_received_[channel] = true;
  MaybeCompleteAlignment();
}

void Worker::MaybeCompleteAlignment() {
  if (aligning_ != 0) {
    for (int channel = 0; channel < channel_count_; ++channel) {
      if (!barrier_received_[channel] && !channel_ended_[channel]) return;
    }
    SnapshotChain(aligning_);
  }
  aligning_ = 0;
  barrier_received_.assign(channel_count_, false);
  // What the blocked channels held goes first, in its order, before
  // anything that arrived after it.
  for (int channel = channel_count_ - 1; channel >= 0; --channel) {
    auto& held = held_[channel];
    while (!held.empty()) {
      inbox_.push_front(std::move(held.back()));
      held.pop_back();
    }
  }
}

void Worker::SnapshotChain(int64_t checkpoint_id) {
  for (auto& node : nodes_) {
    Guarded(node->info, [&] {
      if (node->source) {
        node->source->SnapshotState(checkpoint_id);
      } else {
        node->op->SnapshotState(checkpoint_id);
      }
    });
  }
  if (checkpoint_id == kFinalCheckpoint) return;
  for (auto& writer : writers_) writer->EmitBarrier(checkpoint_id);
}

void Worker::NotifyChain(int64_t checkpoint_id) {
  for (auto& node : nodes_) {
    Guarded(node->info, [&] {
      if (node->source) {
        node->source->NotifyCheckpointComplete(checkpoint_id);
      } else {
        node->op->NotifyCheckpointComplete(checkpoint_id);
      }
    });
  }
}

void Worker::TriggerCheckpoint(int64_t checkpoint_id) {
  std::lock_guard lock(control_mutex_);
  if (!source_ended_) triggers_.push_back(checkpoint_id);
}

void Worker::NotifyCheckpointComplete(int64_t checkpoint_id) {
  if (mailbox_) {
    StreamMessage message;
    message.kind = MessageKind::kCheckpointComplete;
    message.checkpoint_id = checkpoint_id;
    message.channel = -1;
    mailbox_->Push(std::move(message));
    return;
  }
  std::lock_guard lock(control_mutex_);
  completed_.push_back(checkpoint_id);
}

void Worker::ServeSourceCheckpoints() {
  std::vector<int64_t> triggers;
  std::vector<int64_t> completed;
  {
    std::lock_guard lock(control_mutex_);
    completed.swap(completed_);
    if (nodes_[0]->source->CanSnapshot()) triggers.swap(triggers_);
  }
  for (int64_t id : triggers) SnapshotChain(id);
  for (int64_t id : completed) NotifyChain(id);
}

void Worker::TakeFinalCheckpoint(ExecutionLock::ThreadScope* scope) {
  {
    Turn turn(scope);
    SnapshotChain(kFinalCheckpoint);
  }
  const int64_t checkpoint_id = job_->WaitForFinalCheckpoint();
  if (checkpoint_id <= 0) return;  // cancelled, or the final checkpoint failed
  Turn turn(scope);
  NotifyChain(checkpoint_id);
}

}  // namespace fluvial::runtime
