"""Avro data (fastavro's dicts and lists) to Rows and back, following the schema: records
become named Rows, maps stay dicts."""

from typing import Any

from fluvial.common.types import Row
from fluvial.datastream.formats._row_types import make_row


def _resolve(schema: Any, named: dict) -> Any:
    if isinstance(schema, str):
        return named.get(schema, schema)
    return schema


def avro_to_row(value: Any, schema: Any, named: dict) -> Any:
    schema = _resolve(schema, named)
    if value is None:
        return None
    if isinstance(schema, list):  # a union: the branch the value came from
        for branch in schema:
            branch = _resolve(branch, named)
            if isinstance(branch, dict) and branch.get("type") == "record" and isinstance(value, dict):
                return avro_to_row(value, branch, named)
        return value
    if isinstance(schema, dict):
        kind = schema.get("type")
        if kind == "record":
            names = [field["name"] for field in schema["fields"]]
            return make_row(names, [avro_to_row(value.get(field["name"]), field["type"], named)
                                    for field in schema["fields"]])
        if kind == "array":
            return [avro_to_row(item, schema["items"], named) for item in value]
        if kind == "map":
            return {key: avro_to_row(item, schema["values"], named) for key, item in value.items()}
    return value


def to_avro_datum(value: Any, schema: Any, named: dict) -> Any:
    """A Row (named, or positional in the record's field order) as the dict fastavro writes."""
    schema = _resolve(schema, named)
    if value is None:
        return None
    if isinstance(schema, list):
        for branch in schema:
            branch = _resolve(branch, named)
            if isinstance(branch, dict) and branch.get("type") == "record" and isinstance(value, (Row, dict)):
                return to_avro_datum(value, branch, named)
        return value
    if isinstance(schema, dict):
        kind = schema.get("type")
        if kind == "record":
            fields = schema["fields"]
            if isinstance(value, Row) and value._names is None or isinstance(value, (tuple, list)):
                items = dict(zip((f["name"] for f in fields), value))
            elif isinstance(value, Row):
                items = value.as_dict()
            else:
                items = value
            return {f["name"]: to_avro_datum(items.get(f["name"]), f["type"], named) for f in fields}
        if kind == "array":
            return [to_avro_datum(item, schema["items"], named) for item in value]
        if kind == "map":
            return {key: to_avro_datum(item, schema["values"], named) for key, item in value.items()}
    return value
