-- A left outer join: orders of unknown users keep NULLs.
SELECT o.order_id, u.name FROM orders AS o LEFT JOIN users AS u ON o.user_id = u.user_id
