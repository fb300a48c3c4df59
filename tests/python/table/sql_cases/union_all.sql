SELECT order_id, item FROM orders WHERE qty > 4 UNION ALL SELECT order_id, item FROM orders WHERE price < 5
