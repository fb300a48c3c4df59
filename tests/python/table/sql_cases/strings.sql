SELECT order_id, CHAR_LENGTH(item) AS len, SUBSTRING(item, 1, 2) AS prefix, item || '-' || note AS label FROM orders WHERE note IS NOT NULL
