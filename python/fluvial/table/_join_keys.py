"""Join keys computed from expressions: ``f(left.a) == right.c`` or ``f(left.a) == f(right.c)``.

A join runs on key columns; an equality whose two sides are expressions, each over the
columns of one table only (a UDF call, ``a + 1``...), becomes a key column computed on that
side before the join, then dropped from the result — as Flink plans such a condition.
"""

import itertools
from typing import List, Set, Tuple

from fluvial.table import _planner
from fluvial.table.expressions import Call, Col, Expression, walk

_names = itertools.count()


def _columns(expression: Expression) -> Set[str]:
    return {node.name for node in walk(expression) if isinstance(node, Col)}


def _conjuncts(predicate: Expression) -> List[Expression]:
    found, stack = [], [predicate]
    while stack:
        current = stack.pop()
        if isinstance(current, Call) and current.function == "and":
            stack += current.args
        else:
            found.append(current)
    return list(reversed(found))


def computed_keys(left: "_planner.TablePlan", right: "_planner.TablePlan", predicate: Expression
                  ) -> Tuple["_planner.TablePlan", "_planner.TablePlan", Expression, List[str]]:
    """The two inputs with a key column added per expression equality, the predicate comparing
    those columns instead, and the added columns' names (to drop after the join). Without such
    an equality everything is returned unchanged."""
    left_names, right_names = set(left.schema.names), set(right.schema.names)
    left_items, right_items, conditions = [], [], []
    for condition in _conjuncts(predicate):
        if isinstance(condition, Call) and condition.function == "eq" and len(condition.args) == 2 \
                and not all(isinstance(a, Col) for a in condition.args):
            a, b = condition.args
            if _columns(a) and _columns(a) <= right_names and _columns(b) <= left_names:
                a, b = b, a
            if _columns(a) and _columns(b) and _columns(a) <= left_names and _columns(b) <= right_names:
                number = next(_names)
                left_key, right_key = f"__join_key{number}_l", f"__join_key{number}_r"
                left_items.append((left_key, a))
                right_items.append((right_key, b))
                conditions.append(Col(left_key) == Col(right_key))
                continue
        conditions.append(condition)
    if not left_items:
        return left, right, predicate, []
    left = _planner.calc(left, [(n, Col(n)) for n in left.schema.names] + left_items, name="Calc(join keys)")
    right = _planner.calc(right, [(n, Col(n)) for n in right.schema.names] + right_items, name="Calc(join keys)")
    combined = conditions[0]
    for condition in conditions[1:]:
        combined = Call("and", [combined, condition])
    return left, right, combined, [n for n, _ in left_items] + [n for n, _ in right_items]
