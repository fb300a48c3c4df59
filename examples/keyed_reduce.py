"""A keyed running reduce, written as a PyFlink program: per user, the running
total and the largest single purchase, updated on every event.

Run it with `fluvial run examples/keyed_reduce.py [--parallelism N]`.
"""

import argparse
import sys

from pyflink.common import Row, Types, WatermarkStrategy
from pyflink.datastream import ReduceFunction, StreamExecutionEnvironment
from pyflink.datastream.connectors.number_seq import NumberSequenceSource

USERS = ["alice", "bob", "carol", "dave"]


def purchase(n: int) -> Row:
    """A deterministic purchase event made from a sequence number."""
    return Row(user=USERS[n % len(USERS)], amount=(n * 37) % 100, largest=(n * 37) % 100)


class TotalAndLargest(ReduceFunction):
    def reduce(self, current: Row, event: Row) -> Row:
        return Row(user=current.user, amount=current.amount + event.amount,
                   largest=max(current.largest, event.largest))


def main(parallelism: int, count: int):
    env = StreamExecutionEnvironment.get_execution_environment()
    env.set_parallelism(parallelism)
    events = env.from_source(NumberSequenceSource(0, count - 1),
                             WatermarkStrategy.no_watermarks(), "purchases")
    events.map(purchase, output_type=Types.ROW_NAMED(
        ["user", "amount", "largest"], [Types.STRING(), Types.LONG(), Types.LONG()])) \
        .key_by(lambda event: event.user) \
        .reduce(TotalAndLargest()) \
        .print()
    env.execute("keyed_reduce")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--parallelism", type=int, default=1)
    parser.add_argument("--count", type=int, default=20)
    args = parser.parse_args(sys.argv[1:])
    main(args.parallelism, args.count)
