-- ORDER BY with a tie-breaker, LIMIT and OFFSET (batch mode gives exact order; compared as a multiset).
SELECT order_id, price FROM orders WHERE qty > 2 ORDER BY price DESC, order_id LIMIT 15 OFFSET 3
