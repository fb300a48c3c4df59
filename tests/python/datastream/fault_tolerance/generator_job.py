"""The job the checkpoint tests run: a seeded generator → a keyed stateful function →
sinks, plus the plain-Python reference of what it must output.

Run as a script (``python generator_job.py --records N --output DIR --checkpoints DIR``)
it is the process the fault-injection test kills and restarts.
"""

import argparse
import json
import os
import sys
import time
from typing import Any, Dict, List, Optional, Tuple

from fluvial.common import Encoder, SimpleStringSchema, Types
from fluvial.datastream import KeyedProcessFunction, RuntimeContext, StreamExecutionEnvironment
from fluvial.datastream.connectors.base import DeliveryGuarantee, Source, SourceReader
from fluvial.datastream.connectors.file_system import FileSink, RollingPolicy
from fluvial.datastream.connectors.kafka import KafkaRecordSerializationSchema, KafkaSink
from fluvial.datastream.state import ValueStateDescriptor


def record_of(seed: int, split: int, index: int, keys: int) -> Tuple[str, int, int, int]:
    """Record 'index' of split 'split': (key, value, split, index), a pure function of its
    position, so a resumed generator replays exactly what it produced before. A key
    belongs to one split, so its records reach the keyed function in a fixed order and
    every running total is known in advance."""
    mixed = ((split * 1_000_003 + index) * 2_654_435_761 + seed * 97) % 2 ** 32
    return f"s{split}k{mixed % keys}", mixed % 1000, split, index


class GeneratorSource(Source):
    """'splits' splits of 'per_split' records each; a reader polls 'batch' records per
    split at a time, sleeping 'pause' seconds between polls."""

    def __init__(self, seed: int, splits: int, per_split: int, keys: int, batch: int = 50,
                 pause: float = 0.0):
        self.seed, self.splits, self.per_split, self.keys = seed, splits, per_split, keys
        self.batch, self.pause = batch, pause

    def _is_bounded(self) -> bool:
        return True

    def _create_reader(self, subtask_index: int, parallelism: int) -> SourceReader:
        return GeneratorReader(self, {split: 0 for split in range(self.splits)
                                      if split % parallelism == subtask_index})


class GeneratorReader(SourceReader):
    def __init__(self, source: GeneratorSource, positions: Dict[int, int]):
        self._source = source
        self._positions = positions  # split -> next index

    def restore_state(self, splits: List[Any]) -> None:
        self._positions = {split: position for split, position in splits}

    def snapshot_state(self, checkpoint_id: int) -> List[Any]:
        return sorted(self._positions.items())

    def poll(self) -> Optional[List[Any]]:
        source = self._source
        records = []
        for split, position in list(self._positions.items()):
            end = min(position + source.batch, source.per_split)
            records.extend(record_of(source.seed, split, index, source.keys)
                           for index in range(position, end))
            self._positions[split] = end
        if not records:
            return None
        if source.pause:
            time.sleep(source.pause)
        return records


class RunningTotal(KeyedProcessFunction):
    """Per key: how many records and their sum; emits one line per record."""

    def open(self, runtime_context: RuntimeContext) -> None:
        self.state = runtime_context.get_state(
            ValueStateDescriptor("total", Types.TUPLE([Types.LONG(), Types.LONG()])))

    def process_element(self, value, ctx):
        count, total = self.state.value() or (0, 0)
        count, total = count + 1, total + value[1]
        self.state.update((count, total))
        yield f"{value[0]},{count},{total}"


def reference(seed: int, splits: int, per_split: int, keys: int) -> Tuple[List[str], Dict[str, Tuple[int, int]]]:
    """What the job must output (as a multiset of lines) and each key's final state."""
    state: Dict[str, Tuple[int, int]] = {}
    lines = []
    for split in range(splits):
        for index in range(per_split):
            key, value, _, _ = record_of(seed, split, index, keys)
            count, total = state.get(key, (0, 0))
            state[key] = (count + 1, total + value)
            lines.append(f"{key},{count + 1},{total + value}")
    return lines, state


def committed_lines(directory: str) -> List[str]:
    """Every line of the committed (visible) part files under 'directory'."""
    lines = []
    for root, _, names in os.walk(directory):
        for name in names:
            if name.startswith("."):
                continue  # in progress or pending: not committed
            with open(os.path.join(root, name), encoding="utf-8") as file:
                lines.extend(line for line in file.read().split("\n") if line)
    return lines


def add_file_sink(totals, output: str, kafka: Optional[Tuple[str, str]]) -> None:
    sink = FileSink.for_row_format(output, Encoder.simple_string_encoder()) \
        .with_rolling_policy(RollingPolicy.default_rolling_policy(part_size=4096)).build()
    totals.sink_to(sink).uid("file-sink")


def add_kafka_sink(totals, output: str, kafka: Optional[Tuple[str, str]]) -> None:
    """An EXACTLY_ONCE KafkaSink writing each line to the topic of 'kafka' (servers, topic)."""
    if kafka is None:
        raise ValueError("the 'kafka' sink needs --kafka-servers and --kafka-topic")
    servers, topic = kafka
    serializer = KafkaRecordSerializationSchema.builder().set_topic(topic) \
        .set_value_serialization_schema(SimpleStringSchema()).build()
    sink = KafkaSink.builder().set_bootstrap_servers(servers).set_record_serializer(serializer) \
        .set_delivery_guarantee(DeliveryGuarantee.EXACTLY_ONCE) \
        .set_transactional_id_prefix(f"fault-{topic}").build()
    totals.sink_to(sink).uid("kafka-sink")


