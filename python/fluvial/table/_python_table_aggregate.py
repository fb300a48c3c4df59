"""Row-based aggregations of the Table API: ``flat_aggregate`` with a table aggregate
function (udtaf) and ``aggregate`` with an aggregate function whose result is a row.

flat_aggregate runs in one Python step keyed by the group keys, record by record as
Flink's GroupTableAggFunction: for a group that has emitted rows, those rows are
retracted (-D) before the input changes the accumulator, then ``emit_value`` of the new
accumulator is emitted (+I); a group whose rows were all retracted emits nothing and is
forgotten. In batch mode only the final rows are emitted, once, at the end of the input.

aggregate plans an ordinary group (or window) aggregation of the function, whose ROW
result is one struct column, and a Python step that flattens that column into the
row's fields (named by ``.alias(...)``)."""

import inspect
import itertools
from typing import Any, Dict, List, Optional, Tuple

import pyarrow as pa

from fluvial.datastream._plan import SubtaskInfo
from fluvial.table import _planner
from fluvial.table.expressions import Alias, Col, Expression, PlanningError, UdfCall

INSERT, UPDATE_BEFORE, UPDATE_AFTER, DELETE = 0, 1, 2, 3

_temporaries = itertools.count()


class RowBasedCall:
    """What aggregate() / flat_aggregate() were given: the function, its argument expressions
    (None: the whole input row) and the output names from ``.alias(...)``."""

    def __init__(self, function: Any, args: Optional[List[Expression]], names: List[str]):
        self.function = function
        self.args = args
        self.names = names

    @staticmethod
    def parse(value: Any, operation: str) -> "RowBasedCall":
        from fluvial.table.udf import UserDefinedFunctionWrapper

        names: List[str] = []
        if isinstance(value, Alias):
            names = [value.name] + value.extra_names
            value = value.expr
        if isinstance(value, UdfCall):
            return RowBasedCall(value.function, list(value.args), names)
        if isinstance(value, UserDefinedFunctionWrapper):
            aliases = list(getattr(value, "_aliases", []) or [])
            return RowBasedCall(value, None, names or aliases)
        raise PlanningError(f"{operation} takes a user-defined function or a call of one "
                            f"(e.g. {operation}(f.alias('a', 'b')) or {operation}(f(col('x')))), got {value!r}")

    def argument_count(self) -> int:
        """How many values accumulate() gets after the accumulator (the whole row is one)."""
        return 1 if self.args is None else len(self.args)


def check_arity(function: Any, method: str, count: int) -> None:
    """A clear planning error when 'method' (accumulate) cannot take 'count' arguments after the accumulator."""
    target = getattr(function._func, method, None)
    if target is None:
        return
    try:
        inspect.signature(target).bind(None, *([None] * count))
    except TypeError:
        parameters = [p for p in inspect.signature(target).parameters.values()][1:]
        raise PlanningError(f"function '{function._name}': {method}() takes {len(parameters)} argument(s) after the "
                            f"accumulator ({', '.join(p.name for p in parameters)}), but the call passes {count}"
                            ) from None
    except ValueError:  # no signature (a builtin): nothing to check
        return


def _key_items(keys: List[Expression]) -> List[Tuple[str, Expression]]:
    items = []
    for key in keys:
        if isinstance(key, Alias):
            items.append((key.name, key.expr))
        elif isinstance(key, Col):
            items.append((key.name, key))
        else:
            raise PlanningError(f"flat_aggregate groups by columns (or col('x').alias('k')), got {key!r}; "
                                f"compute the key with add_columns first")
    return items


def _output_fields(function: Any, names: List[str]) -> List[pa.Field]:
    fields = function._result_fields()
    if names:
        if len(names) != len(fields):
            raise PlanningError(f"function '{function._name}' returns {len(fields)} column(s) "
                                f"({', '.join(f.name for f in fields)}), but {len(names)} alias(es) were given: "
                                f"{names}")
        fields = [pa.field(n, f.type) for n, f in zip(names, fields)]
    return fields


