-- UNNEST then aggregate: how often each value occurs among the orders' (qty, user_id) pairs.
SELECT x, COUNT(*) AS n, SUM(DISTINCT order_id) AS ids FROM orders CROSS JOIN UNNEST(ARRAY[qty, user_id]) AS u(x) GROUP BY x
-- duckdb: SELECT x, COUNT(*) AS n, SUM(DISTINCT order_id) AS ids FROM (SELECT order_id, unnest([qty, user_id]) AS x FROM orders) GROUP BY x
