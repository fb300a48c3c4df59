"""Running order totals per customer, from one Kinesis stream to another: orders (JSON:
order_id, customer, amount) are read with FlinkKinesisConsumer, keyed by customer and summed,
and every new total is written as "customer,total" with KinesisStreamsSink.

With checkpointing the source resumes from the shards' sequence numbers and the sink flushes
at every checkpoint (at-least-once). Run it against moto's Kinesis emulator on 127.0.0.1:

    moto_server -H 127.0.0.1 -p 5000 &
    # create the two streams and put 300 sample orders
    fluvial run examples/kinesis_order_totals.py --endpoint http://127.0.0.1:5000 --produce 300
    # sum what the stream holds now, then stop (without --bounded it keeps reading)
    fluvial run examples/kinesis_order_totals.py --endpoint http://127.0.0.1:5000 --bounded
"""

import argparse
import json
import random

from pyflink.common import SimpleStringSchema, Types
from pyflink.datastream import StreamExecutionEnvironment
from pyflink.datastream.connectors.kinesis import FlinkKinesisConsumer, KinesisStreamsSink, PartitionKeyGenerator


def sample_orders(count: int, seed: int = 7):
    rng = random.Random(seed)
    return [{"order_id": n, "customer": f"c{rng.randrange(12)}", "amount": rng.randrange(1, 500)}
            for n in range(count)]


def produce(arguments, count: int) -> None:
    """Creates the streams (if missing) and puts 'count' sample orders, through boto3."""
    import boto3

    client = boto3.client("kinesis", region_name=arguments.region, endpoint_url=arguments.endpoint,
                          aws_access_key_id="example", aws_secret_access_key="example")
    for stream, shards in ((arguments.orders, 2), (arguments.totals, 1)):
        if stream not in client.list_streams()["StreamNames"]:
            client.create_stream(StreamName=stream, ShardCount=shards)
            client.get_waiter("stream_exists").wait(StreamName=stream, WaiterConfig={"Delay": 0.1})
    orders = sample_orders(count)
    for start in range(0, len(orders), 500):
        client.put_records(StreamName=arguments.orders, Records=[
            {"Data": json.dumps(order).encode(), "PartitionKey": order["customer"]}
            for order in orders[start:start + 500]])
    print(f"put {count} orders into '{arguments.orders}'")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--endpoint", required=True, help="the Kinesis endpoint, e.g. http://127.0.0.1:5000")
    parser.add_argument("--region", default="us-east-1")
    parser.add_argument("--orders", default="orders")
    parser.add_argument("--totals", default="order-totals")
    parser.add_argument("--produce", type=int, default=0, help="put this many sample orders and stop")
    parser.add_argument("--bounded", action="store_true", help="stop once every shard is read to its end")
    arguments = parser.parse_args()
    if arguments.produce:
        produce(arguments, arguments.produce)
        return

    properties = {"aws.region": arguments.region, "aws.endpoint": arguments.endpoint,
                  "aws.credentials.provider.basic.accesskeyid": "example",
                  "aws.credentials.provider.basic.secretkey": "example",
                  "flink.stream.initpos": "TRIM_HORIZON"}
    if arguments.bounded:
        properties["fluvial.stream.stop-at-latest"] = "true"  # Fluvial's: a bounded read
    env = StreamExecutionEnvironment.get_execution_environment()
    env.set_parallelism(2)
    env.enable_checkpointing(1000)
    orders = env.add_source(FlinkKinesisConsumer(arguments.orders, SimpleStringSchema(), properties), "orders")
    totals = orders.map(json.loads) \
        .map(lambda order: (order["customer"], order["amount"]),
             output_type=Types.TUPLE([Types.STRING(), Types.LONG()])) \
        .key_by(lambda pair: pair[0]) \
        .reduce(lambda a, b: (a[0], a[1] + b[1])) \
        .map(lambda pair: f"{pair[0]},{pair[1]}", output_type=Types.STRING())
    sink = KinesisStreamsSink.builder() \
        .set_kinesis_client_properties(properties) \
        .set_stream_name(arguments.totals) \
        .set_serialization_schema(SimpleStringSchema()) \
        .set_partition_key_generator(PartitionKeyGenerator.fixed()) \
        .build()
    totals.sink_to(sink)
    env.execute("kinesis order totals")


if __name__ == "__main__":
    main()
