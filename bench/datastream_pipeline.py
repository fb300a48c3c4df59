"""map -> filter -> key_by -> reduce over N small records with Python lambdas:
Fluvial's DataStream job beside a bare Python loop making the same calls.

    make bench                      # 10M records, 3 alternating rounds
    python bench/datastream_pipeline.py --records 100000 --rounds 1   # a smoke run

Prints records/s of each and the ratio Fluvial / bare loop (target >= 0.8 at
parallelism 1). Run both in one process, alternating, so machine noise hits
both alike.
"""

import argparse
import statistics
import time

from fluvial.common import WatermarkStrategy
from fluvial.datastream import RuntimeExecutionMode, StreamExecutionEnvironment
from fluvial.datastream.connectors.number_seq import NumberSequenceSource

KEYS = 1000


def multiply(x):
    return x * 3


def is_even(x):
    return x % 2 == 0


def key_of(x):
    return x % KEYS


def add(a, b):
    return a + b


def bare_loop(records: int) -> dict:
    state = {}
    for x in range(records):
        y = multiply(x)
        if is_even(y):
            k = key_of(y)
            current = state.get(k)
            state[k] = y if current is None else add(current, y)
    return state


def fluvial_job(records: int, parallelism: int) -> None:
    # The reduce's output goes nowhere, as the loop's does: the engine still
    # runs an operator without a sink.
    env = StreamExecutionEnvironment.get_execution_environment()
    env.set_parallelism(parallelism)
    stream = env.from_source(NumberSequenceSource(0, records - 1), WatermarkStrategy.no_watermarks(),
                             "numbers")
    stream.map(multiply).filter(is_even).key_by(key_of).reduce(add)
    env.execute("bench")


def fluvial_sums(records: int) -> dict:
    """The same pipeline in BATCH mode, collecting each key's final sum."""
    env = StreamExecutionEnvironment.get_execution_environment()
    env.set_runtime_mode(RuntimeExecutionMode.BATCH)
    stream = env.from_source(NumberSequenceSource(0, records - 1), WatermarkStrategy.no_watermarks(),
                             "numbers")
    pairs = stream.map(multiply).filter(is_even).map(lambda y: (key_of(y), y))
    return dict(pairs.key_by(lambda kv: kv[0]).reduce(lambda a, b: (a[0], a[1] + b[1]))
                .execute_and_collect())


def measure(function, *args) -> float:
    start = time.perf_counter()
    function(*args)
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=10_000_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--parallelism", type=int, default=1)
    args = parser.parse_args()

    # Same answer first: the engine's per-key sums equal the loop's.
    sample = min(args.records, 100_000)
    assert fluvial_sums(sample) == bare_loop(sample), "the engine and the loop disagree"

    loop_times, fluvial_times = [], []
    for _ in range(args.rounds):
        loop_times.append(measure(bare_loop, args.records))
        fluvial_times.append(measure(fluvial_job, args.records, args.parallelism))
    loop_rate = args.records / statistics.median(loop_times)
    fluvial_rate = args.records / statistics.median(fluvial_times)
    print(f"records: {args.records:,}  rounds: {args.rounds}  parallelism: {args.parallelism}")
    print(f"bare Python loop : {loop_rate:14,.0f} records/s  (median of {args.rounds})")
    print(f"Fluvial DataStream: {fluvial_rate:13,.0f} records/s  (median of {args.rounds})")
    print(f"ratio Fluvial / bare loop: {fluvial_rate / loop_rate:.2f}  (target >= 0.80)")


if __name__ == "__main__":
    main()
