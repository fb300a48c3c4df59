"""From Table API calls and SQL to the engine's plan: each Table holds the
Transformation (see fluvial/datastream/_plan.py) that produces it, and the
functions here add columnar operators (cpp/table/) on top.

Python UDFs are planned in three steps so that only the UDF itself runs in
Python: a native projection computes the UDF arguments, a Python step calls
the UDF on whole columns and appends its results, and a native projection
computes the rest of the expression.
"""

import itertools
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Optional, Tuple

import pyarrow as pa

from fluvial.datastream._plan import SubtaskInfo, Transformation
from fluvial.table.expressions import (
    Alias,
    Call,
    Col,
    Expression,
    Lit,
    PlanningError,
    UdfCall,
    infer_schema,
    serialize,
    to_arrow,
    transform,
    unknown_column,
    walk,
)

_temporaries = itertools.count()


@dataclass
class TablePlan:
    """What a Table is: the step producing it, its columns, its time attribute."""

    transformation: Transformation
    schema: pa.Schema
    rowtime: Optional[str] = None  # the event-time attribute column, if any
    proctime: Optional[str] = None  # a PROCTIME() column, if any
    updating: bool = False  # carries -U/+U/-D rows
    primary_key: List[str] = field(default_factory=list)
    # A window table function's output: its window (kind, size, slide, offset) and the names of
    # its window_start/window_end columns (what a window join pairs).
    window: Optional[Dict[str, Any]] = None
    # Columns of a table declared NOT NULL that reach this plan unchanged: a collected result
    # checks them, as Flink's collect sink does (other steps drop the list: no check, no harm).
    not_null: List[str] = field(default_factory=list)


def _keyed(upstream: Transformation, key_indices: List[int]) -> Tuple[Transformation, Dict[str, Any]]:
    """The input of a keyed columnar operator: a hash exchange on the key columns (so it can run in
    parallel), or, without keys, the input as is and a non-parallel operator."""
    if not key_indices:
        return upstream, {"non_parallel": True}
    keyed = Transformation(kind="key_by", name="KeyBy", inputs=[upstream], key_selector=ColumnKeys(key_indices),
                           bounded=upstream.bounded)
    return keyed, {}


class ColumnKeys:
    """The key of a columnar hash exchange: column positions (hashed natively)."""

    def __init__(self, columns: List[int]):
        self.columns = columns


def _transformation(kind: str, name: str, inputs: List[Transformation], make_spec: Callable,
                    **extra: Any) -> Transformation:
    bounded = all(t.bounded for t in inputs) if inputs else True
    return Transformation(kind=kind, name=name, inputs=inputs, make_spec=make_spec, bounded=bounded, **extra)


def source(name: str, schema: pa.Schema, make_reader: Callable[[SubtaskInfo], Any], *, bounded: bool,
           rowtime: Optional[str] = None, watermark_delay: int = 0, non_parallel: bool = True,
           proctime: Optional[str] = None, idle_timeout: Optional[Callable[[], Optional[int]]] = None) -> TablePlan:
    """A table source: make_reader(info) returns an object with poll() -> RecordBatch | None.
    idle_timeout() gives the ms after which a subtask or split without rows stops holding event
    time back (None: never), read when the job is built."""
    rowtime_index = schema.get_field_index(rowtime) if rowtime else -1

    def make_spec(info: SubtaskInfo) -> Dict[str, Any]:
        reader = make_reader(info)
        if info.metrics is not None and hasattr(reader, "metric_group"):
            # Readers that skip bad records count them in the job's numRecordsInErrors.
            reader.metric_group = info.metrics.source_reader_group(info.operator_name, info.index)
        spec = {"kind": "table_source", "poll": reader.poll, "rowtime": rowtime_index,
                "watermark_delay": int(watermark_delay), "reader": reader}
        if idle_timeout is not None:
            spec["idle_timeout"] = idle_timeout()
        for hook in ("open", "close"):
            if hasattr(reader, hook):
                spec[hook] = getattr(reader, hook)
        return spec

    transformation = Transformation(kind="source", name=name, make_spec=make_spec, is_source=True,
                                    bounded=bounded, non_parallel=non_parallel)
    return TablePlan(transformation, schema, rowtime=rowtime, proctime=proctime)


class BatchListReader:
    """Hands out a fixed list of record batches (from_elements, from_pandas)."""

    def __init__(self, batches: List[pa.RecordBatch]):
        self._batches = list(batches)
        self._next = 0

    def poll(self) -> Optional[pa.RecordBatch]:
        if self._next >= len(self._batches):
            return None
        batch = self._batches[self._next]
        self._next += 1
        return batch


# -- projection and filter -------------------------------------------------------

def _udf_calls(expressions: List[Expression]) -> List[UdfCall]:
    found: List[UdfCall] = []
    for expression in expressions:
        for node in walk(expression):
            # Identity, not ==: Expression.__eq__ builds a comparison expression.
            if isinstance(node, UdfCall) and not node.is_aggregate and all(node is not f for f in found):
                found.append(node)
    return found


def _innermost_udf_calls(expressions: List[Expression]) -> List[UdfCall]:
    """UDF calls whose arguments hold no other UDF call (planned first)."""
    return [c for c in _udf_calls(expressions)
            if not any(isinstance(n, UdfCall) for a in c.args for n in walk(a))]


def check_columns(expression: Expression, schema: pa.Schema) -> None:
    for node in walk(expression):
        if isinstance(node, Col) and node.name not in schema.names:
            raise unknown_column(node.name, schema.names)


