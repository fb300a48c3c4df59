"""sqlglot's special forms of Flink's built-in functions → Expression IR: LPAD/RPAD (sqlglot's
PAD), LTRIM/RTRIM and TRIM(... FROM ...), CONCAT_WS, EXTRACT(unit FROM ...), IS [NOT] JSON,
FLOOR/CEIL(t TO unit), NOT LIKE, negative literals, TIMESTAMPADD/TIMESTAMPDIFF (their unit),
IS [NOT] TRUE/FALSE/UNKNOWN, IS [NOT] DISTINCT FROM, LOCALTIMESTAMP and LOCALTIME, (expr).field.
Every other built-in is a plain call resolved by name (fluvial.table._builtins)."""

from typing import Callable, Optional, Sequence

from sqlglot import exp

from fluvial.table import _builtins
from fluvial.table.expressions import Call, Col, Expression, Lit

_NILADIC = ("LOCALTIMESTAMP", "LOCALTIME", "CURRENT_ROW_TIMESTAMP")


def translate_builtin(node: exp.Expression, t: Callable[[exp.Expression], Expression]) -> Optional[Expression]:
    """The IR of 'node' if it is one of the special forms above, else None.

    Examples:
        >>> from fluvial.table.sql.dialect import parse
        >>> from fluvial.table.sql.functions import translate_builtin
        >>> node = parse("SELECT EXTRACT(YEAR FROM ts) FROM t")[0].expressions[0]
        >>> translate_builtin(node, lambda n: n.sql())
        EXTRACT('YEAR', 'ts')
    """
    if isinstance(node, exp.Pad):
        name = "lpad" if node.args.get("is_left") else "rpad"
        fill = node.args.get("fill_pattern")
        return _builtins.call(name, [t(node.this), t(node.expression)] + ([t(fill)] if fill is not None else []))
    if isinstance(node, exp.Trim) and (node.args.get("position") or node.expression is not None):
        position = str(node.args.get("position") or "BOTH").upper()
        if node.expression is None:
            return _builtins.call({"LEADING": "ltrim", "TRAILING": "rtrim"}.get(position, "btrim"), [t(node.this)])
        return Call("trim_chars", [t(node.this), t(node.expression), Lit(position)])
    if isinstance(node, exp.ConcatWs):
        return _builtins.call("concat_ws", [t(e) for e in node.expressions])
    if isinstance(node, exp.Like) and node.args.get("negate"):
        return Call("not", [Call("like", [t(node.this), t(node.expression)])])
    if isinstance(node, exp.Neg) and isinstance(node.this, exp.Literal) and not node.this.is_string:
        return Lit(-t(node.this).value)  # a negative literal (IN lists take literals only)
    if isinstance(node, exp.Dot) and isinstance(node.expression, exp.Identifier):
        from fluvial.table import _collections  # (expression).field: a field of a ROW value

        return _collections.call("at", [t(node.this), Lit(node.expression.name)])
    if isinstance(node, exp.Extract):
        return Call("extract", [Lit(node.this.name.upper()), t(node.expression)])
    if isinstance(node, exp.Anonymous) and node.name.upper() in ("TIMESTAMPADD", "TIMESTAMPDIFF") \
            and node.expressions and isinstance(node.expressions[0], (exp.Column, exp.Var)):
        unit = Lit(node.expressions[0].name.upper())
        return _builtins.call(node.name, [unit] + [t(e) for e in node.expressions[1:]])
    if isinstance(node, exp.Is) and isinstance(node.expression, exp.Boolean):
        return Call("is_true" if node.expression.this else "is_false", [t(node.this)])
    if isinstance(node, exp.Not) and isinstance(node.this, exp.Is) and isinstance(node.this.expression, exp.Boolean):
        return Call("is_not_true" if node.this.expression.this else "is_not_false", [t(node.this.this)])
    if isinstance(node, exp.Is) and isinstance(node.expression, exp.JSON):
        kind = node.expression.this
        return _builtins.call("is_json", [t(node.this)] + ([Lit(str(kind).upper())] if kind else []))
    if isinstance(node, exp.Not) and isinstance(node.this, exp.Is) and isinstance(node.this.expression, exp.JSON):
        return Call("not", [translate_builtin(node.this, t)])
    if isinstance(node, (exp.Floor, exp.Ceil)) and node.args.get("to") is not None:
        name = "floor_to" if isinstance(node, exp.Floor) else "ceil_to"
        return Call(name, [t(node.this), Lit(node.args["to"].name.upper())])
    if isinstance(node, exp.NullSafeNEQ):
        return Call("is_distinct_from", [t(node.this), t(node.expression)])
    if isinstance(node, exp.NullSafeEQ):
        return Call("is_not_distinct_from", [t(node.this), t(node.expression)])
    if isinstance(node, exp.Column) and not node.table and not node.this.quoted and node.name.upper() in _NILADIC:
        return _builtins.call(node.name, [])
    return None


def row_field_access(node: exp.Column, columns: Sequence[str], aliases: Sequence[str] = ()) -> Optional[Expression]:
    """``r.a`` / ``t.r.a.b``: the fields of ROW column r when r is one of 'columns', else None;
    ``t.a`` with t one of the FROM clause's 'aliases' stays column a of table t.

    Examples:
        >>> from fluvial.table.sql.dialect import parse
        >>> from fluvial.table.sql.functions import row_field_access
        >>> node = parse("SELECT r.a FROM t")[0].expressions[0]
        >>> row_field_access(node, ["r"]), row_field_access(node, ["a"])
        (AT(r, 'a'), None)
    """
    from fluvial.table import _collections

    parts = [p.name for p in node.parts]
    if len(parts) == 2 and parts[0] in aliases:
        return None
    start = next((i for i in range(min(2, len(parts) - 1)) if parts[i] in columns), None)
    if start is None or (start == 1 and parts[0] in columns):
        return None
    value: Expression = Col(parts[start])
    for name in parts[start + 1:]:
        value = _collections.call("at", [value, Lit(name)])
    return value


__all__ = ["row_field_access", "translate_builtin"]
