"""Table: a relational query over streams, built lazily and run by execute()."""

from typing import Any, Dict, List, Optional, Tuple

import pyarrow as pa

from fluvial.table import _planner
from fluvial.table.expressions import (
    Alias,
    Call,
    Col,
    Expression,
    PlanningError,
    UdfCall,
    output_name,
    unknown_column,
)
from fluvial.table.window import GroupWindow


def _expressions(fields: Tuple[Any, ...], schema: pa.Schema) -> List[Expression]:
    result: List[Expression] = []
    for field in fields:
        if isinstance(field, str):
            # PyFlink also takes expression strings; plain column names and '*' are supported.
            names = [n.strip() for n in field.split(",")]
            for name in names:
                if name == "*":
                    result.extend(Col(n) for n in schema.names)
                elif name.isidentifier():
                    result.append(Col(name))
                else:
                    raise PlanningError(f"expression strings are not supported, use col('...'): {field!r}")
        elif isinstance(field, Col) and field.name == "*":
            result.extend(Col(n) for n in schema.names)
        elif isinstance(field, Call) and field.function == "flatten":
            result.extend(_flattened(field.args[0], schema))
        elif isinstance(field, Expression):
            result.append(field)
        else:
            raise PlanningError(f"expected an expression (col('name'), lit(...)), got {field!r}")
    return result


def _flattened(value: Expression, schema: pa.Schema) -> List[Expression]:
    """col('r').flatten(): a column per field of the ROW, named r$field as in Flink."""
    from fluvial.table.expressions import Alias, infer_schema, to_arrow

    arrow_type = infer_schema(schema, [to_arrow(value, schema)], ["v"]).field(0).type
    if not pa.types.is_struct(arrow_type):
        raise PlanningError(f"flatten() applies to a ROW value, but {value!r} is {arrow_type}")
    prefix = value.name if isinstance(value, Col) else repr(value)
    return [Alias(value.get(f.name), f"{prefix}${f.name}") for f in arrow_type]


def _items(expressions: List[Expression]) -> List[Tuple[str, Expression]]:
    from fluvial.table.expressions import walk

    for node in (n for e in expressions for n in walk(e)):
        if isinstance(node, UdfCall) and getattr(node.function, "_is_table_aggregate", False):
            name = node.function._name
            raise PlanningError(f"'{name}' is a table aggregate function: use it in flat_aggregate({name}(...)), "
                                f"not in a select or filter")
    items = []
    # The Table API's names for items without one: an aggregate is EXPR$0, EXPR$1, ... counting the
    # unnamed aggregates; anything else is _c<its position> (SQL names both EXPR$<position>).
    unnamed_aggregates = 0
    for position, expression in enumerate(expressions):
        if isinstance(expression, Col) and expression.name == "*":
            raise PlanningError("col('*') stands alone in a select (all the columns); it cannot be part of an "
                                "expression")
        name = output_name(expression, unnamed_aggregates)
        if name == f"EXPR${unnamed_aggregates}":
            if _has_aggregate(expression):
                unnamed_aggregates += 1
            else:
                name = f"_c{position}"
        items.append((name, expression))
    names = [n for n, _ in items]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise PlanningError(f"duplicate output column name(s) {duplicates}: give them distinct aliases")
    return items


