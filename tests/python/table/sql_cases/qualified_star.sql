-- A qualified star after a join: only that table's columns.
SELECT u.*, o.order_id FROM orders AS o JOIN users AS u ON o.user_id = u.user_id WHERE o.qty = 1
