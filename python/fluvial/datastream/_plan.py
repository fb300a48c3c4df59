"""The logical plan the DataStream API builds, and its translation into the
native engine's job graph.

A Transformation is an immutable-once-executed description of one step.
Physical ones become engine nodes; logical ones (partitioning, union,
key_by) only shape the edges between them. ``instantiate(subtask)`` gives the
engine, per parallel instance, the callables it calls (see cpp/python/).
"""

import itertools
import json
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Optional, Tuple

from fluvial.errors import InvalidJobError

_transformation_ids = itertools.count(1)

# Kinds that exist only in the plan, never as engine nodes.
LOGICAL_KINDS = ("partition", "union", "key_by", "side_output")


@dataclass
class SubtaskInfo:
    """What a spec factory needs to know about the instance it builds."""

    operator_name: str
    index: int
    parallelism: int
    max_parallelism: int
    job_parameters: Dict[str, str]
    batch_mode: bool
    # OutputTag -> side output number, for the tags this operator's consumers read.
    side_outputs: Dict[Any, int] = field(default_factory=dict)
    # The job's connector metrics (fluvial.datastream.connectors.metrics.JobMetrics).
    metrics: Any = None
    # The smallest chunk a source sends (see MIN_CHUNK_FOR_BATCH_MAPS).
    min_source_chunk: int = 1


# Sources send chunks that shrink until a chunk's trip down the chain takes ~200 us
# (cpp/python/poll_source.cc). A batch map (a lookup) pays a round trip per chunk whatever
# its size, so shrinking would cost throughput without gaining latency: in a job with
# one, chunks stay at least this large.
MIN_CHUNK_FOR_BATCH_MAPS = 64
# The columnar operators (Table/SQL) pay a fixed cost per batch (Arrow conversions, kernel
# dispatch): a job converting Python records into tables keeps chunks at least this large.
MIN_CHUNK_FOR_TABLES = 512


# A spec factory returns the dict the native operator reads (kind, call, open, ...).
SpecFactory = Callable[[SubtaskInfo], Dict[str, Any]]


@dataclass(eq=False)
class Transformation:
    kind: str
    name: str
    inputs: List["Transformation"] = field(default_factory=list)
    make_spec: Optional[SpecFactory] = None
    is_source: bool = False
    bounded: bool = True
    # Why an unbounded source cannot run in BATCH mode, in its own words (a table source names its table).
    unbounded_in_batch: Optional[str] = None
    # A fixed parallelism the step cannot change (non-parallel sources).
    non_parallel: bool = False
    parallelism: Optional[int] = None
    max_parallelism: Optional[int] = None
    chaining: bool = True
    uid: Optional[str] = None
    description: Optional[str] = None
    output_type: Any = None
    # Logical kinds: the partitioning ("rebalance", ...), the key selector, the side output tag.
    partition: Optional[str] = None
    key_selector: Any = None
    partitioner: Any = None
    output_tag: Any = None
    # Two-input operators: inputs[i] feeds input i (otherwise all feed input 0).
    two_input: bool = False
    id: int = field(default_factory=lambda: next(_transformation_ids))


@dataclass
class PlanNode:
    """One engine node, in the shape cpp/bindings/bind_job.cc reads."""

    id: int
    name: str
    parallelism: int
    max_parallelism: int
    chaining: bool
    is_source: bool
    inputs: List[Tuple[int, int, str, int]]
    instantiate: Callable[[int], Dict[str, Any]]
    kind: str = ""
    side_outputs: Dict[Any, int] = field(default_factory=dict)
    # The user's uid(): how checkpoints and savepoints find this node's state.
    uid: Optional[str] = None


@dataclass
class _Edge:
    node: PlanNode
    partition: Optional[str]
    key_selector: Any = None
    partitioner: Any = None
    output_tag: int = 0


