-- Projection and filter with arithmetic and LIKE.
SELECT order_id, price * qty AS total, UPPER(item) AS item FROM orders WHERE price > 10 AND item LIKE 'a%'
