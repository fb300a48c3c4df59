"""Errors of SQL statements, carrying the position they point at."""

from typing import Optional

from fluvial.table.expressions import PlanningError


class SqlParseError(PlanningError):
    """The statement is not valid Flink SQL."""

    def __init__(self, message: str, line: Optional[int] = None, column: Optional[int] = None):
        super().__init__(message)
        self.line = line
        self.column = column


class SqlValidationError(PlanningError):
    """The statement parses but names an unknown table, column or function, or mixes types wrongly."""
