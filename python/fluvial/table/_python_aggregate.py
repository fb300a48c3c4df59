"""GROUP BY with Python aggregate functions outside windows: the whole aggregation of such
a query runs in one Python step (built-in aggregates beside the UDAFs too), keeping an
accumulator per key and aggregate and emitting Flink's changelog for the keys each batch
touched. Queries without Python aggregates keep the native operator."""

from collections import Counter
from typing import Any, Dict, List, Optional, Tuple

import pyarrow as pa

INSERT, UPDATE_BEFORE, UPDATE_AFTER, DELETE = 0, 1, 2, 3


class _Builtin:
    """SUM, COUNT, AVG, MIN, MAX, COUNT/SUM/AVG(DISTINCT), COLLECT and ARRAY_AGG with retraction."""

    def __init__(self, kind: str, integral: bool = False):
        self.kind = kind
        self.integral = integral  # AVG of integers is an integer in Flink (truncated)

    def create(self) -> Any:
        # sum, count of non-null values, multiset (min/max/distinct/COLLECT), the values in order (ARRAY_AGG)
        return [0, 0, Counter(), []]

    def update(self, state: Any, args: Tuple[Any, ...], retract: bool) -> None:
        value = args[0] if args else 1
        if self.kind in ("first_value", "last_value"):
            # The non-NULL values in arrival order; a retraction takes back the latest equal one.
            if value is None:
                return
            if not retract:
                state[3].append(value)
            elif value in state[3]:
                del state[3][len(state[3]) - 1 - state[3][::-1].index(value)]
            return
        if self.kind == "array_agg":  # keeps NULLs (Flink's RESPECT NULLS); a retraction removes one
            if not retract:
                state[3].append(value)
            elif value in state[3]:
                state[3].remove(value)
            return
        if value is None:
            return
        sign = -1 if retract else 1
        state[1] += sign
        if self.kind in ("sum", "avg", "sum0"):
            state[0] += sign * value
        elif self.kind in ("min", "max", "collect") or self.kind.endswith("_distinct"):
            state[2][value] += sign
            if state[2][value] <= 0:
                del state[2][value]

    def value(self, state: Any) -> Any:
        kind, total, count, values = self.kind, state[0], state[1], state[2]
        if kind in ("count", "count_star"):
            return count
        if kind == "count_distinct":
            return len(values)
        if kind == "collect":
            return list(values.items())  # a MULTISET: each value with its count
        if kind == "array_agg":
            return list(state[3]) if state[3] else None
        if kind in ("first_value", "last_value"):
            return (state[3][0] if kind == "first_value" else state[3][-1]) if state[3] else None
        if kind == "sum0":  # SUM that is 0, not NULL, without values
            return total if count else 0
        if kind in ("sum_distinct", "avg_distinct"):
            # Each distinct value once.
            kind, total, count = kind[:-len("_distinct")], sum(values), len(values)
        if count == 0:
            return None
        if kind == "sum":
            return total
        if kind == "avg":
            return int(total / count) if self.integral else total / count
        return min(values) if kind == "min" else max(values)


class _Udaf:
    """A Python aggregate function: general (accumulator, retract) or pandas (the key's rows)."""

    def __init__(self, wrapper: Any):
        self.wrapper = wrapper
        self.pandas = wrapper._func_type == "pandas"
        self.function = wrapper._func

    def create(self) -> Any:
        return Counter() if self.pandas else self.function.create_accumulator()

    def update(self, state: Any, args: Tuple[Any, ...], retract: bool) -> None:
        if self.pandas:
            state[args] += -1 if retract else 1
            if state[args] <= 0:
                del state[args]
        elif retract:
            self.function.retract(state, *args)
        else:
            self.function.accumulate(state, *args)

    def value(self, state: Any) -> Any:
        if not self.pandas:
            return self.function.get_value(state)
        import pandas as pd

        rows = list(state.elements())
        columns = list(zip(*rows)) if rows else [[] for _ in range(1)]
        return self.function(*[pd.Series(list(c)) for c in columns])


def groups_by_key_group(groups: Dict[tuple, Any], keys: List[tuple], key_fields: List[pa.Field],
                        max_parallelism: int) -> Dict[int, Dict[tuple, Any]]:
    """{key group: {key: groups[key]}} for 'keys' (tuples of the 'key_fields' columns), the key
    groups hashed as the keyed exchange hashes those columns: a Python step's keyed_state."""
    from fluvial._core import table_key_groups

    if not keys:
        return {}
    if key_fields:
        batch = pa.RecordBatch.from_arrays([pa.array([key[i] for key in keys], type=f.type)
                                            for i, f in enumerate(key_fields)], schema=pa.schema(key_fields))
        key_groups = table_key_groups(batch, max_parallelism)
    else:
        key_groups = [0] * len(keys)
    result: Dict[int, Dict[tuple, Any]] = {}
    for key, key_group in zip(keys, key_groups):
        result.setdefault(key_group, {})[key] = groups[key]
    return result


