"""Time-bounded joins: interval joins and window joins (cpp/table/interval_join_operator.cc,
cpp/table/window_join_operator.cc), and the window table functions on their own.

A join of two tables is planned here first (`plan_join`, for SQL and the Table API alike):
- both inputs append-only with event-time attributes, and the condition bounds the left
  time against the right time from both sides → an interval join;
- both inputs window table function outputs of the same window, joined on window_start and
  window_end → a window join;
- anything else stays a regular join (cpp/table/join_operator.cc) with the other conditions
  as a filter.
"""

from array import array
from typing import Any, Dict, List, Optional, Tuple

import pyarrow as pa

from fluvial.datastream._plan import SubtaskInfo, Transformation
from fluvial.table import _planner
from fluvial.table._planner import ColumnKeys, TablePlan, _transformation, join_output
from fluvial.table.expressions import Call, Col, Expression, Interval, PlanningError, unknown_column

JOIN_NAMES = {"inner": "InnerJoin", "left": "LeftOuterJoin", "right": "RightOuterJoin", "full": "FullOuterJoin",
              "semi": "LeftSemiJoin", "anti": "LeftAntiJoin"}

_UNBOUNDED = None


# -- the time condition ---------------------------------------------------------------

def _linear(expression: Expression) -> Optional[Tuple[str, int]]:
    """column [+/- INTERVAL] as (column, offset in ms), or None."""
    if isinstance(expression, Col):
        return expression.name, 0
    if isinstance(expression, Call) and expression.function in ("plus", "minus") and len(expression.args) == 2:
        a, b = expression.args
        if isinstance(b, Interval) and isinstance(a, (Col, Call)):
            inner = _linear(a)
            if inner is not None:
                return inner[0], inner[1] + (b.ms if expression.function == "plus" else -b.ms)
        if isinstance(a, Interval) and expression.function == "plus":
            inner = _linear(b)
            if inner is not None:
                return inner[0], inner[1] + a.ms
    return None


_FLIPPED = {"ge": "le", "gt": "lt", "le": "ge", "lt": "gt", "eq": "eq"}


def time_bounds(conditions: List[Expression], left_time: str, right_time: str
                ) -> Optional[Tuple[int, int, List[Expression]]]:
    """(lower, upper, other conditions) when 'conditions' bound left_time - right_time to
    [lower, upper] ms from both sides (BETWEEN, >=, >, <=, <, =); None otherwise."""
    lower: Optional[int] = _UNBOUNDED
    upper: Optional[int] = _UNBOUNDED
    rest: List[Expression] = []
    for condition in conditions:
        comparisons = [condition]
        if isinstance(condition, Call) and condition.function == "between" and len(condition.args) == 3:
            value, low, high = condition.args
            comparisons = [Call("ge", [value, low]), Call("le", [value, high])]
        found = []
        for comparison in comparisons:
            if not (isinstance(comparison, Call) and comparison.function in _FLIPPED and len(comparison.args) == 2):
                break
            a, b = (_linear(x) for x in comparison.args)
            if a is None or b is None or {a[0], b[0]} != {left_time, right_time} or left_time == right_time:
                break
            operator = comparison.function
            if a[0] == left_time:  # l + oa OP r + ob  →  l - r OP ob - oa
                found.append((operator, b[1] - a[1]))
            else:  # r + oa OP l + ob  →  l - r OP' oa - ob
                found.append((_FLIPPED[operator], a[1] - b[1]))
        if len(found) != len(comparisons):
            rest.append(condition)
            continue
        for operator, bound in found:
            if operator in ("ge", "gt", "eq"):
                bound_low = bound + 1 if operator == "gt" else bound
                lower = bound_low if lower is None else max(lower, bound_low)
            if operator in ("le", "lt", "eq"):
                bound_high = bound - 1 if operator == "lt" else bound
                upper = bound_high if upper is None else min(upper, bound_high)
    if lower is None or upper is None:
        return None
    return lower, upper, rest


# -- planning ---------------------------------------------------------------------------

