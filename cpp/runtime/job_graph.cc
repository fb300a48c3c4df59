#include "runtime/job_graph.h"

#include <sstream>

#include "common/errors.h"

namespace fluvial::runtime {

const char* PartitionKindName(PartitionKind kind) {
  switch (kind) {
    case PartitionKind::kForward: return "FORWARD";
    case PartitionKind::kHash: return "HASH";
    case PartitionKind::kRebalance: return "REBALANCE";
    case PartitionKind::kRescale: return "RESCALE";
    case PartitionKind::kShuffle: return "SHUFFLE";
    case PartitionKind::kBroadcast: return "BROADCAST";
    case PartitionKind::kCustom: return "CUSTOM";
  }
  return "UNKNOWN";
}

namespace {
const JobNode& NodeById(const JobGraph& graph, int id) {
  for (const auto& node : graph.nodes) {
    if (node.id == id) return node;
  }
  throw InternalError(detail::Concat("job graph has no node with id ", id));
}

// Counts the edges that leave node 'id' (a node with none is a sink).
int ConsumerCount(const JobGraph& graph, int id) {
  int count = 0;
  for (const auto& node : graph.nodes) {
    for (const auto& edge : node.inputs) count += edge.from_node == id;
  }
  return count;
}
}  // namespace

bool IsChainedToInput(const JobGraph& graph, const JobNode& node) {
  if (node.is_source() || node.inputs.size() != 1 || !node.chaining_enabled) return false;
  const JobEdge& edge = node.inputs[0];
  const JobNode& input = NodeById(graph, edge.from_node);
  if (!input.chaining_enabled || input.parallelism != node.parallelism) return false;
  return edge.partition == PartitionKind::kForward || node.parallelism == 1;
}

void ValidateJobGraph(const JobGraph& graph) {
  FLUVIAL_USER_CHECK(!graph.nodes.empty(),
                     "the job has no operators: add a source and a sink before execute()");
  for (size_t i = 0; i < graph.nodes.size(); ++i) {
    const JobNode& node = graph.nodes[i];
    FLUVIAL_USER_CHECK(node.parallelism >= 1, "operator '", node.name,
                       "': parallelism must be at least 1, got ", node.parallelism);
    FLUVIAL_USER_CHECK(node.max_parallelism >= node.parallelism, "operator '", node.name,
                       "': max parallelism must be at least the parallelism ", node.parallelism,
                       ", got ", node.max_parallelism);
    FLUVIAL_CHECK(node.is_source() != static_cast<bool>(node.make_operator), "node ", node.name);
    FLUVIAL_CHECK(node.is_source() == node.inputs.empty(), "node ", node.name);
    for (const auto& edge : node.inputs) {
      bool found_before = false;
      for (size_t j = 0; j < i; ++j) found_before |= graph.nodes[j].id == edge.from_node;
      FLUVIAL_CHECK(found_before, "input of ", node.name, " is not listed before it");
      const JobNode& input = NodeById(graph, edge.from_node);
      FLUVIAL_USER_CHECK(
          edge.partition != PartitionKind::kForward || input.parallelism == node.parallelism,
          "forward partitioning needs equal parallelism on both sides, but operator '",
          input.name, "' has parallelism ", input.parallelism, " and operator '", node.name,
          "' has ", node.parallelism, "; use rebalance() or rescale() instead");
    }
  }
}

std::string DescribeJobGraph(const JobGraph& graph) {
  std::ostringstream out;
  out << "Job '" << graph.name << "'\n";
  for (const auto& node : graph.nodes) {
    out << "  [" << node.id << "] " << node.name << " (parallelism " << node.parallelism << ")";
    if (node.is_source()) out << " source";
    for (const auto& edge : node.inputs) {
      out << (IsChainedToInput(graph, node) ? " <- chained " : " <- ")
          << PartitionKindName(edge.partition) << " [" << edge.from_node << "]";
      if (edge.input_index != 0) out << " as input " << edge.input_index;
    }
    if (ConsumerCount(graph, node.id) == 0) out << " (sink)";
    out << "\n";
  }
  return out.str();
}

}  // namespace fluvial::runtime
