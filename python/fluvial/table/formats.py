"""The SQL tables' text formats ('json', 'csv', 'raw') as Arrow tables, both ways: a list of
records (Kafka message values, lines of a file) is parsed at once by pyarrow.json or
pyarrow.csv with the table's schema; only when that fails are the records parsed one by
one, so that the caller can name the bad one (or skip and count it, with the format's
'ignore-parse-errors'). Options use Flink's names ('csv.field-delimiter', ...)."""

import datetime
import decimal
import io
import json
import re
from typing import Any, Dict, List, Optional

import pyarrow as pa

__all__: List[str] = []  # used through CREATE TABLE ... WITH ('format' = ...), not imported

FORMATS = ("json", "csv", "raw", "avro")
FORMAT_OPTIONS = {"json": ["ignore-parse-errors", "fail-on-missing-field", "timestamp-format.standard"],
                  "csv": ["field-delimiter", "quote-character", "disable-quote-character", "escape-character",
                          "null-literal", "ignore-parse-errors"],
                  "raw": ["charset"],
                  "avro": []}


def sql_advice(fmt: str) -> str:
    """What a failing bad record's message of a SQL table ends with: what to do about it."""
    return (f"; fix the record or the table's columns, or skip bad records with '{fmt}.ignore-parse-errors' = "
            f"'true' (they are counted in the job's numRecordsInErrors)")


def check_utf8(data: bytes, what: str = "the bytes") -> None:
    """ValueError naming the first bad byte when 'data' is not UTF-8. Arrow's JSON reader
    would let such bytes into a STRING column, where they break every later step (and
    Flink's JSON and CSV formats fail on them), so text formats check before parsing."""
    if data.isascii():  # the common case, at memory speed
        return
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ValueError(f"{what} are not valid UTF-8 (byte 0x{data[error.start]:02x} at byte {error.start}: "
                         f"{error.reason}); the text must be written as UTF-8") from None


def _option_error(message: str) -> Exception:
    from fluvial.table.connectors import ConnectorOptionError

    return ConnectorOptionError(message)


