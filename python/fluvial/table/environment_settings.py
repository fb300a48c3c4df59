"""PyFlink's module path for EnvironmentSettings."""

from fluvial.table.table_environment import EnvironmentSettings

__all__ = ["EnvironmentSettings"]
