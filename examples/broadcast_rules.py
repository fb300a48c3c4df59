"""Rule updates pushed to every parallel instance through broadcast state (the
PyFlink talk's "model or rule updates" use of broadcast state).

Transactions are flagged when their amount exceeds the current limit of their
country. Limits arrive on a second stream that is broadcast to every instance
of the checking operator, which keeps them in broadcast state; a transaction
is judged by the limit that instance knows when the transaction arrives (the
two streams race, as live streams do), and the output says which limit that was.

Run it with `fluvial run examples/broadcast_rules.py [--parallelism N]`; it
prints "+I[id, country, amount, limit, flagged]" per transaction.
"""

import argparse
import sys

from pyflink.common import Row, Types
from pyflink.datastream import BroadcastProcessFunction, StreamExecutionEnvironment
from pyflink.datastream.state import MapStateDescriptor

# --8<-- [start:descriptor]
LIMITS = MapStateDescriptor("limits", Types.STRING(), Types.INT())
# --8<-- [end:descriptor]

RULES = [Row(country="DE", limit=100), Row(country="FR", limit=50), Row(country="US", limit=500)]


def make_transactions(count: int = 60):
    countries = ["DE", "FR", "US", "NL"]
    return [Row(id=n, country=countries[n % 4], amount=(n * 37) % 700) for n in range(count)]


# --8<-- [start:function]
class CheckLimits(BroadcastProcessFunction):
    def process_element(self, value, ctx):
        limit = ctx.get_broadcast_state(LIMITS).get(value.country)
        yield Row(value.id, value.country, value.amount, limit, limit is not None and value.amount > limit)

    def process_broadcast_element(self, value, ctx):
        ctx.get_broadcast_state(LIMITS).put(value.country, value.limit)
# --8<-- [end:function]


# --8<-- [start:job]
def main(parallelism: int):
    env = StreamExecutionEnvironment.get_execution_environment()
    env.set_parallelism(parallelism)
    rules = env.from_collection(RULES).broadcast(LIMITS)
    transactions = env.from_collection(make_transactions())
    transactions.connect(rules).process(CheckLimits()).print()
    env.execute("broadcast_rules")
# --8<-- [end:job]


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--parallelism", type=int, default=1)
    main(parser.parse_args(sys.argv[1:]).parallelism)
