"""Flink SQL statements → Table API plans (one plan language for both).

Expressions are translated from sqlglot's tree into fluvial.table.expressions;
queries into the same Table operations the Table API offers, so a SQL query
and its Table API twin run on the same native operators."""

from typing import Any, Callable, Dict, List, Optional, Tuple

from sqlglot import exp

from fluvial.table.expressions import (
    Alias,
    Call,
    Col,
    Expression,
    Interval,
    Lit,
    PlanningError,
    UdfCall,
    _suggest,
    distinct_aggregate,
    transform,
    walk,
)
from fluvial.table.sql.errors import SqlValidationError
from fluvial.table.sql.functions import row_field_access, translate_builtin
from fluvial.table.sql.types import from_sqlglot

_UNIT_MILLIS = {"MILLISECOND": 1, "SECOND": 1000, "MINUTE": 60_000, "HOUR": 3_600_000, "DAY": 86_400_000}

_BINARY = {exp.Add: "plus", exp.Sub: "minus", exp.Mul: "times", exp.Div: "divide", exp.Mod: "mod",
           exp.EQ: "eq", exp.NEQ: "ne", exp.LT: "lt", exp.LTE: "le", exp.GT: "gt", exp.GTE: "ge",
           exp.And: "and", exp.Or: "or"}
_AGGREGATES = {exp.Sum: "sum", exp.Avg: "avg", exp.Min: "min", exp.Max: "max", exp.Count: "count"}
_FUNCTIONS = {exp.Upper: "upper", exp.Lower: "lower", exp.Length: "char_length", exp.Abs: "abs",
              exp.Floor: "floor", exp.Ceil: "ceil", exp.Sqrt: "sqrt", exp.Ln: "ln", exp.Exp: "exp",
              exp.Pow: "power", exp.Coalesce: "coalesce", exp.Round: "round", exp.Trim: "trim",
              exp.Year: "year", exp.Month: "month", exp.Day: "day"}


def _position(node: exp.Expression) -> str:
    for each in [node] + list(node.find_all(exp.Identifier)):
        meta = getattr(each, "meta", None) or {}
        if "line" in meta:
            # sqlglot records where a token ends; the user wants where it starts.
            column = meta.get("col", 0)
            if "start" in meta and "end" in meta:
                column -= meta["end"] - meta["start"]
            return f" at line {meta['line']}, column {column}"
    return ""


def interval_millis(node: exp.Expression) -> int:
    if not isinstance(node, exp.Interval):
        raise SqlValidationError(f"expected an INTERVAL, got '{node.sql()}'{_position(node)}")
    unit = (node.args.get("unit").name if node.args.get("unit") is not None else "SECOND").upper()
    value = node.this.this if isinstance(node.this, exp.Literal) else node.this.sql()
    if unit not in _UNIT_MILLIS:
        raise SqlValidationError(f"unsupported interval unit {unit}{_position(node)}")
    return int(float(str(value).strip("'").split()[0]) * _UNIT_MILLIS[unit])


