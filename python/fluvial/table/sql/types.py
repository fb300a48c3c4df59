"""SQL type names (in DDL, CAST and Schema builders) → DataTypes."""

import re

from sqlglot import exp

from fluvial.table.types import DataType, DataTypes


def _params(node: exp.DataType):
    return [int(p.this.this) if isinstance(p.this, exp.Literal) else p.this for p in node.expressions
            if isinstance(p, exp.DataTypeParam)]


__all__ = ["parse_type"]


def from_sqlglot(node: exp.DataType) -> DataType:
    """The DataType of a parsed SQL type."""
    t = node.this
    kinds = exp.DataType.Type
    params = _params(node)
    simple = {
        kinds.BOOLEAN: DataTypes.BOOLEAN, kinds.TINYINT: DataTypes.TINYINT, kinds.SMALLINT: DataTypes.SMALLINT,
        kinds.INT: DataTypes.INT, kinds.BIGINT: DataTypes.BIGINT, kinds.FLOAT: DataTypes.FLOAT,
        kinds.DOUBLE: DataTypes.DOUBLE, kinds.TEXT: DataTypes.STRING, kinds.DATE: DataTypes.DATE,
    }
    if t in simple:
        return simple[t]()
    if t == kinds.VARCHAR:
        return DataTypes.VARCHAR(params[0]) if params else DataTypes.STRING()
    if t == kinds.CHAR:
        return DataTypes.CHAR(params[0] if params else 1)
    if t in (kinds.DECIMAL,):
        return DataTypes.DECIMAL(*(params or [10, 0]))
    if t == kinds.TIMESTAMP:
        return DataTypes.TIMESTAMP(params[0] if params else 6)
    if t in (kinds.TIMESTAMPLTZ, kinds.TIMESTAMPTZ):
        return DataTypes.TIMESTAMP_LTZ(params[0] if params else 6)
    if t == kinds.BINARY:
        return DataTypes.BINARY(params[0] if params else 1)
    if t == kinds.VARBINARY:
        return DataTypes.VARBINARY(params[0]) if params else DataTypes.BYTES()
    if t == kinds.TIME:
        return DataTypes.TIME(params[0] if params else 0)
    if t == kinds.USERDEFINED and node.sql().upper() == "BYTES":  # Flink's BYTES (= VARBINARY)
        return DataTypes.BYTES()
    if t == kinds.ARRAY:
        return DataTypes.ARRAY(from_sqlglot(node.expressions[0]))
    if t == kinds.STRUCT:
        return DataTypes.ROW([DataTypes.FIELD(f.name, from_sqlglot(f.args["kind"])) for f in node.expressions])
    if t == kinds.MAP:
        return DataTypes.MAP(from_sqlglot(node.expressions[0]), from_sqlglot(node.expressions[1]))
    if node.sql().upper() == "BYTES":  # Flink's name for VARBINARY, a user-defined type to sqlglot
        return DataTypes.BYTES()
    raise ValueError(f"unsupported SQL type {node.sql()}")


def parse_type(text: str) -> DataType:
    """A type from its SQL text, e.g. 'BIGINT', 'TIMESTAMP(3)', 'STRING'.

    Examples:
        >>> from fluvial.table.sql.types import parse_type
        >>> parse_type("DECIMAL(10, 2)"), parse_type("TIMESTAMP_LTZ(3)"), parse_type("ARRAY<INT>")
        (DECIMAL(10, 2), TIMESTAMP_LTZ(3), ARRAY<INT>)
    """
    upper = text.strip().upper()
    if upper.startswith("TIMESTAMP_LTZ"):
        inner = upper[len("TIMESTAMP_LTZ"):].strip("() ")
        return DataTypes.TIMESTAMP_LTZ(int(inner) if inner else 6)
    if upper in ("BYTES",):
        return DataTypes.BYTES()
    return from_sqlglot(exp.DataType.build(re.sub(r"\bROW\s*<", "STRUCT<", text, flags=re.IGNORECASE),
                                           dialect="hive"))
