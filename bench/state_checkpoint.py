"""Checkpoint size and snapshot time of keyed state: declared types' serializers against
cloudpickle (the same job with the types left out of the state descriptors).

One keyed job over N keys (default 1,000,000), parallelism 1: each key gets a
ValueState[INT] and a MapState[STRING, LONG] with two entries; the bounded job's final
checkpoint holds all of them. Measured per variant: the size of the keyed operator's state
file, the snapshot's time on the worker thread (serializing included: the worker does no
other work meanwhile), and the time to read the state back (verify nothing: unpickle and
decode, as a restore does). Both variants' restored state is checked against a plain-Python
reference first.

    python bench/state_checkpoint.py                       # 1M keys, 3 rounds
    python bench/state_checkpoint.py --keys 20000 --rounds 1   # smoke run
"""

import argparse
import os
import shutil
import statistics
import tempfile
import time

from fluvial.common import Types
from fluvial.datastream import KeyedProcessFunction, StreamExecutionEnvironment
from fluvial.datastream._checkpoint_storage import CheckpointStorage
from fluvial.datastream._state_serialization import SerializedState
from fluvial.datastream.connectors.number_seq import NumberSequenceSource
from fluvial.datastream.state import MapStateDescriptor, ValueStateDescriptor

OPERATOR = "uid:state"


class WriteState(KeyedProcessFunction):
    def __init__(self, typed: bool):
        self.typed = typed

    def open(self, runtime_context):
        typed = self.typed
        self.count = runtime_context.get_state(
            ValueStateDescriptor("count", Types.INT() if typed else None))
        self.items = runtime_context.get_map_state(
            MapStateDescriptor("items", Types.STRING() if typed else None,
                               Types.LONG() if typed else None))

    def process_element(self, value, ctx):
        self.count.update(value % 100_000)
        self.items.put_all(expected_items(value))
        return ()


def expected_items(n: int) -> dict:
    return {f"item{n % 50}": n * 3, f"other{n % 7}": -n}


def run_job(keys: int, typed: bool, directory: str):
    """Runs the job; returns (state file bytes, snapshot ms, the final checkpoint)."""
    env = StreamExecutionEnvironment.get_execution_environment()
    env.set_parallelism(1)
    env.enable_checkpointing(3_600_000)  # only the final checkpoint, at the end
    env.get_checkpoint_config().set_checkpoint_storage_dir(directory)
    env.from_source(NumberSequenceSource(0, keys - 1), None, "keys").uid("keys") \
        .key_by(lambda n: n).process(WriteState(typed)).uid("state").print()
    client = env.execute_async("state checkpoint")
    client.get_job_execution_result().result()
    checkpoint = CheckpointStorage(directory).latest()
    files = checkpoint.operators[OPERATOR]["files"]
    node_id = int(files[0]["file"].split("-")[1])
    size = sum(entry["size"] for entry in files)
    snapshot = [ms for _, node, _, ms in client._job.checkpoint_statistics.snapshot_ms if node == node_id]
    return size, sum(snapshot), checkpoint


def read_back(checkpoint) -> dict:
    """{state name: {(key, namespace): value}}: the payload unpickled, typed blobs decoded."""
    result = {"count": {}, "items": {}}
    for state in checkpoint.states_of(OPERATOR).values():
        for parts in state["keyed"].values():
            for name, (_, values) in parts["tables"].items():
                result[name].update(values.decode(name) if isinstance(values, SerializedState)
                                    else values)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--keys", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    scratch = tempfile.mkdtemp(prefix="fluvial-state-bench-")
    try:
        measured = {True: [], False: []}
        for round_number in range(args.rounds):
            for typed in (True, False):
                directory = os.path.join(scratch, f"{typed}-{round_number}")
                size, snapshot_ms, checkpoint = run_job(args.keys, typed, directory)
                started = time.perf_counter()
                state = read_back(checkpoint)
                read_ms = (time.perf_counter() - started) * 1000
                if round_number == 0:  # the restored state is the reference's
                    assert state["count"] == {(n, None): n % 100_000 for n in range(args.keys)}
                    assert state["items"] == {(n, None): expected_items(n) for n in range(args.keys)}
                measured[typed].append((size, snapshot_ms, read_ms))
                shutil.rmtree(directory)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)

    def median(typed: bool, index: int) -> float:
        return statistics.median(row[index] for row in measured[typed])

    print(f"keys: {args.keys:,}  rounds: {args.rounds}  (ValueState[INT] + MapState[STRING, LONG] "
          f"with 2 entries per key)")
    print(f"{'':24}{'state bytes':>14}{'snapshot ms':>14}{'read ms':>10}")
    for typed, label in ((True, "declared serializers"), (False, "cloudpickle")):
        print(f"{label:24}{median(typed, 0):14,.0f}{median(typed, 1):14,.1f}{median(typed, 2):10,.1f}")
    print(f"ratio typed / pickle: size {median(True, 0) / median(False, 0):.2f}, snapshot time "
          f"{median(True, 1) / median(False, 1):.2f}, read time {median(True, 2) / median(False, 2):.2f}")


if __name__ == "__main__":
    main()
