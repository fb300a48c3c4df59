-- An inner equi-join of two tables.
SELECT o.order_id, u.name, o.price FROM orders AS o JOIN users AS u ON o.user_id = u.user_id
