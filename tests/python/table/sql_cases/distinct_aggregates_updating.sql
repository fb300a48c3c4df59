-- SUM(DISTINCT) and AVG(DISTINCT) over an updating input: the per-item counts change as rows arrive.
SELECT SUM(DISTINCT n) AS distinct_counts, AVG(DISTINCT total) AS avg_total, COUNT(*) AS items FROM (SELECT item, COUNT(*) AS n, SUM(price) AS total FROM orders GROUP BY item) AS t
