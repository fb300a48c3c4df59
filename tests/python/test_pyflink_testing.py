"""fluvial.testing: the JVM-free pyflink.testing that PyFlink's own unit tests run on.

Expected texts are Java's toString of the values, as PyFlink's tests (recorded on real
Flink) assert them; the changelog results are checked against a plain-Python recomputation.
"""

import datetime
import decimal
from collections import Counter

import pyarrow as pa
import pytest

from fluvial.common import Row
from fluvial.common.typeinfo import Types
from fluvial.datastream import StreamExecutionEnvironment
from fluvial.table import EnvironmentSettings, StreamTableEnvironment, TableEnvironment, col
from fluvial.testing import source_sink_utils
from fluvial.testing._java_text import java_text
from fluvial.testing.datastream_test_util import DataStreamTestSinkFunction
from fluvial.testing.test_case_utils import PyFlinkStreamTableTestCase, PyFlinkTestCase


@pytest.mark.parametrize("value, arrow_type, expected", [
    # Float.toString of the 32-bit value (test_pandas_udaf: mean of FLOAT 4.3333335).
    (13 / 3, pa.float32(), "4.3333335"),
    (1.23, pa.float32(), "1.23"),
    (1.98932, pa.float64(), "1.98932"),
    (datetime.datetime(2018, 3, 11, 3, 0), pa.timestamp("ms"), "2018-03-11T03:00"),
    (datetime.datetime(2018, 3, 11, 3, 0, 0, 123000), pa.timestamp("ms"), "2018-03-11T03:00:00.123"),
    (datetime.datetime(1970, 1, 2, 0, 0, 0, 123000, tzinfo=datetime.timezone.utc), pa.timestamp("ms", tz="UTC"),
     "1970-01-02T00:00:00.123Z"),
    (datetime.time(12, 0, 0, 123000), pa.time64("us"), "12:00:00.123"),
    (datetime.time(1, 0, 1), pa.time64("us"), "01:00:01"),
    (b"flink", pa.binary(), "[102, 108, 105, 110, 107]"),
    (bytes([255]), pa.binary(), "[-1]"),
    (decimal.Decimal("1000000000000000000.050000000000000000"), pa.decimal128(38, 18),
     "1000000000000000000.050000000000000000"),
    ([(1, "flink"), (2, "pyflink")], pa.map_(pa.int64(), pa.string()), "{1=flink, 2=pyflink}"),
    (["hello", None], pa.list_(pa.string()), "[hello, null]"),
    ({"a": 5, "b": 2}, pa.struct([("a", pa.int32()), ("b", pa.int32())]), "+I[5, 2]"),
    (True, pa.bool_(), "true"),
    (None, pa.int64(), "null"),
])
def test_values_read_as_java_prints_them(value, arrow_type, expected):
    assert java_text(value, arrow_type) == expected


def _word_counts_changelog(words, streaming):
    settings = EnvironmentSettings.in_streaming_mode() if streaming else EnvironmentSettings.in_batch_mode()
    t_env = TableEnvironment.create(settings)
    t_env.get_config().set("parallelism.default", "2")
    t_env.execute_sql("CREATE TABLE counts (word STRING, n BIGINT) WITH ('connector' = 'test-sink')")
    table = t_env.from_elements([(w,) for w in words], ["word"])
    table.group_by(col("word")).select(col("word"), col("word").count.alias("n")).execute_insert("counts").wait()


def test_test_sink_results_apply_the_changelog():
    words = ["a", "b", "a", "c", "a", "b"]
    source_sink_utils.results()  # empty the collector
    _word_counts_changelog(words, streaming=True)
    expected = sorted(f"+I[{w}, {n}]" for w, n in Counter(words).items())
    assert sorted(source_sink_utils.results()) == expected
    assert source_sink_utils.results() == []  # results() takes what it returns


