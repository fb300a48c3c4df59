-- A full outer join: orders of user 6 (no user row) and users without orders (user 7) both kept with NULLs.
SELECT o.order_id, o.qty, u.name FROM orders AS o FULL OUTER JOIN users AS u ON o.user_id = u.user_id