def calc(plan: TablePlan, items: List[Tuple[str, Expression]], condition: Optional[Expression] = None,
         name: str = "Calc") -> TablePlan:
    """SELECT items WHERE condition, with Python UDFs planned around the native steps."""
    expressions = [e for _, e in items] + ([condition] if condition is not None else [])
    if any(isinstance(n, Call) and n.function == "proctime" for e in expressions for n in walk(e)):
        # PROCTIME() in a projection: a processing-time column, added once, then read.
        column = next((name for name, e in items if isinstance(e, Call) and e.function == "proctime"), None) \
            or f"__proctime{next(_temporaries)}"
        with_time = add_proctime(plan, column)

        def read(node: Expression) -> Optional[Expression]:
            return Col(column) if isinstance(node, Call) and node.function == "proctime" else None

        items = [(n, transform(e, read)) for n, e in items]
        condition = transform(condition, read) if condition is not None else None
        return calc(with_time, items, condition, name)
    for expression in expressions:
        check_columns(expression, plan.schema)
    calls = _innermost_udf_calls(expressions)
    if calls:
        plan, replacements = _python_step(plan, calls)

        columns = {id(call): column for call, column in replacements}
        items = [(n, _substitute(e, columns)) for n, e in items]
        condition = _substitute(condition, columns) if condition is not None else None
        return calc(plan, items, condition, name)
    if condition is not None:
        _check_condition(plan, condition)
    projections = [to_arrow(e, plan.schema, "SELECT") for _, e in items]
    names = [n for n, _ in items]
    output = infer_schema(plan.schema, projections, names)
    filter_bytes = serialize(to_arrow(condition, plan.schema, "WHERE")) if condition is not None else None
    projection_bytes = [serialize(p) for p in projections]

    def make_spec(info: SubtaskInfo) -> Dict[str, Any]:
        return {"kind": "table_calc", "filter": filter_bytes, "projections": projection_bytes,
                "output_schema": output}

    transformation = _transformation("table_calc", name, [plan.transformation], make_spec)
    rowtime = _renamed(plan.rowtime, items)
    proctime = _renamed(plan.proctime, items)
    window = None
    if plan.window is not None:
        start, end = _renamed(plan.window["start"], items), _renamed(plan.window["end"], items)
        window = dict(plan.window, start=start, end=end) if start and end else None
    not_null = [n for n, e in items if plan.not_null and _renamed_column(e) in plan.not_null]
    return TablePlan(transformation, output, rowtime=rowtime, proctime=proctime, updating=plan.updating,
                     primary_key=[k for k in plan.primary_key if k in names], window=window, not_null=not_null)


def _renamed_column(expression: Expression) -> Optional[str]:
    """The column an item passes on unchanged (maybe renamed), or None."""
    inner = expression.expr if isinstance(expression, Alias) else expression
    return inner.name if isinstance(inner, Col) else None


def _substitute(expression: Expression, columns: Dict[int, str]) -> Expression:
    """Replaces the nodes whose id() is in 'columns' (top-down, before children are rebuilt)."""
    if id(expression) in columns:
        return Col(columns[id(expression)])
    children = expression.children()
    if not children:
        return expression
    return expression.replace_children([_substitute(c, columns) for c in children])


def _renamed(column: Optional[str], items: List[Tuple[str, Expression]]) -> Optional[str]:
    if column is None:
        return None
    for name, expression in items:
        inner = expression.expr if isinstance(expression, Alias) else expression
        if isinstance(inner, Col) and inner.name == column:
            return name
    return None


def _check_condition(plan: TablePlan, condition: Expression) -> None:
    compiled = to_arrow(condition, plan.schema, "WHERE")
    result = infer_schema(plan.schema, [compiled], ["c"]).field(0).type
    if result != pa.bool_():
        raise PlanningError(f"a filter condition must be BOOLEAN, but {condition!r} is {result}")


def _python_step(plan: TablePlan, calls: List[UdfCall]) -> Tuple[TablePlan, List[Tuple[UdfCall, str]]]:
    """Native argument projection + a Python step appending each call's result column."""
    for call in calls:
        if getattr(call.function, "_is_table_aggregate", False):
            raise PlanningError(f"'{call.function._name}' is a table aggregate function: use it in "
                                f"flat_aggregate({call.function._name}(...)), not in a select or filter")
    base = [(n, Col(n)) for n in plan.schema.names]
    argument_items: List[Tuple[str, Expression]] = []
    argument_names: List[List[str]] = []
    for call in calls:
        names = []
        for argument in call.args:
            column = f"__arg{next(_temporaries)}"
            argument_items.append((column, argument))
            names.append(column)
        argument_names.append(names)
    if argument_items:
        plan = calc(plan, base + argument_items, name="Calc(UDF arguments)")
    # Built-ins whose result type follows their arguments' (collection functions) are bound to them.
    functions = [c.function._bind([plan.schema.field(n).type for n in names]) if hasattr(c.function, "_bind")
                 else c.function for c, names in zip(calls, argument_names)]
    result_columns = [f"__udf{next(_temporaries)}" for _ in calls]
    result_fields = [pa.field(c, function._arrow_result_type()) for c, function in zip(result_columns, functions)]
    argument_count = len(plan.schema.names) - len(argument_items)
    output = pa.schema(list(plan.schema)[:argument_count] + result_fields)

    def make_spec(info: SubtaskInfo) -> Dict[str, Any]:
        def evaluate(batch: pa.RecordBatch, row_kinds: Optional[bytes]) -> pa.RecordBatch:
            columns = batch.columns[:argument_count]
            for function, names in zip(functions, argument_names):
                arguments = [batch.column(n) for n in names]
                # A call without arguments still gives one value per row.
                columns.append(function._evaluate(arguments) if names else function._evaluate([], batch.num_rows))
            return pa.RecordBatch.from_arrays(columns, schema=output)

        def open_all() -> None:
            for function in functions:
                function._open(info.job_parameters)

        def close_all() -> None:
            for function in functions:
                function._close()

        return {"kind": "table_python_calc", "call": evaluate, "open": open_all, "close": close_all, "stateless": True}

    name = "PythonCalc(" + ", ".join(f._name for f in functions) + ")"
    transformation = _transformation("table_python_calc", name, [plan.transformation], make_spec)
    replaced = TablePlan(transformation, output, plan.rowtime, plan.proctime, plan.updating, plan.primary_key)
    return replaced, list(zip(calls, result_columns))


def python_map(plan: TablePlan, function: Any, takes_row: bool = True) -> TablePlan:
    """Table.map: a UDF from a whole row to a row (general: Row → Row; pandas: DataFrame → DataFrame),
    or, not 'takes_row', from the columns as separate arguments."""
    from fluvial.common.types import Row

    result_type = function._result_type
    if result_type is None:
        raise PlanningError(f"map function '{function._name}' needs a result_type")
    arrow_type = result_type.arrow_type
    if pa.types.is_struct(arrow_type):
        output = pa.schema(list(arrow_type))
    else:
        output = pa.schema([pa.field("_c0", arrow_type)])
    names = plan.schema.names

    def make_spec(info: SubtaskInfo) -> Dict[str, Any]:
        call = function._callable()

        def evaluate(batch: pa.RecordBatch, row_kinds: Optional[bytes]) -> pa.RecordBatch:
            if function._func_type == "pandas":
                frame = call(batch.to_pandas()) if takes_row else call(*(c.to_pandas() for c in batch.columns))
                try:
                    return pa.RecordBatch.from_pandas(frame, schema=output, preserve_index=False)
                except (pa.ArrowInvalid, pa.ArrowTypeError, KeyError) as error:
                    raise TypeError(f"map function '{function._name}' returned a DataFrame that does not match "
                                    f"its result type {result_type!r}: {error}") from None
            results = []
            for values in zip(*(c.to_pylist() for c in batch.columns)):
                result = call(Row(**dict(zip(names, values)))) if takes_row else call(*values)
                results.append(_row_values(result, output.names, function._name))
            arrays = [function_array(function, [r[i] for r in results], f.type, f.name)
                      for i, f in enumerate(output)]
            return pa.RecordBatch.from_arrays(arrays, schema=output)

        return {"kind": "table_python_calc", "call": evaluate, "stateless": True,
                "open": lambda: function._open(info.job_parameters), "close": function._close}

    transformation = _transformation("table_python_calc", f"PythonMap({function._name})",
                                     [plan.transformation], make_spec)
    return TablePlan(transformation, output, updating=plan.updating)


