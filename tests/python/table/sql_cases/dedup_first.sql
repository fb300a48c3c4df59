-- Deduplication: the first order of each user (ROW_NUMBER ... = 1).
SELECT user_id, order_id FROM (SELECT user_id, order_id, ROW_NUMBER() OVER (PARTITION BY user_id ORDER BY order_id) AS rn FROM orders) AS s WHERE rn = 1