def _check_names(key_names: List[str], fields: List[pa.Field], function: Any) -> None:
    clash = [f.name for f in fields if f.name in key_names]
    if clash:
        raise PlanningError(f"function '{function._name}': its column(s) {clash} clash with the group keys; "
                            f"rename them with .alias(...)")


class PythonTableAggregate:
    """The flat_aggregate step: per group key, [row count, accumulator, rows emitted last]."""

    def __init__(self, key_count: int, function: Any, row_names: Optional[List[str]], output: pa.Schema,
                 final_only: bool, max_parallelism: int = 128):
        self.key_count = key_count
        self.max_parallelism = max_parallelism
        self.wrapper = function
        self.function = function._func
        self.row_names = row_names  # the whole input row is the one argument, as a Row with these names
        self.output = output
        self.width = len(output) - key_count
        self.names = output.names[key_count:]
        self.final_only = final_only
        self.groups: Dict[tuple, List[Any]] = {}

    def _emit(self, key: tuple, accumulator: Any) -> List[tuple]:
        from fluvial.common.types import Row

        result = self.function.emit_value(accumulator)
        names = self.names
        rows = []
        for value in result if result is not None else ():
            if type(value) is Row and (value._names is None or value._names == names):
                values = value._values  # the common case, without the general conversion's cost
            elif type(value) is tuple or type(value) is list:
                values = value
            else:
                values = _planner._row_values(value, names, self.wrapper._name)
            if len(values) != self.width:
                raise ValueError(f"table aggregate function '{self.wrapper._name}' emitted {value!r}: expected "
                                 f"{self.width} value(s) ({', '.join(names)})")
            rows.append((*key, *values))
        return rows

    def __call__(self, batch: pa.RecordBatch, row_kinds: Optional[bytes]):
        from fluvial.common.types import Row

        columns = [c.to_pylist() for c in batch.columns]
        keys = list(zip(*columns[:self.key_count])) if self.key_count else [()] * batch.num_rows
        if self.row_names is not None:
            arguments = [(Row(**dict(zip(self.row_names, values))),)
                         for values in zip(*columns[self.key_count:])]
        else:
            arguments = list(zip(*columns[self.key_count:])) if len(columns) > self.key_count \
                else [()] * batch.num_rows
        rows: List[tuple] = []
        kinds: List[int] = []
        for index, key in enumerate(keys):
            retract = row_kinds is not None and row_kinds[index] in (UPDATE_BEFORE, DELETE)
            group = self.groups.get(key)
            if group is None:
                if retract:
                    continue  # nothing accumulated for this key: nothing to retract (as Flink)
                group = self.groups[key] = [0, self.function.create_accumulator(), []]
            elif not self.final_only:
                rows += group[2]
                kinds += [DELETE] * len(group[2])
            if retract:
                self.function.retract(group[1], *arguments[index])
                group[0] -= 1
            else:
                self.function.accumulate(group[1], *arguments[index])
                group[0] += 1
            if group[0] <= 0:
                del self.groups[key]
            elif not self.final_only:
                group[2] = self._emit(key, group[1])
                rows += group[2]
                kinds += [INSERT] * len(group[2])
        return self._batch(rows), bytes(kinds)

    # Checkpoints (the spec's "keyed_state" hook): each group — row count, accumulator and the
    # rows it emitted last, which the next change retracts — under the key group of its key,
    # hashed as the keyed exchange before this step hashes the key columns.

    def snapshot(self) -> Dict[int, Dict[tuple, List[Any]]]:
        from fluvial.table._python_aggregate import groups_by_key_group

        return groups_by_key_group(self.groups, list(self.groups), list(self.output)[:self.key_count],
                                   self.max_parallelism)

    def restore(self, state: Dict[int, Dict[tuple, List[Any]]]) -> None:
        for groups in state.values():
            self.groups.update(groups)

    def finish(self):
        if not self.final_only:
            return None
        rows = [row for key, group in self.groups.items() for row in self._emit(key, group[1])]
        return self._batch(rows), bytes([INSERT] * len(rows))

    def _batch(self, rows: List[tuple]) -> pa.RecordBatch:
        columns = list(zip(*rows)) if rows else [[] for _ in self.output]
        arrays = [_planner.function_array(self.wrapper, list(values), field_.type, field_.name)
                  for values, field_ in zip(columns, self.output)]
        return pa.RecordBatch.from_arrays(arrays, schema=self.output)


