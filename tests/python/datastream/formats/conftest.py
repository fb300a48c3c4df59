"""Fixtures of the format tests; the DataStream fixtures (env, parallelism, the thread
check) come from the parent conftest. Arrow keeps pools of threads that it starts when
first needed and grows when readers run side by side: here the pools get one thread
each, started once, before any test takes its thread baseline."""

import io

import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.orc as orc
import pyarrow.parquet as pq


def _warm_up_arrow() -> None:
    pa.set_cpu_count(1)
    pa.set_io_thread_count(1)
    table = pa.table({"a": [1]})
    for write, read in ((pq.write_table, pq.read_table), (orc.write_table, orc.read_table)):
        buffer = io.BytesIO()
        write(table, buffer)
        buffer.seek(0)
        read(buffer)
    pa_csv.read_csv(io.BytesIO(b"a\n1\n"), pa_csv.ReadOptions(use_threads=False))


_warm_up_arrow()