class ExpressionTranslator:
    """sqlglot expressions → Expression IR, resolving functions through the environment."""

    def __init__(self, t_env: Any):
        self._t_env = t_env
        # (table alias, column) → column name in the joined row, for qualified columns after a join.
        self.scope: Dict[Tuple[str, str], str] = {}
        # The input's columns, for r.a: a field of ROW column r, not column a of table r; and
        # the FROM clause's table names and aliases (t.c names column c of table t first).
        self.columns: Any = ()
        self.aliases: Any = ()

    def __call__(self, node: exp.Expression) -> Expression:
        return self.translate(node)

    def translate(self, node: exp.Expression) -> Expression:  # noqa: C901 - one dispatch table
        t = self.translate
        special = translate_builtin(node, t)
        if special is not None:
            return special
        if isinstance(node, exp.Paren):
            return t(node.this)
        if isinstance(node, exp.Alias):
            return Alias(t(node.this), node.alias)
        if isinstance(node, exp.Column):
            if isinstance(node.this, exp.Star):
                raise SqlValidationError(f"'*' is only allowed alone in SELECT{_position(node)}")
            qualifier = node.table
            if qualifier and (qualifier, node.name) in self.scope:
                return Col(self.scope[(qualifier, node.name)])
            fields = row_field_access(node, self.columns, self.aliases)
            if fields is not None:
                return fields
            if qualifier and self.scope and not any(q == qualifier for q, _ in self.scope):
                raise SqlValidationError(f"unknown table alias '{qualifier}'{_position(node)}")
            return Col(node.name)
        if isinstance(node, exp.Literal):
            if node.is_string:
                return Lit(node.this)
            text = node.this
            return Lit(float(text) if any(c in text for c in ".eE") else int(text))
        if isinstance(node, exp.Boolean):
            return Lit(bool(node.this))
        if isinstance(node, exp.Null):
            return Lit(None)
        if isinstance(node, exp.Neg):
            return Call("minus", [Lit(0), t(node.this)])
        if isinstance(node, exp.Not):
            inner = node.this
            if isinstance(inner, exp.Is):
                return Call("is_not_null", [t(inner.this)])
            return Call("not", [t(inner)])
        if isinstance(node, exp.Is):
            return Call("is_null", [t(node.this)])
        for kind, name in _BINARY.items():
            if type(node) is kind:
                return Call(name, [t(node.this), t(node.expression)])
        if isinstance(node, exp.DPipe):
            return Call("concat", [t(node.this), t(node.expression)])
        if isinstance(node, exp.Interval):
            return Interval(interval_millis(node))
        if isinstance(node, (exp.Cast, exp.TryCast)):
            name = "try_cast" if isinstance(node, exp.TryCast) else "cast"
            return Call(name, [t(node.this)], data_type=from_sqlglot(node.to))
        if isinstance(node, exp.Case):
            args: List[Expression] = []
            for branch in node.args.get("ifs", []):
                args += [t(branch.this), t(branch.args["true"])]
            default = node.args.get("default")
            args.append(t(default) if default is not None else Lit(None))
            return Call("case", args)
        if isinstance(node, exp.If):
            false = node.args.get("false")
            return Call("if", [t(node.this), t(node.args["true"]), t(false) if false is not None else Lit(None)])
        if isinstance(node, exp.In):
            if node.args.get("query") is not None:
                raise SqlValidationError(f"IN (subquery) is not supported yet{_position(node)}")
            return Call("in", [t(node.this)] + [t(e) for e in node.expressions])
        if isinstance(node, exp.Between):
            return Call("between", [t(node.this), t(node.args["low"]), t(node.args["high"])])
        if isinstance(node, exp.Like):
            return Call("like", [t(node.this), t(node.expression)])
        if isinstance(node, exp.Filter):
            # AGG(x) FILTER (WHERE c) = AGG(CASE WHEN c THEN x END); COUNT(*) counts c's true rows.
            aggregate = t(node.this)
            condition = t(node.expression.this)
            if not isinstance(aggregate, Call) or not aggregate.is_aggregate:
                raise SqlValidationError(f"FILTER applies to an aggregate function{_position(node)}")
            if aggregate.function == "count_star":
                return Call("count", [Call("case", [condition, Lit(1), Lit(None)])])
            argument = Call("case", [condition, aggregate.args[0], Lit(None)])
            return Call(aggregate.function, [argument] + aggregate.args[1:])
        if isinstance(node, exp.Count):
            inner = node.this
            if inner is None or isinstance(inner, exp.Star):
                return Call("count_star", [])
            if isinstance(inner, exp.Distinct):
                if len(inner.expressions) != 1:
                    raise SqlValidationError(f"COUNT(DISTINCT ...) takes one expression so far{_position(node)}")
                return Call("count_distinct", [t(inner.expressions[0])])
            return Call("count", [t(inner)])
        for kind, name in _AGGREGATES.items():
            if type(node) is kind:
                if isinstance(node.this, exp.Distinct):
                    if len(node.this.expressions) != 1:
                        raise SqlValidationError(f"{name.upper()}(DISTINCT ...) takes one expression{_position(node)}")
                    return distinct_aggregate(name, [t(node.this.expressions[0])])
                return Call(name, [t(node.this)])
        if isinstance(node, (exp.Array, exp.Bracket)):
            return self._collection(node)
        if isinstance(node, exp.Substring):
            args = [t(node.this), t(node.args["start"])]
            if node.args.get("length") is not None:
                args.append(t(node.args["length"]))
            return Call("substring", args)
        if isinstance(node, exp.Concat):
            return Call("concat", [t(e) for e in node.expressions])
        if isinstance(node, exp.Round):
            args = [t(node.this)] + ([t(node.args["decimals"])] if node.args.get("decimals") is not None else [])
            return Call("round", args)
        for kind, name in _FUNCTIONS.items():
            if type(node) is kind:
                args = [t(node.this)] + [t(e) for e in node.expressions]
                if node.args.get("expression") is not None:
                    args.append(t(node.args["expression"]))
                return Call(name, args)
        if isinstance(node, exp.TimeToStr):
            return Call("date_format", [t(node.this), t(node.args["format"])])
        if isinstance(node, (exp.StrToTime, exp.StrToDate)):
            args = [t(node.this)] + ([t(node.args["format"])] if node.args.get("format") is not None else [])
            return Call("to_timestamp", args)
        if isinstance(node, exp.Anonymous):
            return self._function(node.name, [t(e) for e in node.expressions], node)
        if isinstance(node, exp.Func):
            name = node.sql_name() if hasattr(node, "sql_name") else type(node).__name__
            args = [t(v) for key in node.arg_types for v in _as_list(node.args.get(key))]
            return self._function(name, args, node)
        raise SqlValidationError(f"unsupported SQL expression '{node.sql()}'{_position(node)}")

    def _function(self, name: str, args: List[Expression], node: exp.Expression) -> Expression:
        registered = self._t_env._functions.get(name.lower())
        if registered is not None:
            return UdfCall(registered, args)
        lowered = name.lower()
        from fluvial.table._python_builtins import BUILTINS

        if lowered in BUILTINS:
            return UdfCall(BUILTINS[lowered], args)
        if lowered == "proctime":
            return Call("proctime", [])
        from fluvial.table import _builtins

        builtin = _builtins.call(lowered, args)
        if builtin is not None:
            return builtin
        from fluvial.table import _collections

        lowered = _COLLECTION_ALIASES.get(lowered, lowered)
        if lowered in _collections.FUNCTIONS:
            return _collections.call(lowered, args)
        if lowered in ("collect", "array_agg", "first_value", "last_value"):
            if len(args) != 1:
                raise SqlValidationError(f"{name.upper()} takes one argument, got {len(args)}{_position(node)}")
            return Call(lowered, args)
        from fluvial.table.expressions import KNOWN_FUNCTIONS

        known = set(KNOWN_FUNCTIONS) | {"date_format", "to_timestamp", "to_timestamp_ltz", "if", "concat",
                                        "char_length", "coalesce", "tumble_start", "tumble_end", "hop_start",
                                        "hop_end", "tumble_rowtime", "hop_rowtime", "cumulate_start",
                                        "cumulate_end", "mod", "power", "upper", "lower", "tumble", "hop", "cumulate",
                                        "regexp_extract", "session", "session_start", "session_end",
                                        "session_rowtime"}
        if lowered in known:
            return Call(lowered, args)
        candidates = sorted(known | set(self._t_env._functions) | set(_builtins.FUNCTIONS))
        raise SqlValidationError(f"unknown function '{name}'{_position(node)}{_suggest(lowered, candidates)}")


    def _collection(self, node: exp.Expression) -> Expression:
        """ARRAY[...], MAP[...] and the element access array[i] / map[key]."""
        from fluvial.table import _collections

        args = [self.translate(e) for e in node.expressions]
        if isinstance(node, exp.Array):
            return _collections.call("array", args)
        container = node.this
        if isinstance(container, exp.Column) and not container.table and container.name.upper() == "MAP" \
                and not container.this.quoted:
            return _collections.call("map", args)
        if len(args) != 1:
            raise SqlValidationError(f"an element access takes one index or key{_position(node)}")
        return _collections.call("at", [self.translate(container), args[0]])


# sqlglot's names of Flink's collection functions.
_COLLECTION_ALIASES = {"array_to_string": "array_join", "array_cat": "array_concat"}


def _as_list(value: Any) -> List[Any]:
    if value is None:
        return []
    if isinstance(value, list):
        return [v for v in value if isinstance(v, exp.Expression)]
    return [value] if isinstance(value, exp.Expression) else []


# -- queries ------------------------------------------------------------------------

# Tables FOR SYSTEM_TIME AS OF reads by key from an external store (the rest are versioned tables).
_LOOKUP_CONNECTORS = ("jdbc", "redis")

_GROUP_WINDOWS = {"tumble": "tumble", "hop": "hop", "cumulate": "cumulate", "session": "session"}