def flat_aggregate(plan: "_planner.TablePlan", keys: List[Expression], call: RowBasedCall,
                   batch_mode: bool) -> "_planner.TablePlan":
    """GROUP BY keys with a table aggregate function: keys, then the function's row fields."""
    function = call.function
    if not getattr(function, "_is_table_aggregate", False):
        raise PlanningError(f"flat_aggregate takes a table aggregate function (udtaf), but '{function._name}' is "
                            f"not one; use aggregate() or select() for an aggregate function")
    check_arity(function, "accumulate", call.argument_count())
    from fluvial.table.udf import TableAggregateFunction

    if plan.updating and type(function._func).retract is TableAggregateFunction.retract:
        raise PlanningError(f"table aggregate function '{function._name}' consumes an updating input, so it must "
                            f"define retract(accumulator, ...)")
    key_items = _key_items(keys)
    key_names = [n for n, _ in key_items]
    fields = _output_fields(function, call.names)
    _check_names(key_names, fields, function)
    if call.args is None:
        row_names = list(plan.schema.names)
        argument_items = [(f"__row{next(_temporaries)}", Col(n)) for n in row_names]
    else:
        row_names = None
        argument_items = [(f"__targ{next(_temporaries)}", a) for a in call.args]
    projected = _planner.calc(plan, key_items + argument_items, name="Calc(group keys, arguments)")
    key_fields = [projected.schema.field(n) for n in key_names]
    output = pa.schema(key_fields + fields)
    upstream, extra = _planner._keyed(projected.transformation, list(range(len(key_names))))

    def make_spec(info: SubtaskInfo) -> Dict[str, Any]:
        step = PythonTableAggregate(len(key_names), function, row_names, output, final_only=info.batch_mode,
                                    max_parallelism=info.max_parallelism)
        return {"kind": "table_python_calc", "call": step, "finish": step.finish, "keyed_state": step,
                "open": lambda: function._open(info.job_parameters), "close": function._close}

    transformation = _planner._transformation("table_python_calc", f"PythonGroupTableAggregate({function._name})",
                                              [upstream], make_spec, **extra)
    return _planner.TablePlan(transformation, output, updating=not batch_mode)


# -- aggregate() with a row result ---------------------------------------------------------


def _as_struct(value: Any, names: List[str], function_name: str) -> Any:
    if value is None:
        return None
    return tuple(_planner._row_values(value, names, function_name))


def _row_input_function(wrapper: Any, row_names: Optional[List[str]], struct_names: Optional[List[str]]):
    """The function aggregate() runs: the user's, given the whole row (a Row, or a pandas DataFrame) when
    called without arguments, its ROW result made a tuple for the struct column."""
    from fluvial.common.types import Row
    from fluvial.table.udf import AggregateFunction, UserDefinedAggregateFunctionWrapper

    inner = wrapper._func
    name = wrapper._name

    def finish(value: Any) -> Any:
        return _as_struct(value, struct_names, name) if struct_names is not None else value

    if wrapper._func_type == "pandas":
        def pandas_function(*series: Any) -> Any:
            if row_names is None:
                return finish(inner(*series))
            import pandas as pd

            return finish(inner(pd.DataFrame(dict(zip(row_names, series)))))

        adapted: Any = pandas_function
    else:
        def arguments(values: Tuple[Any, ...]) -> Tuple[Any, ...]:
            return (Row(**dict(zip(row_names, values))),) if row_names is not None else values

        class RowInput(AggregateFunction):
            def open(self, function_context: Any) -> None:
                inner.open(function_context)

            def close(self) -> None:
                inner.close()

            def create_accumulator(self) -> Any:
                return inner.create_accumulator()

            def accumulate(self, accumulator: Any, *values: Any) -> None:
                inner.accumulate(accumulator, *arguments(values))

            def retract(self, accumulator: Any, *values: Any) -> None:
                inner.retract(accumulator, *arguments(values))

            def merge(self, accumulator: Any, accumulators: List[Any]) -> None:
                inner.merge(accumulator, accumulators)

            def get_value(self, accumulator: Any) -> Any:
                return finish(inner.get_value(accumulator))

        adapted = RowInput()
    return UserDefinedAggregateFunctionWrapper(adapted, wrapper._result_type, wrapper._func_type, name, "aggregate")


