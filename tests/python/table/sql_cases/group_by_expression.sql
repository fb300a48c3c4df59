-- Grouping by an expression of a column.
SELECT user_id % 2 AS parity, MAX(price) AS top, COUNT(*) AS n FROM orders GROUP BY user_id % 2