def plan_query(t_env: Any, node: exp.Expression):
    """A Table for a SELECT (or UNION ALL of SELECTs)."""
    if isinstance(node, exp.Union):
        if node.args.get("distinct"):
            raise SqlValidationError("UNION (distinct) is not supported yet; use UNION ALL")
        return plan_query(t_env, node.this).union_all(plan_query(t_env, node.expression))
    if isinstance(node, exp.Subquery):
        return plan_query(t_env, node.this)
    if isinstance(node, exp.Values):
        return _plan_values(t_env, node)
    if not isinstance(node, exp.Select):
        raise SqlValidationError(f"expected a query, got '{node.sql()[:60]}'")
    translate = ExpressionTranslator(t_env)
    from_clause = node.args.get("from_") or node.args.get("from")
    if from_clause is None:
        # SELECT without FROM: the expressions over one row.
        from_clause = exp.From(this=exp.Values(expressions=[exp.Tuple(expressions=[exp.Literal.number(0)])]))
    top_n = _top_n(t_env, node, from_clause.this)
    if top_n is not None:
        table, window, node = top_n[0], None, top_n[1]
    else:
        table, window = _plan_from(t_env, from_clause.this, translate)
    where_node = node.args.get("where")
    for join in node.args.get("joins") or []:
        if window is not None:
            # TABLE(TUMBLE(...)) L JOIN ...: the window table function's rows, for a window join.
            table, window = _window_table(t_env, table, window, join), None
        # FROM a, b WHERE a.k = b.k: the comma join takes its keys from WHERE (which still filters after).
        implicit = where_node.this if where_node is not None and join.args.get("on") is None \
            and not isinstance(join.this, exp.Unnest) else None
        table = _plan_join(t_env, table, from_clause.this, join, translate, implicit)
    if window is not None and node.args.get("group") is None:
        # A window table function not under GROUP BY window_start, window_end: its rows on their own.
        table, window = _window_table(t_env, table, window, from_clause), None
    translate.columns = table._plan.schema.names
    translate.aliases = {source.alias_or_name for source in
                         [from_clause.this] + [j.this for j in node.args.get("joins") or []]}
    where = node.args.get("where")
    if where is not None and table._plan.window is not None:
        # IN (SELECT ...) / EXISTS (...) over windowed tables: window semi and anti joins.
        kept = []
        for condition in _conjuncts(where.this):
            semi = _plan_window_semi_join(t_env, table, condition)
            if semi is None:
                kept.append(condition)
            else:
                table = semi
        where = exp.Where(this=exp.and_(*kept)) if kept else None
    if where is not None:
        table = table.filter(_validated(translate(where.this), table, where))
    if any(isinstance(w, exp.Window) for e in node.expressions for w in e.find_all(exp.Window)):
        table, node = _plan_over(t_env, table, node, translate)
    items = _select_items(node, table, translate)
    group = node.args.get("group")
    having = node.args.get("having")
    having_expr = translate(having.this) if having is not None else None
    has_aggregate = any(_is_aggregate(e) for _, e in items) or having_expr is not None
    if group is not None or has_aggregate or window is not None and group is not None:
        keys = [translate(e) for e in (group.expressions if group is not None else [])]
        keys, window = _group_window(keys, window, table)
        if window is not None:
            items = [(n, _window_columns(e)) for n, e in items]
            if having_expr is not None:
                having_expr = _window_columns(having_expr)
        from fluvial.table import _planner
        from fluvial.table.table import Table

        for key in keys:
            _validated(key, table, group)
        plan = _planner.aggregate(table._plan, keys, items, having_expr, batch_mode=t_env._batch_mode(),
                                  window=window, mini_batch=t_env._config._mini_batch())
        table = Table(t_env, plan)
    else:
        from fluvial.table import _planner
        from fluvial.table.table import Table

        for _, expression in items:
            _validated(expression, table, node)
        table = Table(t_env, _planner.calc(table._plan, items, name="Calc(select)"))
    if node.args.get("distinct"):
        table = table.distinct()
    order, limit, offset = node.args.get("order"), node.args.get("limit"), node.args.get("offset")
    if order is not None or limit is not None or offset is not None:
        from fluvial.table import _planner
        from fluvial.table.table import Table

        keys = []
        for ordered in (order.expressions if order is not None else []):
            expression = translate(ordered.this)
            if not isinstance(expression, Col):
                raise SqlValidationError(f"ORDER BY takes output columns (or their aliases) so far, got "
                                         f"'{ordered.this.sql()}'{_position(ordered)}")
            _validated(expression, table, ordered)
            keys.append((expression.name, not ordered.args.get("desc")))
        table = Table(t_env, _planner.sort_limit(table._plan, keys, _count(limit), _count(offset) or 0))
    return table


def _count(node: Optional[exp.Expression]) -> Optional[int]:
    if node is None:
        return None
    value = node.args.get("expression") or node.this
    if not isinstance(value, exp.Literal) or value.is_string:
        raise SqlValidationError(f"LIMIT/OFFSET take a number, got '{node.sql()}'{_position(node)}")
    return int(value.this)


