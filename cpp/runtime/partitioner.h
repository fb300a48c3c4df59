#pragma once

#include <memory>
#include <random>
#include <utility>
#include <vector>

#include "runtime/batch.h"
#include "runtime/job_graph.h"

namespace fluvial::runtime {

/// Splits a batch over the downstream subtasks of one exchange.
/// One instance per sending subtask; not thread-safe.
class Partitioner {
 public:
  virtual ~Partitioner() = default;
  /// Appends (target subtask, part of 'batch') pairs to 'out'.
  virtual void Route(BatchPtr batch, std::vector<std::pair<int, BatchPtr>>* out) = 0;
  /// Returns the downstream subtasks this sender may ever send to.
  virtual std::vector<int> PossibleTargets() const = 0;
};

/// Builds the partitioner used by subtask 'sender' of a 'sender_parallelism'
/// operator sending to a 'receiver_parallelism' operator.
std::unique_ptr<Partitioner> MakePartitioner(PartitionKind kind, int sender, int sender_parallelism,
                                             int receiver_parallelism, int max_parallelism);

}  // namespace fluvial::runtime
