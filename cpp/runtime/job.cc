#include "runtime/job.h"

#include <chrono>
#include <map>

#include "common/errors.h"
#include "runtime/key_groups.h"
#include "runtime/worker.h"

namespace fluvial::runtime {

OperatorFailure::OperatorFailure(std::exception_ptr cause, std::string operator_name,
                                 int subtask_index, int parallelism)
    : cause_(std::move(cause)),
      operator_name_(std::move(operator_name)),
      subtask_index_(subtask_index),
      parallelism_(parallelism) {
  std::string reason = "unknown error";
  try {
    std::rethrow_exception(cause_);
  } catch (const std::exception& error) {
    reason = error.what();
  } catch (...) {
  }
  message_ = location() + " failed: " + reason;
}

std::string OperatorFailure::location() const {
  return detail::Concat("operator '", operator_name_, "' (subtask ", subtask_index_ + 1, "/",
                        parallelism_, ")");
}

Job::Job(const JobGraph& graph, std::shared_ptr<ExecutionLock> lock)
    : lock_(std::move(lock)),
      clock_(graph.clock ? graph.clock : std::make_shared<SystemClock>()),
      checkpointing_(graph.checkpointing),
      exactly_once_(graph.exactly_once) {
  ValidateJobGraph(graph);
  // Which worker hosts each node's subtasks, and the instance it runs there.
  std::map<int, std::vector<Worker*>> host_of;
  std::map<int, std::vector<ChainNode*>> instance_of;
  std::map<int, const JobNode*> node_by_id;

  for (const JobNode& node : graph.nodes) {
    node_by_id[node.id] = &node;
    const bool chained = IsChainedToInput(graph, node);
    for (int subtask = 0; subtask < node.parallelism; ++subtask) {
      Worker* host;
      if (chained) {
        host = host_of[node.inputs[0].from_node][subtask];
      } else {
        workers_.push_back(
            std::make_unique<Worker>(this, graph.mailbox_capacity, node.is_source()));
        host = workers_.back().get();
      }
      auto instance = std::make_unique<ChainNode>();
      instance->info.name = node.name;
      instance->info.subtask_index = subtask;
      instance->info.parallelism = node.parallelism;
      instance->info.max_parallelism = node.max_parallelism;
      instance->info.clock = clock_.get();
      instance->info.key_group_begin = FirstKeyGroup(subtask, node.max_parallelism, node.parallelism);
      instance->info.key_group_end =
          FirstKeyGroup(subtask + 1, node.max_parallelism, node.parallelism);
      if (node.is_source()) {
        instance->source = node.make_source(subtask);
      } else {
        instance->op = node.make_operator(subtask);
      }
      host_of[node.id].push_back(host);
      instance_of[node.id].push_back(host->AddNode(std::move(instance)));
    }
  }

  // Wire every edge: a direct call inside a chain, an exchange otherwise.
  for (const JobNode& node : graph.nodes) {
    const bool chained = IsChainedToInput(graph, node);
    for (const JobEdge& edge : node.inputs) {
      const JobNode& from = *node_by_id.at(edge.from_node);
      for (int sender = 0; sender < from.parallelism; ++sender) {
        ChainNode* sending = instance_of[from.id][sender];
        OutputTargets& targets = sending->targets_for(edge.output_tag);
        if (chained) {
          targets.Add(instance_of[node.id][sender]->chained_input.get());
          continue;
        }
        auto writer = std::make_unique<ExchangeWriter>(MakePartitioner(
            edge.partition, sender, from.parallelism, node.parallelism, node.max_parallelism));
        for (int target : writer->PossibleTargets()) {
          Worker* receiver = host_of[node.id][target];
          writer->Connect(target, std::make_unique<LocalChannel>(receiver->mailbox(), edge.input_index,
                                                                 receiver->RegisterChannel()));
        }
        targets.Add(host_of[from.id][sender]->AddWriter(std::move(writer)));
      }
    }
  }
}

Job::~Job() {
  Cancel();
  JoinThreads();
}

void Job::Start() {
  std::lock_guard lock(mutex_);
  FLUVIAL_CHECK(!started_, "a job can be started once");
  started_ = true;
  running_ = workers_.size();
  threads_.reserve(workers_.size());
  for (auto& worker : workers_) {
    threads_.emplace_back([worker = worker.get()] { worker->Run(); });
  }
}

void Job::Wait() {
  std::unique_lock lock(mutex_);
  ended_.wait(lock, [&] { return running_ == 0; });
  lock.unlock();
  JoinThreads();
}

bool Job::WaitFor(int64_t timeout_ms) {
  std::unique_lock lock(mutex_);
  if (!ended_.wait_for(lock, std::chrono::milliseconds(timeout_ms),
                       [&] { return running_ == 0; })) {
    return false;
  }
  lock.unlock();
  // Every worker has ended; once this returns, their threads are gone too.
  JoinThreads();
  return true;
}

void Job::JoinThreads() {
  std::lock_guard lock(join_mutex_);
  for (auto& thread : threads_) {
    if (thread.joinable()) thread.join();
  }
}

void Job::Cancel() {
  {
    // A job that has ended stays as it ended: finished or failed.
    std::lock_guard lock(mutex_);
    if (started_ && running_ == 0) return;
  }
  if (cancelled_.exchange(true)) return;
  {
    std::lock_guard lock(mutex_);
    final_checkpoint_.notify_all();
  }
  for (auto& worker : workers_) {
    if (worker->mailbox()) worker->mailbox()->Close();
    worker->Cancel();
  }
}

bool Job::done() const {
  std::lock_guard lock(mutex_);
  return started_ && running_ == 0;
}

std::exception_ptr Job::failure() const {
  std::lock_guard lock(mutex_);
  return failure_;
}

void Job::ReportFailure(std::exception_ptr failure) {
  {
    std::lock_guard lock(mutex_);
    // The first failure is the cause; what follows is usually its echo
    // (other workers noticing the cancellation).
    if (failure_ || cancelled_.load()) return;
    failure_ = std::move(failure);
  }
  Cancel();
}

void Job::TriggerCheckpoint(int64_t checkpoint_id) {
  FLUVIAL_CHECK(checkpoint_id > 0, "checkpoint ids are positive, got ", checkpoint_id);
  for (auto& worker : workers_) {
    if (worker->is_source()) worker->TriggerCheckpoint(checkpoint_id);
  }
}

void Job::NotifyCheckpointComplete(int64_t checkpoint_id) {
  for (auto& worker : workers_) worker->NotifyCheckpointComplete(checkpoint_id);
}

void Job::CompleteFinalCheckpoint(int64_t checkpoint_id) {
  std::lock_guard lock(mutex_);
  final_checkpoint_done_ = true;
  final_checkpoint_id_ = checkpoint_id;
  final_checkpoint_.notify_all();
}

int64_t Job::WaitForFinalCheckpoint() {
  std::unique_lock lock(mutex_);
  final_checkpoint_.wait(lock, [&] { return final_checkpoint_done_ || cancelled_.load(); });
  return cancelled_.load() ? 0 : final_checkpoint_id_;
}

void Job::WorkerEnded() {
  std::lock_guard lock(mutex_);
  if (--running_ == 0) ended_.notify_all();
}

}  // namespace fluvial::runtime