def _store_endpoint(kafka: Optional[Tuple[str, str]], option: str) -> Tuple[str, int, str]:
    """(host, port, namespace) of a store sink from 'kafka' = (HOST:PORT of the store, namespace)."""
    if kafka is None:
        raise ValueError(f"the '{option}' sink needs --{option} HOST:PORT and --store-namespace")
    address, namespace = kafka
    host, _, port = address.rpartition(":")
    return host, int(port), namespace


def add_redis_sink(totals, output: str, store: Optional[Tuple[str, str]]) -> None:
    """Each line's 'count,total' SET at 'NAMESPACE:key' (at least once: the last write per
    key is what counts, and a key's writes come in order from one subtask)."""
    from fluvial.datastream.connectors.redis import RedisSink

    host, port, namespace = _store_endpoint(store, "redis")
    totals.sink_to(RedisSink(host, port, key=lambda line: f"{namespace}:{line.split(',', 1)[0]}",
                             value=lambda line: line.split(",", 1)[1], timeout=1.0)).uid("redis-sink")


def add_postgres_sink(totals, output: str, store: Optional[Tuple[str, str]]) -> None:
    """Each line upserted into the PostgreSQL table NAMESPACE (k TEXT PRIMARY KEY, c BIGINT,
    total BIGINT), which must exist (database postgres, user postgres)."""
    from fluvial.datastream.connectors.jdbc import JdbcConnectionOptions, JdbcExecutionOptions, JdbcSink, upsert_sql

    host, port, table = _store_endpoint(store, "postgres")
    row = Types.ROW_NAMED(["k", "c", "total"], [Types.STRING(), Types.LONG(), Types.LONG()])
    options = JdbcConnectionOptions.JdbcConnectionOptionsBuilder() \
        .with_url(f"jdbc:postgresql://{host}:{port}/postgres").with_user_name("postgres").build()
    sink = JdbcSink.sink(upsert_sql(table, ["k", "c", "total"], ["k"]), row, options,
                         JdbcExecutionOptions.builder().with_batch_size(500).build())
    rows = totals.map(lambda line: tuple(f(v) for f, v in zip((str, int, int), line.split(","))),
                      output_type=row).uid("postgres-rows")
    rows.add_sink(sink).uid("postgres-sink")


# The sinks the job writes to: name -> adds the sink given the output folder and the
# (address, name) of its external system if any (Kafka: servers and topic; Redis and
# PostgreSQL: HOST:PORT and the key namespace or table). test_fault_injection.SINKS and
# bench/chaos read each back by name.
SINK_BUILDERS = {"file": add_file_sink, "kafka": add_kafka_sink, "redis": add_redis_sink,
                 "postgres": add_postgres_sink}


def build(env: StreamExecutionEnvironment, seed: int, splits: int, per_split: int, keys: int,
          output: str, batch: int = 50, pause: float = 0.0, sinks=("file",),
          kafka: Optional[Tuple[str, str]] = None, stores: Optional[Dict[str, Tuple[str, str]]] = None) -> None:
    source = GeneratorSource(seed, splits, per_split, keys, batch, pause)
    stream = env.from_source(source, None, "generator").uid("generator")
    totals = stream.key_by(lambda record: record[0]).process(
        RunningTotal(), output_type=Types.STRING()).uid("running-total")
    for name in sinks:
        SINK_BUILDERS[name](totals, output, (stores or {}).get(name, kafka))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--splits", type=int, default=4)
    parser.add_argument("--per-split", type=int, default=2000)
    parser.add_argument("--keys", type=int, default=50)
    parser.add_argument("--batch", type=int, default=20)
    parser.add_argument("--pause", type=float, default=0.002)
    parser.add_argument("--parallelism", type=int, default=2)
    parser.add_argument("--interval", type=int, default=100)
    parser.add_argument("--output", required=True)
    parser.add_argument("--checkpoints", required=True)
    parser.add_argument("--stats")
    parser.add_argument("--ready", help="file to write the time the job was running at")
    parser.add_argument("--sinks", default="file", help="comma-separated SINK_BUILDERS names")
    parser.add_argument("--kafka-servers", help="bootstrap servers of the 'kafka' sink")
    parser.add_argument("--kafka-topic", help="the topic the 'kafka' sink writes")
    parser.add_argument("--redis", help="HOST:PORT of the 'redis' sink's server")
    parser.add_argument("--postgres", help="HOST:PORT of the 'postgres' sink's server")
    parser.add_argument("--store-namespace", help="the 'redis' sink's key prefix and the 'postgres' sink's table")
    args = parser.parse_args(argv)
    env = StreamExecutionEnvironment.get_execution_environment()
    env.set_parallelism(args.parallelism)
    env.enable_checkpointing(args.interval)
    env.get_checkpoint_config().set_checkpoint_storage_dir(args.checkpoints)
    env.get_checkpoint_config().set_tolerable_checkpoint_failure_number(1000)
    build(env, args.seed, args.splits, args.per_split, args.keys, args.output, args.batch, args.pause,
          sinks=args.sinks.split(","),
          kafka=(args.kafka_servers, args.kafka_topic) if args.kafka_servers else None,
          stores={name: (address, args.store_namespace)
                  for name, address in (("redis", args.redis), ("postgres", args.postgres)) if address})
    started = time.monotonic()
    client = env.execute_async("generator job")
    if args.ready:  # written whole or not at all: a watcher may read it any moment
        with open(args.ready + ".tmp", "w") as file:
            file.write(repr(time.time()))
        os.replace(args.ready + ".tmp", args.ready)
    client.get_job_execution_result().result()
    if args.stats:
        statistics = client._job.checkpoint_statistics
        with open(args.stats, "w") as file:
            json.dump({"completed": len(statistics.completed), "restored_from": statistics.restored_from,
                       "seconds": time.monotonic() - started}, file)
    return 0


if __name__ == "__main__":
    sys.exit(main())
