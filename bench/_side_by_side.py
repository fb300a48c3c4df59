"""The measuring loop the event-time benchmarks share: check that Fluvial and
the bare-Python reference agree on a sample, then time them alternately and
print both rates and their ratio (medians of the rounds)."""

import argparse
import statistics
import time
from typing import Callable, Optional


def run(description: str, fluvial_job: Callable[[int, bool], Optional[list]],
        bare_python: Callable[[int, bool], Optional[list]], default_events: int = 5_000_000) -> None:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--events", type=int, default=default_events)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    sample = min(args.events, 50_000)
    assert fluvial_job(sample, True) == bare_python(sample, True), "Fluvial and the bare loop disagree"
    loop, engine = [], []
    for _ in range(args.rounds):
        start = time.perf_counter()
        bare_python(args.events, False)
        loop.append(time.perf_counter() - start)
        start = time.perf_counter()
        fluvial_job(args.events, False)
        engine.append(time.perf_counter() - start)
    loop_rate = args.events / statistics.median(loop)
    engine_rate = args.events / statistics.median(engine)
    print(f"events: {args.events:,}  rounds: {args.rounds}")
    print(f"bare Python      : {loop_rate:12,.0f} events/s")
    print(f"Fluvial          : {engine_rate:12,.0f} events/s")
    print(f"ratio Fluvial / bare Python: {engine_rate / loop_rate:.2f}")
