-- VALUES as a table, joined with orders (the literals' types meet the column's).
SELECT o.order_id, v.label FROM orders AS o JOIN (VALUES (1, 'one'), (2, 'two'), (2, 'deux')) AS v(uid, label) ON o.user_id = v.uid