def row_aggregate(table: Any, keys: List[Expression], call: RowBasedCall, window: Optional[Dict[str, Any]]
                  ) -> Tuple["_planner.TablePlan", List[str]]:
    """aggregate(f): the plan (keys, the result's fields, then window_start/window_end for a window) and the
    names that '*' stands for (keys and the result's fields)."""
    from fluvial.table.expressions import output_name

    function = call.function
    if not getattr(function, "_is_aggregate", False):
        raise PlanningError(f"aggregate takes an aggregate function (udaf), but '{function._name}' is not one"
                            + ("; use flat_aggregate() for a table aggregate function"
                               if getattr(function, "_is_table_aggregate", False) else ""))
    plan = table._plan
    if function._func_type != "pandas":
        check_arity(function, "accumulate", call.argument_count())
    arrow_type = function._arrow_result_type()
    struct = pa.types.is_struct(arrow_type)
    fields = list(arrow_type) if struct else [pa.field("f0", arrow_type)]
    if call.names:
        if len(call.names) != len(fields):
            raise PlanningError(f"function '{function._name}' returns {len(fields)} column(s) "
                                f"({', '.join(f.name for f in fields)}), but {len(call.names)} alias(es) were "
                                f"given: {call.names}")
        fields = [pa.field(n, f.type) for n, f in zip(call.names, fields)]
    key_items = [(k.name, Col(k.name)) if isinstance(k, (Alias, Col)) else (output_name(k, i), k)
                 for i, k in enumerate(keys)]
    key_names = [n for n, _ in key_items]
    _check_names(key_names, fields, function)
    row_names = list(plan.schema.names) if call.args is None else None
    arguments = [Col(n) for n in plan.schema.names] if call.args is None else call.args
    adapted = _row_input_function(function, row_names, [f.name for f in arrow_type] if struct else None)
    result_column = f"__aggresult{next(_temporaries)}"
    items = key_items + [(result_column, UdfCall(adapted, arguments))]
    if window is not None:
        items += [("window_start", Col("window_start")), ("window_end", Col("window_end"))]
    aggregated = _planner.aggregate(plan, keys, items, None, batch_mode=table._t_env._batch_mode(), window=window,
                                    mini_batch=table._t_env._config._mini_batch())
    return _flatten(aggregated, result_column, fields), key_names + [f.name for f in fields]


def _flatten(plan: "_planner.TablePlan", column: str, fields: List[pa.Field]) -> "_planner.TablePlan":
    """Replaces the struct column 'column' by its fields (or a plain column by itself, renamed)."""
    index = plan.schema.get_field_index(column)
    output_fields = list(plan.schema)[:index] + fields + list(plan.schema)[index + 1:]
    output = pa.schema(output_fields)
    struct = pa.types.is_struct(plan.schema.field(column).type)

    def make_spec(info: SubtaskInfo) -> Dict[str, Any]:
        def evaluate(batch: pa.RecordBatch, row_kinds: Optional[bytes]) -> pa.RecordBatch:
            columns = list(batch.columns)
            middle = columns[index].flatten() if struct else [columns[index]]
            arrays = columns[:index] + list(middle) + columns[index + 1:]
            return pa.RecordBatch.from_arrays(arrays, schema=output)

        return {"kind": "table_python_calc", "call": evaluate, "stateless": True}

    transformation = _planner._transformation("table_python_calc", "Calc(flatten)", [plan.transformation],
                                              make_spec)
    return _planner.TablePlan(transformation, output, updating=plan.updating, primary_key=plan.primary_key)
