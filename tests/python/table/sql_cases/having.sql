-- HAVING over an aggregate not in the SELECT list.
SELECT item, SUM(qty) AS total FROM orders GROUP BY item HAVING COUNT(*) > 3
