"""A job with every kind of keyed state under declared types (the generator's records →
a keyed function), and its plain-Python reference.

Run as a script (``python typed_state_job.py SAVEPOINT_DIR``) it takes a savepoint midway:
that is how tests/python/datastream/fault_tolerance/pickled_savepoint/ was made, with the
all-pickle checkpoint format of Fluvial before typed state serializers (commit 617acac) and
FLUVIAL_CHECKPOINT_KEY=PICKLED_SAVEPOINT_KEY.
"""

import os
import sys
import time
from typing import Dict, List, Tuple

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from generator_job import GeneratorSource, record_of  # noqa: E402

from fluvial.common import Row, Types  # noqa: E402
from fluvial.datastream import KeyedProcessFunction, StreamExecutionEnvironment  # noqa: E402
from fluvial.datastream.state import (  # noqa: E402
    ListStateDescriptor,
    MapStateDescriptor,
    ReducingStateDescriptor,
    ValueStateDescriptor,
)

SEED, SPLITS, PER_SPLIT, KEYS = 11, 4, 1500, 12
PICKLED_SAVEPOINT_KEY = "fluvial test key of the pickled savepoint"
ROW = Types.ROW_NAMED(["index", "value"], [Types.INT(), Types.INT()])


def count_descriptor(count_type=None):
    return ValueStateDescriptor("count", count_type or Types.INT())


class EveryState(KeyedProcessFunction):
    """Per key: a count (ValueState INT), sums per value bucket (MapState STRING → LONG),
    the last three (index, value) rows (ListState ROW) and the largest value
    (ReducingState LONG); one output line per record."""

    def __init__(self, count_type=None):
        self.count_type = count_type

    def open(self, runtime_context):
        self.count = runtime_context.get_state(count_descriptor(self.count_type))
        self.sums = runtime_context.get_map_state(
            MapStateDescriptor("sums", Types.STRING(), Types.LONG()))
        self.last = runtime_context.get_list_state(ListStateDescriptor("last", ROW))
        self.largest = runtime_context.get_reducing_state(
            ReducingStateDescriptor("largest", max, Types.LONG()))

    def process_element(self, value, ctx):
        key, amount, _, index = value
        count = (self.count.value() or 0) + 1
        self.count.update(count)
        bucket = f"b{amount % 3}"
        self.sums.put(bucket, (self.sums.get(bucket) or 0) + amount)
        self.last.update((list(self.last.get()) + [Row(index=index, value=amount)])[-3:])
        self.largest.add(amount)
        yield _line(key, count, dict(self.sums.items()), list(self.last.get()), self.largest.get())


def _line(key, count, sums, last, largest) -> str:
    rows = ";".join(f"{row['index']}:{row['value']}" for row in last)
    return f"{key},{count},{sorted(sums.items())},{rows},{largest}"


def build(env, pause: float = 0.0, count_type=None) -> None:
    """The job; its output lines are dropped (the tests check the final checkpoint's state,
    which a resumed job only gets right if it restored the savepoint's)."""
    source = GeneratorSource(SEED, SPLITS, PER_SPLIT, KEYS, batch=10, pause=pause)
    env.from_source(source, None, "generator").uid("generator") \
        .key_by(lambda record: record[0]) \
        .process(EveryState(count_type), output_type=Types.STRING()).uid("every-state") \
        .filter(lambda line: line.startswith("never")).uid("drop").print()


def reference() -> Tuple[List[str], Dict[str, tuple]]:
    """The lines the job outputs and each key's final (count, sums, last, largest)."""
    state: Dict[str, tuple] = {}
    lines = []
    for split in range(SPLITS):
        for index in range(PER_SPLIT):
            key, amount, _, _ = record_of(SEED, split, index, KEYS)
            count, sums, last, largest = state.get(key, (0, {}, [], None))
            sums = dict(sums)
            sums[f"b{amount % 3}"] = sums.get(f"b{amount % 3}", 0) + amount
            last = (last + [Row(index=index, value=amount)])[-3:]
            largest = amount if largest is None else max(largest, amount)
            state[key] = (count + 1, sums, last, largest)
            lines.append(_line(key, count + 1, sums, last, largest))
    return lines, state


def take_savepoint(directory: str, parallelism: int = 2) -> str:
    """Runs the job slowly and stops it with a savepoint after its first checkpoint."""
    env = StreamExecutionEnvironment.get_execution_environment()
    env.set_parallelism(parallelism)
    env.enable_checkpointing(30)
    env.get_checkpoint_config().set_checkpoint_storage_dir(os.path.join(directory, "chk"))
    build(env, pause=0.004)
    client = env.execute_async("typed state, before")
    deadline = time.monotonic() + 30
    while not client._job.checkpoint_statistics.completed and time.monotonic() < deadline:
        time.sleep(0.01)
    return client.stop_with_savepoint(savepoint_directory=os.path.join(directory, "sp")).result()


if __name__ == "__main__":
    os.environ.setdefault("FLUVIAL_CHECKPOINT_KEY", PICKLED_SAVEPOINT_KEY)
    print(take_savepoint(sys.argv[1]))