def _plan_join(t_env: Any, left: Any, left_node: exp.Expression, join: exp.Join,
               translate: ExpressionTranslator, implicit: Optional[exp.Expression] = None) -> Any:
    """A lookup join: JOIN t FOR SYSTEM_TIME AS OF left.proctime AS r ON left.k = r.k [AND ...]."""
    from fluvial.table import _planner
    from fluvial.table.connectors import lookup_factory
    from fluvial.table.table import Table
    from fluvial.table.table_environment import CatalogTable

    right = join.this
    side = (join.args.get("side") or "").upper()
    kind = (join.args.get("kind") or "").upper()
    if isinstance(right, exp.Lateral):
        return _plan_lateral(t_env, left, right, join, translate, side == "LEFT", implicit)
    if isinstance(right, exp.Unnest):
        return _plan_unnest(t_env, left, right, join, translate)
    if not isinstance(right, exp.Table) or right.args.get("version") is None:
        if side not in ("", "LEFT", "RIGHT", "FULL") or kind not in ("", "INNER", "OUTER"):
            raise SqlValidationError(f"{side or kind} JOIN is not supported yet{_position(join)}: joins are INNER, "
                                     f"LEFT, RIGHT or FULL OUTER")
        return _plan_regular_join(t_env, left, left_node, join, translate, side.lower() or "inner", implicit)
    if side not in ("", "LEFT") or kind not in ("", "INNER", "OUTER"):
        raise SqlValidationError(f"{side or kind} JOIN is not supported yet{_position(join)}: lookup joins are "
                                 f"INNER or LEFT")
    version = right.args["version"]
    time_column = version.expression
    entry = t_env._tables.get(right.name)
    lookup_table = isinstance(entry, CatalogTable) and entry.options.get("connector") in _LOOKUP_CONNECTORS
    if isinstance(time_column, exp.Column) and time_column.name != left._plan.proctime and not lookup_table:
        return _plan_temporal_join(t_env, left, left_node, join, translate, side == "LEFT", time_column)
    if not isinstance(time_column, exp.Column) or time_column.name != left._plan.proctime:
        raise SqlValidationError(
            f"FOR SYSTEM_TIME AS OF '{version.expression.sql()}'{_position(version)}: a lookup table is joined "
            f"on a processing-time attribute (a PROCTIME() column of the left table); event-time temporal joins "
            f"take a column, the left table's event-time attribute, against a versioned table")
    if not isinstance(entry, CatalogTable):
        raise SqlValidationError(f"unknown lookup table '{right.name}'{_position(right)}"
                                 f"{_suggest(right.name, list(t_env._tables))}")
    right_alias = right.alias_or_name
    left_alias = left_node.alias_or_name if isinstance(left_node, exp.Table) else None
    on = join.args.get("on")
    if on is None:
        raise SqlValidationError(f"a lookup join needs ON left.key = {right_alias}.key{_position(join)}")
    conditions = []
    stack = [on]
    while stack:
        current = stack.pop()
        if isinstance(current, exp.And):
            stack += [current.this, current.expression]
        elif isinstance(current, exp.Paren):
            stack.append(current.this)
        else:
            conditions.append(current)
    left_keys: List[str] = []
    right_keys: List[str] = []
    computed: List[Tuple[str, Expression]] = []  # left key expressions that are not plain columns

    def of_right(node: exp.Expression) -> bool:
        return isinstance(node, exp.Column) and node.table == right_alias

    for condition in reversed(conditions):
        if not isinstance(condition, exp.EQ) or not (of_right(condition.this) or of_right(condition.expression)):
            raise SqlValidationError(f"lookup join conditions must be equalities with a column of '{right_alias}', "
                                     f"got '{condition.sql()}'{_position(condition)}")
        a, b = (condition.expression, condition.this) if of_right(condition.this) else \
            (condition.this, condition.expression)
        if b.name not in entry.schema.names:
            raise SqlValidationError(f"unknown column '{b.name}' in lookup table '{right.name}'{_position(b)}"
                                     f"{_suggest(b.name, entry.schema.names)}")
        if any(c.table == right_alias for c in a.find_all(exp.Column)):
            raise SqlValidationError(f"the condition '{condition.sql()}'{_position(condition)} must compare a "
                                     f"column of '{right_alias}' with an expression of the left table")
        key = translate(a)
        if isinstance(key, Col):
            left_keys.append(key.name)
        else:
            column = f"__lookupkey{len(computed)}"
            computed.append((column, key))
            left_keys.append(column)
        right_keys.append(b.name)
    if computed:
        items = [(n, Col(n)) for n in left._plan.schema.names] + computed
        left = Table(t_env, _planner.calc(left._plan, items, name="Calc(lookup keys)"))
    make_lookup = lookup_factory(entry.options.get("connector", ""), right.name, entry.schema, entry.options,
                                 right_keys)
    # The right table's key values equal the left's: the lookup fills them from the key.
    plan, right_names = _planner.lookup_join(left._plan, entry.schema, left_keys, right_keys, make_lookup,
                                             left_outer=side == "LEFT", right_name=right.name)
    for name in left._plan.schema.names:
        if left_alias:
            translate.scope[(left_alias, name)] = name
    for name, output in right_names.items():
        translate.scope[(right_alias, name)] = output
    return Table(t_env, plan)


def _plan_temporal_join(t_env: Any, left: Any, left_node: exp.Expression, join: exp.Join,
                        translate: ExpressionTranslator, left_outer: bool, time_column: exp.Column) -> Any:
    """JOIN versioned FOR SYSTEM_TIME AS OF left.rowtime AS r ON left.k = r.k: an event-time temporal join."""
    from functools import partial

    from fluvial.table import _planner
    from fluvial.table.expressions import PlanningError

    join = join.copy()
    right = join.this
    right.set("version", None)
    if right.name not in t_env._tables:
        raise SqlValidationError(f"unknown table '{right.name}'{_position(right)}"
                                 f"{_suggest(right.name, list(t_env._tables))}")
    plan = partial(_planner.temporal_join, right_name=right.name, time_column=time_column.name)
    try:
        return _plan_regular_join(t_env, left, left_node, join, translate, "left" if left_outer else "inner",
                                  join_plan=plan)
    except PlanningError as error:
        if isinstance(error, SqlValidationError):
            raise
        raise SqlValidationError(f"{error}{_position(time_column)}") from None


def _plan_over(t_env: Any, table: Any, node: exp.Select, translate: ExpressionTranslator):
    """Aggregates OVER one window: the table with a column per OVER call, and the query reading them."""
    from fluvial.table import _planner
    from fluvial.table.table import Table

    named = {w.name: w for w in node.args.get("windows") or []}
    found: List[Tuple[exp.Window, str]] = []
    spec_key = None
    definition = None
    for window in [w for e in node.expressions for w in e.find_all(exp.Window)]:
        resolved = window
        if not window.args.get("order") and not window.args.get("spec") and window.args.get("alias"):
            resolved = named.get(window.args["alias"].name)
            if resolved is None:
                raise SqlValidationError(f"unknown window '{window.args['alias'].name}'{_position(window)}")
        if isinstance(window.this, exp.RowNumber):
            raise SqlValidationError(f"ROW_NUMBER() is supported for Top-N: SELECT ... FROM (SELECT ..., "
                                     f"ROW_NUMBER() OVER (...) AS rn FROM t) WHERE rn <= N{_position(window)}")
        key = (tuple(p.sql() for p in resolved.args.get("partition_by") or []),
               resolved.args.get("order").sql() if resolved.args.get("order") else "",
               resolved.args.get("spec").sql() if resolved.args.get("spec") else "")
        if spec_key is not None and key != spec_key:
            raise SqlValidationError(f"all OVER aggregates of a query must use the same window{_position(window)}")
        spec_key, definition = key, resolved
        found.append((window, f"__over{len(found)}"))
    partition = []
    for expression in definition.args.get("partition_by") or []:
        column = translate(expression)
        if not isinstance(column, Col):
            raise SqlValidationError(f"PARTITION BY takes columns so far{_position(expression)}")
        partition.append(column.name)
    order_by = definition.args.get("order")
    if order_by is None or len(order_by.expressions) != 1:
        raise SqlValidationError(f"an OVER window needs ORDER BY one time attribute{_position(definition)}")
    ordered = order_by.expressions[0]
    if ordered.args.get("desc"):
        raise SqlValidationError(f"OVER windows are ordered by time ascending{_position(ordered)}")
    order = translate(ordered.this)
    spec = definition.args.get("spec")
    frame, preceding = "range", -1
    if spec is not None:
        frame = str(spec.args.get("kind") or "RANGE").lower()
        end = spec.args.get("end")
        if end not in (None, "CURRENT ROW") and not (isinstance(end, str) and end.upper() == "CURRENT ROW"):
            raise SqlValidationError(f"OVER frames end at CURRENT ROW so far{_position(spec)}")
        start = spec.args.get("start")
        if isinstance(start, str) and start.upper() == "UNBOUNDED":
            preceding = -1
        elif isinstance(start, exp.Interval):
            preceding = interval_millis(start)
        elif isinstance(start, exp.Literal):
            preceding = int(start.this)
        else:
            raise SqlValidationError(f"unsupported OVER frame start '{start}'{_position(spec)}")
    aggregates = []
    for window, column in found:
        call = translate(window.this)
        if not isinstance(call, Call) or not call.is_aggregate:
            raise SqlValidationError(f"OVER applies to an aggregate function{_position(window)}")
        argument = call.args[0] if call.args else None
        aggregates.append((column, call.function if call.function != "count_star" else "count", argument))
    plan = _planner.over_aggregate(table._plan, partition, order.name, frame, preceding, aggregates)
    columns = {id(w): c for w, c in found}
    rewritten = node.copy()
    copies = [w for e in rewritten.expressions for w in e.find_all(exp.Window)]
    for copy, (_, column) in zip(copies, found):
        copy.replace(exp.column(column))
    del columns
    return Table(t_env, plan), rewritten


