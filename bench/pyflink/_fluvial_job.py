"""One Fluvial job of the JSON-UDF benchmark (run by compare.py in a fresh
process, so that its start-up and memory are its own):

    number sequence -> map(make record) -> map(JSON UDF) -> flat_map(meter) -> print

The meter emits nothing, so print() is a discarding sink. Prints one JSON line:
the meter's summary plus the wall time at which execute() was called.
"""

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _workload  # noqa: E402

from fluvial.common import WatermarkStrategy  # noqa: E402
from fluvial.datastream import StreamExecutionEnvironment  # noqa: E402
from fluvial.datastream.connectors.number_seq import NumberSequenceSource  # noqa: E402
from fluvial.datastream.functions import FlatMapFunction  # noqa: E402


class MeterFunction(FlatMapFunction):
    def __init__(self, out_path: str):
        self.out_path = out_path
        self.meter = None

    def open(self, runtime_context):
        self.meter = _workload.Meter()

    def flat_map(self, value):
        self.meter.add(value)
        return ()

    def close(self):
        self.meter.write(self.out_path)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, required=True)
    parser.add_argument("--size", type=int, required=True)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    env = StreamExecutionEnvironment.get_execution_environment()
    env.set_parallelism(1)
    numbers = env.from_source(NumberSequenceSource(0, args.records - 1),
                              WatermarkStrategy.no_watermarks(), "numbers")
    (numbers.map(_workload.RecordMaker(args.size)).map(_workload.transform)
     .flat_map(MeterFunction(args.out)).print())
    execute_ns = time.time_ns()
    env.execute("json-udf")
    result = json.loads(Path(args.out).read_text())
    result["execute_ns"] = execute_ns
    print(json.dumps(result))


if __name__ == "__main__":
    main()