def _row_values(result: Any, names: List[str], function_name: str) -> List[Any]:
    from fluvial.common.types import Row

    if isinstance(result, Row):
        if hasattr(result, "_fields"):
            try:
                return [result[n] for n in names]
            except KeyError:
                pass
        return list(result)
    if isinstance(result, (tuple, list)):
        return list(result)
    if len(names) == 1:
        return [result]
    raise TypeError(f"map function '{function_name}' returned {result!r}; expected a Row of {names}")


def function_array(function: Any, values: List[Any], arrow_type: pa.DataType, column: str) -> pa.Array:
    from fluvial.errors import OutputTypeError
    from fluvial.table._integer_results import first_float, float_misfit
    from fluvial.table.types import from_arrow

    found = first_float(values, arrow_type)  # pa.array() would truncate it
    if found is not None:
        raise OutputTypeError(f"function '{function._name}' returned {found[0]!r} (float) for field '{column}', "
                              f"which is not of its declared type {from_arrow(arrow_type)!r} "
                              f"({float_misfit()})")
    try:
        return pa.array(values, type=arrow_type)
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, OverflowError) as error:
        from fluvial._arrow_messages import rewrite

        raise OutputTypeError(f"function '{function._name}' returned a value for field '{column}' that is not "
                              f"{from_arrow(arrow_type)!r}: {rewrite(str(error))}") from None


# -- aggregation -----------------------------------------------------------------

AGGREGATE_RESULT = {
    "count": lambda t: pa.int64(),
    "count_star": lambda t: pa.int64(),
    "count_distinct": lambda t: pa.int64(),
    "sum_distinct": lambda t: t,
    "avg_distinct": lambda t: t,
    "collect": lambda t: pa.map_(t, pa.int32()),  # Flink's MULTISET<T>: each value with its count
    "array_agg": lambda t: pa.list_(t),
    "first_value": lambda t: t,
    "last_value": lambda t: t,
    "sum0": lambda t: t,
    "sum": lambda t: t,
    "avg": lambda t: t,
    "min": lambda t: t,
    "max": lambda t: t,
}


# Built-in aggregates that run in the Python GROUP BY step (they keep the values they saw).
PYTHON_BUILTIN_AGGREGATES = ("collect", "array_agg", "first_value", "last_value", "sum0")


@dataclass
class AggregateItem:
    function: str  # a native kind, or "python"
    argument_columns: List[str]
    output: str
    udaf: Any = None


def _split_aggregates(items: List[Tuple[str, Expression]], having: Optional[Expression]
                      ) -> Tuple[List[Tuple[Expression, str]], List[Tuple[str, Expression]], Optional[Expression]]:
    """Finds the aggregate calls; returns (call, column) pairs and the items/having rewritten over them."""
    found: List[Tuple[Expression, str]] = []

    def replace(node: Expression) -> Optional[Expression]:
        is_aggregate = (isinstance(node, Call) and node.is_aggregate) or (
            isinstance(node, UdfCall) and node.is_aggregate)
        if not is_aggregate:
            return None
        for existing, column in found:
            if repr(existing) == repr(node):
                return Col(column)
        column = f"__agg{next(_temporaries)}"
        found.append((node, column))
        return Col(column)

    rewritten = [(n, transform(e, replace)) for n, e in items]
    rewritten_having = transform(having, replace) if having is not None else None
    return found, rewritten, rewritten_having