def _top_n(t_env: Any, node: exp.Select, source: exp.Expression):
    """SELECT ... FROM (SELECT ..., ROW_NUMBER() OVER (PARTITION BY p ORDER BY o) AS rn FROM t) WHERE rn <= N:
    the ranked table and the outer query without the rank condition, or None for any other FROM."""
    from fluvial.table import _planner
    from fluvial.table.table import Table

    if not isinstance(source, exp.Subquery) or not isinstance(source.this, exp.Select):
        return None
    inner = source.this
    ranked = [(i, e) for i, e in enumerate(inner.expressions)
              if isinstance(e, exp.Alias) and isinstance(e.this, exp.Window) and isinstance(e.this.this, exp.RowNumber)]
    if not ranked:
        return None
    if len(ranked) > 1:
        raise SqlValidationError(f"one ROW_NUMBER() per query is supported{_position(ranked[1][1])}")
    position, item = ranked[0]
    rank_name = item.alias
    window = item.this
    where = node.args.get("where")
    limit, kept = None, []
    for condition in _conjuncts(where.this) if where is not None else []:
        bound = _rank_bound(condition, rank_name)
        if bound is not None and limit is None:
            limit = bound
        else:
            kept.append(condition)
    if limit is None:
        raise SqlValidationError(f"ROW_NUMBER() is supported for Top-N and deduplication: filter it with "
                                 f"WHERE {rank_name} <= N (or = 1) in the outer query{_position(item)}")
    inner_without = inner.copy()
    inner_without.set("expressions", [e for i, e in enumerate(inner.expressions) if i != position])
    base = plan_query(t_env, inner_without)
    translate = ExpressionTranslator(t_env)
    partition = []
    for expression in window.args.get("partition_by") or []:
        column = translate(expression)
        if not isinstance(column, Col):
            raise SqlValidationError(f"PARTITION BY takes columns so far{_position(expression)}")
        partition.append(column.name)
    order = []
    for ordered in (window.args.get("order").expressions if window.args.get("order") else []):
        column = translate(ordered.this)
        if not isinstance(column, Col):
            raise SqlValidationError(f"ORDER BY in OVER takes columns so far{_position(ordered)}")
        order.append((column.name, not ordered.args.get("desc")))
    outer_uses_rank = any(isinstance(e, exp.Star) or (isinstance(e, exp.Column) and isinstance(e.this, exp.Star))
                          or any(c.name == rank_name for c in e.find_all(exp.Column)) for e in node.expressions)
    plan = _planner.rank(base._plan, partition, order, limit, rank_name if outer_uses_rank else None)
    outer = node.copy()
    outer.set("where", exp.Where(this=exp.and_(*kept)) if kept else None)
    return Table(t_env, plan), outer


def _rank_bound(condition: exp.Expression, rank_name: str) -> Optional[int]:
    """N of 'rn <= N', 'rn < N+1', 'rn = 1' (or mirrored), else None."""
    for op, column, literal in ((type(condition), condition.this, condition.expression),
                                ({exp.GTE: exp.LTE, exp.GT: exp.LT}.get(type(condition)), condition.expression,
                                 condition.this)):
        if isinstance(column, exp.Column) and column.name == rank_name and isinstance(literal, exp.Literal) \
                and not literal.is_string:
            value = int(literal.this)
            if op is exp.LTE:
                return value
            if op is exp.LT:
                return value - 1
            if op is exp.EQ and value == 1:
                return 1
    return None


def _plan_lateral(t_env: Any, left: Any, lateral: exp.Lateral, join: exp.Join, translate: ExpressionTranslator,
                  left_outer: bool, implicit: Optional[exp.Expression] = None) -> Any:
    """FROM t, LATERAL TABLE(f(x)) AS T(a, b) / LEFT JOIN LATERAL TABLE(...) ON TRUE; with a temporal table
    function, FROM t, LATERAL TABLE(rates(t.rowtime)) WHERE key = t.key (an event-time temporal join)."""
    from fluvial.table import _planner
    from fluvial.table.table import Table, TemporalTableFunction

    call = translate(lateral.this)
    if isinstance(call, UdfCall) and isinstance(call.function, TemporalTableFunction):
        alias = lateral.args.get("alias")
        names = [c.name for c in alias.columns] if alias is not None and alias.columns else []
        on = join.args.get("on")
        condition = implicit if on is None or (isinstance(on, exp.Boolean) and on.this) else on
        predicate = translate(condition) if condition is not None else None
        return Table(t_env, call.function._join(left._plan, call.args, names, predicate, left_outer))
    if not isinstance(call, UdfCall) or not getattr(call.function, "_is_table_function", False):
        raise SqlValidationError(f"LATERAL TABLE takes a call of a registered table function (udtf), got "
                                 f"'{lateral.this.sql()}'{_position(lateral)}")
    alias = lateral.args.get("alias")
    names = [c.name for c in alias.columns] if alias is not None and alias.columns else []
    on = join.args.get("on")
    if on is not None and not (isinstance(on, exp.Boolean) and on.this):
        raise SqlValidationError(f"a lateral join takes ON TRUE{_position(on)}")
    for each in walk(call):
        if isinstance(each, Col):
            _validated(each, left, lateral)
    plan = _planner.lateral_table(left._plan, call, names, left_outer)
    if alias is not None:
        produced = plan.schema.names[len(left._plan.schema.names):]
        for name in produced:
            translate.scope[(alias.name, name)] = name
    return Table(t_env, plan)


