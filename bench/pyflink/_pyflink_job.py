"""One PyFlink job of the JSON-UDF benchmark, run by compare.py with the
interpreter of bench/pyflink/.venv (never imported by Fluvial or its tests):

    number sequence -> map(make record) -> map(JSON UDF) -> flat_map(meter) -> print

The same job as _fluvial_job.py. PyFlink chains the three Python functions
into one Python operator, so the stamp is taken after the record crossed from
the JVM into Python: the latency measured here leaves out the process mode's
bundling wait before the operator (a lower bound there). Breaking the chain to
include it adds a network exchange with its 100 ms buffer timeout, which a
source chained to the UDF does not have, so the job is left as a user writes it.

--mode process|thread sets python.execution-mode. Prints one JSON line: the
meter's summary plus the wall time at which execute() was called.
"""

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _workload  # noqa: E402
from pyflink.common import Configuration, Types, WatermarkStrategy  # noqa: E402
from pyflink.datastream import StreamExecutionEnvironment  # noqa: E402
from pyflink.datastream.connectors.number_seq import NumberSequenceSource  # noqa: E402
from pyflink.datastream.functions import FlatMapFunction  # noqa: E402


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
    parser.add_argument("--mode", choices=["process", "thread"], required=True)
    args = parser.parse_args()
    config = Configuration()
    config.set_string("python.execution-mode", args.mode)
    config.set_string("python.executable", sys.executable)
    config.set_string("python.client.executable", sys.executable)
    env = StreamExecutionEnvironment.get_execution_environment(config)
    env.set_parallelism(1)
    env.add_python_file(_workload.__file__)
    numbers = env.from_source(NumberSequenceSource(0, args.records - 1),
                              WatermarkStrategy.no_watermarks(), "numbers")
    records = numbers.map(_workload.RecordMaker(args.size), output_type=Types.STRING())
    (records.map(_workload.transform, output_type=Types.STRING())
     .flat_map(MeterFunction(args.out), output_type=Types.STRING()).print())
    execute_ns = time.time_ns()
    env.execute("json-udf")
    result = json.loads(Path(args.out).read_text())
    result["execute_ns"] = execute_ns
    print(json.dumps(result))


if __name__ == "__main__":
    main()