def plan_join(left: TablePlan, right: TablePlan, left_keys: List[str], right_keys: List[str], join_type: str,
              conditions: List[Expression]) -> Tuple[TablePlan, Dict[str, str], List[Expression]]:
    """A join of 'left' and 'right' on equal keys and other 'conditions' (over the output's column
    names); returns the plan, the right columns' output names and the conditions left to filter
    with (only for inner joins: an outer join takes nothing but its keys and time bounds)."""
    right_names = join_output(left.schema, right.schema)[1]
    if left.window is not None and right.window is not None:
        window_join = _window_join(left, right, left_keys, right_keys, join_type)
        if window_join is not None:
            return window_join, right_names, list(conditions)
    if not left.updating and not right.updating:
        left_time = left.rowtime or left.proctime
        right_time = right.rowtime or right.proctime
        bounds = time_bounds(conditions, left_time, right_names[right_time]) if left_time and right_time else None
        if bounds is not None:
            processing_time = left_time == left.proctime
            if processing_time != (right_time == right.proctime):
                raise PlanningError("an interval join bounds two event-time attributes or two processing-time "
                                    "attributes (PROCTIME()), not one of each")
            lower, upper, rest = bounds
            if rest and join_type != "inner":
                raise PlanningError(f"an outer interval join supports only key equalities and time bounds so far, "
                                    f"got also {rest[0]!r}")
            plan = interval_join(left, right, left_keys, right_keys, join_type, lower, upper, processing_time)
            return plan, right_names, rest
    if conditions and join_type != "inner":
        raise PlanningError(f"a {join_type.upper()} JOIN supports only equalities between the two sides so far "
                            f"(or key equalities with time bounds on event-time attributes: an interval join), "
                            f"got {conditions[0]!r}")
    if join_type == "inner" or join_type == "left":
        plan, _ = _planner.regular_join(left, right, left_keys, right_keys, join_type == "left")
        return plan, right_names, list(conditions)
    if join_type == "right":
        # A right join is the left join with the sides swapped, its columns put back in order.
        swapped, left_names = _planner.regular_join(right, left, right_keys, left_keys, True)
        items = [(f.name, Col(left_names[f.name])) for f in left.schema]
        items += [(right_names[f.name], Col(f.name)) for f in right.schema]
        return _planner.calc(swapped, items, name="Calc(right join columns)"), right_names, []
    # FULL OUTER: both sides padded while unmatched.
    plan, _ = _planner.regular_join(left, right, left_keys, right_keys, True, right_outer=True)
    return plan, right_names, []


def _drop_late(plan: TablePlan, time_column: str, what: str) -> Transformation:
    index = plan.schema.get_field_index(time_column)

    def make_spec(info: SubtaskInfo) -> Dict[str, Any]:
        return {"kind": "table_drop_late", "time": index, "what": what}

    return _transformation("table_drop_late", f"DropLateRows({time_column})", [plan.transformation], make_spec)


def _keyed_inputs(left: TablePlan, right: TablePlan, left_indices: List[int], right_indices: List[int],
                  left_time: str, right_time: str) -> List[Transformation]:
    inputs = []
    for plan, indices, time, side in ((left, left_indices, left_time, "left"),
                                      (right, right_indices, right_time, "right")):
        filtered = _drop_late(plan, time, f"{side} input of a time-bounded join, time attribute '{time}'")
        inputs.append(Transformation(kind="key_by", name="KeyBy", inputs=[filtered],
                                     key_selector=ColumnKeys(indices), bounded=filtered.bounded))
    return inputs


def _key_indices(left: TablePlan, right: TablePlan, left_keys: List[str], right_keys: List[str]
                 ) -> Tuple[List[int], List[int]]:
    if not left_keys:
        raise PlanningError("a join needs at least one equality between a left and a right column")
    for keys, plan in ((left_keys, left), (right_keys, right)):
        for key in keys:
            if key not in plan.schema.names:
                raise unknown_column(key, plan.schema.names)
    return ([left.schema.get_field_index(k) for k in left_keys],
            [right.schema.get_field_index(k) for k in right_keys])