class RowCodec:
    """One format ('json', 'csv', 'raw', 'avro') for a set of columns, both ways."""

    def __init__(self, fmt: str, schema: pa.Schema, options: Dict[str, str], prefixes: List[str], what: str):
        if fmt not in FORMATS:
            raise _option_error(f"unsupported {what} '{fmt}' (supported: {', '.join(FORMATS)})")
        self.format, self.schema = fmt, schema

        def option(name: str, default: Optional[str] = None) -> Optional[str]:
            for prefix in prefixes:
                if f"{prefix}{fmt}.{name}" in options:
                    return options[f"{prefix}{fmt}.{name}"]
            return default

        self.ignore_parse_errors = (option("ignore-parse-errors", "false") or "").lower() == "true"
        self.fail_on_missing_field = (option("fail-on-missing-field", "false") or "").lower() == "true"
        self.iso_timestamps = json_timestamp_standard(option("timestamp-format.standard", "SQL"), what)
        if self.fail_on_missing_field and self.ignore_parse_errors:
            raise _option_error(f"'json.fail-on-missing-field' and 'json.ignore-parse-errors' cannot both be true "
                                f"({what})")
        if fmt == "raw":
            if len(schema) != 1 or not (pa.types.is_string(schema[0].type) or pa.types.is_binary(schema[0].type)):
                raise _option_error(f"the 'raw' {what} reads and writes one STRING or BYTES column, got "
                                    f"{', '.join(f'{f.name} {f.type}' for f in schema)}")
            if (option("charset", "UTF-8") or "").upper().replace("_", "-") not in ("UTF-8", "UTF8"):
                raise _option_error("'raw.charset': Fluvial reads and writes UTF-8 only")
        if fmt == "avro":
            import fastavro

            self._avro = fastavro.parse_schema(avro_schema(schema))
        if fmt == "csv":
            import pyarrow.csv as pacsv

            delimiter = option("field-delimiter", ",")
            quote = option("quote-character", '"')
            escape = option("escape-character")
            null_literal = option("null-literal")
            if option("disable-quote-character", "false").lower() == "true":
                quote = None
            self._csv_parse = pacsv.ParseOptions(delimiter=delimiter, quote_char=quote or False,
                                                 escape_char=escape or False, newlines_in_values=True)
            self._csv_convert = pacsv.ConvertOptions(
                column_types=schema, null_values=[null_literal] if null_literal is not None else None,
                strings_can_be_null=null_literal is not None)
            self._csv_write = pacsv.WriteOptions(include_header=False, delimiter=delimiter,
                                                 null_string=null_literal or "",
                                                 quoting_style="none" if quote is None else "needed")
            if quote not in (None, '"'):
                self._csv_write = None  # pyarrow writes '"' only: rows are written by Python's csv below
            self._csv_quote = quote

    # -- reading

    def decode(self, values: List[bytes]) -> pa.Table:
        """The rows of non-null message values; ValueError saying what is wrong if any is bad."""
        if self.format == "raw":
            array = pa.array(values, pa.binary())
            try:
                column = array.cast(self.schema[0].type)
            except pa.ArrowInvalid as error:
                for value in values:  # a STRING column: name the bytes that are not UTF-8
                    check_utf8(value)
                raise ValueError(f"not {self.schema[0].type} ({error})") from None
            return pa.Table.from_arrays([column], schema=self.schema)
        if self.format == "avro":
            return self._decode_avro(values)
        data = b"\n".join(values)
        check_utf8(data)
        if self.fail_on_missing_field:
            self._check_fields(values)
        if self.format == "json" and data.count(b"\n") != len(values) - 1:
            # A raw line break is only whitespace between JSON tokens (inside a string it is invalid).
            data = b"\n".join(v.replace(b"\r", b" ").replace(b"\n", b" ") for v in values)
        try:
            table = self._parse(data)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError) as error:
            # (pyarrow's 'Row #1' is no help: the caller names the record)
            raise ValueError(re.sub(r"Row #\d+: ", "", str(error).split("\n")[0])) from None
        if table.num_rows != len(values):
            raise ValueError(f"expected one {self.format.upper()} row per message, got {table.num_rows} rows "
                             f"from {len(values)} messages")
        return table

    def _decode_avro(self, values: List[bytes]) -> pa.Table:
        import fastavro

        rows = []
        for value in values:
            buffer = io.BytesIO(value)
            try:
                rows.append(fastavro.schemaless_reader(buffer, self._avro, None))
            except Exception as error:  # fastavro raises many kinds for bytes that are not its schema
                raise ValueError(f"not Avro of the table's schema ({type(error).__name__}: {error})") from None
            if buffer.tell() != len(value):
                raise ValueError(f"not Avro of the table's schema ({len(value) - buffer.tell()} bytes left after "
                                 f"the record)")
        return arrow_rows(rows, self.schema)

    def _check_fields(self, values: List[bytes]) -> None:
        """json.fail-on-missing-field: every column is a member of every object."""
        names = self.schema.names
        for value in values:
            try:
                document = json.loads(value)
            except ValueError as error:
                raise ValueError(f"not JSON ({error})") from None
            if not isinstance(document, dict):
                raise ValueError(f"expected a JSON object, got {type(document).__name__}")
            missing = [name for name in names if name not in document]
            if missing:
                raise ValueError(f"field '{missing[0]}' is missing ('json.fail-on-missing-field' is true)")

    def decode_lines(self, data: bytes) -> pa.Table:
        """The rows of CSV or JSON lines (a file's, a chunk of it ending at a line end), parsed
        by pyarrow's threads; ValueError if any line is bad (decode() then names it)."""
        check_utf8(data)
        if self.fail_on_missing_field:
            self._check_fields([line for line in data.split(b"\n") if line.strip()])
        try:
            if self.format == "json":
                import pyarrow.json as pajson

                return pajson.read_json(io.BytesIO(data), parse_options=pajson.ParseOptions(
                    explicit_schema=self.schema, unexpected_field_behavior="ignore")).select(self.schema.names)
            import pyarrow.csv as pacsv

            parse = pacsv.ParseOptions(delimiter=self._csv_parse.delimiter, quote_char=self._csv_parse.quote_char,
                                       escape_char=self._csv_parse.escape_char, newlines_in_values=False)
            return pacsv.read_csv(io.BytesIO(data), read_options=pacsv.ReadOptions(column_names=self.schema.names),
                                  parse_options=parse, convert_options=self._csv_convert)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError) as error:
            raise ValueError(str(error).split("\n")[0]) from None

    def _parse(self, data: bytes) -> pa.Table:
        if self.format == "json" and any(_has_map(f.type) for f in self.schema):
            return _json_rows_with_maps(data, self.schema)
        if self.format == "json":
            import pyarrow.json as pajson

            table = pajson.read_json(io.BytesIO(data),
                                     read_options=pajson.ReadOptions(use_threads=False,
                                                                     block_size=max(len(data) + 1, 1 << 16)),
                                     parse_options=pajson.ParseOptions(explicit_schema=self.schema,
                                                                       unexpected_field_behavior="ignore"))
            return table.select(self.schema.names)
        import pyarrow.csv as pacsv

        return pacsv.read_csv(io.BytesIO(data), read_options=pacsv.ReadOptions(
            column_names=self.schema.names, use_threads=False, block_size=max(len(data) + 1, 1 << 16)),
            parse_options=self._csv_parse, convert_options=self._csv_convert)

    # -- writing

    def encode(self, batch: pa.RecordBatch) -> List[Optional[bytes]]:
        if self.format == "raw":
            column = batch.column(0)
            return [v.encode() if isinstance(v, str) else v for v in column.to_pylist()]
        if self.format == "avro":
            import fastavro

            encoded = []
            for row in avro_records(batch):
                out = io.BytesIO()
                fastavro.schemaless_writer(out, self._avro, row)
                encoded.append(out.getvalue())
            return encoded
        if self.format == "json":
            default = _iso_json_value if self.iso_timestamps else _json_value
            return [json.dumps(row, default=default, separators=(",", ":"), ensure_ascii=False).encode()
                    for row in batch.to_pylist(maps_as_pydicts="lossy")]
        if self._csv_write is not None:
            import pyarrow.csv as pacsv

            out = io.BytesIO()
            pacsv.write_csv(batch, out, self._csv_write)
            lines = out.getvalue().split(b"\n")[:-1]
            if len(lines) == batch.num_rows:
                return lines
        return [self._csv_row(row) for row in batch.to_pylist()]  # a value holds a line break

    def _csv_row(self, row: Dict[str, Any]) -> bytes:
        import csv

        out = io.StringIO()
        writer = csv.writer(out, delimiter=self._csv_write.delimiter if self._csv_write else ",",
                            quotechar=self._csv_quote or '"',
                            quoting=csv.QUOTE_NONE if self._csv_quote is None else csv.QUOTE_MINIMAL,
                            lineterminator="")
        writer.writerow(["" if v is None else _json_value(v) if not isinstance(v, (str, int, float)) else v
                         for v in row.values()])
        return out.getvalue().encode()