def aggregate(plan: TablePlan, keys: List[Expression], items: List[Tuple[str, Expression]],
              having: Optional[Expression], batch_mode: bool, window: Optional[Dict[str, Any]] = None,
              mini_batch: bool = False) -> TablePlan:
    """GROUP BY keys [window] SELECT items HAVING having. A streaming GROUP BY emits each record's
    change as Flink does, or with 'mini_batch' (table.exec.mini-batch.enabled) one per group and batch."""
    aggregates, items, having = _split_aggregates(items, having)
    # Step 1: a projection computing the keys and every aggregate argument.
    key_columns = []
    pre_items: List[Tuple[str, Expression]] = []
    computed_keys: Dict[str, str] = {}  # repr of a key expression → its column
    for key in keys:
        inner = key.expr if isinstance(key, Alias) else key
        column = inner.name if isinstance(inner, Col) else f"__key{next(_temporaries)}"
        if isinstance(key, Alias):
            column = key.name
        key_columns.append(column)
        pre_items.append((column, inner))
        if not isinstance(inner, Col):
            computed_keys[repr(inner)] = column
    if computed_keys:
        # SELECT user_id % 2 ... GROUP BY user_id % 2: the select item reads the key column.
        def use_key(node: Expression) -> Optional[Expression]:
            column = computed_keys.get(repr(node))
            return Col(column) if column is not None else None

        items = [(n, transform(e, use_key)) for n, e in items]
        having = transform(having, use_key) if having is not None else None
    aggregate_items: List[AggregateItem] = []
    for call, column in aggregates:
        arguments = []
        for argument in call.args:
            if isinstance(argument, Col) and argument.name in key_columns:
                arguments.append(argument.name)
                continue
            name = f"__aggarg{next(_temporaries)}"
            pre_items.append((name, argument))
            arguments.append(name)
        if isinstance(call, UdfCall):
            aggregate_items.append(AggregateItem("python", arguments, column, call.function))
        else:
            function = call.function
            if function == "count" and not call.args:
                function = "count_star"
            if function == "count" and len(call.args) == 1 and isinstance(call.args[0], Lit):
                function = "count_star"
                arguments = []
            aggregate_items.append(AggregateItem(function, arguments, column))
    projected = calc(plan, pre_items, name="Calc(group keys, arguments)")
    schema = projected.schema
    in_python = [a for a in aggregate_items if a.function in PYTHON_BUILTIN_AGGREGATES]
    if window is not None:
        # In a window they are computed when it fires, like a Python aggregate function.
        from fluvial.table._collections import CollectionAggregate

        for item in in_python:
            if item.function in ("first_value", "last_value", "sum0"):
                raise PlanningError(f"{item.function.upper()} in a group window is not supported yet; it is in "
                                    f"a GROUP BY without a window")
            item.udaf = CollectionAggregate(item.function, schema.field(item.argument_columns[0]).type)
            item.function = "python"
    native = [a for a in aggregate_items if a.function != "python"]
    python = [a for a in aggregate_items if a.function == "python"]
    if (python or in_python) and window is None:
        return _python_group_aggregate(projected, key_columns, aggregate_items, items, having, batch_mode,
                                       mini_batch)
    for item in native:
        if item.function not in AGGREGATE_RESULT:
            raise PlanningError(f"unknown aggregate function {item.function.upper()}")
    fields = [schema.field(k) for k in key_columns]
    for item in native:
        input_type = schema.field(item.argument_columns[0]).type if item.argument_columns else pa.int64()
        fields.append(pa.field(item.output, AGGREGATE_RESULT[item.function](input_type)))
    for item in python:
        fields.append(pa.field(item.output, item.udaf._arrow_result_type()))
    key_indices = [schema.get_field_index(k) for k in key_columns]
    calls = [(item.function, schema.get_field_index(item.argument_columns[0]) if item.argument_columns else -1)
             for item in native]
    upstream = projected.transformation
    parallel_keys = key_indices
    if window is not None:
        fields += [pa.field("window_start", pa.timestamp("ms")), pa.field("window_end", pa.timestamp("ms"))]
    output = pa.schema(fields)
    input_schema = schema
    if parallel_keys:
        upstream = Transformation(kind="key_by", name="KeyBy", inputs=[upstream],
                                  key_selector=ColumnKeys(parallel_keys), bounded=upstream.bounded)

    if window is None:
        def make_spec(info: SubtaskInfo) -> Dict[str, Any]:
            return {"kind": "table_group_agg", "keys": key_indices, "calls": calls, "input_schema": input_schema,
                    "output_schema": output, "final_only": info.batch_mode, "per_record": not mini_batch}

        name = "GroupAggregate"
        if not parallel_keys:
            transformation = _transformation("table_group_agg", name, [upstream], make_spec, non_parallel=True)
        else:
            transformation = _transformation("table_group_agg", name, [upstream], make_spec)
        result = TablePlan(transformation, output, updating=not batch_mode, primary_key=list(key_columns))
    else:
        python_columns = sorted({schema.get_field_index(c) for item in python for c in item.argument_columns})
        python_positions = {schema.field(i).name: p for p, i in enumerate(python_columns)}
        udafs = [(item.udaf, [python_positions[c] for c in item.argument_columns]) for item in python]

        def make_spec(info: SubtaskInfo) -> Dict[str, Any]:
            evaluate = None
            if udafs:
                def evaluate(inputs: List[pa.RecordBatch], num_groups: int) -> List[pa.Array]:
                    table = pa.Table.from_batches(inputs)
                    group_ids = table.column("__group").to_numpy()
                    results = []
                    for udaf, positions in udafs:
                        arguments = [table.column(p).combine_chunks() for p in positions]
                        results.append(udaf._aggregate_groups(arguments, group_ids, num_groups))
                    return results
            spec = {"kind": "table_window_agg", "keys": key_indices, "calls": calls, "input_schema": input_schema,
                    "output_schema": output, "window": window["kind"], "size": window["size"],
                    "slide": window.get("slide", window["size"]), "offset": window.get("offset", 0),
                    "python_columns": python_columns, "python_aggregate": evaluate,
                    "processing_time": window.get("processing_time", False)}
            if udafs:
                spec["open"] = lambda: [u._open(info.job_parameters) for u, _ in udafs] and None
                spec["close"] = lambda: [u._close() for u, _ in udafs] and None
            return spec

        name = f"WindowAggregate({window['kind'].upper()})"
        extra = {} if parallel_keys else {"non_parallel": True}
        transformation = _transformation("table_window_agg", name, [upstream], make_spec, **extra)
        result = TablePlan(transformation, output, rowtime=None)
    # Final projection: the select items (and HAVING) over keys and aggregate columns.
    result_items = items
    return calc(result, result_items, having, name="Calc(select)")


def union_all(left: TablePlan, right: TablePlan) -> TablePlan:
    if [f.type for f in left.schema] != [f.type for f in right.schema]:
        raise PlanningError(f"UNION ALL needs inputs of the same column types: {left.schema.types} vs "
                            f"{right.schema.types}")
    transformation = Transformation(kind="union", name="Union", inputs=[left.transformation, right.transformation],
                                    bounded=left.transformation.bounded and right.transformation.bounded)
    rowtime = left.rowtime if left.rowtime == right.rowtime else None
    return TablePlan(transformation, left.schema, rowtime=rowtime, updating=left.updating or right.updating)


def assign_rowtime(plan: TablePlan, column: str, delay: int) -> TablePlan:
    """Event time from 'column', watermarks trailing it by 'delay' ms (WATERMARK FOR column AS ...)."""
    if column not in plan.schema.names:
        raise unknown_column(column, plan.schema.names)
    if not pa.types.is_timestamp(plan.schema.field(column).type):
        raise PlanningError(f"WATERMARK FOR '{column}': the column must be a TIMESTAMP, it is "
                            f"{plan.schema.field(column).type}")
    index = plan.schema.get_field_index(column)

    def make_spec(info: SubtaskInfo) -> Dict[str, Any]:
        return {"kind": "table_rowtime", "rowtime": index, "watermark_delay": int(delay)}

    transformation = _transformation("table_rowtime", f"WatermarkAssigner({column})", [plan.transformation],
                                     make_spec)
    return TablePlan(transformation, plan.schema, rowtime=column, proctime=plan.proctime, updating=plan.updating)


