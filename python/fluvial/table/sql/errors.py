"""Errors of SQL statements, carrying the position they point at."""

from typing import Optional

from fluvial.table.expressions import PlanningError


class SqlParseError(PlanningError):
    """The statement is not valid Flink SQL; ``line`` and ``column`` say where.

    Examples:
        >>> from fluvial.table.sql.dialect import parse
        >>> from fluvial.table.sql.errors import SqlParseError
        >>> try:
        ...     parse("SELECT a,\\n  b FROM t WHERE (a > 1")
        ... except SqlParseError as error:
        ...     print(error.line)
        2
    """

    def __init__(self, message: str, line: Optional[int] = None, column: Optional[int] = None):
        super().__init__(message)
        self.line = line
        self.column = column


class SqlValidationError(PlanningError):
    """The statement parses but names an unknown table, column or function, or mixes types wrongly.

    Examples:
        >>> from fluvial.table import EnvironmentSettings, TableEnvironment
        >>> t_env = TableEnvironment.create(EnvironmentSettings.in_batch_mode())
        >>> t_env.create_temporary_view("t", t_env.from_elements([(1, "a")], ["id", "name"]))
        >>> t_env.sql_query("SELECT nmae FROM t")
        Traceback (most recent call last):
        ...
        fluvial.table.sql.errors.SqlValidationError: unknown column 'nmae' at line 1, column 8; did you mean 'name'? ...
    """
