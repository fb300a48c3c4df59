"""from_data_stream of a Types.TUPLE stream, as PyFlink's documentation converts one
(intro to the DataStream API): columns f0, f1, ... as in Flink."""

from fluvial.common.typeinfo import Types
from fluvial.datastream import StreamExecutionEnvironment
from fluvial.table import StreamTableEnvironment


def test_from_data_stream_of_tuples_names_the_columns_f0_f1():
    env = StreamExecutionEnvironment.get_execution_environment()
    env.set_parallelism(1)
    t_env = StreamTableEnvironment.create(env)
    ds = env.from_collection([(1, "a"), (2, "b")], type_info=Types.TUPLE([Types.INT(), Types.STRING()]))
    table = t_env.from_data_stream(ds)
    assert table.get_schema().get_field_names() == ["f0", "f1"]
    with table.execute().collect() as rows:
        assert sorted((row[0], row[1]) for row in rows) == [(1, "a"), (2, "b")]