def add_proctime(plan: TablePlan, column: str) -> TablePlan:
    """Appends a PROCTIME() column: the wall-clock time each batch is processed."""
    import time

    output = plan.schema.append(pa.field(column, pa.timestamp("ms", tz="UTC"), nullable=False))

    def make_spec(info: SubtaskInfo) -> Dict[str, Any]:
        def evaluate(batch: pa.RecordBatch, row_kinds: Optional[bytes]) -> pa.RecordBatch:
            now = pa.scalar(int(time.time() * 1000), pa.timestamp("ms", tz="UTC"))
            column_values = pa.repeat(now, batch.num_rows) if hasattr(pa, "repeat") else \
                pa.array([now.as_py()] * batch.num_rows, now.type)
            return pa.RecordBatch.from_arrays(batch.columns + [column_values], schema=output)

        return {"kind": "table_python_calc", "call": evaluate, "stateless": True}

    transformation = _transformation("table_python_calc", f"Calc(PROCTIME() AS {column})", [plan.transformation],
                                     make_spec)
    return TablePlan(transformation, output, rowtime=plan.rowtime, proctime=column, updating=plan.updating)


def lookup_join(left: TablePlan, right_schema: pa.Schema, left_keys: List[str], right_keys: List[str],
                make_lookup: Callable[[SubtaskInfo], Any], left_outer: bool, right_name: str
                ) -> Tuple[TablePlan, Dict[str, str]]:
    """A processing-time lookup join (FOR SYSTEM_TIME AS OF proctime) against an external table.

    make_lookup(info) returns an object with open(), close() and fetch(keys) -> list of rows (a
    dict of the right table's columns, or None), one per key tuple, fetching a whole batch's keys
    at once. Returns the plan (left columns, then the right table's, renamed on a clash) and the
    right columns' output names."""
    for key in left_keys:
        if key not in left.schema.names:
            raise unknown_column(key, left.schema.names)
    output, right_names = join_output(left.schema, right_schema)
    key_indices = [left.schema.get_field_index(k) for k in left_keys]

    def make_spec(info: SubtaskInfo) -> Dict[str, Any]:
        lookup = make_lookup(info)

        def evaluate(batch: pa.RecordBatch, row_kinds: Optional[bytes]):
            key_columns = [batch.column(i).to_pylist() for i in key_indices]
            keys = list(zip(*key_columns))
            found = lookup.fetch(keys)
            rows = [i for i, row in enumerate(found) if row is not None or left_outer]
            matched = [found[i] for i in rows]
            selected = batch.take(pa.array(rows, pa.uint32())) if len(rows) != batch.num_rows else batch
            right_columns = []
            for field_ in right_schema:
                values = [None if row is None else row.get(field_.name) for row in matched]
                right_columns.append(_convert(values, field_, right_name))
            result = pa.RecordBatch.from_arrays(selected.columns + right_columns, schema=output)
            return result, rows

        return {"kind": "table_python_calc", "call": evaluate, "open": lookup.open, "close": lookup.close,
                "stateless": True}

    kind = "LeftOuterJoin" if left_outer else "InnerJoin"
    transformation = _transformation("table_python_calc", f"LookupJoin({kind}, table={right_name}, "
                                     f"on={left_keys}={right_keys})", [left.transformation], make_spec)
    return TablePlan(transformation, output, rowtime=left.rowtime, proctime=left.proctime,
                     updating=left.updating), right_names


def _convert(values: List[Any], field_: pa.Field, table: str) -> pa.Array:
    """Values read from a store as the column's type (Redis returns strings)."""
    try:
        return pa.array(values, type=field_.type)
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError):
        try:
            return pa.array([None if v is None else str(v) for v in values], pa.string()).cast(field_.type)
        except (pa.ArrowInvalid, pa.ArrowTypeError) as error:
            raise PlanningError(f"lookup table '{table}', column '{field_.name}': a stored value is not "
                                f"{field_.type}: {error}") from None


def join_output(left: pa.Schema, right: pa.Schema) -> Tuple[pa.Schema, Dict[str, str]]:
    """A join's output schema (the left columns, then the right ones, renamed on a clash with a
    numeric suffix) and the right columns' output names."""
    right_names: Dict[str, str] = {}
    taken = set(left.names)
    for field_ in right:
        name, suffix = field_.name, 0
        while name in taken:
            name = f"{field_.name}{suffix}"
            suffix += 1
        taken.add(name)
        right_names[field_.name] = name
    return pa.schema(list(left) + [pa.field(right_names[f.name], f.type) for f in right]), right_names


def _keyed_pair(left: TablePlan, right: TablePlan, left_keys: List[str], right_keys: List[str]
                ) -> Tuple[List[int], List[int], List[Transformation]]:
    """The two inputs of a join, each hash-exchanged on its key columns: (left key positions, right key
    positions, the keyed inputs)."""
    for keys, plan in ((left_keys, left), (right_keys, right)):
        for key in keys:
            if key not in plan.schema.names:
                raise unknown_column(key, plan.schema.names)
    left_indices = [left.schema.get_field_index(k) for k in left_keys]
    right_indices = [right.schema.get_field_index(k) for k in right_keys]
    inputs = [Transformation(kind="key_by", name="KeyBy", inputs=[plan.transformation],
                             key_selector=ColumnKeys(indices), bounded=plan.transformation.bounded)
              for plan, indices in ((left, left_indices), (right, right_indices))]
    return left_indices, right_indices, inputs


def regular_join(left: TablePlan, right: TablePlan, left_keys: List[str], right_keys: List[str],
                 left_outer: bool, right_outer: bool = False) -> Tuple[TablePlan, Dict[str, str]]:
    """An equi-join of two dynamic tables (INNER, LEFT OUTER, or FULL OUTER with both flags),
    both sides kept in state.

    Returns the plan (left columns, then right columns renamed on a clash) and the right
    columns' output names."""
    if not left_keys:
        raise PlanningError("a join needs at least one equality between a left and a right column")
    left_indices, right_indices, inputs = _keyed_pair(left, right, left_keys, right_keys)
    output, right_names = join_output(left.schema, right.schema)
    left_schema, right_schema = left.schema, right.schema

    def make_spec(info: SubtaskInfo) -> Dict[str, Any]:
        return {"kind": "table_join", "left_keys": left_indices, "right_keys": right_indices,
                "left_schema": left_schema, "right_schema": right_schema, "output_schema": output,
                "left_outer": left_outer, "right_outer": right_outer, "final_only": info.batch_mode}

    kind = {(False, False): "InnerJoin", (True, False): "LeftOuterJoin", (False, True): "RightOuterJoin",
            (True, True): "FullOuterJoin"}[(left_outer, right_outer)]
    transformation = _transformation("table_join", f"Join({kind}, on={left_keys}={right_keys})", inputs,
                                     make_spec, two_input=True)
    updating = left.updating or right.updating or left_outer or right_outer
    return TablePlan(transformation, output, updating=updating), right_names


