-- Query 13: Bounded side input join. Bids joined with a static table (a lookup join).
CREATE TABLE side_input (
    key BIGINT, `value` VARCHAR
) WITH ('connector' = 'filesystem', 'path' = '${SIDE_INPUT}', 'format' = 'csv');

CREATE TABLE nexmark_q13 (
    auction BIGINT, bidder BIGINT, price BIGINT, dateTime TIMESTAMP(3), `value` VARCHAR
) WITH ('connector' = 'blackhole');

CREATE VIEW bid_proctime AS SELECT *, PROCTIME() AS p_time FROM bid;

INSERT INTO nexmark_q13
SELECT B.auction, B.bidder, B.price, B.dateTime, S.`value`
FROM bid_proctime B
JOIN side_input FOR SYSTEM_TIME AS OF B.p_time AS S
ON MOD(B.auction, 10000) = S.key;
