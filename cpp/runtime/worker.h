#pragma once

#include <memory>
#include <vector>

#include "runtime/execution_lock.h"
#include "runtime/job_graph.h"
#include "runtime/mailbox.h"
#include "runtime/operator.h"
#include "runtime/partitioner.h"

namespace fluvial::runtime {

class Job;

/// One running operator instance inside a worker, with the collector its
/// output goes to (chained operators and exchange writers, fanned out).
struct ChainNode {
  class FanOut : public Collector {
   public:
    void Collect(BatchPtr batch) override;
    std::vector<Collector*> targets;
  };

  std::unique_ptr<Operator> op;            // set unless this is the source
  std::unique_ptr<SourceOperator> source;  // set for the head of a source chain
  OperatorInfo info;
  FanOut output;
  /// How the predecessor in the chain calls this node (null for the head).
  std::unique_ptr<Collector> chained_input;
};

/// Sends one operator instance's output over an exchange: partitions each
/// batch and keeps the parts until Flush, which the worker calls after
/// leaving the interpreter lock, because pushing may wait for space.
class ExchangeWriter : public Collector {
 public:
  ExchangeWriter(std::unique_ptr<Partitioner> partitioner, int input_index);
  /// Connects receiver subtask 'target' through 'mailbox' as channel 'channel'.
  void Connect(int target, Mailbox* mailbox, int channel);
  std::vector<int> PossibleTargets() const { return partitioner_->PossibleTargets(); }

  void Collect(BatchPtr batch) override;
  /// Pushes the pending parts; returns false if a receiver was closed.
  bool Flush();
  /// Tells every connected receiver this sender is done.
  void SendEndOfInput();
  /// Drops what was never sent (after a failure).
  void DropPending() { pending_.clear(); }

 private:
  struct Receiver {
    Mailbox* mailbox = nullptr;
    int channel = -1;
  };
  std::unique_ptr<Partitioner> partitioner_;
  int input_index_;
  std::vector<Receiver> receivers_;
  std::vector<std::pair<int, BatchPtr>> pending_;
};

/// One subtask of a chain of operators, run on its own thread as a loop:
/// take what the mailbox holds (or poll the source), enter the interpreter
/// lock once, push everything through the chain, leave, flush the exchanges.
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

 private:
  void RunSource(ExecutionLock::ThreadScope* scope);
  void RunOperators(ExecutionLock::ThreadScope* scope);
  bool FlushWriters();

  Job* job_;
  std::unique_ptr<Mailbox> mailbox_;
  std::vector<std::unique_ptr<ChainNode>> nodes_;
  std::vector<std::unique_ptr<ExchangeWriter>> writers_;
  int channel_count_ = 0;
  bool requires_python_ = false;
};

}  // namespace fluvial::runtime