def temporal_join(left: TablePlan, right: TablePlan, left_keys: List[str], right_keys: List[str],
                  left_outer: bool, *, right_name: str, time_column: str) -> Tuple[TablePlan, Dict[str, str]]:
    """An event-time temporal join (FOR SYSTEM_TIME AS OF left.rowtime) against a versioned table: each
    left row, once the watermark passes its time, joined with the right row valid at that time.

    Returns the plan (left columns, then right columns renamed on a clash; the left's time attribute
    stays the time attribute) and the right columns' output names."""
    if left.rowtime is None:
        raise PlanningError(f"FOR SYSTEM_TIME AS OF '{time_column}': the left table has no event-time attribute; "
                            f"an event-time temporal join needs one (WATERMARK FOR ... in its DDL)")
    if time_column != left.rowtime:
        raise PlanningError(f"FOR SYSTEM_TIME AS OF '{time_column}': an event-time temporal join takes the left "
                            f"table's event-time attribute '{left.rowtime}' (a lookup join takes a PROCTIME() "
                            f"column)")
    if not right.primary_key:
        raise PlanningError(f"temporal join: '{right_name}' is not a versioned table, it has no primary key; "
                            f"declare PRIMARY KEY (...) NOT ENFORCED in its DDL, or define it as a deduplication "
                            f"view (ROW_NUMBER() OVER (PARTITION BY key ORDER BY time DESC) = 1)")
    if right.rowtime is None:
        raise PlanningError(f"temporal join: '{right_name}' is not a versioned table, it has no event-time "
                            f"attribute; declare WATERMARK FOR <time column> AS ... in its DDL")
    left_indices, right_indices, inputs = _keyed_pair(left, right, left_keys, right_keys)
    missing = [k for k in right.primary_key if k not in right_keys]
    if missing:
        raise PlanningError(f"temporal join: the join condition must contain the primary key equality of "
                            f"'{right_name}': no equality with its key column(s) {missing} "
                            f"(e.g. ON left.{missing[0]} = {right_name}.{missing[0]})")
    output, right_names = join_output(left.schema, right.schema)
    left_schema, right_schema = left.schema, right.schema
    left_time, right_time = left.rowtime, right.rowtime

    def make_spec(info: SubtaskInfo) -> Dict[str, Any]:
        return {"kind": "table_temporal_join", "left_keys": left_indices, "right_keys": right_indices,
                "left_schema": left_schema, "right_schema": right_schema, "output_schema": output,
                "left_time": left_schema.get_field_index(left_time), "left_time_name": left_time,
                "right_time": right_schema.get_field_index(right_time), "right_time_name": right_time,
                "left_outer": left_outer}

    kind = "LeftOuterJoin" if left_outer else "InnerJoin"
    transformation = _transformation("table_temporal_join", f"TemporalJoin({kind}, table={right_name}, "
                                     f"on={left_keys}={right_keys}, time={left_time}, "
                                     f"version_time={right_time})", inputs, make_spec, two_input=True)
    return TablePlan(transformation, output, rowtime=left.rowtime, proctime=left.proctime,
                     updating=left.updating), right_names


def sort_limit(plan: TablePlan, keys: List[Tuple[str, bool]], limit: Optional[int], offset: int) -> TablePlan:
    """ORDER BY keys (name, ascending) LIMIT limit OFFSET offset, over a bounded input."""
    if not plan.transformation.bounded:
        raise PlanningError("ORDER BY / LIMIT need a bounded input (batch mode, or a bounded source) so far; "
                            "Top-N over streams is not supported yet")
    indices = []
    for name, ascending in keys:
        if name not in plan.schema.names:
            raise unknown_column(name, plan.schema.names)
        indices.append((plan.schema.get_field_index(name), ascending))

    def make_spec(info: SubtaskInfo) -> Dict[str, Any]:
        return {"kind": "table_sort_limit", "keys": indices, "limit": -1 if limit is None else int(limit),
                "offset": int(offset)}

    name = "SortLimit(" + ", ".join(f"{n} {'ASC' if a else 'DESC'}" for n, a in keys) + \
        (f", limit={limit}" if limit is not None else "") + ")"
    transformation = _transformation("table_sort_limit", name, [plan.transformation], make_spec, non_parallel=True)
    return TablePlan(transformation, plan.schema, updating=False)


def unnest(plan: TablePlan, argument: Expression, names: List[str], ordinality: bool,
           left_outer: bool = False) -> TablePlan:
    """Each row joined with the elements of an ARRAY (a ROW element spreads into its fields) or the
    entries of a MAP (key, value); WITH ORDINALITY adds the position from 1. Arrow's list_flatten and
    list_parent_indices do the work, a batch at a time."""
    import numpy as np
    import pyarrow.compute as pc

    column = f"__unnest{next(_temporaries)}"
    base = [(n, Col(n)) for n in plan.schema.names]
    projected = calc(plan, base + [(column, argument)], name="Calc(UNNEST argument)")
    arrow_type = projected.schema.field(column).type
    if pa.types.is_map(arrow_type):
        element = pa.struct([pa.field("key", arrow_type.key_type), pa.field("value", arrow_type.item_type)])
        entries = pa.list_(element)
    elif pa.types.is_list(arrow_type) or pa.types.is_large_list(arrow_type):
        element, entries = arrow_type.value_type, None
    else:
        from fluvial.table.types import from_arrow

        raise PlanningError(f"UNNEST expects an ARRAY or a MAP, got {from_arrow(arrow_type)!r} ({argument!r})")
    spread = pa.types.is_struct(element)
    types = [f.type for f in element] if spread else [element]
    types += [pa.int32()] if ordinality else []
    if not names:
        names = [f.name for f in element] if spread else ["EXPR$0"]
        names += ["ORDINALITY"] if ordinality else []
    if len(names) != len(types):
        raise PlanningError(f"UNNEST yields {len(types)} column(s) but {len(names)} name(s) were given: {names}")
    clash = [n for n in names if n in plan.schema.names]
    if clash:
        raise PlanningError(f"UNNEST columns {clash} clash with the input's; alias them: AS t(a, b)")
    count = len(plan.schema.names)
    output = pa.schema(list(plan.schema) + [pa.field(n, t) for n, t in zip(names, types)])

    def evaluate(batch: pa.RecordBatch, row_kinds: Optional[bytes]):
        lists = batch.column(column)
        if entries is not None:
            lists = lists.cast(entries)
        flat = pc.list_flatten(lists)
        parent = pc.list_parent_indices(lists).to_numpy().astype(np.int64)
        arrays = [flat.field(i) for i in range(len(element))] if spread else [flat]
        if ordinality:
            index = np.arange(len(flat))
            first = np.r_[True, parent[1:] != parent[:-1]] if len(parent) else np.zeros(0, bool)
            start = np.maximum.accumulate(np.where(first, index, 0)) if len(parent) else index
            arrays.append(pa.array(index - start + 1, type=pa.int32()))
        if left_outer:
            # LEFT JOIN UNNEST: a row whose array is empty or NULL stays, with NULLs.
            empty = np.flatnonzero(pc.fill_null(pc.list_value_length(lists), 0).to_numpy() == 0)
            order = np.argsort(np.r_[parent, empty], kind="stable")
            parent = np.r_[parent, empty][order]
            arrays = [pa.concat_arrays([a, pa.nulls(len(empty), a.type)]).take(pa.array(order)) for a in arrays]
        sources = pa.array(parent, type=pa.uint32())
        taken = batch.select(range(count)).take(sources)
        return pa.RecordBatch.from_arrays(taken.columns + arrays, schema=output), parent.tolist()

    def make_spec(info: SubtaskInfo) -> Dict[str, Any]:
        return {"kind": "table_python_calc", "call": evaluate, "stateless": True}

    transformation = _transformation("table_python_calc", "Uncollect", [projected.transformation], make_spec)
    return TablePlan(transformation, output, rowtime=plan.rowtime, proctime=plan.proctime, updating=plan.updating)


