"""PyFlink's module path for TableConfig."""

from fluvial.table.table_environment import TableConfig

__all__ = ["TableConfig"]