class Table:
    """A table: the Table API's relational operations on a stream or a bounded input.

    Examples:
        >>> from fluvial.table import EnvironmentSettings, TableEnvironment
        >>> from fluvial.table.expressions import col
        >>> t_env = TableEnvironment.create(EnvironmentSettings.in_batch_mode())
        >>> t = t_env.from_elements([(1, "a", 2.0), (2, "b", -1.0)], ["id", "name", "price"])
        >>> [r.id for r in t.filter(col("price") > 0).execute().collect()]
        [1]
    """

    def __init__(self, t_env: Any, plan: _planner.TablePlan):
        self._t_env = t_env
        self._plan = plan

    # -- schema -------------------------------------------------------------------
    def get_schema(self):
        from fluvial.table.schema import TableSchema

        return TableSchema.from_arrow(self._plan.schema, self._plan.rowtime, self._plan.proctime)

    def get_resolved_schema(self):
        return self.get_schema()

    def print_schema(self) -> None:
        print(self.get_schema())

    def __getattr__(self, name: str) -> Expression:
        # table.price is col('price') of this table, as in PyFlink.
        if name.startswith("_"):
            raise AttributeError(name)
        if name in self._plan.schema.names:
            return Col(name)
        raise AttributeError(str(unknown_column(name, self._plan.schema.names)))

    def _with(self, plan: _planner.TablePlan) -> "Table":
        return Table(self._t_env, plan)

    def _resolve(self, expressions: List[Expression]) -> List[Expression]:
        """call('name', ...) of a registered function becomes a call of that UDF."""
        from fluvial.table._python_builtins import BUILTINS
        from fluvial.table.expressions import transform

        functions = self._t_env._functions

        def rewrite(node: Expression) -> Optional[Expression]:
            if isinstance(node, Call) and node.function in functions:
                return UdfCall(functions[node.function], node.args)
            if isinstance(node, Call) and node.function in BUILTINS:
                return UdfCall(BUILTINS[node.function], node.args)
            return None

        return [transform(e, rewrite) for e in expressions]

    # -- relational operations ---------------------------------------------------------
    def select(self, *fields: Any) -> "Table":
        expressions = self._resolve(_expressions(fields, self._plan.schema))
        if any(_has_aggregate(e) for e in expressions):
            return self.group_by().select(*fields)
        return self._with(_planner.calc(self._plan, _items(expressions), name="Calc(select)"))

    def filter(self, predicate: Expression) -> "Table":
        items = [(n, Col(n)) for n in self._plan.schema.names]
        predicate = self._resolve([predicate])[0]
        return self._with(_planner.calc(self._plan, items, predicate, name="Calc(filter)"))

    where = filter

    def add_columns(self, *fields: Expression) -> "Table":
        expressions = self._resolve(_expressions(fields, self._plan.schema))
        items = [(n, Col(n)) for n in self._plan.schema.names] + _items(expressions)
        clash = [n for n, _ in _items(expressions) if n in self._plan.schema.names]
        if clash:
            raise PlanningError(f"add_columns: column(s) {clash} exist already; use add_or_replace_columns")
        return self._with(_planner.calc(self._plan, items, name="Calc(add_columns)"))

    def add_or_replace_columns(self, *fields: Expression) -> "Table":
        new = _items(self._resolve(_expressions(fields, self._plan.schema)))
        replaced = dict(new)
        items = [(n, replaced.pop(n) if n in replaced else Col(n)) for n in self._plan.schema.names]
        items += [(n, e) for n, e in new if n in replaced]
        return self._with(_planner.calc(self._plan, items, name="Calc(add_or_replace_columns)"))

    def drop_columns(self, *fields: Expression) -> "Table":
        dropped = []
        for field in _expressions(fields, self._plan.schema):
            if not isinstance(field, Col):
                raise PlanningError(f"drop_columns takes columns, got {field!r}")
            if field.name not in self._plan.schema.names:
                raise unknown_column(field.name, self._plan.schema.names)
            dropped.append(field.name)
        items = [(n, Col(n)) for n in self._plan.schema.names if n not in dropped]
        return self._with(_planner.calc(self._plan, items, name="Calc(drop_columns)"))

    def rename_columns(self, *fields: Expression) -> "Table":
        renames = {}
        for field in fields:
            if not isinstance(field, Alias) or not isinstance(field.expr, Col):
                raise PlanningError(f"rename_columns takes col('old').alias('new'), got {field!r}")
            if field.expr.name not in self._plan.schema.names:
                raise unknown_column(field.expr.name, self._plan.schema.names)
            renames[field.expr.name] = field.name
        items = [(renames.get(n, n), Col(n)) for n in self._plan.schema.names]
        return self._with(_planner.calc(self._plan, items, name="Calc(rename_columns)"))

    def alias(self, field: str, *fields: str) -> "Table":
        names = [field, *fields]
        current = self._plan.schema.names
        if len(names) > len(current):
            raise PlanningError(f"alias: {len(names)} names for a table of {len(current)} columns "
                                f"({', '.join(current)})")
        # As Flink: the first columns are renamed, the rest keep their names.
        names += current[len(names):]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise PlanningError(f"alias: the column name(s) {duplicates} would appear twice in ({', '.join(names)})")
        items = [(new, Col(old)) for new, old in zip(names, current)]
        return self._with(_planner.calc(self._plan, items, name="Calc(alias)"))

    def group_by(self, *fields: Expression) -> "GroupedTable":
        return GroupedTable(self, _expressions(fields, self._plan.schema))

    def distinct(self) -> "Table":
        keys = [Col(n) for n in self._plan.schema.names]
        return self.group_by(*keys).select(*keys)

    def aggregate(self, func: Any) -> "AggregatedTable":
        """Aggregates the whole table with an aggregate function whose ROW result becomes columns
        (``.alias(...)`` names them); close it with ``select``. See GroupedTable.aggregate."""
        return self.group_by().aggregate(func)

    def flat_aggregate(self, func: Any) -> "FlatAggregateTable":
        """Aggregates the whole table with a table aggregate function (udtaf); close it with ``select``.
        See GroupedTable.flat_aggregate."""
        return self.group_by().flat_aggregate(func)

    def window(self, window: GroupWindow) -> "GroupWindowedTable":
        return GroupWindowedTable(self, window)

    def union_all(self, right: "Table") -> "Table":
        return self._with(_planner.union_all(self._plan, right._plan))

    def join(self, right: "Table", join_predicate: Optional[Expression] = None) -> "Table":
        """Inner equi-join; the two tables' column names must differ (rename_columns first).

        With key equalities and time bounds between the two tables' event-time attributes (given
        here or in a ``where`` right after ``join(right)``), it is an interval join: state bounded
        by the watermark, insert-only output.

        Examples:
            >>> from fluvial.table import EnvironmentSettings, TableEnvironment, col
            >>> t_env = TableEnvironment.create(EnvironmentSettings.in_batch_mode())
            >>> orders = t_env.from_elements([(1, 10), (2, 20)], ["order_id", "user"])
            >>> users = t_env.from_elements([(10, "ann")], ["user_id", "name"])
            >>> [tuple(r) for r in orders.join(users, col("user") == col("user_id")).execute().collect()]
            [(1, 10, 10, 'ann')]
            >>> [tuple(r) for r in orders.join(users).where(col("user") == col("user_id")).execute().collect()]
            [(1, 10, 10, 'ann')]
        """
        if join_predicate is None:
            return _PendingJoin(self, right)  # type: ignore[return-value]
        return self._join(right, join_predicate, "inner")

    def left_outer_join(self, right: "Table", join_predicate: Optional[Expression] = None) -> "Table":
        """Left outer equi-join: left rows without a match get NULLs on the right."""
        return self._join(right, join_predicate, "left")

    def right_outer_join(self, right: "Table", join_predicate: Expression) -> "Table":
        """Right outer equi-join: right rows without a match get NULLs on the left.

        Examples:
            >>> from fluvial.table import EnvironmentSettings, TableEnvironment, col
            >>> t_env = TableEnvironment.create(EnvironmentSettings.in_batch_mode())
            >>> orders = t_env.from_elements([(1, 10)], ["order_id", "user"])
            >>> users = t_env.from_elements([(10, "ann"), (11, "bob")], ["user_id", "name"])
            >>> sorted((tuple(r) for r in orders.right_outer_join(users, col("user") == col("user_id"))
            ...         .execute().collect()), key=lambda r: r[2])
            [(1, 10, 10, 'ann'), (None, None, 11, 'bob')]
        """
        return self._join(right, join_predicate, "right")

    def full_outer_join(self, right: "Table", join_predicate: Expression) -> "Table":
        """Full outer join: unmatched rows of either side padded with NULLs. With key equalities
        and time bounds between the event-time attributes it runs as an interval join (or a
        window join over window table functions), with state cleaned by the watermark; otherwise
        as a regular join keeping both sides.

        Examples:
            >>> from fluvial.table import EnvironmentSettings, TableEnvironment, col
            >>> t_env = TableEnvironment.create(EnvironmentSettings.in_batch_mode())
            >>> a = t_env.from_elements([(1, 10), (2, 20)], ["k", "v"])
            >>> b = t_env.from_elements([(2, 200), (3, 300)], ["k2", "v2"])
            >>> sorted((tuple(r) for r in a.full_outer_join(b, col("k") == col("k2")).execute().collect()),
            ...        key=str)
            [(1, 10, None, None), (2, 20, 2, 200), (None, None, 3, 300)]
        """
        return self._join(right, join_predicate, "full")

    def _join(self, right: "Table", predicate: Optional[Expression], join_type: str) -> "Table":
        from fluvial.table import _time_joins

        clash = sorted(set(self._plan.schema.names) & set(right._plan.schema.names))
        if clash:
            raise PlanningError(f"join: both tables have the column(s) {clash}; rename one side's with "
                                f"rename_columns(col('x').alias('x2')) first")
        if predicate is None:
            raise PlanningError("join needs a predicate: left.join(right, col('a') == col('b'))")
        from fluvial.table._join_keys import computed_keys

        left_plan, right_plan, predicate, added = computed_keys(self._plan, right._plan,
                                                                 self._resolve([predicate])[0])
        left_keys, right_keys, residual = _equi_keys(predicate, left_plan.schema.names, right_plan.schema.names)
        plan, _, rest = _time_joins.plan_join(left_plan, right_plan, left_keys, right_keys, join_type, residual)
        joined = self._with(plan)
        for condition in rest:
            joined = joined.filter(condition)
        if added:
            kept = [n for n in joined._plan.schema.names if n not in added]
            joined = joined._with(_planner.calc(joined._plan, [(n, Col(n)) for n in kept], name="Calc(drop join keys)"))
        return joined

    def join_lateral(self, table_function_call: Any, join_predicate: Optional[Expression] = None) -> "Table":
        """Each row joined with the rows a table function (udtf) yields for it.

        Examples:
            >>> from fluvial.table import DataTypes, EnvironmentSettings, TableEnvironment, col
            >>> from fluvial.table.udf import udtf
            >>> @udtf(result_types=[DataTypes.STRING()])
            ... def split(text):
            ...     yield from text.split(",")
            >>> t_env = TableEnvironment.create(EnvironmentSettings.in_batch_mode())
            >>> t = t_env.from_elements([(1, "a,b"), (2, "")], ["id", "tags"])
            >>> [tuple(r) for r in t.join_lateral(split(col("tags")).alias("tag")).select(col("id"), col("tag"))
            ...  .execute().collect()]
            [(1, 'a'), (1, 'b'), (2, '')]
        """
        return self._lateral(table_function_call, join_predicate, left_outer=False)

    def left_outer_join_lateral(self, table_function_call: Any,
                                join_predicate: Optional[Expression] = None) -> "Table":
        """As join_lateral, keeping rows for which the function yields nothing (with NULLs)."""
        return self._lateral(table_function_call, join_predicate, left_outer=True)

    def _lateral(self, call: Any, predicate: Optional[Expression], left_outer: bool) -> "Table":
        from fluvial.table.expressions import Alias as AliasExpression
        from fluvial.table.udf import UserDefinedFunctionWrapper

        names: List[str] = []
        if isinstance(call, UserDefinedFunctionWrapper):
            # The function itself (perhaps .alias(...)'d): called with the whole row, as PyFlink does.
            names = list(getattr(call, "_aliases", None) or [])
            call = UdfCall(call, [Col(n) for n in self._plan.schema.names], takes_row=True)
        if isinstance(call, AliasExpression):
            names = [call.name] + call.extra_names
            call = call.expr
        if isinstance(call, Call) and call.function in self._t_env._functions:
            call = UdfCall(self._t_env._functions[call.function], call.args)
        if isinstance(call, UdfCall) and isinstance(call.function, TemporalTableFunction):
            return self._with(call.function._join(self._plan, call.args, names, predicate, left_outer))
        if not isinstance(call, UdfCall) or not getattr(call.function, "_is_table_function", False):
            raise PlanningError(f"join_lateral takes a call of a table function (udtf), got {call!r}")
        joined = self._with(_planner.lateral_table(self._plan, call, names, left_outer))
        return joined.filter(predicate) if predicate is not None else joined

    def flat_map(self, func: Any) -> "Table":
        """Rows to any number of rows through a table function: given the function itself, it is
        called with one Row of all the columns; given a call (``split(col('line'))``), with its
        arguments — PyFlink's rule."""
        names = self._plan.schema.names
        if isinstance(func, UdfCall):
            call = UdfCall(func.function, self._resolve(list(func.args)))
        else:
            call = UdfCall(func, [Col(n) for n in names], takes_row=True)
        if not getattr(call.function, "_is_table_function", False):
            raise PlanningError(f"flat_map takes a table function (udtf), got {func!r}")
        result = self._with(_planner.lateral_table(self._plan, call, [], left_outer=False))
        produced = [n for n in result._plan.schema.names if n not in names]
        return result.select(*[Col(n) for n in produced])

    def create_temporal_table_function(self, time_attribute: Any, primary_key: Any) -> "TemporalTableFunction":
        """This table as a history of versions per key, for event-time temporal joins: register
        the function (create_temporary_system_function) and join it with
        ``join_lateral(call('name', col('left_time')), col('left_key') == col('key'))``.

        Examples:
            >>> from fluvial.table import EnvironmentSettings, TableEnvironment, col
            >>> t_env = TableEnvironment.create(EnvironmentSettings.in_streaming_mode())
            >>> rates = t_env.from_elements([("EUR", 1.1, 9)], ["r_currency", "r_rate", "r_time"])
            >>> rates.create_temporal_table_function(col("r_time"), col("r_currency"))
            Traceback (most recent call last):
            ...
            fluvial.table.expressions.PlanningError: create_temporal_table_function: 'r_time' is not the table's ...
        """
        return TemporalTableFunction(self, _column_name(time_attribute, "time attribute"),
                                     _column_name(primary_key, "primary key"))

    def map(self, func: Any) -> "Table":
        """Each row to one row through a scalar function: given the function itself, it is called
        with one Row of all the columns; given a call (``f(col('a'), col('b'))``), with its
        arguments — PyFlink's rule. A ROW result becomes columns."""
        if isinstance(func, UdfCall):
            arguments = self._resolve(list(func.args))
            items = [(f"__map_arg{i}", a) for i, a in enumerate(arguments)]
            projected = _planner.calc(self._plan, items, name="Calc(map arguments)")
            return self._with(_planner.python_map(projected, func.function, takes_row=False))
        return self._with(_planner.python_map(self._plan, func))

    def order_by(self, *fields: Expression) -> "Table":
        """Sorts a bounded table: col('a').asc / col('a').desc (plain columns sort ascending)."""
        keys = []
        for field_ in _expressions(fields, self._plan.schema):
            ascending = True
            if isinstance(field_, Call) and field_.function in ("asc", "desc"):
                ascending, field_ = field_.function == "asc", field_.args[0]
            if not isinstance(field_, Col):
                raise PlanningError(f"order_by takes columns, got {field_!r}")
            keys.append((field_.name, ascending))
        return self._with(_planner.sort_limit(self._plan, keys, None, 0))

    def limit(self, fetch: int, offset: int = 0) -> "Table":
        """The first 'fetch' rows (after 'offset') of a bounded table, in its current order."""
        return self._with(_planner.sort_limit(self._plan, [], fetch, offset))

    def fetch(self, fetch: int) -> "Table":
        return self.limit(fetch)

    def offset(self, offset: int) -> "Table":
        return self._with(_planner.sort_limit(self._plan, [], None, offset))

    def over_window(self, *over_windows: Any) -> "OverWindowedTable":
        """Aggregates over OVER windows: ``select(col('v').sum.over(col('w')))``.

        Examples:
            >>> import datetime
            >>> from fluvial.common import Row, Types
            >>> from fluvial.datastream import StreamExecutionEnvironment
            >>> from fluvial.table import Schema, StreamTableEnvironment, col
            >>> from fluvial.table.expressions import row_interval
            >>> from fluvial.table.window import Over
            >>> env = StreamExecutionEnvironment.get_execution_environment()
            >>> t_env = StreamTableEnvironment.create(env)
            >>> start = datetime.datetime(2024, 1, 1)
            >>> ds = env.from_collection([Row(k="a", v=v, ts=start + datetime.timedelta(seconds=v)) for v in (1, 2, 3)],
            ...     type_info=Types.ROW_NAMED(["k", "v", "ts"], [Types.STRING(), Types.LONG(), Types.SQL_TIMESTAMP()]))
            >>> t = t_env.from_data_stream(ds, Schema.new_builder().watermark("ts", "ts - INTERVAL '1' SECOND").build())
            >>> w = Over.partition_by(col("k")).order_by(col("ts")).preceding(row_interval(1)).alias("w")
            >>> [tuple(r) for r in t.over_window(w).select(col("v"), col("v").sum.over(col("w"))).execute().collect()]
            [(1, 1), (2, 3), (3, 5)]
        """
        if len(over_windows) != 1:
            raise PlanningError("over_window takes one OVER window so far")
        return OverWindowedTable(self, over_windows[0])

    # -- execution -------------------------------------------------------------------
    def execute(self):
        """Runs the query; the TableResult collects or prints its rows."""
        return self._t_env._execute_query(self)

    def execute_insert(self, table_path_or_descriptor: Any, overwrite: bool = False):
        """Writes this table into the registered sink table (a path), or into the table a
        TableDescriptor declares, and starts the job."""
        from fluvial.table.table_descriptor import TableDescriptor

        if isinstance(table_path_or_descriptor, TableDescriptor):
            table_path_or_descriptor = self._t_env._register_descriptor(table_path_or_descriptor)
        return self._t_env._execute_insert([(table_path_or_descriptor, self)])

    def to_pandas(self):
        """Runs the query (bounded) and returns the final rows as a pandas DataFrame."""
        import pandas as pd

        rows = list(self.execute().collect())
        final = _apply_changelog(rows)
        return pd.DataFrame([list(r) for r in final], columns=self._plan.schema.names)

    def explain(self, *extra_details: Any) -> str:
        return self._t_env._explain(self)

    def __repr__(self) -> str:
        return f"Table({', '.join(f'{f.name} {f.type}' for f in self._plan.schema)})"

    def __str__(self) -> str:
        """As PyFlink: registers this table as an inline view ``UnnamedTable$N`` and returns that
        name, so ``f"SELECT * FROM {table}"`` reads it."""
        name = getattr(self, "_inline_name", None)
        if name is None or self._t_env._tables.get(name) is not self:
            t_env = self._t_env
            t_env._unnamed_tables = getattr(t_env, "_unnamed_tables", -1) + 1
            name = f"UnnamedTable${t_env._unnamed_tables}"
            t_env._tables[name] = self
            self._inline_name = name
        return name