class PythonGroupAggregate:
    def __init__(self, key_columns: List[str], aggregates: List[Tuple[str, Any, List[str]]],
                 output: pa.Schema, final_only: bool, max_parallelism: int = 128, per_record: bool = True):
        self.key_columns = key_columns
        self.max_parallelism = max_parallelism
        self.functions = [(_Udaf(f) if not isinstance(f, str)
                           else _Builtin(f, pa.types.is_integer(output.field(name).type)), arguments)
                          for name, f, arguments in aggregates]
        self.output = output
        self.final_only = final_only
        # Flink without mini-batch emits each record's change; with it, one change per group and batch.
        self.per_record = per_record
        self.groups: Dict[tuple, List[Any]] = {}  # key → [row count, states...]

    def _values(self, key: tuple) -> Optional[tuple]:
        group = self.groups.get(key)
        if group is None or group[0] <= 0:
            return None
        return key + tuple(f.value(state) for (f, _), state in zip(self.functions, group[1:]))

    def __call__(self, batch: pa.RecordBatch, row_kinds: Optional[bytes]):
        keys = list(zip(*(batch.column(c).to_pylist() for c in self.key_columns))) if self.key_columns \
            else [()] * batch.num_rows
        arguments = [list(zip(*(batch.column(c).to_pylist() for c in names))) if names else [()] * batch.num_rows
                     for _, names in self.functions]
        touched: Dict[tuple, Optional[tuple]] = {}
        rows, kinds = [], []
        for row, key in enumerate(keys):
            if self.per_record and key in touched:
                self._emit_changes(touched, rows, kinds)
                touched = {}
            if key not in touched:
                touched[key] = self._values(key)
            group = self.groups.get(key)
            if group is None:
                group = self.groups[key] = [0] + [f.create() for f, _ in self.functions]
            retract = row_kinds is not None and row_kinds[row] in (UPDATE_BEFORE, DELETE)
            group[0] += -1 if retract else 1
            for index, (function, _) in enumerate(self.functions):
                function.update(group[index + 1], arguments[index][row], retract)
        if self.final_only:
            return pa.RecordBatch.from_pylist([], schema=self.output), b""
        self._emit_changes(touched, rows, kinds)
        return self._batch(rows), bytes(kinds)

    def _emit_changes(self, touched: Dict[tuple, Optional[tuple]], rows: List[tuple], kinds: List[int]) -> None:
        """Appends each touched group's change since 'before' (its value then): +I, -D or -U/+U."""
        if self.final_only:
            return
        for key, before in touched.items():
            after = self._values(key)
            if before is None and after is not None:
                rows.append(after)
                kinds.append(INSERT)
            elif before is not None and after is None:
                rows.append(before)
                kinds.append(DELETE)
            elif before is not None and after != before:
                rows += [before, after]
                kinds += [UPDATE_BEFORE, UPDATE_AFTER]

    # Checkpoints (the spec's "keyed_state" hook): the groups by the key group of their key,
    # hashed as the keyed exchange before this step hashes the key columns.

    def snapshot(self) -> Dict[int, Dict[tuple, List[Any]]]:
        keys = [key for key, group in self.groups.items() if group[0] != 0]
        return groups_by_key_group(self.groups, keys, [self.output.field(n) for n in self.key_columns],
                                   self.max_parallelism)

    def restore(self, state: Dict[int, Dict[tuple, List[Any]]]) -> None:
        for groups in state.values():
            self.groups.update(groups)

    def finish(self):
        if not self.final_only:
            return None
        rows = [v for v in (self._values(k) for k in self.groups) if v is not None]
        return self._batch(rows), bytes([INSERT] * len(rows))

    def _aggregate_name(self, index: int) -> str:
        """The aggregate of output column 'index', for messages: 'function 'f' (column 'c')'."""
        column = self.output.field(index).name
        position = index - len(self.key_columns)
        if 0 <= position < len(self.functions) and isinstance(self.functions[position][0], _Udaf):
            name = self.functions[position][0].wrapper._name
            # (an unnamed aggregate's column has an internal name, no help to the user)
            return f"function '{name}'" + ("" if column.startswith("__") else f" (column '{column}')")
        return f"aggregate '{column}'"

    def _batch(self, rows: List[tuple]) -> pa.RecordBatch:
        columns = list(zip(*rows)) if rows else [[] for _ in self.output]
        arrays = []
        from fluvial.table.table_environment import _has_struct, _struct_values_as_dicts

        for index, (values, field) in enumerate(zip(columns, self.output)):
            from fluvial.errors import OutputTypeError
            from fluvial.table._integer_results import first_float, float_misfit
            from fluvial.table.types import from_arrow

            values = list(values)
            found = first_float(values, field.type)  # pa.array() would truncate it
            if found is not None:
                raise OutputTypeError(f"{self._aggregate_name(index)} returned {found[0]!r} (float), which is not "
                                      f"of its declared type {from_arrow(field.type)!r} ({float_misfit()})")
            if _has_struct(field.type):  # a ROW result given as a Row (fields by position)
                values = [_struct_values_as_dicts(v, field.type) for v in values]
            try:
                arrays.append(pa.array(values, type=field.type))
            except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, OverflowError) as error:
                from fluvial._arrow_messages import rewrite

                raise OutputTypeError(f"{self._aggregate_name(index)} returned a value that is not "
                                      f"{from_arrow(field.type)!r}: {rewrite(str(error))}") from None
        return pa.RecordBatch.from_arrays(arrays, schema=self.output)
