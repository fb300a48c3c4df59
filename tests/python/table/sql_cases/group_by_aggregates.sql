-- Every built-in aggregate per group.
SELECT user_id, SUM(price) AS s, COUNT(*) AS n, COUNT(note) AS notes, MIN(qty) AS lo, MAX(qty) AS hi, AVG(price) AS mean
FROM orders GROUP BY user_id
