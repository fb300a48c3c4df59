-- Flink's REGEXP_EXTRACT gives NULL where the pattern does not match (duckdb gives '').
SELECT order_id, REGEXP_EXTRACT(item, '(a|b)(p|v|a)', 2) AS second FROM orders
-- duckdb: SELECT order_id, NULLIF(regexp_extract(item, '(a|b)(p|v|a)', 2), '') AS second FROM orders