def _plan_unnest(t_env: Any, left: Any, unnest: exp.Unnest, join: exp.Join, translate: ExpressionTranslator) -> Any:
    """FROM t CROSS JOIN UNNEST(t.arr) [WITH ORDINALITY] AS u(x [, n]) (or a comma instead of CROSS JOIN);
    LEFT JOIN UNNEST(...) ... ON TRUE keeps rows whose array is empty or NULL."""
    from fluvial.table import _planner
    from fluvial.table.table import Table

    if len(unnest.expressions) != 1:
        raise SqlValidationError(f"UNNEST takes one ARRAY or MAP so far{_position(unnest)}")
    if join.args.get("on") is not None and not (isinstance(join.args["on"], exp.Boolean) and join.args["on"].this):
        raise SqlValidationError(f"a join with UNNEST takes no condition (or ON TRUE){_position(unnest)}")
    side = (join.args.get("side") or "").upper()
    if side not in ("", "LEFT"):
        raise SqlValidationError(f"{side} JOIN UNNEST is not supported: use CROSS JOIN or LEFT JOIN{_position(unnest)}")
    if side == "LEFT" and join.args.get("on") is None:
        raise SqlValidationError(f"LEFT JOIN UNNEST(...) needs ON TRUE{_position(unnest)}")
    argument = _validated(translate(unnest.expressions[0]), left, unnest)
    alias = unnest.args.get("alias")
    names = [c.name for c in alias.columns] if alias is not None and alias.columns else []
    ordinality = unnest.args.get("offset")
    if isinstance(ordinality, exp.Identifier) and names and ordinality.name != names[-1]:
        names.append(ordinality.name)
    plan = _planner.unnest(left._plan, argument, names, ordinality is not None and ordinality is not False,
                           left_outer=side == "LEFT")
    if alias is not None and alias.name:
        for name in plan.schema.names[len(left._plan.schema.names):]:
            translate.scope[(alias.name, name)] = name
    return Table(t_env, plan)


def _conjuncts(condition: exp.Expression) -> List[exp.Expression]:
    found, stack = [], [condition]
    while stack:
        current = stack.pop()
        if isinstance(current, exp.And):
            stack += [current.expression, current.this]
        elif isinstance(current, exp.Paren) and isinstance(current.this, exp.And):
            stack.append(current.this)
        else:
            found.append(current)
    return found


def _plan_regular_join(t_env: Any, left: Any, left_node: exp.Expression, join: exp.Join,
                       translate: ExpressionTranslator, join_type: str,
                       implicit: Optional[exp.Expression] = None, join_plan: Optional[Callable] = None) -> Any:
    """JOIN right ON left.a = right.b [AND ...]: an interval join when the other conditions bound the two
    sides' event times, a window join of two window table functions on window_start/window_end, else a
    regular equi-join whose other conditions filter the result (INNER joins only); see _time_joins. With
    'join_plan' (an event-time temporal join), what it plans for the same keys."""
    from fluvial.table import _time_joins
    from fluvial.table._planner import join_output
    from fluvial.table.table import Table

    right_node = join.this
    right, right_window = _plan_from(t_env, right_node, translate)
    if right_window is not None:
        right = _window_table(t_env, right, right_window, right_node)
    right_alias = right_node.alias_or_name if isinstance(right_node, (exp.Table, exp.Subquery, exp.Values)) else None
    left_aliases = {q for q, _ in translate.scope} or (
        {left_node.alias_or_name} if isinstance(left_node, (exp.Table, exp.Subquery, exp.Values)) else set())
    on = join.args.get("on")
    if on is None and implicit is None:
        raise SqlValidationError(f"a join needs an ON condition{_position(join)} (cross joins are not supported)")
    left_names, right_names_in = set(left._plan.schema.names), set(right._plan.schema.names)

    def side_of(column: exp.Column) -> Optional[str]:
        if column.table:
            if column.table == right_alias:
                return "right"
            if column.table in left_aliases or not translate.scope:
                return "left"
            return None
        in_left, in_right = column.name in left_names, column.name in right_names_in
        if in_left and in_right:
            raise SqlValidationError(f"column '{column.name}' is ambiguous{_position(column)}: qualify it with "
                                     f"its table")
        return "left" if in_left else "right" if in_right else None

    left_keys: List[str] = []
    right_keys: List[str] = []
    residual: List[exp.Expression] = []
    for condition in _conjuncts(on if on is not None else implicit):
        if isinstance(condition, exp.EQ) and isinstance(condition.this, exp.Column) \
                and isinstance(condition.expression, exp.Column):
            sides = (side_of(condition.this), side_of(condition.expression))
            if sides == ("left", "right"):
                left_keys.append(translate(condition.this).name)
                right_keys.append(condition.expression.name)
                continue
            if sides == ("right", "left"):
                left_keys.append(translate(condition.expression).name)
                right_keys.append(condition.this.name)
                continue
        residual.append(condition)
    if on is None:
        if not left_keys:
            raise SqlValidationError(f"a comma join needs an equality of a column of each side in WHERE"
                                     f"{_position(join)} (cross joins are not supported)")
    if join_plan is not None:
        if residual and join_type != "inner":
            raise SqlValidationError(f"a LEFT JOIN supports only equalities between the two sides in ON so far"
                                     f"{_position(residual[0])}")
        plan, right_output = join_plan(left._plan, right._plan, left_keys, right_keys, join_type == "left")
        if not translate.scope and isinstance(left_node, (exp.Table, exp.Subquery, exp.Values)):
            for name in left._plan.schema.names:
                translate.scope[(left_node.alias_or_name, name)] = name
        if right_alias:
            for name, output in right_output.items():
                translate.scope[(right_alias, name)] = output
        table = Table(t_env, plan)
        for condition in residual if on is not None else []:
            table = table.filter(_validated(translate(condition), table, condition))
        return table
    if not translate.scope and isinstance(left_node, (exp.Table, exp.Subquery, exp.Values)):
        for name in left._plan.schema.names:
            translate.scope[(left_node.alias_or_name, name)] = name
    right_output = join_output(left._plan.schema, right._plan.schema)[1]
    if right_alias:
        for name, output in right_output.items():
            translate.scope[(right_alias, name)] = output
    # The other conditions, over the joined row's column names (for a comma join, the WHERE
    # clause's: they may bound the two sides' times, and WHERE filters after the join anyway).
    conditions, origins = [], {}
    for condition in residual:
        try:
            translated = translate(condition)
        except SqlValidationError:
            if on is not None:
                raise
            continue  # a WHERE condition over a table joined later
        conditions.append(translated)
        origins[id(translated)] = condition
    try:
        plan, _, rest = _time_joins.plan_join(left._plan, right._plan, left_keys, right_keys, join_type,
                                              conditions)
    except PlanningError as error:
        raise SqlValidationError(f"{error}{_position(join)}") from None
    table = Table(t_env, plan)
    if on is None:
        return table  # the WHERE clause filters after the join
    for condition in rest:
        table = table.filter(_validated(condition, table, origins.get(id(condition), join)))
    return table


