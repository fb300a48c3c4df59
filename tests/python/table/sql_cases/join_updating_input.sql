-- The right side is an aggregate: in streaming it updates, and the join retracts.
SELECT o.order_id, t.total FROM orders AS o JOIN (SELECT user_id, SUM(qty) AS total FROM orders GROUP BY user_id) AS t ON o.user_id = t.user_id