def _column_name(value: Any, what: str) -> str:
    if isinstance(value, str) and value.isidentifier():
        return value
    if isinstance(value, Col):
        return value.name
    raise PlanningError(f"create_temporal_table_function: the {what} must be a column (col('name')), got {value!r}")


class TemporalTableFunction:
    """A table's history of versions per key, joined by event time with join_lateral: each
    left row gets the version valid at its time (an event-time temporal join).

    Examples:
        >>> from datetime import datetime
        >>> from fluvial.common import Types
        >>> from fluvial.datastream import StreamExecutionEnvironment
        >>> from fluvial.table import Schema, StreamTableEnvironment
        >>> from fluvial.table.expressions import call, col
        >>> env = StreamExecutionEnvironment.get_execution_environment()
        >>> t_env = StreamTableEnvironment.create(env)
        >>> def table(rows, names):  # event time from the third column
        ...     types = [Types.STRING(), Types.INT(), Types.SQL_TIMESTAMP()]
        ...     ds = env.from_collection(rows, type_info=Types.ROW_NAMED(names, types))
        ...     return t_env.from_data_stream(ds, Schema.new_builder().watermark(names[2], names[2]).build())
        >>> rates = table([("EUR", 110, datetime(2024, 1, 1, 9)), ("EUR", 120, datetime(2024, 1, 1, 11))],
        ...               ["r_currency", "r_rate", "r_time"])
        >>> orders = table([("EUR", 2, datetime(2024, 1, 1, 10)), ("EUR", 3, datetime(2024, 1, 1, 12))],
        ...                ["currency", "amount", "o_time"])
        >>> function = rates.create_temporal_table_function(col("r_time"), col("r_currency"))
        >>> t_env.create_temporary_system_function("rates", function)
        >>> joined = orders.join_lateral(call("rates", col("o_time")), col("currency") == col("r_currency"))
        >>> sorted((r.amount, r.r_rate) for r in joined.execute().collect())
        [(2, 110), (3, 120)]
    """

    def __init__(self, table: "Table", time_attribute: str, key: str):
        plan = table._plan
        for column, what in ((time_attribute, "time attribute"), (key, "primary key")):
            if column not in plan.schema.names:
                raise PlanningError(f"create_temporal_table_function: {what} "
                                    f"{unknown_column(column, plan.schema.names)}")
        if plan.rowtime != time_attribute:
            has = f"it is '{plan.rowtime}'" if plan.rowtime else "it has none"
            raise PlanningError(f"create_temporal_table_function: '{time_attribute}' is not the table's event-time "
                                f"attribute ({has}); declare a watermark on it")
        if plan.updating:
            raise PlanningError("create_temporal_table_function needs an append-only table (its rows are the "
                                "versions); for a changelog use a versioned table and FOR SYSTEM_TIME AS OF")
        self._table = table
        self._time_attribute = time_attribute
        self._key = key
        self._name = f"TemporalTableFunction({key}, {time_attribute})"

    def _join(self, left: _planner.TablePlan, arguments: List[Expression], names: List[str],
              predicate: Optional[Expression], left_outer: bool) -> _planner.TablePlan:
        """join_lateral(call(this, col(left_time)).alias(*names), predicate)."""
        if len(arguments) != 1 or not isinstance(arguments[0], Col):
            raise PlanningError(f"a temporal table function takes one argument, the left table's time attribute "
                                f"(col('{left.rowtime or 'rowtime'}')), got {arguments!r}")
        right = self._table._plan
        if names:
            if len(names) != len(right.schema.names):
                raise PlanningError(f"temporal table function: {len(names)} alias name(s) {names} for "
                                    f"{len(right.schema.names)} column(s) {right.schema.names}")
            renamed = dict(zip(right.schema.names, names))
            right = _planner.calc(right, [(renamed[n], Col(n)) for n in right.schema.names],
                                  name="Calc(alias)")
        else:
            renamed = {n: n for n in right.schema.names}
        right = _planner.TablePlan(right.transformation, right.schema, rowtime=renamed[self._time_attribute],
                                   updating=False, primary_key=[renamed[self._key]])
        clash = sorted(set(left.schema.names) & set(right.schema.names))
        if clash:
            raise PlanningError(f"join_lateral: the left table and the temporal table function both have the "
                                f"column(s) {clash}; alias the function's columns (.alias(...))")
        if predicate is None:
            raise PlanningError(f"join_lateral with a temporal table function needs the key equality as its "
                                f"predicate, e.g. col('...') == col('{renamed[self._key]}')")
        left_keys, right_keys, residual = _equi_keys(predicate, left.schema.names, right.schema.names)
        if residual and left_outer:
            raise PlanningError("left_outer_join_lateral supports only equalities between the two sides so far")
        plan, _ = _planner.temporal_join(left, right, left_keys, right_keys, left_outer, right_name=self._name,
                                         time_column=arguments[0].name)
        for condition in residual:
            plan = _planner.calc(plan, [(n, Col(n)) for n in plan.schema.names], condition, name="Calc(where)")
        return plan


