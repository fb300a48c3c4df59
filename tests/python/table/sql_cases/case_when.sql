-- CASE with several branches and ELSE.
SELECT order_id, CASE WHEN price > 50 THEN 'high' WHEN price > 20 THEN 'mid' ELSE 'low' END AS band FROM orders
