-- A subquery in FROM, grouped by a computed column.
SELECT band, COUNT(*) AS n, SUM(qty) AS q FROM (
  SELECT qty, CASE WHEN price > 30 THEN 'high' ELSE 'low' END AS band FROM orders) AS s
GROUP BY band
