-- MIN and MAX of strings, also over retractions (streaming).
SELECT user_id, MIN(item) AS first_item, MAX(item) AS last_item FROM orders GROUP BY user_id
