"""ExplainDetail: the extra details ``Table.explain`` / ``explain_sql`` may be asked for.

Fluvial's plan text is its own (its operators, not Flink's Calcite plan); the details are
accepted so programs that pass them run."""

from enum import Enum


class ExplainDetail(Enum):
    """What an explanation may add (PyFlink's names; Fluvial's explanation is its physical plan).

    Examples:
        >>> from fluvial.table.explain_detail import ExplainDetail
        >>> ExplainDetail.PLAN_ADVICE.name
        'PLAN_ADVICE'
    """

    ESTIMATED_COST = 0
    CHANGELOG_MODE = 1
    JSON_EXECUTION_PLAN = 2
    PLAN_ADVICE = 3


__all__ = ["ExplainDetail"]
