"""PyFlink's module path for StatementSet."""

from fluvial.table.table_environment import StatementSet

__all__ = ["StatementSet"]
