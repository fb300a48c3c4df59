-- COUNT(DISTINCT) per group, over strings and numbers (with retractions in streaming mode via the subquery).
SELECT user_id, COUNT(DISTINCT item) AS items, COUNT(DISTINCT qty) AS quantities FROM orders GROUP BY user_id