def _probe_spec(transformation_probes: List[Any]):
    """A state probe per subtask (three int64: rows buffered now, most ever, most join keys
    held), kept on the transformation for tests and debugging (cpp/table/time_join_state.h)."""
    def make(info: SubtaskInfo) -> Any:
        probe = array("q", [0, 0, 0])
        transformation_probes.append(probe)
        return probe
    return make


def interval_join(left: TablePlan, right: TablePlan, left_keys: List[str], right_keys: List[str], join_type: str,
                  lower: int, upper: int, processing_time: bool = False) -> TablePlan:
    """l JOIN r ON keys AND r.time + lower <= l.time <= r.time + upper, on event time (or, with
    processing_time, on the moments the rows reach the join)."""
    if lower > upper:
        raise PlanningError(f"the interval join's time bounds leave no interval: left time - right time must lie "
                            f"in [{lower}, {upper}] ms")
    left_indices, right_indices = _key_indices(left, right, left_keys, right_keys)
    output, right_names = join_output(left.schema, right.schema)
    left_schema, right_schema = left.schema, right.schema
    left_column, right_column = (left.proctime, right.proctime) if processing_time else (left.rowtime, right.rowtime)
    left_time, right_time = left.schema.get_field_index(left_column), right.schema.get_field_index(right_column)
    probes: List[Any] = []
    probe = _probe_spec(probes)

    def make_spec(info: SubtaskInfo) -> Dict[str, Any]:
        return {"kind": "table_interval_join", "left_keys": left_indices, "right_keys": right_indices,
                "left_schema": left_schema, "right_schema": right_schema, "output_schema": output,
                "left_time": left_time, "right_time": right_time, "lower": int(lower), "upper": int(upper),
                "join_type": join_type, "processing_time": processing_time,
                "stamp_side": 1 if join_type == "right" else 0, "state_probe": probe(info)}

    name = (f"IntervalJoin(joinType=[{JOIN_NAMES[join_type]}], windowBounds=[isRowTime={not processing_time}, "
            f"leftLowerBound={lower}, leftUpperBound={upper}, leftTime={left_column}, "
            f"rightTime={right_column}], on={left_keys}={right_keys})")
    if processing_time:  # nothing is late on processing time
        inputs = [Transformation(kind="key_by", name="KeyBy", inputs=[plan.transformation],
                                 key_selector=ColumnKeys(indices), bounded=plan.transformation.bounded)
                  for plan, indices in ((left, left_indices), (right, right_indices))]
    else:
        inputs = _keyed_inputs(left, right, left_indices, right_indices, left.rowtime, right.rowtime)
    transformation = _transformation("table_interval_join", name, inputs, make_spec, two_input=True)
    transformation.state_probes = probes
    if processing_time:
        return TablePlan(transformation, output)
    # Both time columns keep their values; the left's stays the time attribute (the right's after a
    # RIGHT join, where left rows may be missing; none after a FULL join).
    rowtime = {"inner": left.rowtime, "left": left.rowtime, "right": right_names[right.rowtime]}.get(join_type)
    return TablePlan(transformation, output, rowtime=rowtime)


# -- window table functions and window joins --------------------------------------------

def window_table(plan: TablePlan, window: Dict[str, Any]) -> TablePlan:
    """TABLE(TUMBLE/HOP/CUMULATE(TABLE t, DESCRIPTOR(time), ...)) on its own: each row once per
    window holding it, with window_start, window_end and window_time (its time attribute)."""
    if window["kind"] == "session":
        raise PlanningError("SESSION windows are supported under GROUP BY window_start, window_end so far")
    if window.get("processing_time"):
        raise PlanningError("a window table function over processing time is supported under GROUP BY "
                            "window_start, window_end so far")
    for name in ("window_start", "window_end", "window_time"):
        if name in plan.schema.names:
            raise PlanningError(f"the window table function's input has a column '{name}' already")
    time_index = plan.schema.get_field_index(window["time_column"])
    output = pa.schema(list(plan.schema) + [pa.field(n, pa.timestamp("ms"))
                                            for n in ("window_start", "window_end", "window_time")])
    spec_window = {"window": window["kind"], "size": int(window["size"]),
                   "slide": int(window.get("slide", window["size"])), "offset": int(window.get("offset", 0))}

    def make_spec(info: SubtaskInfo) -> Dict[str, Any]:
        return {"kind": "table_window_tvf", "time": time_index, "output_schema": output, **spec_window}

    described = ", ".join(f"{k}={v}" for k, v in spec_window.items() if k != "window")
    transformation = _transformation("table_window_tvf", f"WindowTableFunction({window['kind'].upper()}, "
                                     f"time={window['time_column']}, {described})", [plan.transformation], make_spec)
    shape = dict(spec_window, start="window_start", end="window_end")
    return TablePlan(transformation, output, rowtime="window_time", window=shape)


