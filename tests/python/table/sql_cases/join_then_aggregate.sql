SELECT u.name, SUM(o.price) AS spent, COUNT(*) AS n FROM orders AS o JOIN users AS u ON o.user_id = u.user_id GROUP BY u.name