def lateral_table(plan: TablePlan, call: Any, names: List[str], left_outer: bool) -> TablePlan:
    """Each row joined with the rows a table function yields for it (join_lateral, LATERAL TABLE)."""
    function = call.function
    result_types = function._result_type
    if result_types is None:
        raise PlanningError(f"table function '{function._name}' needs result_types=[...]")
    if not isinstance(result_types, (list, tuple)):
        result_types = list(result_types._children and [f.data_type for f in result_types._children]) \
            if getattr(result_types, "_children", None) and pa.types.is_struct(result_types.arrow_type) \
            else [result_types]
    if not names:
        names = [f"f{i}" for i in range(len(result_types))]
    if len(names) != len(result_types):
        raise PlanningError(f"table function '{function._name}' yields {len(result_types)} column(s), "
                            f"but {len(names)} name(s) were given: {names}")
    clash = [n for n in names if n in plan.schema.names]
    if clash:
        raise PlanningError(f"table function columns {clash} clash with the input's; alias them "
                            f"(AS T(a, b) / .alias('a', 'b'))")
    arguments = [(f"__arg{next(_temporaries)}", argument) for argument in call.args]
    base = [(n, Col(n)) for n in plan.schema.names]
    projected = calc(plan, base + arguments, name="Calc(table function arguments)") if arguments else plan
    count = len(plan.schema.names)
    output = pa.schema(list(plan.schema) + [pa.field(n, t.arrow_type) for n, t in zip(names, result_types)])
    argument_names = [n for n, _ in arguments]
    # A call given the function itself gets one Row named as the input's columns (PyFlink's rule).
    row_names = [a.name if isinstance(a, Col) else n for n, a in arguments] if call.takes_row else None

    def make_spec(info: SubtaskInfo) -> Dict[str, Any]:
        from fluvial.common.types import Row

        produce = function._callable()

        def evaluate(batch: pa.RecordBatch, row_kinds: Optional[bytes]):
            columns = [batch.column(n).to_pylist() for n in argument_names]
            sources: List[int] = []
            produced: List[List[Any]] = [[] for _ in names]
            for index, values in enumerate(zip(*columns) if columns else ([()] * batch.num_rows)):
                rows = produce(Row(**dict(zip(row_names, values)))) if row_names is not None else produce(*values)
                emitted = False
                for row in rows if rows is not None else ():
                    values_out = list(row) if isinstance(row, (tuple, list)) or hasattr(row, "_values") else [row]
                    if len(values_out) != len(names):
                        raise ValueError(f"table function '{function._name}' yielded {row!r}: expected "
                                         f"{len(names)} value(s)")
                    for target, value in zip(produced, values_out):
                        target.append(value)
                    sources.append(index)
                    emitted = True
                if not emitted and left_outer:
                    for target in produced:
                        target.append(None)
                    sources.append(index)
            taken = batch.select(range(count)).take(pa.array(sources, pa.uint32()))
            arrays = [function_array(function, values, field_.type, field_.name)
                      for values, field_ in zip(produced, list(output)[count:])]
            return pa.RecordBatch.from_arrays(taken.columns + arrays, schema=output), sources

        return {"kind": "table_python_calc", "call": evaluate, "open": lambda: function._open(info.job_parameters),
                "close": function._close, "stateless": True}

    transformation = _transformation("table_python_calc", f"Correlate({function._name})", [projected.transformation],
                                     make_spec)
    return TablePlan(transformation, output, rowtime=plan.rowtime, proctime=plan.proctime, updating=plan.updating)


def rank(plan: TablePlan, partition: List[str], order: List[Tuple[str, bool]], limit: int,
         rank_column: Optional[str]) -> TablePlan:
    """Top-N / deduplication: ROW_NUMBER() OVER (PARTITION BY partition ORDER BY order) <= limit.

    With 'rank_column' the rank number is an output column (every rank that changes is updated);
    without it, rows entering and leaving the top N are inserted and deleted."""
    if plan.updating:
        raise PlanningError("Top-N (ROW_NUMBER() ... WHERE rn <= N) over an updating input is not supported yet")
    if limit < 1:
        raise PlanningError(f"Top-N needs rn <= N with N >= 1, got {limit}")
    if not order:
        raise PlanningError("ROW_NUMBER() needs ORDER BY in its OVER clause")
    for name in partition + [n for n, _ in order]:
        if name not in plan.schema.names:
            raise unknown_column(name, plan.schema.names)
    partition_indices = [plan.schema.get_field_index(n) for n in partition]
    order_indices = [(plan.schema.get_field_index(n), ascending) for n, ascending in order]
    output = plan.schema.append(pa.field(rank_column, pa.int64())) if rank_column else plan.schema
    input_schema = plan.schema
    upstream, extra = _keyed(plan.transformation, partition_indices)

    def make_spec(info: SubtaskInfo) -> Dict[str, Any]:
        return {"kind": "table_rank", "partition": partition_indices, "order": order_indices, "limit": int(limit),
                "with_rank": rank_column is not None, "input_schema": input_schema, "output_schema": output,
                "final_only": info.batch_mode}

    described = ", ".join(f"{n} {'ASC' if a else 'DESC'}" for n, a in order)
    name = f"Rank(partition={partition}, order=[{described}], n={limit})"
    transformation = _transformation("table_rank", name, [upstream], make_spec, **extra)
    # Deduplication on the time attribute (keep the last row per key) is a versioned view in Flink: it
    # keeps the time attribute and its partition columns are its primary key.
    versioned = limit == 1 and plan.rowtime is not None and order == [(plan.rowtime, False)]
    return TablePlan(transformation, output, rowtime=plan.rowtime if versioned else None, proctime=plan.proctime,
                     updating=True, primary_key=list(partition) if limit == 1 else [])


