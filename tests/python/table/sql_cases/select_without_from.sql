-- A SELECT without FROM: its expressions over one row.
SELECT 1 + 2 AS three, UPPER('flink') AS name, CAST(2.5 AS DOUBLE) * 2 AS five