def json_timestamp_standard(value: Optional[str], what: str) -> bool:
    """'json.timestamp-format.standard': True for 'ISO-8601' (2024-01-02T03:04:05.000), False for
    'SQL' (2024-01-02 03:04:05.000, the default). Reading accepts both, as Arrow's parser does."""
    standard = (value or "SQL").upper()
    if standard not in ("SQL", "ISO-8601"):
        raise _option_error(f"'json.timestamp-format.standard' must be 'SQL' or 'ISO-8601', got {value!r} ({what})")
    return standard == "ISO-8601"


def _iso_json_value(value: Any) -> Any:
    return _json_value(value, iso=True)


def _json_value(value: Any, iso: bool = False) -> Any:
    """Flink's JSON (SQL or ISO-8601 timestamp format) for what json.dumps cannot write itself."""
    if isinstance(value, datetime.datetime):
        spec = "milliseconds" if value.microsecond % 1000 == 0 else "microseconds"
        sep = "T" if iso else " "
        if value.tzinfo is not None:
            value = value.astimezone(datetime.timezone.utc).replace(tzinfo=None)
            return value.isoformat(sep=sep, timespec=spec) + "Z"
        return value.isoformat(sep=sep, timespec=spec)
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, bytes):
        import base64

        return base64.b64encode(value).decode()
    raise TypeError(f"cannot write a {type(value).__name__} ({value!r}) as JSON")


def arrow_rows(rows: List[Dict[str, Any]], schema: pa.Schema) -> pa.Table:
    """Decoded records (dicts) as a table of the columns; ValueError saying what does not fit."""
    try:
        return pa.Table.from_pylist(rows, schema=schema)
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, OverflowError) as error:
        raise ValueError(str(error).split("\n")[0]) from None


def avro_records(table: Any) -> List[Dict[str, Any]]:
    """The rows of a table or record batch as fastavro writes them (Arrow's maps, which
    to_pylist gives as lists of pairs, become dicts)."""
    rows = table.to_pylist()
    mapped = [f for f in table.schema if _has_map(f.type)]
    for row in rows:
        for field in mapped:
            row[field.name] = _avro_value(row[field.name], field.type)
    return rows


def _has_map(t: pa.DataType) -> bool:
    return pa.types.is_map(t) or any(_has_map(t.field(i).type) for i in range(t.num_fields))