def over_aggregate(plan: TablePlan, partition: List[str], order: str, frame: str, preceding: int,
                   aggregates: List[Tuple[str, str, Optional[Expression]]]) -> TablePlan:
    """Appends OVER aggregates: (output name, function, argument) over PARTITION BY partition ORDER BY order
    {ROWS|RANGE} BETWEEN preceding PRECEDING AND CURRENT ROW (preceding: rows, or ms; -1 unbounded)."""
    if plan.updating:
        raise PlanningError("OVER aggregations need an append-only input")
    if order == plan.rowtime:
        event_time = True
    elif order == plan.proctime:
        event_time = False
    else:
        raise PlanningError(f"OVER windows must be ordered by a time attribute (the table's WATERMARK column "
                            f"or a PROCTIME() column), got '{order}'")
    arguments = [(f"__overarg{next(_temporaries)}", argument) for _, _, argument in aggregates
                 if argument is not None]
    base = [(n, Col(n)) for n in plan.schema.names]
    projected = calc(plan, base + arguments, name="Calc(OVER arguments)") if arguments else plan
    schema = projected.schema
    calls, fields = [], []
    argument_iter = iter(n for n, _ in arguments)
    for name, function, argument in aggregates:
        if function not in AGGREGATE_RESULT or function in PYTHON_BUILTIN_AGGREGATES:
            raise PlanningError(f"{function.upper()} OVER (...) is not supported (SUM, COUNT, AVG, MIN, MAX, also "
                                f"with DISTINCT, are)")
        column = next(argument_iter) if argument is not None else None
        kind = "count_star" if function == "count" and column is None else function
        input_type = schema.field(column).type if column is not None else pa.int64()
        calls.append((kind, schema.get_field_index(column) if column is not None else -1))
        fields.append(pa.field(name, AGGREGATE_RESULT[kind](input_type)))
    output = pa.schema(list(schema) + fields)
    partition_indices = [schema.get_field_index(p) for p in partition]
    upstream, extra = _keyed(projected.transformation, partition_indices)

    def make_spec(info: SubtaskInfo) -> Dict[str, Any]:
        return {"kind": "table_over_agg", "partition": partition_indices, "calls": calls, "input_schema": schema,
                "output_schema": output, "frame": frame, "preceding": int(preceding), "event_time": event_time}

    bound = "UNBOUNDED" if preceding < 0 else (f"{preceding} ROWS" if frame == "rows" else f"{preceding} ms")
    transformation = _transformation("table_over_agg", f"OverAggregate(partition={partition}, order={order}, "
                                     f"{frame.upper()} {bound} PRECEDING)", [upstream], make_spec, **extra)
    return TablePlan(transformation, output, rowtime=plan.rowtime if event_time else None,
                     proctime=plan.proctime, updating=False)


def _python_group_aggregate(projected: TablePlan, key_columns: List[str], aggregate_items: List["AggregateItem"],
                            items: List[Tuple[str, Expression]], having: Optional[Expression],
                            batch_mode: bool, mini_batch: bool = False) -> TablePlan:
    """A non-windowed GROUP BY that calls Python aggregate functions: one Python step for it all."""
    from fluvial.table._python_aggregate import PythonGroupAggregate

    schema = projected.schema
    fields = [schema.field(k) for k in key_columns]
    aggregates = []
    for item in aggregate_items:
        if item.function == "python":
            arrow_type = item.udaf._arrow_result_type()
            aggregates.append((item.output, item.udaf, item.argument_columns))
        else:
            if item.function not in AGGREGATE_RESULT:
                raise PlanningError(f"unknown aggregate function {item.function.upper()}")
            input_type = schema.field(item.argument_columns[0]).type if item.argument_columns else pa.int64()
            arrow_type = AGGREGATE_RESULT[item.function](input_type)
            if item.function in ("avg", "avg_distinct"):
                arrow_type = pa.float64() if pa.types.is_floating(input_type) else input_type
            aggregates.append((item.output, item.function, item.argument_columns))
        fields.append(pa.field(item.output, arrow_type))
    output = pa.schema(fields)
    upstream, extra = _keyed(projected.transformation, [schema.get_field_index(k) for k in key_columns])
    udafs = [f for _, f, _ in aggregates if not isinstance(f, str)]

    def make_spec(info: SubtaskInfo) -> Dict[str, Any]:
        step = PythonGroupAggregate(key_columns, aggregates, output, final_only=info.batch_mode,
                                    max_parallelism=info.max_parallelism, per_record=not mini_batch)

        def call(batch: pa.RecordBatch, row_kinds: Optional[bytes]):
            return step(batch, row_kinds)

        return {"kind": "table_python_calc", "call": call, "finish": step.finish, "keyed_state": step,
                "open": lambda: [u._open(info.job_parameters) for u in udafs] and None,
                "close": lambda: [u._close() for u in udafs] and None}

    # Flink's text: PythonGroupAggregate(groupBy=[c], select=[c, Count(a) AS a]).
    selected = list(key_columns) + [f"{getattr(f, '_name', f)}({', '.join(arguments)}) AS {output_name}"
                                    for output_name, f, arguments in aggregates]
    group_by = f"groupBy=[{', '.join(key_columns)}], " if key_columns else ""
    name = f"PythonGroupAggregate({group_by}select=[{', '.join(selected)}])"
    transformation = _transformation("table_python_calc", name, [upstream], make_spec, **extra)
    result = TablePlan(transformation, output, updating=not batch_mode, primary_key=list(key_columns))
    return calc(result, items, having, name="Calc(select)")
