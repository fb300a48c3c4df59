-- A full join whose right side is a filtered aggregate that appears and disappears (retractions on both sides).
SELECT u.name, t.n FROM users AS u FULL JOIN (SELECT user_id, COUNT(*) AS n FROM orders WHERE qty > 5 GROUP BY user_id) AS t ON u.user_id = t.user_id
