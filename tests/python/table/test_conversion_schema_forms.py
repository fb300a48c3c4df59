"""The schema forms PyFlink's documentation uses when converting into tables:
from_pandas with a list of types (the DataFrame's own column names) or a row type (columns
mapped by position, not by name), and from_data_stream of a Types.TUPLE stream (columns
f0, f1, ... as in Flink)."""

import pandas as pd
import pytest

from fluvial.common.typeinfo import Types
from fluvial.datastream import StreamExecutionEnvironment
from fluvial.table import DataTypes, EnvironmentSettings, StreamTableEnvironment, TableEnvironment
from fluvial.table.expressions import PlanningError

PDF = pd.DataFrame([[0.5, 1.5], [2.5, 3.5]])  # columns named 0 and 1, as pd.DataFrame(np.random.rand(...))


@pytest.fixture
def batch_env():
    return TableEnvironment.create(EnvironmentSettings.in_batch_mode())


def test_from_pandas_with_a_list_of_types_keeps_the_frame_column_names(batch_env):
    table = batch_env.from_pandas(PDF, [DataTypes.DOUBLE(), DataTypes.DOUBLE()])
    result = table.to_pandas()
    assert list(result.columns) == ["0", "1"]
    assert result.values.tolist() == PDF.values.tolist()


def test_from_pandas_with_a_row_type_maps_columns_by_position(batch_env):
    row = DataTypes.ROW([DataTypes.FIELD("f0", DataTypes.DOUBLE()), DataTypes.FIELD("f1", DataTypes.DOUBLE())])
    result = batch_env.from_pandas(PDF, row).to_pandas()
    assert list(result.columns) == ["f0", "f1"]
    assert result.values.tolist() == [[0.5, 1.5], [2.5, 3.5]]


def test_from_pandas_with_a_schema_of_another_width_names_both_widths(batch_env):
    with pytest.raises(PlanningError, match=r"the schema has 3 columns, the DataFrame 2 \(0, 1\)"):
        batch_env.from_pandas(PDF, ["a", "b", "c"])


def test_from_data_stream_of_tuples_names_the_columns_f0_f1():
    env = StreamExecutionEnvironment.get_execution_environment()
    env.set_parallelism(1)
    t_env = StreamTableEnvironment.create(env)
    ds = env.from_collection([(1, "a"), (2, "b")], type_info=Types.TUPLE([Types.INT(), Types.STRING()]))
    table = t_env.from_data_stream(ds)
    assert table.get_schema().get_field_names() == ["f0", "f1"]
    with table.execute().collect() as rows:
        assert sorted((row[0], row[1]) for row in rows) == [(1, "a"), (2, "b")]
