-- A right join: users without orders (fay) are kept with NULLs on the left.
SELECT o.order_id, o.qty, u.name FROM orders AS o RIGHT JOIN users AS u ON o.user_id = u.user_id
