-- JSON_VALUE / JSON_QUERY over a JSON column built with string functions; SPLIT_INDEX.
SELECT order_id, JSON_VALUE(doc, '$.item') AS item, JSON_VALUE(doc, '$.q.n') AS n, JSON_QUERY(doc, '$.q') AS q,
       SPLIT_INDEX(item, 'a', 1) AS part
FROM (SELECT order_id, item, '{"item": "' || item || '", "q": {"n": ' || CAST(qty AS STRING) || '}}' AS doc FROM orders) AS s
-- duckdb: SELECT order_id, item, CAST(qty AS VARCHAR) AS n, '{"n":' || CAST(qty AS VARCHAR) || '}' AS q, NULLIF(CASE WHEN len(string_split(item, 'a')) > 1 THEN string_split(item, 'a')[2] END, NULL) AS part FROM orders
