SELECT order_id, qty FROM orders WHERE user_id IN (1, 3, 5) AND qty BETWEEN 2 AND 5