def window_semi_join(left: TablePlan, right: TablePlan, left_keys: List[str], right_keys: List[str],
                     join_type: str) -> TablePlan:
    """The left rows with (semi) or without (anti) a right row of the same window and keys."""
    if left.window is None or right.window is None:
        raise PlanningError("IN / EXISTS subqueries are supported as window semi/anti joins so far: both tables "
                            "window table functions, correlated on window_start and window_end")
    plan = _window_join(left, right, left_keys, right_keys, join_type)
    if plan is None:
        raise PlanningError("a window semi/anti join correlates the two window_start and window_end columns "
                            "(L.window_start = R.window_start AND L.window_end = R.window_end)")
    return plan


def _window_join(left: TablePlan, right: TablePlan, left_keys: List[str], right_keys: List[str],
                 join_type: str) -> Optional[TablePlan]:
    """A window join when the keys pair the two sides' window_start and window_end; else None."""
    pairs = list(zip(left_keys, right_keys))
    lw, rw = left.window, right.window
    if (lw["start"], rw["start"]) not in pairs or (lw["end"], rw["end"]) not in pairs:
        return None
    if left.updating or right.updating:
        raise PlanningError("a window join needs append-only inputs")
    shape = ("window", "size", "slide", "offset")
    if any(lw[k] != rw[k] for k in shape):
        raise PlanningError(f"a window join needs the same window on both sides, got "
                            f"{[lw[k] for k in shape]} and {[rw[k] for k in shape]}")
    left_indices, right_indices = _key_indices(left, right, left_keys, right_keys)
    output, right_names = join_output(left.schema, right.schema)
    if join_type in ("semi", "anti"):
        output = left.schema
    left_schema, right_schema = left.schema, right.schema
    left_end, right_end = left.schema.get_field_index(lw["end"]), right.schema.get_field_index(rw["end"])
    probes: List[Any] = []
    probe = _probe_spec(probes)

    def make_spec(info: SubtaskInfo) -> Dict[str, Any]:
        return {"kind": "table_window_join", "left_keys": left_indices, "right_keys": right_indices,
                "left_schema": left_schema, "right_schema": right_schema, "output_schema": output,
                "left_end": left_end, "right_end": right_end, "join_type": join_type, "state_probe": probe(info)}

    others = [(a, b) for a, b in pairs if (a, b) not in ((lw["start"], rw["start"]), (lw["end"], rw["end"]))]
    name = (f"WindowJoin(joinType=[{JOIN_NAMES[join_type]}], window=[{lw['window'].upper()}(size={lw['size']}, "
            f"slide={lw['slide']})], on={[a for a, _ in others]}={[b for _, b in others]})")
    inputs = _keyed_inputs(left, right, left_indices, right_indices, left.rowtime, right.rowtime)
    transformation = _transformation("table_window_join", name, inputs, make_spec, two_input=True)
    transformation.state_probes = probes
    return TablePlan(transformation, output)


def state_probes(plan: TablePlan) -> List[Any]:
    """The state probes of every time-bounded join under 'plan' (for tests): per subtask,
    array('q', [rows buffered now, most rows ever buffered, most join keys held])."""
    found: List[Any] = []
    seen, stack = set(), [plan.transformation]
    while stack:
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        found += getattr(current, "state_probes", [])
        stack += current.inputs
    return found


__all__: list = []  # internal: planned through Table.join and SQL
