-- Query 10: Log to file system, partitioned by day and minute (here into a blackhole:
-- the benchmark measures the query, not the file system).
CREATE TABLE nexmark_q10 (
    auction BIGINT, bidder BIGINT, price BIGINT, dateTime TIMESTAMP(3), extra VARCHAR,
    dt STRING, hm STRING
) WITH ('connector' = 'blackhole');

INSERT INTO nexmark_q10
SELECT auction, bidder, price, dateTime, extra,
       DATE_FORMAT(dateTime, 'yyyy-MM-dd'), DATE_FORMAT(dateTime, 'HH:mm')
FROM bid;
