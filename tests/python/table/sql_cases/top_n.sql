-- Top-3 orders per user by price (ties broken by order id), with the rank number.
SELECT * FROM (SELECT order_id, user_id, price, ROW_NUMBER() OVER (PARTITION BY user_id ORDER BY price DESC, order_id) AS rn FROM orders) AS s WHERE rn <= 3
