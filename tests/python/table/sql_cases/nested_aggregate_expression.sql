-- Arithmetic over aggregates.
SELECT user_id, SUM(price * qty) / COUNT(*) AS avg_value, MAX(qty) - MIN(qty) AS spread FROM orders GROUP BY user_id
