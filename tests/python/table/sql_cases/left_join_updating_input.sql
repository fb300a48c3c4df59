-- A left join whose right side is a filtered aggregate that appears and disappears.
SELECT u.name, t.n FROM users AS u LEFT JOIN (SELECT user_id, COUNT(*) AS n FROM orders WHERE qty > 5 GROUP BY user_id) AS t ON u.user_id = t.user_id
