-- CAST truncates a DOUBLE into an integer, as Flink does.
SELECT order_id, CAST(price AS BIGINT) AS whole, CAST(qty AS DOUBLE) / 2 AS half FROM orders
-- duckdb: SELECT order_id, CAST(TRUNC(price) AS BIGINT) AS whole, CAST(qty AS DOUBLE) / 2 AS half FROM orders
