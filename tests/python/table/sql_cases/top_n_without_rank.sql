-- Top-2 per item without the rank number: rows enter and leave the top.
SELECT item, order_id FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY item ORDER BY qty DESC, order_id ASC) AS r FROM orders) AS s WHERE r < 3 AND order_id > 10
