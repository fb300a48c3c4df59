"""Fluvial's Table API and SQL (PyFlink's ``pyflink.table``): relational
queries planned into native operators over Arrow record batches, with Python
UDFs where the query calls them.

Examples:
    >>> from fluvial.table import EnvironmentSettings, TableEnvironment
    >>> t_env = TableEnvironment.create(EnvironmentSettings.in_batch_mode())
    >>> t_env.from_elements([("a", 1), ("b", 2), ("a", 3)], ["k", "v"]).group_by(col("k")) \\
    ...     .select(col("k"), col("v").sum.alias("total")).to_pandas()
       k  total
    0  a      4
    1  b      2
"""

from fluvial.common.types import Row, RowKind
from fluvial.table.data_view import DataView, ListView, MapView
from fluvial.table.explain_detail import ExplainDetail
from fluvial.table.expressions import Expression, col, lit
from fluvial.table.schema import Schema, TableSchema
from fluvial.table.table import GroupedTable, GroupWindowedTable, OverWindowedTable, Table, WindowGroupedTable
from fluvial.table.table_descriptor import FormatDescriptor, TableDescriptor
from fluvial.table.table_environment import (
    EnvironmentSettings,
    StatementSet,
    StreamTableEnvironment,
    TableConfig,
    TableEnvironment,
)
from fluvial.table.table_result import ResultKind, TableResult
from fluvial.table.types import DataType, DataTypes
from fluvial.table.udf import (
    AggregateFunction,
    FunctionContext,
    ScalarFunction,
    TableAggregateFunction,
    TableFunction,
    udaf,
    udf,
    udtaf,
    udtf,
)

__all__ = ["AggregateFunction", "DataType", "DataTypes", "DataView", "EnvironmentSettings", "ExplainDetail",
           "Expression", "FormatDescriptor", "FunctionContext", "GroupWindowedTable", "GroupedTable", "ListView",
           "MapView", "OverWindowedTable", "ResultKind", "Row", "RowKind", "ScalarFunction", "Schema",
           "StatementSet", "StreamTableEnvironment", "Table", "TableAggregateFunction", "TableConfig",
           "TableDescriptor", "TableEnvironment", "TableFunction", "TableResult", "TableSchema",
           "WindowGroupedTable", "col", "lit", "udaf", "udf", "udtaf", "udtf"]