def test_upsert_results_keep_the_last_row_per_key():
    words = ["x", "y", "x", "x"]
    source_sink_utils.results()
    _word_counts_changelog(words, streaming=True)
    assert sorted(source_sink_utils.upsert_results([0])) == ["+I[x, 3]", "+I[y, 1]"]


def test_test_sink_rejects_unknown_options():
    t_env = TableEnvironment.create(EnvironmentSettings.in_batch_mode())
    t_env.execute_sql("CREATE TABLE s (a INT) WITH ('connector' = 'test-sink', 'sink.color' = 'blue')")
    with pytest.raises(Exception, match="unknown option 'sink.color' for connector 'test-sink'"):
        t_env.from_elements([(1,)], ["a"]).execute_insert("s").wait()


def test_datastream_test_sink_collects_every_subtask_as_typed_text():
    env = StreamExecutionEnvironment.get_execution_environment()
    env.set_parallelism(2)
    sink = DataStreamTestSinkFunction()
    rows = [("a", 1), ("b", 2), ("c", 3)]
    env.from_collection(rows, type_info=Types.ROW([Types.STRING(), Types.INT()])) \
        .map(lambda r: Row(r[0], r[1] * 10), output_type=Types.ROW([Types.STRING(), Types.INT()])) \
        .add_sink(sink)
    env.execute("typed")
    assert sorted(sink.get_results()) == sorted(f"+I[{w}, {n * 10}]" for w, n in rows)
    assert sink.get_results() == []


def test_datastream_test_sink_python_objects():
    env = StreamExecutionEnvironment.get_execution_environment()
    sink = DataStreamTestSinkFunction()
    env.from_collection([1, 2, 3]).map(lambda x: (x, x * x)).add_sink(sink)
    env.execute("untyped")
    assert sorted(sink.get_results(True)) == ["(1, 1)", "(2, 4)", "(3, 9)"]


class _HarnessUse(PyFlinkStreamTableTestCase):
    def test_shared_environments(self):
        assert self.env.get_parallelism() == 2
        assert isinstance(self.t_env, StreamTableEnvironment)


def test_stream_table_test_case_gives_a_streaming_table_environment():
    import unittest

    result = unittest.TextTestRunner(verbosity=0, stream=open("/dev/null", "w")).run(
        unittest.defaultTestLoader.loadTestsFromTestCase(_HarnessUse))
    assert result.wasSuccessful(), result.failures + result.errors


def test_assert_equals_ignores_order_but_not_content():
    PyFlinkTestCase.assert_equals(["+I[2]", "+I[1]"], ["+I[1]", "+I[2]"])
    with pytest.raises(AssertionError, match="results differ"):
        PyFlinkTestCase.assert_equals(["+I[1]", "+I[3]"], ["+I[1]", "+I[2]"])


def test_jvm_only_helpers_refuse_by_name():
    from fluvial.errors import UnsupportedFeatureError
    from fluvial.testing.test_case_utils import to_java_data_structure

    with pytest.raises(UnsupportedFeatureError, match="to_java_data_structure"):
        to_java_data_structure(1)


def test_types_of_pyflink_tests_in_ddl():
    # BYTES, TIME and BINARY(n) columns, and CAST of text literals to TIME / TIMESTAMP (one-digit
    # month and day, as Flink accepts), as test_udf.py declares and writes them.
    t_env = TableEnvironment.create(EnvironmentSettings.in_batch_mode())
    t_env.execute_sql("CREATE TABLE typed (k BYTES, l TIME, m BINARY(5), n TIMESTAMP(3)) "
                      "WITH ('connector' = 'test-sink')")
    source_sink_utils.results()
    t_env.execute_sql("INSERT INTO typed SELECT CAST('abc' AS BYTES), CAST('12:00:01' AS TIME), "
                      "CAST('flink' AS BINARY(5)), CAST('1999-9-10 05:20:10' AS TIMESTAMP(3))").wait()
    assert source_sink_utils.results() == ["+I[[97, 98, 99], 12:00:01, [102, 108, 105, 110, 107], "
                                           "1999-09-10T05:20:10]"]
