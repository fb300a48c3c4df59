"""Real-time features from Kafka into Redis (scenario 2 of the PyFlink talk): click events
(JSON: user_id, item_id, ts) are read from a Kafka topic with event-time watermarks, keyed
by user, and turned into two features per user — the number of clicks in the last 5
minutes and the last 5 items clicked — which are written to a Redis hash
``feature:{user_id}`` (fields clicks_5m, last_items, last_click_ts) that expires after a TTL.

A KeyedProcessFunction buffers each click until the watermark passes its timestamp (an
event-time timer), then updates the features in timestamp order, so the result does not
depend on the order the clicks arrived in. Clicks older than the watermark when they
arrive (late) are not counted; they are printed as "late ..." lines.

Run it against a local broker and Redis (both bound to 127.0.0.1):

    bash scripts/kafka.sh start /tmp/kafka 9092
    bash scripts/redis.sh start /tmp/redis 6379
    # 500 sample clicks into the topic 'clicks' (created if missing)
    fluvial run examples/kafka_features_to_redis.py --bootstrap-servers 127.0.0.1:9092 \\
        --topic clicks --produce 500
    # compute the features of what the topic holds now, then stop (without --bounded it
    # keeps reading new clicks)
    fluvial run examples/kafka_features_to_redis.py --bootstrap-servers 127.0.0.1:9092 \\
        --topic clicks --redis-host 127.0.0.1 --redis-port 6379 --bounded
    redis-cli -p 6379 hgetall feature:user3
    bash scripts/kafka.sh stop /tmp/kafka; bash scripts/redis.sh stop /tmp/redis
"""

import argparse
import random
import sys

from pyflink.common import Duration, Row, Types, WatermarkStrategy
from pyflink.common.serialization import SerializationSchema
from pyflink.common.watermark_strategy import TimestampAssigner
from pyflink.datastream import KeyedProcessFunction, OutputTag, StreamExecutionEnvironment
from pyflink.datastream.connectors.base import DeliveryGuarantee
from pyflink.datastream.connectors.kafka import (
    KafkaOffsetsInitializer,
    KafkaRecordSerializationSchema,
    KafkaSink,
    KafkaSource,
)
from pyflink.datastream.formats.json import JsonRowDeserializationSchema, JsonRowSerializationSchema
from pyflink.datastream.state import ValueStateDescriptor

from fluvial.datastream.connectors.redis import RedisSink

FIVE_MINUTES = 5 * 60 * 1000
LAST = 5
OUT_OF_ORDERNESS_MS = 5000
CLICK = Types.ROW_NAMED(["user_id", "item_id", "ts"], [Types.STRING(), Types.STRING(), Types.LONG()])
LATE = OutputTag("late", Types.STRING())


def make_clicks(count: int, users: int = 10, items: int = 40, seed: int = 11):
    """'count' clicks over 30 minutes (distinct timestamps), shuffled within 5 seconds."""
    rng = random.Random(seed)
    times = sorted(rng.sample(range(0, 30 * 60_000), count))
    clicks = [Row(user_id=f"user{rng.randrange(users)}", item_id=f"item{rng.randrange(items)}", ts=ts)
              for ts in times]
    clicks.sort(key=lambda click: click.ts + rng.randrange(0, OUT_OF_ORDERNESS_MS))
    return clicks


class UserKey(SerializationSchema):
    """The message key: the user, so one user's clicks stay in one partition, in order."""

    def serialize(self, element):
        return element.user_id.encode()


def produce(servers: str, topic: str, count: int, partitions: int) -> None:
    from fluvial import _core  # Flink leaves topics to the operator; Fluvial's client can create one

    admin = _core.KafkaProducer([("bootstrap.servers", servers)])
    if topic not in admin.list_topics(30000):
        admin.create_topic(topic, partitions)
    env = StreamExecutionEnvironment.get_execution_environment()
    sink = KafkaSink.builder() \
        .set_bootstrap_servers(servers) \
        .set_record_serializer(KafkaRecordSerializationSchema.builder()
                               .set_topic(topic)
                               .set_key_serialization_schema(UserKey())
                               .set_value_serialization_schema(
                                   JsonRowSerializationSchema.builder().with_type_info(CLICK).build())
                               .build()) \
        .set_delivery_guarantee(DeliveryGuarantee.AT_LEAST_ONCE) \
        .build()
    env.from_collection(make_clicks(count), type_info=CLICK).sink_to(sink)
    env.execute("produce clicks")


