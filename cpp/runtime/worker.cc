#include "runtime/worker.h"

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
    Guarded(node_->info, [&] { node_->op->ProcessBatch(0, std::move(batch), node_->output); });
  }

 private:
  ChainNode* node_;
};

}  // namespace

void ChainNode::FanOut::Collect(BatchPtr batch) {
  if (targets.empty()) return;  // a sink's output goes nowhere
  for (size_t i = 0; i + 1 < targets.size(); ++i) targets[i]->Collect(batch->Share());
  targets.back()->Collect(std::move(batch));
}

ExchangeWriter::ExchangeWriter(std::unique_ptr<Partitioner> partitioner, int input_index)
    : partitioner_(std::move(partitioner)), input_index_(input_index) {}

void ExchangeWriter::Connect(int target, Mailbox* mailbox, int channel) {
  if (static_cast<int>(receivers_.size()) <= target) receivers_.resize(target + 1);
  receivers_[target] = Receiver{mailbox, channel};
}

void ExchangeWriter::Collect(BatchPtr batch) { partitioner_->Route(std::move(batch), &pending_); }

bool ExchangeWriter::Flush() {
  bool open = true;
  for (auto& [target, batch] : pending_) {
    const Receiver& receiver = receivers_.at(target);
    FLUVIAL_CHECK(receiver.mailbox != nullptr, "no channel to subtask ", target);
    StreamMessage message;
    message.kind = MessageKind::kData;
    message.input = input_index_;
    message.channel = receiver.channel;
    message.batch = std::move(batch);
    if (!receiver.mailbox->Push(std::move(message))) {
      open = false;
      break;
    }
  }
  pending_.clear();
  return open;
}

void ExchangeWriter::SendEndOfInput() {
  for (const Receiver& receiver : receivers_) {
    if (receiver.mailbox == nullptr) continue;
    StreamMessage message;
    message.kind = MessageKind::kEndOfInput;
    message.input = input_index_;
    message.channel = receiver.channel;
    receiver.mailbox->Push(std::move(message));
  }
}

Worker::Worker(Job* job, size_t mailbox_capacity, bool is_source) : job_(job) {
  if (!is_source) mailbox_ = std::make_unique<Mailbox>(mailbox_capacity);
}

ChainNode* Worker::AddNode(std::unique_ptr<ChainNode> node) {
  requires_python_ |= node->op ? node->op->RequiresPython() : node->source->RequiresPython();
  nodes_.push_back(std::move(node));
  ChainNode* added = nodes_.back().get();
  // Chained nodes are reached from their predecessor's fan-out.
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
          if (node->op) Guarded(node->info, [&] { node->op->Finish(node->output); });
        }
      }
      if (FlushWriters()) {
        for (auto& writer : writers_) writer->SendEndOfInput();
      }
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
      status = Guarded(head.info, [&] { return head.source->Poll(head.output); });
    }
    if (!FlushWriters()) return;
    if (status == SourceStatus::kEnded) return;
    if (status == SourceStatus::kIdle) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

void Worker::RunOperators(ExecutionLock::ThreadScope* scope) {
  ChainNode& head = *nodes_[0];
  int ended_channels = 0;
  std::vector<StreamMessage> messages;
  while (ended_channels < channel_count_) {
    if (!mailbox_->PopAll(&messages, 64)) return;  // closed: the job was cancelled
    {
      Turn turn(scope);
      for (auto& message : messages) {
        switch (message.kind) {
          case MessageKind::kData:
            Guarded(head.info, [&] {
              head.op->ProcessBatch(message.input, std::move(message.batch), head.output);
            });
            break;
          case MessageKind::kEndOfInput:
            ++ended_channels;
            break;
          case MessageKind::kWatermark:
            break;  // event time arrives with the windowing work
        }
      }
      messages.clear();
    }
    if (!FlushWriters()) return;
  }
}

}  // namespace fluvial::runtime
