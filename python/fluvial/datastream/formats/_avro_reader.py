"""Reading one Avro file with fastavro. A file written with the declared schema is read as
is; one written with another schema is read with its own and resolved to the declared
one record by record (defaults for missing fields, each value checked against its
declared type), so that a record that does not fit is named, not the whole file."""

import json
from typing import Any, List, Optional

import fastavro
from fastavro.validation import validate

from fluvial.datastream.connectors.base import BATCH_SIZE
from fluvial.datastream.connectors.file_system import BulkFormat, FileRecordReader
from fluvial.datastream.formats._bad_records import BadRecords, describe_value
from fluvial.errors import ConnectorError

_NO_DEFAULT = object()


class AvroFileFormat(BulkFormat):
    def __init__(self, schema, ignore_parse_errors: bool):
        self._schema = schema
        self._ignore_parse_errors = ignore_parse_errors

    def _open_file(self, path, file, errors):
        return AvroFileReader(path, file, self._schema, BadRecords(self._ignore_parse_errors, errors))


class AvroFileReader(FileRecordReader):
    def __init__(self, path: str, file, schema, bad_records: BadRecords):
        self._path = path
        self._bad = bad_records
        try:
            reader = fastavro.reader(file)
            writer_schema = fastavro.parse_schema(reader.writer_schema)
            self._records = iter(reader)
        except Exception as error:  # fastavro raises many kinds for a file that is not Avro
            raise ConnectorError(f"FileSource: cannot read '{path}' as Avro: {error}") from None
        declared = schema._parsed
        self._same = (fastavro.schema.to_parsing_canonical_form(writer_schema)
                      == fastavro.schema.to_parsing_canonical_form(declared))
        self._fields = [(f["name"], f["type"], f.get("default", _NO_DEFAULT))
                        for f in schema._expanded["fields"]]
        self._record_number = 0
        self._ended = False

    def read_batch(self) -> Optional[List[Any]]:
        records = []
        for _ in range(BATCH_SIZE):
            try:
                record = next(self._records, None)
            except Exception as error:  # corrupt or cut short
                raise ConnectorError(f"FileSource: cannot read record {self._record_number + 1} of "
                                     f"'{self._path}' as Avro: {error}") from None
            if record is None:
                self._ended = True
                break
            self._record_number += 1
            if not self._same:
                record = self._resolve(record)
                if record is None:
                    continue
            records.append(record)
        if not records and self._ended:
            return None
        return records  # empty when every record of the batch was skipped

    def _resolve(self, record: dict) -> Optional[dict]:
        resolved = {}
        for name, field_type, default in self._fields:
            if name in record:
                value = record[name]
            elif default is not _NO_DEFAULT:
                value = default
            else:
                self._bad.reject(f"FileSource: record {self._record_number} of '{self._path}', field "
                                 f"'{name}': missing, and the schema gives no default")
                return None
            if not validate(value, field_type, raise_errors=False):
                expected = field_type if isinstance(field_type, str) else json.dumps(field_type)
                self._bad.reject(f"FileSource: record {self._record_number} of '{self._path}', field "
                                 f"'{name}': expected {expected}, got {describe_value(value)}")
                return None
            resolved[name] = value
        return resolved

