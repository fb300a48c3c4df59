-- SUM/AVG/MIN/MAX(DISTINCT) per user: each distinct value once (streaming retracts through the multiplicities).
SELECT user_id, SUM(DISTINCT qty) AS qtys, AVG(DISTINCT price) AS avg_price, MIN(DISTINCT item) AS first_item, MAX(DISTINCT qty) AS most, COUNT(DISTINCT item) AS items, SUM(qty) AS total FROM orders GROUP BY user_id
