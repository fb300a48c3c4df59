SELECT order_id, COALESCE(note, 'none') AS note, note IS NULL AS missing FROM orders
