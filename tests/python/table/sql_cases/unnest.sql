-- CROSS JOIN UNNEST: each order with each element of an array built from its columns.
SELECT order_id, x FROM orders CROSS JOIN UNNEST(ARRAY[qty, user_id, qty * 10]) AS u(x) WHERE order_id < 80
-- duckdb: SELECT order_id, unnest([qty, user_id, qty * 10]) AS x FROM orders WHERE order_id < 80
