"""The boto3 Kinesis client the Kinesis source and sink share, built from Flink's
properties ('aws.region', 'aws.endpoint', basic credentials), and the one way both turn
a server's error into a ConnectorError that names the stream and the server's message."""

from typing import Dict, List, Optional, Tuple

from fluvial.errors import ConnectorError

# Flink's DataStream keys (ConsumerConfigConstants/AWSConfigConstants) and the SQL ones.
_ACCESS_KEYS = ("aws.credentials.provider.basic.accesskeyid", "aws.credentials.basic.accesskeyid")
_SECRET_KEYS = ("aws.credentials.provider.basic.secretkey", "aws.credentials.basic.secretkey")


def _first(properties: Dict[str, str], names: Tuple[str, ...]) -> Optional[str]:
    for name in names:
        if properties.get(name):
            return properties[name]
    return None


def kinesis_client(properties: Dict[str, str]):
    """A boto3 Kinesis client; botocore's own retries stay small, the connector retries."""
    try:
        import boto3
        from botocore.config import Config
    except ImportError:  # pragma: no cover - boto3 is a dependency of the connector
        raise ConnectorError("the Kinesis connector needs boto3: pip install boto3") from None
    region = properties.get("aws.region")
    if not region:
        raise ConnectorError("the Kinesis connector needs the property 'aws.region' (e.g. 'us-east-1')")
    config = Config(retries={"max_attempts": 2, "mode": "standard"}, connect_timeout=10, read_timeout=30)
    return boto3.client("kinesis", region_name=region, endpoint_url=properties.get("aws.endpoint"),
                        aws_access_key_id=_first(properties, _ACCESS_KEYS),
                        aws_secret_access_key=_first(properties, _SECRET_KEYS), config=config)


def server_error(what: str, error: Exception) -> ConnectorError:
    """'what' (e.g. "GetRecords on stream 's' shard 'x'") failed: the server's code and message."""
    response = getattr(error, "response", None)
    if isinstance(response, dict) and "Error" in response:
        code = response["Error"].get("Code", "?")
        message = response["Error"].get("Message", "") or str(error)
        if code == "ResourceNotFoundException":
            return ConnectorError(f"Kinesis {what}: the stream does not exist ({message}); create it first "
                                  f"or check its name and 'aws.region'")
        return ConnectorError(f"Kinesis {what} failed: {code}: {message}")
    return ConnectorError(f"Kinesis {what} failed: {type(error).__name__}: {error}")


def is_throttling(error: Exception) -> bool:
    response = getattr(error, "response", None)
    code = response.get("Error", {}).get("Code") if isinstance(response, dict) else None
    return code in ("ProvisionedThroughputExceededException", "LimitExceededException", "ThrottlingException")


def list_shards(client, stream: str) -> List[dict]:
    """Every shard of 'stream' the server lists (open and closed, within retention)."""
    shards: List[dict] = []
    arguments = {"StreamName": stream}
    while True:
        try:
            response = client.list_shards(**arguments)
        except Exception as error:  # noqa: BLE001 - botocore's errors, reported with the server's message
            raise server_error(f"ListShards on stream '{stream}'", error) from error
        shards.extend(response.get("Shards", []))
        token = response.get("NextToken")
        if not token:
            return shards
        arguments = {"NextToken": token}
