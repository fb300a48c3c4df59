"""CSV to Parquet, written as a PyFlink program: run it with
`fluvial run examples/csv_to_parquet.py --input DIR --output DIR`.

Reads the CSV files of orders under --input (built-in sample orders when none is given),
skips lines that do not parse (counted in numRecordsInErrors), and writes Parquet part
files under --output, one directory per day (dt=YYYY-MM-DD). Two calls are Fluvial
extras that PyFlink lacks: CsvReaderFormat.with_ignore_parse_errors() and
BucketAssigner.field_bucket_assigner().
"""

import argparse
import os
import sys
import tempfile

from pyflink.common import Types, WatermarkStrategy
from pyflink.datastream import RuntimeExecutionMode, StreamExecutionEnvironment
from pyflink.datastream.connectors.file_system import BucketAssigner, FileSink, FileSource
from pyflink.datastream.formats.csv import CsvReaderFormat, CsvSchema
from pyflink.datastream.formats.parquet import ParquetBulkWriters

SAMPLE_ORDERS = """order_id,dt,customer,amount,quantity
1,2026-11-24,alice,12.5,1
2,2026-11-24,bob,7.25,3
3,2026-11-25,carol,100.0,2
4,2026-11-25,alice,not-a-number,1
5,2026-11-26,dave,3.75,4
"""

# --8<-- [start:schema]
ORDER_SCHEMA = CsvSchema.builder() \
    .add_number_column("order_id", number_type=Types.LONG()) \
    .add_string_column("dt") \
    .add_string_column("customer") \
    .add_number_column("amount", number_type=Types.DOUBLE()) \
    .add_number_column("quantity", number_type=Types.INT()) \
    .set_use_header() \
    .build()
# --8<-- [end:schema]


# --8<-- [start:job]
def csv_to_parquet(input_path, output_path):
    env = StreamExecutionEnvironment.get_execution_environment()
    env.set_runtime_mode(RuntimeExecutionMode.BATCH)

    source = FileSource.for_record_stream_format(
        CsvReaderFormat.for_schema(ORDER_SCHEMA).with_ignore_parse_errors(), input_path).build()
    orders = env.from_source(source, WatermarkStrategy.no_watermarks(), "orders")

    sink = FileSink.for_bulk_format(output_path, ParquetBulkWriters.for_row_type(ORDER_SCHEMA.get_type_info())) \
        .with_bucket_assigner(BucketAssigner.field_bucket_assigner("dt")) \
        .build()
    orders.sink_to(sink)

    result = env.execute("csv_to_parquet")
    print(f"skipped {result.get_accumulator_result('numRecordsInErrors')} bad lines")
# --8<-- [end:job]


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--input", dest="input", required=False, help="CSV file or directory.")
    parser.add_argument("--output", dest="output", required=False, help="Output directory.")
    known_args, _ = parser.parse_known_args(sys.argv[1:])
    input_path = known_args.input
    if input_path is None:
        input_path = os.path.join(tempfile.mkdtemp(prefix="orders-"), "orders.csv")
        with open(input_path, "w") as file:
            file.write(SAMPLE_ORDERS)
    output_path = known_args.output or tempfile.mkdtemp(prefix="orders-parquet-")
    csv_to_parquet(input_path, output_path)
    print(f"wrote Parquet files under {output_path}")
