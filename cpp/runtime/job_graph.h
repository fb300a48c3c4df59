#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "runtime/clock.h"
#include "runtime/operator.h"

namespace fluvial::runtime {

/// How records of one operator are spread over the subtasks of the next.
enum class PartitionKind {
  kForward,    ///< subtask i to subtask i (needs equal parallelism)
  kHash,       ///< by key group; the batch's routing holds the key groups
  kRebalance,  ///< round robin over all downstream subtasks
  kRescale,    ///< round robin over a local subset of downstream subtasks
  kShuffle,    ///< uniformly at random
  kBroadcast,  ///< every record to every downstream subtask
  kCustom,     ///< the batch's routing holds each record's target subtask
};

const char* PartitionKindName(PartitionKind kind);

/// An input of a node: which node feeds it, on which input, how partitioned.
struct JobEdge {
  int from_node = 0;
  int input_index = 0;
  PartitionKind partition = PartitionKind::kForward;
  /// Which output of 'from_node' feeds this edge: 0 the main output, >= 1 a
  /// side output.
  int output_tag = 0;
};

/// An immutable description of one operator of the job; the factories build
/// one running instance per subtask. Exactly one factory is set.
struct JobNode {
  int id = 0;
  std::string name;
  int parallelism = 1;
  int max_parallelism = 128;
  /// False when the user called disable_chaining(): the node then runs in its
  /// own worker, apart from its neighbours.
  bool chaining_enabled = true;
  std::vector<JobEdge> inputs;
  std::function<std::unique_ptr<SourceOperator>(int subtask)> make_source;
  std::function<std::unique_ptr<Operator>(int subtask)> make_operator;

  bool is_source() const { return static_cast<bool>(make_source); }
};

/// The whole job. Nodes are listed so that every node comes after its inputs.
struct JobGraph {
  std::string name = "Fluvial Job";
  std::vector<JobNode> nodes;
  /// Data batches a worker's mailbox holds before its producers wait.
  size_t mailbox_capacity = 16;
  /// The processing-time clock; the system clock when null.
  std::shared_ptr<Clock> clock;
  /// Checkpointing: sources inject barriers when the job triggers them, and
  /// every worker takes a final snapshot at the end and waits for it to
  /// complete before closing.
  bool checkpointing = false;
  /// Aligned barriers (exactly once) or barriers passed on as they come (at
  /// least once: records after a barrier may enter the snapshot).
  bool exactly_once = true;
};

/// Returns true if 'node' runs in the same worker as its (single) input,
/// calling into it directly. Exchanges between two single-subtask operators
/// are chained too: with one sender and one receiver every partitioning is a
/// forward.
bool IsChainedToInput(const JobGraph& graph, const JobNode& node);

/// Checks the graph's shape and throws UserError naming the node at fault.
void ValidateJobGraph(const JobGraph& graph);

/// Returns a human-readable plan: one line per node with its chain and edges.
std::string DescribeJobGraph(const JobGraph& graph);

}  // namespace fluvial::runtime
