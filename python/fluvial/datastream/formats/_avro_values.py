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
            names = {f["name"] for f in fields}
            # Positional as Flink's Rows are, unless the Row's names are the record's own
            # (a typed Types.ROW stream names its fields f0, f1, ...).
            if isinstance(value, Row) and (value._names is None or not set(value._names) <= names) \
                    or isinstance(value, (tuple, list)):
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


_AVRO_PRIMITIVES = {"int": "INT", "long": "LONG", "string": "STRING", "float": "FLOAT", "double": "DOUBLE",
                    "boolean": "BOOLEAN", "enum": "STRING"}


def avro_row_type(schema: Any, named: dict) -> Any:
    """The RowTypeInfo Flink's AvroSchemaConverter gives a record schema, or None where this
    conversion has no equivalent (the caller keeps the generic record type)."""
    from fluvial.common.typeinfo import Types

    def convert(node: Any) -> Any:
        node = _resolve(node, named)
        if isinstance(node, list):  # a union: nullable T is T; others have no Row type here
            branches = [b for b in node if b != "null"]
            return convert(branches[0]) if len(branches) == 1 else None
        kind = node.get("type") if isinstance(node, dict) else node
        if isinstance(node, dict) and node.get("logicalType"):
            return None
        if kind in _AVRO_PRIMITIVES:
            return getattr(Types, _AVRO_PRIMITIVES[kind])()
        if kind == "record":
            fields = [(f["name"], convert(f["type"])) for f in node["fields"]]
            if any(t is None for _, t in fields):
                return None
            return Types.ROW_NAMED([n for n, _ in fields], [t for _, t in fields])
        if kind == "array":
            element = convert(node["items"])
            return None if element is None else Types.OBJECT_ARRAY(element)
        if kind == "map":
            value = convert(node["values"])
            return None if value is None else Types.MAP(Types.STRING(), value)
        return None

    return convert(schema)
