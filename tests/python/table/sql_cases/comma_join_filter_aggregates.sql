-- A comma join with its keys in WHERE, and aggregates with FILTER (WHERE ...).
SELECT u.name, COUNT(*) FILTER (WHERE o.qty > 3) AS big, SUM(o.price) FILTER (WHERE o.note = 'gift') AS gifts
FROM orders o, users u WHERE o.user_id = u.user_id AND o.price > 5 GROUP BY u.name
