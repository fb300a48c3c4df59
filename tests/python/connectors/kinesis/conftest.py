"""The Kinesis tests' helpers: streams on moto's Kinesis emulator (conftest.moto_endpoint,
started once per session), written and read back with boto3 directly, outside any job."""

import time
import uuid

import pytest

REGION = "us-east-1"
CREDENTIALS = {"aws.credentials.provider.basic.accesskeyid": "fluvial-test",
               "aws.credentials.provider.basic.secretkey": "fluvial-test-secret"}


class Kinesis:
    def __init__(self, endpoint: str):
        import boto3

        self.endpoint = endpoint
        self.client = boto3.client("kinesis", region_name=REGION, endpoint_url=endpoint,
                                   aws_access_key_id="fluvial-test", aws_secret_access_key="fluvial-test-secret")

    def properties(self, **extra) -> dict:
        return {"aws.region": REGION, "aws.endpoint": self.endpoint, **CREDENTIALS, **extra}

    def sql_options(self) -> dict:
        return {"aws.region": REGION, "aws.endpoint": self.endpoint,
                "aws.credentials.basic.accesskeyid": "fluvial-test",
                "aws.credentials.basic.secretkey": "fluvial-test-secret"}

    def stream(self, shards: int = 1, prefix: str = "s") -> str:
        name = f"{prefix}-{uuid.uuid4().hex[:10]}"
        self.client.create_stream(StreamName=name, ShardCount=shards)
        self.client.get_waiter("stream_exists").wait(StreamName=name, WaiterConfig={"Delay": 0.1})
        return name

    def put(self, stream: str, values, keys=None) -> None:
        """'values' in order, 500 at a time; keys default to the values' positions."""
        values = list(values)
        keys = list(keys) if keys is not None else [str(i) for i in range(len(values))]
        for start in range(0, len(values), 500):
            records = [{"Data": v if isinstance(v, bytes) else v.encode(), "PartitionKey": k}
                       for v, k in zip(values[start:start + 500], keys[start:start + 500])]
            response = self.client.put_records(StreamName=stream, Records=records)
            assert response.get("FailedRecordCount", 0) == 0, response

    def shards(self, stream: str):
        return self.client.list_shards(StreamName=stream)["Shards"]

    def read(self, stream: str):
        """Every record now in 'stream': {shard id: [(sequence number, partition key, data)]}."""
        found = {}
        for shard in self.shards(stream):
            iterator = self.client.get_shard_iterator(StreamName=stream, ShardId=shard["ShardId"],
                                                      ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
            records = found.setdefault(shard["ShardId"], [])
            while iterator:
                response = self.client.get_records(ShardIterator=iterator, Limit=10000)
                records.extend((r["SequenceNumber"], r["PartitionKey"], r["Data"]) for r in response["Records"])
                if not response["Records"]:
                    break
                iterator = response.get("NextShardIterator")
        return found

    def wait_active(self, stream: str) -> None:
        deadline = time.monotonic() + 30
        while self.client.describe_stream_summary(StreamName=stream)["StreamDescriptionSummary"][
                "StreamStatus"] != "ACTIVE" and time.monotonic() < deadline:
            time.sleep(0.05)


@pytest.fixture
def kinesis(moto_endpoint) -> Kinesis:
    return Kinesis(moto_endpoint)