def _avro_value(value: Any, t: pa.DataType) -> Any:
    if value is None:
        return None
    if pa.types.is_map(t):
        return {k: _avro_value(v, t.item_type) for k, v in value}
    if pa.types.is_list(t) or pa.types.is_large_list(t):
        return [_avro_value(v, t.value_type) for v in value]
    if pa.types.is_struct(t):
        return {f.name: _avro_value(value.get(f.name), f.type) for f in t}
    return value


def avro_schema(schema: pa.Schema, name: str = "record") -> Dict[str, Any]:
    """The Avro schema of a table's columns, with Flink's type mapping (AvroSchemaConverter): a
    nullable column is a union with "null" (default null), TINYINT/SMALLINT/INT an int, DECIMAL
    bytes with the decimal logical type, DATE an int date, TIME an int time-millis, TIMESTAMP a
    long timestamp-millis (precision up to 3) or timestamp-micros, a ROW a nested record."""
    fields = []
    for field in schema:
        avro = _avro_type(field.type, f"{name}_{field.name}", field.name)
        if field.nullable:
            fields.append({"name": field.name, "type": ["null", avro], "default": None})
        else:
            fields.append({"name": field.name, "type": avro})
    return {"type": "record", "name": name, "fields": fields}


def _avro_type(t: pa.DataType, name: str, column: str) -> Any:
    if pa.types.is_boolean(t):
        return "boolean"
    if pa.types.is_int8(t) or pa.types.is_int16(t) or pa.types.is_int32(t):
        return "int"
    if pa.types.is_int64(t):
        return "long"
    if pa.types.is_float32(t):
        return "float"
    if pa.types.is_float64(t):
        return "double"
    if pa.types.is_string(t) or pa.types.is_large_string(t):
        return "string"
    if pa.types.is_binary(t) or pa.types.is_large_binary(t) or pa.types.is_fixed_size_binary(t):
        return "bytes"
    if pa.types.is_decimal(t):
        return {"type": "bytes", "logicalType": "decimal", "precision": t.precision, "scale": t.scale}
    if pa.types.is_date(t):
        return {"type": "int", "logicalType": "date"}
    if pa.types.is_time(t):
        return {"type": "int", "logicalType": "time-millis"}
    if pa.types.is_timestamp(t):
        unit = "millis" if t.unit in ("s", "ms") else "micros"
        return {"type": "long", "logicalType": f"timestamp-{unit}"}
    if pa.types.is_list(t) or pa.types.is_large_list(t):
        items = _avro_type(t.value_type, name, column)
        return {"type": "array", "items": ["null", items] if t.value_field.nullable else items}
    if pa.types.is_map(t):
        if not pa.types.is_string(t.key_type):
            raise _option_error(f"column '{column}': Avro maps have STRING keys, got {t}")
        values = _avro_type(t.item_type, name, column)
        return {"type": "map", "values": ["null", values] if t.item_field.nullable else values}
    if pa.types.is_struct(t):
        return avro_schema(pa.schema(list(t)), name)
    raise _option_error(f"column '{column}' of type {t} has no Avro counterpart")


def _has_map(arrow_type: pa.DataType) -> bool:
    if pa.types.is_map(arrow_type):
        return True
    return any(_has_map(arrow_type.field(i).type) for i in range(arrow_type.num_fields))


def _json_rows_with_maps(data: bytes, schema: pa.Schema) -> pa.Table:
    """JSON lines whose columns include MAPs, which Arrow's JSON reader cannot type: the objects
    of such columns are read here (ValueError saying what is wrong, as on the Arrow path)."""
    rows = []
    for line in data.split(b"\n"):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except ValueError as error:
            raise ValueError(f"not JSON ({error})") from None
        if not isinstance(record, dict):
            raise ValueError(f"not a JSON object: {line[:80]!r}")
        rows.append({name: _map_json_value(record.get(name), field_.type)
                     for name, field_ in zip(schema.names, schema)})
    try:
        return pa.Table.from_pylist(rows, schema=schema)
    except (pa.ArrowInvalid, pa.ArrowTypeError) as error:
        raise ValueError(f"a record does not fit the declared schema: {error}") from None


def _map_json_value(value: Any, arrow_type: pa.DataType) -> Any:
    if value is None:
        return None
    if pa.types.is_map(arrow_type):
        if not isinstance(value, dict):
            raise ValueError(f"expected a JSON object for {arrow_type}, got {value!r}")
        return [(k, _map_json_value(v, arrow_type.item_type)) for k, v in value.items()]
    if pa.types.is_list(arrow_type) and isinstance(value, list):
        return [_map_json_value(v, arrow_type.value_type) for v in value]
    return value