def _plan_window_semi_join(t_env: Any, left: Any, condition: exp.Expression) -> Any:
    """WHERE L.k [NOT] IN (SELECT k FROM <windowed R> WHERE L.window_start = R.window_start AND ...) or
    [NOT] EXISTS (SELECT ... WHERE L.k = R.k AND ...) over a windowed left table: a window semi
    (anti) join; None for any other condition."""
    from fluvial.table import _time_joins
    from fluvial.table.table import Table

    anti = isinstance(condition, exp.Not)
    inner = condition.this if anti else condition
    probe = selected = None
    if isinstance(inner, exp.In) and inner.args.get("query") is not None:
        query = inner.args["query"]
        query = query.this if isinstance(query, exp.Subquery) else query
        probe = inner.this
        if not isinstance(probe, exp.Column) or not isinstance(query, exp.Select) or len(query.expressions) != 1 \
                or not isinstance(query.expressions[0], exp.Column):
            raise SqlValidationError(f"IN (SELECT ...) over windowed tables takes a column IN (SELECT one column "
                                     f"...){_position(inner)}")
        selected = query.expressions[0]
        if anti:
            raise SqlValidationError(f"NOT IN (SELECT ...) over windowed tables is not supported (NULLs make it "
                                     f"differ from an anti join); write NOT EXISTS (SELECT ... WHERE L.k = R.k ...)"
                                     f"{_position(inner)}")
    elif isinstance(inner, exp.Exists) and isinstance(inner.this, exp.Select):
        query = inner.this
    else:
        return None
    from_clause = query.args.get("from_") or query.args.get("from")
    right, right_window = _plan_from(t_env, from_clause.this, ExpressionTranslator(t_env))
    if right_window is not None:
        right = _window_table(t_env, right, right_window, from_clause)
    right_alias = from_clause.this.alias_or_name
    left_names, right_names = set(left._plan.schema.names), set(right._plan.schema.names)

    def is_right(column: exp.Column) -> bool:
        return column.table == right_alias if column.table else column.name in right_names

    left_keys: List[str] = [probe.name] if probe is not None else []
    right_keys: List[str] = [selected.name] if selected is not None else []
    where = query.args.get("where")
    for each in _conjuncts(where.this) if where is not None else []:
        if not (isinstance(each, exp.EQ) and isinstance(each.this, exp.Column)
                and isinstance(each.expression, exp.Column)) or is_right(each.this) == is_right(each.expression):
            raise SqlValidationError(f"a subquery over a windowed table is correlated by equalities of an outer "
                                     f"and an inner column only so far, got '{each.sql()}'{_position(each)}")
        outer, own = (each.expression, each.this) if is_right(each.this) else (each.this, each.expression)
        if outer.name not in left_names:
            raise SqlValidationError(f"unknown column '{outer.name}'{_position(outer)}")
        left_keys.append(outer.name)
        right_keys.append(own.name)
    try:
        plan = _time_joins.window_semi_join(left._plan, right._plan, left_keys, right_keys, "anti" if anti else "semi")
    except PlanningError as error:
        raise SqlValidationError(f"{error}{_position(inner)}") from None
    return Table(t_env, plan)


def _validated(expression: Expression, table: Any, node: exp.Expression) -> Expression:
    names = table._plan.schema.names
    for each in walk(expression):
        if isinstance(each, Col) and each.name not in names and each.name not in ("window_start", "window_end"):
            visible = [n for n in names if not n.startswith("__")]
            raise SqlValidationError(
                f"unknown column '{each.name}'{_column_position(node, each.name)}{_suggest(each.name, visible)} "
                f"(available: {', '.join(visible)})")
    return expression


def _column_position(node: exp.Expression, name: str) -> str:
    for column in node.find_all(exp.Column):
        if column.name == name:
            return _position(column)
    return ""


def _is_aggregate(expression: Expression) -> bool:
    return any((isinstance(n, Call) and n.is_aggregate) or (isinstance(n, UdfCall) and n.is_aggregate)
               for n in walk(expression))


def _select_items(node: exp.Select, table: Any, translate: ExpressionTranslator) -> List[Tuple[str, Expression]]:
    items: List[Tuple[str, Expression]] = []
    for position, projection in enumerate(node.expressions):
        if isinstance(projection, exp.Column) and isinstance(projection.this, exp.Star) and projection.table \
                and translate.scope:
            # t.*: the columns of that table only (after a join, under their output names).
            qualified = [(name, output) for (alias, name), output in translate.scope.items()
                         if alias == projection.table]
            if not qualified:
                raise SqlValidationError(f"unknown table alias '{projection.table}'{_position(projection)}")
            items += [(output, Col(output)) for _, output in qualified]
            continue
        if isinstance(projection, exp.Star) or (isinstance(projection, exp.Column)
                                                and isinstance(projection.this, exp.Star)):
            items += [(n, Col(n)) for n in table._plan.schema.names if not n.startswith("__")]
            continue
        expression = translate(projection)
        if isinstance(expression, Alias):
            name = expression.name
        elif isinstance(expression, Col):
            name = expression.name
        elif isinstance(projection, exp.Column):
            name = projection.name  # a ROW's field r.a is named a
        else:
            name = f"EXPR${position}"
        items.append((name, expression))
    names = [n for n, _ in items]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise SqlValidationError(f"duplicate column name(s) {duplicates} in SELECT: give them distinct aliases")
    return items


