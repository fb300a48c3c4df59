"""NexmarkSource: the Nexmark generator as a DataStream source of Rows."""

from typing import Any, List, Optional

import pyarrow as pa

from fluvial.common.typeinfo import RowTypeInfo, Types
from fluvial.common.types import Row
from fluvial.datastream.connectors.base import Source, SourceReader
from fluvial.nexmark import NexmarkConfig, NexmarkReader
from fluvial.nexmark.generator import TABLES

__all__ = ["NexmarkSource"]


def _type_of(arrow: pa.DataType):
    if pa.types.is_int64(arrow):
        return Types.LONG()
    if pa.types.is_timestamp(arrow):
        return Types.SQL_TIMESTAMP()
    return Types.STRING()


class NexmarkSource(Source):
    """Persons, auctions or bids of the Nexmark generator as Rows with the fields of the SQL
    tables (``dateTime`` a ``datetime.datetime``, UTC without a zone). Give the event-time
    attribute with a WatermarkStrategy whose TimestampAssigner reads ``dateTime``.

    Examples:
        >>> from fluvial.nexmark import NexmarkConfig, NexmarkSource
        >>> source = NexmarkSource("bid", NexmarkConfig(events_num=100))
        >>> source.get_type_info().get_field_names()
        ['auction', 'bidder', 'price', 'channel', 'url', 'dateTime', 'extra']
        >>> reader = source._create_reader(0, 1)
        >>> rows = reader.poll()
        >>> len(rows), rows[0].auction, reader.poll()
        (92, 1000, None)
    """

    def __init__(self, table: str, config: Optional[NexmarkConfig] = None):
        if table not in TABLES:
            raise ValueError(f"NexmarkSource: table must be 'person', 'auction' or 'bid', got {table!r}")
        self._table = table
        self._config = config or NexmarkConfig()
        schema = TABLES[table]
        self._type_info = Types.ROW_NAMED(schema.names, [_type_of(f.type) for f in schema])

    def get_type_info(self) -> RowTypeInfo:
        return self._type_info

    def _is_bounded(self) -> bool:
        return self._config.events_num is not None

    def _default_name(self) -> str:
        return f"Nexmark Source ({self._table})"

    def _create_reader(self, subtask_index: int, parallelism: int) -> SourceReader:
        return _RowReader(NexmarkReader(self._config, self._table, list(TABLES[self._table].names), subtask_index,
                                        parallelism))


class _RowReader(SourceReader):
    def __init__(self, reader: NexmarkReader):
        self._reader = reader

    def poll(self) -> Optional[List[Any]]:
        batch = self._reader.poll()
        if batch is None:
            return None
        names = batch.schema.names
        return [Row(**dict(zip(names, values))) for values in zip(*(c.to_pylist() for c in batch.columns))]