class _Translator:
    def __init__(self, default_parallelism: int, default_max_parallelism: int,
                 job_parameters: Dict[str, str], batch_mode: bool, chaining: bool, metrics: Any = None):
        self.metrics = metrics
        self.default_parallelism = default_parallelism
        self.default_max_parallelism = default_max_parallelism
        self.job_parameters = job_parameters
        self.batch_mode = batch_mode
        self.chaining = chaining
        self.nodes: List[PlanNode] = []
        self.node_of: Dict[int, PlanNode] = {}
        self.min_source_chunk = 1

    def add(self, transformation: Transformation) -> None:
        if transformation.kind in LOGICAL_KINDS or transformation.id in self.node_of:
            return
        for upstream in transformation.inputs:
            for physical in _physical_ancestors(upstream):
                self.add(physical)
        parallelism = self._parallelism_of(transformation)
        # Unset, the max parallelism is Flink's default for the operator's
        # parallelism; set (per operator or for the job) it is used as is, and
        # the engine refuses one below the parallelism, as Flink does.
        max_parallelism = (transformation.max_parallelism
                           or (self.default_max_parallelism if self.default_max_parallelism > 0
                               else default_max_parallelism(parallelism)))
        inputs = []
        for position, upstream in enumerate(transformation.inputs):
            input_index = position if transformation.two_input else 0
            for edge in self._edges_to(upstream):
                inputs.append(self._connect(edge, input_index, parallelism, max_parallelism))
        node = self._node(transformation.name, parallelism, max_parallelism,
                          transformation.chaining and self.chaining, transformation.is_source,
                          inputs, transformation.make_spec, transformation.kind)
        node.uid = transformation.uid
        self.node_of[transformation.id] = node

    def _parallelism_of(self, transformation: Transformation) -> int:
        if transformation.non_parallel:
            if transformation.parallelism not in (None, 1):
                raise InvalidJobError(
                    f"operator '{transformation.name}' is non-parallel: its parallelism must be 1, "
                    f"got {transformation.parallelism}")
            return 1
        return transformation.parallelism or self.default_parallelism

    def _edges_to(self, upstream: Transformation) -> List[_Edge]:
        """The physical nodes feeding through 'upstream', with their partitioning."""
        if upstream.kind == "union":
            return [edge for each in upstream.inputs for edge in self._edges_to(each)]
        if upstream.kind == "side_output":
            edges = self._edges_to(upstream.inputs[0])
            for edge in edges:
                tags = edge.node.side_outputs
                edge.output_tag = tags.setdefault(upstream.output_tag, len(tags) + 1)
            return edges
        if upstream.kind == "partition":
            return [_Edge(edge.node, upstream.partition, partitioner=upstream.partitioner,
                          key_selector=upstream.key_selector, output_tag=edge.output_tag)
                    for edge in self._edges_to(upstream.inputs[0])]
        if upstream.kind == "key_by":
            return [_Edge(edge.node, "hash", key_selector=upstream.key_selector,
                          output_tag=edge.output_tag)
                    for edge in self._edges_to(upstream.inputs[0])]
        return [_Edge(self.node_of[upstream.id], None)]

    def _connect(self, edge: _Edge, input_index: int, parallelism: int,
                 max_parallelism: int) -> Tuple[int, int, str, int]:
        source = edge.node
        if edge.partition in ("hash", "custom"):
            # Keys are extracted once, right after the sending operator, in a
            # node chained to it; the exchange then routes by what it computed.
            assigner = self._key_assigner(source, edge, parallelism, max_parallelism)
            return (assigner.id, input_index, edge.partition, 0)
        partition = edge.partition
        if partition is None:
            partition = "forward" if source.parallelism == parallelism else "rebalance"
        return (source.id, input_index, partition, edge.output_tag)

    def _key_assigner(self, source: PlanNode, edge: _Edge, parallelism: int,
                      max_parallelism: int) -> PlanNode:
        key_selector = edge.key_selector
        if hasattr(key_selector, "columns") and type(key_selector).__name__ == "ColumnKeys":
            # Table/SQL: the key columns are hashed natively (cpp/table/table_key_assigner.cc).
            columns = key_selector.columns

            def make_columnar_spec(info: SubtaskInfo) -> Dict[str, Any]:
                return {"kind": "table_key_by", "columns": columns, "max_parallelism": max_parallelism}
            return self._node("KeyBy", source.parallelism, source.max_parallelism, source.chaining, False,
                              [(source.id, 0, "forward", edge.output_tag)], make_columnar_spec, "table_key_by")
        # KeySelector and Partitioner instances are Functions: each subtask
        # gets its own copy, opened before the first record and closed after.
        if edge.partition == "hash":
            def make_spec(info: SubtaskInfo) -> Dict[str, Any]:
                from fluvial.datastream._user_function import function_calls
                get_key, open_hook, close_hook = function_calls(key_selector, "get_key", info)
                return {"kind": "key_by", "key_selector": get_key, "open": open_hook,
                        "close": close_hook, "max_parallelism": max_parallelism}
            name = "KeyBy"
        else:
            partitioner = edge.partitioner

            def make_spec(info: SubtaskInfo) -> Dict[str, Any]:
                from fluvial.datastream._user_function import function_calls
                get_key, open_key, close_key = function_calls(key_selector, "get_key", info)
                partition, open_partition, close_partition = function_calls(
                    partitioner, "partition", info)
                return {"kind": "partition_custom", "key_selector": get_key, "partition": partition,
                        "open": _both(open_key, open_partition),
                        "close": _both(close_key, close_partition),
                        "num_partitions": parallelism}
            name = "CustomPartitioner"
        return self._node(name, source.parallelism, source.max_parallelism, source.chaining,
                          False, [(source.id, 0, "forward", edge.output_tag)], make_spec,
                          edge.partition)

    def _node(self, name, parallelism, max_parallelism, chaining, is_source, inputs, make_spec,
              kind) -> PlanNode:
        node_id = len(self.nodes) + 1
        job_parameters, batch_mode, metrics = self.job_parameters, self.batch_mode, self.metrics
        if kind == "map_batch":
            self.min_source_chunk = max(self.min_source_chunk, MIN_CHUNK_FOR_BATCH_MAPS)
        if kind == "table_from_objects":
            self.min_source_chunk = max(self.min_source_chunk, MIN_CHUNK_FOR_TABLES)

        def instantiate(subtask: int) -> Dict[str, Any]:
            # Called when the job starts, after translation has found every
            # side output a consumer reads (and every batch map).
            info = SubtaskInfo(name, subtask, parallelism, max_parallelism, job_parameters,
                               batch_mode, dict(node.side_outputs), metrics, self.min_source_chunk)
            return make_spec(info)

        node = PlanNode(node_id, name, parallelism, max_parallelism, chaining, is_source, inputs,
                        instantiate, kind)
        self.nodes.append(node)
        return node


