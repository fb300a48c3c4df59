-- An equality and a further condition across the two sides.
SELECT o.order_id, u.name FROM orders AS o JOIN users AS u ON o.user_id = u.user_id AND o.qty > u.min_qty
