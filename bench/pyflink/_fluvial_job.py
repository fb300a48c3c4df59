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
    parser.add_argument("--api", choices=["datastream", "table"], default="datastream")
    args = parser.parse_args()
    env = StreamExecutionEnvironment.get_execution_environment()
    env.set_parallelism(1)
    numbers = env.from_source(NumberSequenceSource(0, args.records - 1),
                              WatermarkStrategy.no_watermarks(), "numbers")
    if args.api == "table":
        # The same calls as Table API scalar UDFs (per row, general), between a stream source and a
        # stream sink: number -> record -> JSON UDF -> meter.
        from fluvial.common import Types
        from fluvial.table import DataTypes, StreamTableEnvironment
        from fluvial.table.expressions import col
        from fluvial.table.udf import udf

        t_env = StreamTableEnvironment.create(env)
        make = udf(_workload.RecordMaker(args.size), result_type=DataTypes.STRING(), name="make_record")
        transform = udf(_workload.transform, result_type=DataTypes.STRING(), name="json_udf")
        table = t_env.from_data_stream(numbers.map(lambda n: n, output_type=Types.LONG()))
        records = table.select(make(col("f0")).alias("record")).select(transform(col("record")).alias("out"))
        (t_env.to_data_stream(records).map(lambda row: row.out, output_type=Types.STRING())
         .flat_map(MeterFunction(args.out)).print())
    else:
        (numbers.map(_workload.RecordMaker(args.size)).map(_workload.transform)
         .flat_map(MeterFunction(args.out)).print())
    execute_ns = time.time_ns()
    env.execute("json-udf")
    result = json.loads(Path(args.out).read_text())
    result["execute_ns"] = execute_ns
    print(json.dumps(result))


if __name__ == "__main__":
    main()