def _equi_keys(predicate: Expression, left_names: List[str], right_names: List[str]
               ) -> Tuple[List[str], List[str], List[Expression]]:
    """The equalities of a left and a right column in a conjunction (the join keys), and the rest."""
    left_keys, right_keys, residual = [], [], []
    conjuncts, stack = [], [predicate]
    while stack:
        current = stack.pop()
        if isinstance(current, Call) and current.function == "and":
            stack += current.args
        else:
            conjuncts.append(current)
    for condition in conjuncts:
        if isinstance(condition, Call) and condition.function == "eq" and all(
                isinstance(a, Col) for a in condition.args):
            a, b = condition.args
            if a.name in right_names and b.name in left_names:
                a, b = b, a
            if a.name in left_names and b.name in right_names:
                left_keys.append(a.name)
                right_keys.append(b.name)
                continue
        residual.append(condition)
    return left_keys, right_keys, residual


def _has_aggregate(expression: Expression) -> bool:
    from fluvial.table.expressions import walk

    return any((isinstance(n, Call) and n.is_aggregate) or (isinstance(n, UdfCall) and n.is_aggregate)
               for n in walk(expression))


def _apply_changelog(rows: List[Any]) -> List[Any]:
    """Final rows of a changelog: retractions remove an earlier equal row."""
    from fluvial.common.types import RowKind

    final: List[Any] = []
    for row in rows:
        if row.get_row_kind() in (RowKind.UPDATE_BEFORE, RowKind.DELETE):
            values = list(row)
            for index, existing in enumerate(final):
                if list(existing) == values:
                    del final[index]
                    break
        else:
            final.append(row)
    return final


