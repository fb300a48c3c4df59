"""Built-in SQL functions that run in Python: JSON_VALUE, JSON_QUERY (Arrow has no JSON path
kernel) and SPLIT_INDEX. They are planned like Python UDFs (per row, one Python step per
batch); every other built-in function is an Arrow kernel."""

import json
import re
from functools import lru_cache
from typing import Any, List, Optional, Union

from fluvial.table.types import DataTypes
from fluvial.table.udf import udf

_STEP = re.compile(r"\.([A-Za-z_][A-Za-z0-9_]*)|\['([^']*)'\]|\[(\d+)\]|\.\*|\[\*\]")


@lru_cache(maxsize=256)
def _path(path: str) -> List[Union[str, int]]:
    """A JSON path such as $.a.b[0]['c d'] as its steps (lax mode, no wildcards)."""
    text = path.strip()
    if text.startswith("lax "):
        text = text[4:].strip()
    if not text.startswith("$"):
        raise ValueError(f"a JSON path starts with '$', got {path!r}")
    steps: List[Union[str, int]] = []
    position = 1
    while position < len(text):
        match = _STEP.match(text, position)
        if match is None or match.group(0) in (".*", "[*]"):
            raise ValueError(f"unsupported JSON path {path!r} at {text[position:]!r} (supported: $.a, $['a'], $[0])")
        name, quoted, index = match.groups()
        steps.append(int(index) if index is not None else (name if name is not None else quoted))
        position = match.end()
    return steps


def _walk(text: Optional[str], path: str) -> Any:
    if text is None:
        return None
    try:
        value = json.loads(text)
    except (TypeError, ValueError):
        return None  # Flink: NULL ON ERROR by default
    for step in _path(path):
        if isinstance(step, int):
            if not isinstance(value, list) or step >= len(value):
                return None
            value = value[step]
        else:
            if not isinstance(value, dict) or step not in value:
                return None
            value = value[step]
    return value


def _json_value(text: Optional[str], path: str) -> Optional[str]:
    value = _walk(text, path)
    if value is None or isinstance(value, (dict, list)):
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _json_query(text: Optional[str], path: str) -> Optional[str]:
    value = _walk(text, path)
    if not isinstance(value, (dict, list)):
        return None
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def _split_index(text: Optional[str], separator: str, index: int) -> Optional[str]:
    if text is None or separator is None or index is None or index < 0:
        return None
    parts = text.split(separator)
    return parts[index] if index < len(parts) else None


BUILTINS = {
    "json_value": udf(_json_value, result_type=DataTypes.STRING(), name="JSON_VALUE"),
    "json_query": udf(_json_query, result_type=DataTypes.STRING(), name="JSON_QUERY"),
    "split_index": udf(_split_index, result_type=DataTypes.STRING(), name="SPLIT_INDEX"),
}