class ClickTime(TimestampAssigner):
    def extract_timestamp(self, value, record_timestamp):
        return value.ts


# --8<-- [start:function]
class ClickFeatures(KeyedProcessFunction):
    def open(self, runtime_context):
        pickled = Types.PICKLED_BYTE_ARRAY()
        self.pending = runtime_context.get_state(ValueStateDescriptor("pending", pickled))  # [(ts, item)]
        self.window = runtime_context.get_state(ValueStateDescriptor("window", pickled))  # last 5 minutes
        self.last = runtime_context.get_state(ValueStateDescriptor("last", pickled))  # last 5 clicks

    def process_element(self, click, ctx):
        if click.ts <= ctx.timer_service().current_watermark():
            yield LATE, f"late {click.user_id} {click.item_id} {click.ts}"
            return
        self.pending.update((self.pending.value() or []) + [(click.ts, click.item_id)])
        ctx.timer_service().register_event_time_timer(click.ts)

    def on_timer(self, timestamp, ctx):
        pending = self.pending.value() or []
        due = sorted(c for c in pending if c[0] <= timestamp)
        self.pending.update([c for c in pending if c[0] > timestamp])
        window = [c for c in (self.window.value() or []) + due if c[0] > timestamp - FIVE_MINUTES]
        last = ((self.last.value() or []) + due)[-LAST:]
        self.window.update(window)
        self.last.update(last)
        yield Row(user_id=ctx.get_current_key(), clicks_5m=len(window),
                  last_items=",".join(item for _, item in last), last_click_ts=timestamp)
# --8<-- [end:function]


# --8<-- [start:job]
def compute_features(servers: str, topic: str, group_id: str, bounded: bool, redis_host: str,
                     redis_port: int, ttl_seconds: int, parallelism: int) -> None:
    env = StreamExecutionEnvironment.get_execution_environment()
    env.set_parallelism(parallelism)
    builder = KafkaSource.builder() \
        .set_bootstrap_servers(servers) \
        .set_topics(topic) \
        .set_group_id(group_id) \
        .set_starting_offsets(KafkaOffsetsInitializer.earliest()) \
        .set_value_only_deserializer(JsonRowDeserializationSchema.builder().type_info(CLICK).build())
    if bounded:
        builder.set_bounded(KafkaOffsetsInitializer.latest())  # what the topic holds at the start
    watermarks = WatermarkStrategy.for_bounded_out_of_orderness(Duration.of_millis(OUT_OF_ORDERNESS_MS)) \
        .with_timestamp_assigner(ClickTime())
    features = env.from_source(builder.build(), watermarks, "clicks") \
        .key_by(lambda click: click.user_id) \
        .process(ClickFeatures())
    features.sink_to(RedisSink(redis_host, redis_port, key=lambda row: f"feature:{row.user_id}",
                               value=["clicks_5m", "last_items", "last_click_ts"], data_type="hash",
                               ttl=ttl_seconds))
    features.get_side_output(LATE).print()
    env.execute("kafka features to redis")
# --8<-- [end:job]


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bootstrap-servers", default="127.0.0.1:9092")
    parser.add_argument("--topic", default="clicks")
    parser.add_argument("--group-id", default="click-features")
    parser.add_argument("--redis-host", default="127.0.0.1")
    parser.add_argument("--redis-port", type=int, default=6379)
    parser.add_argument("--ttl", type=int, default=3600, help="seconds a user's features live in Redis")
    parser.add_argument("--parallelism", type=int, default=1)
    parser.add_argument("--bounded", action="store_true", help="read up to the current end of the topic, then stop")
    parser.add_argument("--produce", type=int, metavar="N",
                        help="write N sample clicks into the topic instead (created with --partitions if missing)")
    parser.add_argument("--partitions", type=int, default=1)
    args = parser.parse_args(sys.argv[1:])
    if args.produce is not None:
        produce(args.bootstrap_servers, args.topic, args.produce, args.partitions)
    else:
        compute_features(args.bootstrap_servers, args.topic, args.group_id, args.bounded, args.redis_host,
                         args.redis_port, args.ttl, args.parallelism)