class OverWindowedTable:
    """A table with an OVER window; ``select`` may aggregate over it (see Table.over_window).

    Examples:
        >>> from fluvial.table import EnvironmentSettings, TableEnvironment, col
        >>> from fluvial.table.window import Over
        >>> t_env = TableEnvironment.create(EnvironmentSettings.in_batch_mode())
        >>> t = t_env.from_elements([(1,)], ["v"])
        >>> type(t.over_window(Over.partition_by(col("v")).alias("w"))).__name__
        'OverWindowedTable'
    """

    def __init__(self, table: Table, window: Any):
        self._table = table
        self._window = window

    def select(self, *fields: Any) -> Table:
        from fluvial.table.expressions import transform

        table, window = self._table, self._window
        expressions = table._resolve(_expressions(fields, table._plan.schema))
        aggregates: List[Any] = []

        def take(node: Expression) -> Optional[Expression]:
            if isinstance(node, Call) and node.function == "over":
                call, alias = node.args
                if not (isinstance(alias, Col) and alias.name == window.alias_name):
                    raise PlanningError(f"over({alias!r}): the window is aliased {window.alias_name!r}")
                if not isinstance(call, Call) or not call.is_aggregate:
                    raise PlanningError(f"over() applies to an aggregate, got {call!r}")
                column = f"__over{len(aggregates)}"
                aggregates.append((column, "count" if call.function == "count_star" else call.function,
                                   call.args[0] if call.args else None))
                return Col(column)
            return None

        rewritten = [transform(e, take) for e in expressions]
        partition = []
        for key in window.partition:
            if not isinstance(key, Col):
                raise PlanningError(f"Over.partition_by takes columns, got {key!r}")
            partition.append(key.name)
        if not isinstance(window.order, Col):
            raise PlanningError("an OVER window needs order_by(col('time attribute'))")
        plan = _planner.over_aggregate(table._plan, partition, window.order.name, window.frame, window.bound,
                                       aggregates)
        return Table(table._t_env, _planner.calc(plan, _items(rewritten), name="Calc(select)"))


