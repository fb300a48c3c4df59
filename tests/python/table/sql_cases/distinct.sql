SELECT DISTINCT item, user_id FROM orders