def default_max_parallelism(parallelism: int) -> int:
    """Flink's default max parallelism (KeyGroupRangeAssignment.computeDefaultMaxParallelism):
    1.5 times the parallelism rounded up to a power of two, within [128, 32768]."""
    wanted = parallelism + parallelism // 2
    power = 1 << max(wanted - 1, 0).bit_length()
    return min(max(power, 128), 32768)


def _both(first: Optional[Callable[[], Any]],
          second: Optional[Callable[[], Any]]) -> Optional[Callable[[], None]]:
    """One hook calling two optional ones (both, even if the first raises)."""
    if first is None or second is None:
        return first or second

    def call() -> None:
        try:
            first()
        finally:
            second()

    return call


def _physical_ancestors(transformation: Transformation) -> List[Transformation]:
    if transformation.kind in LOGICAL_KINDS:
        return [p for each in transformation.inputs for p in _physical_ancestors(each)]
    return [transformation]


def translate(transformations: List[Transformation], *, default_parallelism: int,
              default_max_parallelism: int, job_parameters: Dict[str, str], batch_mode: bool,
              chaining: bool = True, metrics: Any = None) -> List[PlanNode]:
    """Returns the engine nodes for 'transformations', every node after its inputs; their
    subtasks register connector metrics in 'metrics' (a JobMetrics) when given."""
    translator = _Translator(default_parallelism, default_max_parallelism, job_parameters,
                             batch_mode, chaining, metrics)
    for transformation in sorted(transformations, key=lambda t: t.id):
        translator.add(transformation)
    return translator.nodes


def plan_as_json(nodes: List[PlanNode]) -> str:
    """The plan in the JSON shape of Flink's StreamExecutionEnvironment.getExecutionPlan()."""
    described = []
    for node in nodes:
        entry = {
            "id": node.id,
            "type": node.name,
            "pact": "Data Source" if node.is_source else ("Data Sink" if node.kind == "sink"
                                                           else "Operator"),
            "contents": node.name,
            "parallelism": node.parallelism,
        }
        if node.inputs:
            entry["predecessors"] = [
                {"id": source, "ship_strategy": partition.upper(), "side": "second"}
                for source, _, partition, _ in node.inputs
            ]
        described.append(entry)
    return json.dumps({"nodes": described}, indent=2)
