"""The native window operator (tumbling and sliding event-time windows with the
default trigger and a reduce or aggregate) gives exactly what the general
Python window operator gives: same results, timestamps, late elements."""

import random

import pytest
from window_testing import ScriptedSource

from fluvial.common import Time, WatermarkStrategy
from fluvial.common.watermark_strategy import TimestampAssigner
from fluvial.datastream import (
    AggregateFunction,
    OutputTag,
    ProcessFunction,
    StreamExecutionEnvironment,
)
from fluvial.datastream._plan import translate
from fluvial.datastream.window import EventTimeTrigger, SlidingEventTimeWindows, TumblingEventTimeWindows

LATE = OutputTag("late")


class FirstField(TimestampAssigner):
    def extract_timestamp(self, value, record_timestamp):
        return value[0]


class PythonPathTrigger(EventTimeTrigger):
    """EventTimeTrigger's behaviour, but not its exact type: forces the Python operator."""


class SumAndCount(AggregateFunction):
    def create_accumulator(self):
        return [0, 0]

    def add(self, value, accumulator):
        return [accumulator[0] + value[2], accumulator[1] + 1]

    def get_result(self, accumulator):
        return tuple(accumulator)

    def merge(self, a, b):
        return [a[0] + b[0], a[1] + b[1]]


class WithTimestamp(ProcessFunction):
    def process_element(self, value, ctx):
        yield value, ctx.timestamp()


def events(seed: int):
    rng = random.Random(seed)
    out, now = [], 0
    for _ in range(300):
        now += rng.randrange(0, 40)
        # Mostly in order, some late by up to 400 ms.
        out.append((max(0, now - (rng.randrange(0, 400) if rng.random() < 0.2 else 0)),
                    rng.choice("abcde"), rng.randrange(1, 10)))
    return out


def run(parallelism, assigner, kind, lateness, python_path):
    env = StreamExecutionEnvironment.get_execution_environment()
    env.set_parallelism(parallelism)
    strategy = WatermarkStrategy.for_monotonous_timestamps().with_timestamp_assigner(FirstField())
    source = ScriptedSource([[event] for event in events(11)])
    windows = env.from_source(source, strategy, "events").key_by(lambda e: e[1]).window(assigner)
    if python_path:
        windows = windows.trigger(PythonPathTrigger())
    windows = windows.allowed_lateness(lateness).side_output_late_data(LATE)
    if kind == "reduce":
        results = windows.reduce(lambda a, b: (max(a[0], b[0]), a[1], a[2] + b[2]))
    else:
        results = windows.aggregate(SumAndCount())
    stamped = results.process(WithTimestamp())
    late = results.get_side_output(LATE)
    outputs = stamped.union(late.map(lambda e: ("late", e)))
    nodes = translate(env._transformations, default_parallelism=parallelism,
                      default_max_parallelism=128, job_parameters={}, batch_mode=False)
    operator_kind = [node.instantiate(0)["kind"] for node in nodes if node.kind == "window"]
    return sorted(map(repr, outputs.execute_and_collect())), operator_kind


@pytest.mark.parametrize("parallelism", [1, 4])
@pytest.mark.parametrize("assigner", [TumblingEventTimeWindows.of(Time.milliseconds(100)),
                                      SlidingEventTimeWindows.of(Time.milliseconds(150),
                                                                 Time.milliseconds(50))],
                         ids=["tumbling", "sliding"])
@pytest.mark.parametrize("kind", ["reduce", "aggregate"])
@pytest.mark.parametrize("lateness", [0, 120])
def test_native_and_python_window_operators_agree(parallelism, assigner, kind, lateness):
    native, native_kind = run(parallelism, assigner, kind, lateness, python_path=False)
    general, general_kind = run(parallelism, assigner, kind, lateness, python_path=True)
    assert (native_kind, general_kind) == (["event_time_window"], ["keyed_process"])
    assert native == general
    assert any("late" in line for line in native), "the data must have late elements"