class GroupedTable:
    """A table grouped by keys; ``select`` with aggregates computes one row per group.

    Examples:
        >>> from fluvial.table import EnvironmentSettings, TableEnvironment, col
        >>> t_env = TableEnvironment.create(EnvironmentSettings.in_batch_mode())
        >>> t = t_env.from_elements([("a", 1), ("b", 5), ("a", 2)], ["k", "v"])
        >>> sorted(tuple(r) for r in t.group_by(col("k")).select(col("k"), col("v").max).execute().collect())
        [('a', 2), ('b', 5)]
    """

    def __init__(self, table: Table, keys: List[Expression]):
        self._table = table
        self._keys = keys

    def select(self, *fields: Any) -> Table:
        table = self._table
        expressions = table._resolve(_expressions(fields, table._plan.schema))
        plan = _planner.aggregate(table._plan, self._keys, _items(expressions), None,
                                  batch_mode=table._t_env._batch_mode(), mini_batch=table._t_env._config._mini_batch())
        return Table(table._t_env, plan)

    def aggregate(self, func: Any) -> "AggregatedTable":
        """Aggregates each group with an aggregate function (general or pandas udaf) whose ROW result
        becomes columns, named by ``.alias(...)``: the function alone takes the whole row (a Row, or a
        pandas DataFrame), a call takes its arguments. Close it with ``select``.

        Examples:
            >>> from fluvial.common import Row
            >>> from fluvial.table import DataTypes, EnvironmentSettings, TableEnvironment, col
            >>> from fluvial.table.udf import udaf
            >>> t_env = TableEnvironment.create(EnvironmentSettings.in_batch_mode())
            >>> t = t_env.from_elements([(1, 2), (2, 1), (1, 3)], ["a", "b"])
            >>> stats = udaf(lambda rows: Row(rows.b.count(), rows.b.sum()), func_type="pandas",
            ...              result_type=DataTypes.ROW([DataTypes.FIELD("n", DataTypes.BIGINT()),
            ...                                         DataTypes.FIELD("total", DataTypes.BIGINT())]))
            >>> result = t.group_by(col("a")).aggregate(stats.alias("c", "d")).select(col("a"), col("c"), col("d"))
            >>> sorted(tuple(r) for r in result.execute().collect())
            [(1, 2, 5), (2, 1, 1)]
        """
        from fluvial.table._python_table_aggregate import RowBasedCall, row_aggregate

        table = self._table
        call = RowBasedCall.parse(_resolve_call(table, func), "aggregate")
        plan, visible = row_aggregate(table, self._keys, call, None)
        return AggregatedTable(table._t_env, plan, visible, None)

    def flat_aggregate(self, func: Any) -> "FlatAggregateTable":
        """Aggregates each group with a table aggregate function (udtaf): the group keys, then the
        rows ``emit_value`` yields. In a stream, a group's earlier rows are retracted when it changes.
        Close it with ``select``.

        Examples:
            >>> from fluvial.common import Row
            >>> from fluvial.table import DataTypes, EnvironmentSettings, TableEnvironment, col
            >>> from fluvial.table.udf import TableAggregateFunction, udtaf
            >>> class Top2(TableAggregateFunction):
            ...     def create_accumulator(self):
            ...         return []
            ...     def accumulate(self, accumulator, value):
            ...         accumulator[:] = sorted(accumulator + [value], reverse=True)[:2]
            ...     def emit_value(self, accumulator):
            ...         for rank, value in enumerate(accumulator, 1):
            ...             yield Row(value, rank)
            >>> top2 = udtaf(Top2(), result_type=DataTypes.ROW([DataTypes.FIELD("v", DataTypes.BIGINT()),
            ...                                                 DataTypes.FIELD("rank", DataTypes.INT())]))
            >>> t_env = TableEnvironment.create(EnvironmentSettings.in_batch_mode())
            >>> t = t_env.from_elements([("a", 1), ("a", 5), ("b", 2), ("a", 3)], ["k", "v"])
            >>> sorted(tuple(r) for r in t.group_by(col("k")).flat_aggregate(top2(col("v"))).select("*")
            ...        .execute().collect())
            [('a', 3, 2), ('a', 5, 1), ('b', 2, 1)]
        """
        from fluvial.table._python_table_aggregate import RowBasedCall, flat_aggregate

        table = self._table
        call = RowBasedCall.parse(_resolve_call(table, func), "flat_aggregate")
        plan = flat_aggregate(table._plan, self._keys, call, batch_mode=table._t_env._batch_mode())
        return FlatAggregateTable(table._t_env, plan)


