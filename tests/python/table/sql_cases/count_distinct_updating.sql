-- COUNT(DISTINCT) over an updating input: per-user totals, then how many distinct totals.
SELECT COUNT(DISTINCT total) AS totals, COUNT(*) AS users FROM (SELECT user_id, SUM(qty) AS total FROM orders GROUP BY user_id) AS t