def _plan_from(t_env: Any, source: exp.Expression, translate: ExpressionTranslator):
    """(table, window spec or None) for a FROM item."""
    if isinstance(source, exp.Subquery):
        return plan_query(t_env, source.this), None
    if isinstance(source, exp.Values):
        return _plan_values(t_env, source), None
    if isinstance(source, exp.Table) and isinstance(source.this, exp.Anonymous) \
            and source.this.name.upper() == "TABLE":
        call = source.this.expressions[0]
        if not isinstance(call, exp.Anonymous) or call.name.lower() not in _GROUP_WINDOWS:
            raise SqlValidationError(f"unsupported table function '{call.sql()}'{_position(call)}: "
                                     f"TUMBLE, HOP, CUMULATE and SESSION are")
        kind = _GROUP_WINDOWS[call.name.lower()]
        args = call.expressions
        if len(args) < 3:
            raise SqlValidationError(f"{call.name} needs TABLE t, DESCRIPTOR(time_col) and interval(s)"
                                     f"{_position(call)}")
        table = t_env.from_path(args[0].name)
        descriptor = args[1]
        time_column = descriptor.expressions[0].name if isinstance(descriptor, exp.Anonymous) else descriptor.name
        sizes = [interval_millis(a) for a in args[2:]]
        if kind == "tumble":
            window = {"kind": "tumble", "size": sizes[0], "slide": sizes[0]}
            if len(sizes) > 1:
                window["offset"] = sizes[1]
        elif kind == "session":
            window = {"kind": "session", "size": sizes[0], "slide": sizes[0]}
        else:
            if len(sizes) < 2:
                raise SqlValidationError(f"{call.name} needs a slide/step and a size{_position(call)}")
            window = {"kind": kind, "slide": sizes[0], "size": sizes[1]}
        _check_time_attribute(table, time_column, call)
        window["time_column"] = time_column
        window["processing_time"] = time_column == table._plan.proctime
        window["tvf"] = True
        return table, window
    if isinstance(source, exp.Table):
        if source.args.get("version") is not None:
            raise SqlValidationError(f"FOR SYSTEM_TIME AS OF is not supported yet{_position(source)}")
        table = t_env.from_path(source.name)
        return table, None
    raise SqlValidationError(f"unsupported FROM item '{source.sql()}'{_position(source)}")


def _plan_values(t_env: Any, node: exp.Values) -> Any:
    """VALUES (...), (...) [AS t(c1, c2)]: each row's expressions over a one-row table, the rows
    in a UNION ALL; columns named by the alias, else EXPR$0, EXPR$1, ... as Flink names them."""
    from fluvial.table import _planner
    from fluvial.table.table import Table

    rows = [row.expressions if isinstance(row, exp.Tuple) else [row] for row in node.expressions]
    width = len(rows[0])
    if any(len(row) != width for row in rows):
        raise SqlValidationError(f"VALUES rows must have the same number of values, got "
                                 f"{sorted({len(row) for row in rows})}{_position(node)}")
    alias = node.args.get("alias")
    names = [c.name for c in alias.columns] if alias is not None and alias.columns else \
        [f"EXPR${i}" for i in range(width)]
    if len(names) != width:
        raise SqlValidationError(f"VALUES rows have {width} values but the alias names {len(names)} columns"
                                 f"{_position(node)}")
    import pyarrow as pa

    from fluvial.table.types import from_arrow

    one = t_env.from_elements([(0,)], ["__values"])
    translate = ExpressionTranslator(t_env)
    rows_items = [[(name, translate(value)) for name, value in zip(names, row)] for row in rows]
    tables = [Table(t_env, _planner.calc(one._plan, items, name="Values")) for items in rows_items]
    # The rows' common column types (1 and 2.5 make a DOUBLE), as a UNION ALL needs one type each.
    try:
        common = pa.unify_schemas([t._plan.schema for t in tables], promote_options="permissive")
    except (pa.ArrowInvalid, pa.ArrowTypeError) as error:
        raise SqlValidationError(f"VALUES rows have values of incompatible types: {error}{_position(node)}") from None
    result = None
    for items, table in zip(rows_items, tables):
        if table._plan.schema != common:
            items = [(name, e if table._plan.schema.field(name).type == common.field(name).type else
                      Call("cast", [e], data_type=from_arrow(common.field(name).type))) for name, e in items]
            table = Table(t_env, _planner.calc(one._plan, items, name="Values"))
        result = table if result is None else result.union_all(table)
    return result


def _window_table(t_env: Any, table: Any, window: Dict[str, Any], node: exp.Expression) -> Any:
    """A window table function's rows on their own (not under GROUP BY): with window_start,
    window_end and window_time."""
    from fluvial.table import _time_joins
    from fluvial.table.table import Table

    try:
        return Table(t_env, _time_joins.window_table(table._plan, window))
    except PlanningError as error:
        raise SqlValidationError(f"{error}{_position(node)}") from None


def _check_time_attribute(table: Any, column: str, node: exp.Expression) -> None:
    plan = table._plan
    if column not in plan.schema.names:
        raise SqlValidationError(f"unknown column '{column}'{_position(node)}"
                                 f"{_suggest(column, plan.schema.names)}")
    if column == plan.proctime:
        return
    if column != plan.rowtime:
        raise SqlValidationError(
            f"column '{column}' is not an event-time attribute{_position(node)}: declare "
            f"WATERMARK FOR {column} AS ... in the table's DDL")


def _group_window(keys: List[Expression], window: Optional[Dict[str, Any]], table: Any):
    """Splits window keys from plain keys: TVF window_start/window_end, or TUMBLE/HOP(...) group windows."""
    plain: List[Expression] = []
    for key in keys:
        if isinstance(key, Col) and key.name in ("window_start", "window_end"):
            if window is None:
                raise SqlValidationError(f"GROUP BY {key.name} needs a window table function in FROM")
            continue
        if isinstance(key, Call) and key.function in _GROUP_WINDOWS:
            if window is not None:
                raise SqlValidationError("only one window per GROUP BY")
            time = key.args[0]
            if not isinstance(time, Col):
                raise SqlValidationError(f"{key.function.upper()} needs a time attribute column")
            intervals = [a.ms for a in key.args[1:] if isinstance(a, Interval)]
            if key.function in ("tumble", "session"):
                window = {"kind": key.function, "size": intervals[0], "slide": intervals[0]}
            else:
                window = {"kind": key.function, "slide": intervals[0], "size": intervals[1]}
            _check_time_attribute(table, time.name, exp.Column())
            window["time_column"] = time.name
            window["processing_time"] = time.name == table._plan.proctime
            continue
        plain.append(key)
    if window is not None and window.get("tvf"):
        names = {k.name for k in keys if isinstance(k, Col)}
        if not {"window_start", "window_end"} <= names:
            raise SqlValidationError("a window aggregation over a window table function must GROUP BY "
                                     "window_start, window_end")
    return plain, window


def _window_columns(expression: Expression) -> Expression:
    """TUMBLE_START(...)/HOP_END(...)/..._ROWTIME(...) → the window's columns."""

    def rewrite(node: Expression) -> Optional[Expression]:
        if isinstance(node, Call):
            name = node.function
            if name.endswith("_start") and name.split("_")[0] in _GROUP_WINDOWS:
                return Col("window_start")
            if name.endswith("_end") and name.split("_")[0] in _GROUP_WINDOWS:
                return Col("window_end")
            if name.endswith("_rowtime") and name.split("_")[0] in _GROUP_WINDOWS:
                return Call("minus", [Col("window_end"), Interval(1)])
        return None

    return transform(expression, rewrite)

__all__: list = []  # internal: reached through TableEnvironment.sql_query / execute_sql