def _resolve_call(table: Table, func: Any) -> Any:
    """A registered function called by name (call('top2', ...)) becomes a call of it."""
    if isinstance(func, Expression):
        return table._resolve([func])[0]
    return func


class AggregatedTable:
    """The result of ``aggregate``: keys and the aggregate's row fields; ``select`` makes it a Table.

    Examples:
        >>> from fluvial.table import DataTypes, EnvironmentSettings, TableEnvironment, col
        >>> from fluvial.table.udf import udaf
        >>> t_env = TableEnvironment.create(EnvironmentSettings.in_batch_mode())
        >>> t = t_env.from_elements([(1, 2.0), (1, 4.0)], ["a", "b"])
        >>> mean = udaf(lambda b: b.mean(), result_type=DataTypes.DOUBLE(), func_type="pandas")
        >>> [tuple(r) for r in t.group_by(col("a")).aggregate(mean(col("b")).alias("m")).select("*")
        ...  .execute().collect()]
        [(1, 3.0)]
    """

    def __init__(self, t_env: Any, plan: _planner.TablePlan, visible: List[str], window_alias: Optional[str]):
        self._t_env = t_env
        self._plan = plan
        self._visible = visible
        self._window_alias = window_alias

    def select(self, *fields: Any) -> Table:
        visible = pa.schema([self._plan.schema.field(n) for n in self._visible])
        expressions = [_window_property(e, self._window_alias) for e in _expressions(fields, visible)]
        if any(_has_aggregate(e) for e in expressions):
            raise PlanningError("the select after aggregate/flat_aggregate cannot hold aggregate functions")
        return Table(self._t_env, _planner.calc(self._plan, _items(expressions), name="Calc(select)"))


class FlatAggregateTable(AggregatedTable):
    """The result of ``flat_aggregate``: keys and the rows the table aggregate function emitted;
    ``select`` makes it a Table.

    Examples:
        >>> from fluvial.common import Row
        >>> from fluvial.table import DataTypes, EnvironmentSettings, TableEnvironment, col
        >>> from fluvial.table.udf import TableAggregateFunction, udtaf
        >>> class Both(TableAggregateFunction):
        ...     def create_accumulator(self):
        ...         return [None, None]
        ...     def accumulate(self, accumulator, value):
        ...         accumulator[0] = value if accumulator[0] is None else min(accumulator[0], value)
        ...         accumulator[1] = value if accumulator[1] is None else max(accumulator[1], value)
        ...     def emit_value(self, accumulator):
        ...         yield from accumulator
        >>> both = udtaf(Both(), result_type=DataTypes.BIGINT())
        >>> t_env = TableEnvironment.create(EnvironmentSettings.in_batch_mode())
        >>> t = t_env.from_elements([(4,), (1,), (9,)], ["v"])
        >>> [r.x for r in t.flat_aggregate(both(col("v")).alias("x")).select(col("x")).execute().collect()]
        [1, 9]
    """

    def __init__(self, t_env: Any, plan: _planner.TablePlan):
        super().__init__(t_env, plan, list(plan.schema.names), None)


class GroupWindowedTable:
    """A table with a group window (``table.window(...)``); ``group_by`` names the window and keys.

    Examples:
        >>> from fluvial.table import EnvironmentSettings, TableEnvironment, col, lit
        >>> from fluvial.table.window import Tumble
        >>> t_env = TableEnvironment.create(EnvironmentSettings.in_batch_mode())
        >>> t = t_env.from_elements([(1,)], ["v"])
        >>> type(t.window(Tumble.over(lit(1).minutes).on(col("ts")).alias("w"))).__name__
        'GroupWindowedTable'
    """

    def __init__(self, table: Table, window: GroupWindow):
        self._table = table
        self._window = window

    def group_by(self, *fields: Any) -> "WindowGroupedTable":
        return WindowGroupedTable(self._table, self._window, _expressions(fields, self._table._plan.schema))


