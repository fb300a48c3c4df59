#pragma once

#include <atomic>
#include <condition_variable>
#include <exception>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "runtime/execution_lock.h"
#include "runtime/job_graph.h"

namespace fluvial::runtime {

class Worker;

/// Carries an exception raised inside an operator together with the place it
/// came from, so the user learns which operator and subtask failed.
class OperatorFailure : public std::exception {
 public:
  OperatorFailure(std::exception_ptr cause, std::string operator_name, int subtask_index,
                  int parallelism);
  const char* what() const noexcept override { return message_.c_str(); }
  const std::exception_ptr& cause() const { return cause_; }
  const std::string& operator_name() const { return operator_name_; }
  /// "operator 'Map' (subtask 2/4)"
  std::string location() const;

 private:
  std::exception_ptr cause_;
  std::string operator_name_;
  int subtask_index_;
  int parallelism_;
  std::string message_;
};

/// A running job: the workers built from a JobGraph, one thread each.
///
/// Construct and destroy it on a thread that may call the operator factories
/// and destructors (with the Python embedding: holding the GIL). Start, Wait
/// and Cancel may be called from any thread.
class Job {
 public:
  Job(const JobGraph& graph, std::shared_ptr<ExecutionLock> lock);
  ~Job();
  Job(const Job&) = delete;
  Job& operator=(const Job&) = delete;

  /// Starts every worker thread.
  void Start();
  /// Blocks until every worker has ended; returns at once if already done.
  void Wait();
  /// Waits at most 'timeout_ms'; returns true if the job has ended (its
  /// threads joined, as after Wait).
  bool WaitFor(int64_t timeout_ms);
  /// Stops the job as soon as possible; Wait then returns. Does nothing to a
  /// job that has already ended.
  void Cancel();
  bool done() const;
  bool cancelled() const { return cancelled_.load(); }
  /// The first failure (an OperatorFailure), or null if none.
  std::exception_ptr failure() const;

  // Checkpoints (with JobGraph::checkpointing); any thread.
  /// Asks every source that has not ended to inject barrier 'checkpoint_id'.
  /// Workers that have ended took their final snapshot (kFinalCheckpoint),
  /// which stands for them in every later checkpoint; a channel that ended
  /// counts as aligned.
  void TriggerCheckpoint(int64_t checkpoint_id);
  /// Tells every operator that 'checkpoint_id' is durable.
  void NotifyCheckpointComplete(int64_t checkpoint_id);
  /// Releases the workers waiting after their final snapshot: they notify
  /// their operators of 'checkpoint_id' and close. 0 releases them without
  /// a notification (the final checkpoint failed).
  void CompleteFinalCheckpoint(int64_t checkpoint_id);
  bool checkpointing() const { return checkpointing_; }
  bool exactly_once() const { return exactly_once_; }

  // Called by workers.
  /// Waits until CompleteFinalCheckpoint or a cancel; returns the id (0 or
  /// less: none).
  int64_t WaitForFinalCheckpoint();
  void ReportFailure(std::exception_ptr failure);
  void WorkerEnded();
  ExecutionLock* lock() const { return lock_.get(); }

 private:
  /// Joins the worker threads (which must have ended or be ending).
  void JoinThreads();

  std::shared_ptr<ExecutionLock> lock_;
  std::shared_ptr<Clock> clock_;
  std::vector<std::unique_ptr<Worker>> workers_;
  std::vector<std::thread> threads_;
  std::mutex join_mutex_;  // one joiner at a time (Wait, WaitFor, ~Job)
  std::atomic<bool> cancelled_{false};
  mutable std::mutex mutex_;
  std::condition_variable ended_;
  size_t running_ = 0;
  bool started_ = false;
  std::exception_ptr failure_;
  bool checkpointing_ = false;
  bool exactly_once_ = true;
  std::condition_variable final_checkpoint_;
  bool final_checkpoint_done_ = false;
  int64_t final_checkpoint_id_ = 0;
};

}  // namespace fluvial::runtime
