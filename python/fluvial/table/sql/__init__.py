"""Flink SQL: the sqlglot dialect, the planner and the statements of execute_sql."""