class WindowGroupedTable:
    """Grouped by a window alias and keys: ``select`` may use ``col('w').start`` / ``col('w').end``.

    Examples:
        >>> import datetime
        >>> from fluvial.common import Row, Types
        >>> from fluvial.datastream import StreamExecutionEnvironment
        >>> from fluvial.table import Schema, StreamTableEnvironment, col, lit
        >>> from fluvial.table.window import Tumble
        >>> env = StreamExecutionEnvironment.get_execution_environment()
        >>> t_env = StreamTableEnvironment.create(env)
        >>> start = datetime.datetime(2024, 1, 1)
        >>> ds = env.from_collection([Row(k="a", ts=start + datetime.timedelta(seconds=s)) for s in (1, 2, 61)],
        ...     type_info=Types.ROW_NAMED(["k", "ts"], [Types.STRING(), Types.SQL_TIMESTAMP()]))
        >>> schema = Schema.new_builder().watermark("ts", "ts - INTERVAL '1' SECOND").build()
        >>> t = t_env.from_data_stream(ds, schema)
        >>> windowed = t.window(Tumble.over(lit(1).minutes).on(col("ts")).alias("w")).group_by(col("w"), col("k"))
        >>> result = windowed.select(col("k"), col("w").start.alias("start"), col("k").count.alias("n"))
        >>> [(r.k, str(r.start), r.n) for r in result.execute().collect()]
        [('a', '2024-01-01 00:00:00', 2), ('a', '2024-01-01 00:01:00', 1)]
    """

    def __init__(self, table: Table, window: GroupWindow, keys: List[Expression]):
        self._table = table
        self._window = window
        self._keys = [k for k in keys if not (isinstance(k, Col) and k.name == window.alias_name)]

    def _spec(self) -> Dict[str, Any]:
        table, window = self._table, self._window
        processing_time = window.time_field is not None and window.time_field == table._plan.proctime
        if window.time_field != table._plan.rowtime and not processing_time:
            raise PlanningError(f"window on '{window.time_field}', which is not a time attribute of the table "
                                f"(event time: {table._plan.rowtime or 'none declared'}; processing time: "
                                f"{table._plan.proctime or 'none declared'})")
        return {"kind": window.kind, "size": window.size, "slide": window.slide, "time_column": window.time_field,
                "processing_time": processing_time}

    def select(self, *fields: Any) -> Table:
        table = self._table
        spec = self._spec()
        expressions = [_window_property(e, self._window.alias_name)
                       for e in table._resolve(_expressions(fields, table._plan.schema))]
        plan = _planner.aggregate(table._plan, self._keys, _items(expressions), None,
                                  batch_mode=table._t_env._batch_mode(), window=spec)
        return Table(table._t_env, plan)

    def aggregate(self, func: Any) -> AggregatedTable:
        """Aggregates each window and group with an aggregate function whose ROW result becomes
        columns; ``select`` may read the window's ``col('w').start`` / ``col('w').end``.

        Examples:
            >>> import datetime
            >>> from fluvial.common import Row, Types
            >>> from fluvial.datastream import StreamExecutionEnvironment
            >>> from fluvial.table import DataTypes, Schema, StreamTableEnvironment, col, lit
            >>> from fluvial.table.udf import udaf
            >>> from fluvial.table.window import Tumble
            >>> env = StreamExecutionEnvironment.get_execution_environment()
            >>> t_env = StreamTableEnvironment.create(env)
            >>> start = datetime.datetime(2024, 1, 1)
            >>> ds = env.from_collection([Row(v=v, ts=start + datetime.timedelta(seconds=v)) for v in (1, 5, 70)],
            ...     type_info=Types.ROW_NAMED(["v", "ts"], [Types.LONG(), Types.SQL_TIMESTAMP()]))
            >>> t = t_env.from_data_stream(ds, Schema.new_builder().watermark("ts", "ts").build())
            >>> low_high = udaf(lambda v: (v.min(), v.max()), func_type="pandas",
            ...                 result_type=DataTypes.ROW([DataTypes.FIELD("low", DataTypes.BIGINT()),
            ...                                            DataTypes.FIELD("high", DataTypes.BIGINT())]))
            >>> w = t.window(Tumble.over(lit(1).minutes).on(col("ts")).alias("w"))
            >>> result = w.group_by(col("w")).aggregate(low_high(col("v"))).select(col("w").start, col("low"),
            ...                                                                     col("high"))
            >>> [(str(r[0]), r.low, r.high) for r in result.execute().collect()]
            [('2024-01-01 00:00:00', 1, 5), ('2024-01-01 00:01:00', 70, 70)]
        """
        from fluvial.table._python_table_aggregate import RowBasedCall, row_aggregate

        table = self._table
        call = RowBasedCall.parse(_resolve_call(table, func), "aggregate")
        plan, visible = row_aggregate(table, self._keys, call, self._spec())
        return AggregatedTable(table._t_env, plan, visible, self._window.alias_name)


def _window_property(expression: Expression, alias: Optional[str]) -> Expression:
    from fluvial.table.expressions import transform

    def rewrite(node: Expression) -> Optional[Expression]:
        if isinstance(node, Call) and node.function in ("window_start", "window_end") and node.args:
            return Col(node.function)
        return None

    return transform(expression, rewrite)

__all__ = ["AggregatedTable", "FlatAggregateTable", "GroupWindowedTable", "GroupedTable", "OverWindowedTable", "Table",
           "WindowGroupedTable"]


class _PendingJoin:
    """``left.join(right)`` without a predicate: PyFlink takes the join condition from a ``where``
    right after it (how its interval joins are written). Anything else would be a cross join."""

    def __init__(self, left: Table, right: Table):
        self._left, self._right = left, right

    def where(self, predicate: Expression) -> Table:
        return self._left._join(self._right, predicate, "inner")

    filter = where

    def __getattr__(self, name: str) -> Any:
        raise PlanningError(f"join(right) without a predicate is a cross join, which is not supported: give the "
                            f"condition to join(right, predicate) or call .where(predicate) right after it "
                            f"(not .{name})")
