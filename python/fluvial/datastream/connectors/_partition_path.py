"""Where a file sink puts a record: partition directories named after values from the data,
and the bucket ids of a FileSink's BucketAssigner, both under the sink's base path.

A partition value becomes one directory name ``key=value``, escaped as Flink's
``PartitionPathUtils.escapePathName`` does: ``/``, ``\\``, ``:``, ``=``, ``%`` and the other
characters below, and every control character, become ``%XX`` (upper-case hex), so a value
such as ``../../../X`` or ``/abs`` stays one directory name under the table's path and reads
back as it was (``unescape_path_name``). NULL, an empty and a whitespace-only value are
written as the default partition name (``partition.default-name``, Flink's
``__DEFAULT_PARTITION__``) and read back as NULL, as in Flink.

A bucket id is a relative path (``/`` nests directories, e.g. ``2026/12/07`` from a date-time
pattern), so it is not escaped; one that is absolute or has a ``..`` segment would leave the
base path and is refused (``checked_bucket_id``).
"""

import os
from typing import Any, Dict, Iterable, Optional, Tuple

from fluvial.errors import ConnectorError

DEFAULT_PARTITION_NAME = "__DEFAULT_PARTITION__"

# The characters Flink's PartitionPathUtils escapes (besides every control character).
_ESCAPED = frozenset('"#%\'*/:=?\\\x7f{[]^')
_HEX_DIGITS = frozenset("0123456789abcdefABCDEF")


def escape_path_name(text: str) -> str:
    """'text' as one file name: the characters Flink escapes become %XX."""
    return "".join(f"%{ord(c):02X}" if c in _ESCAPED or ord(c) < 0x20 else c for c in text)


def unescape_path_name(text: str) -> str:
    """The inverse of escape_path_name (Flink's unescapePathName): each %XX becomes its
    character; a '%' not followed by two hex digits stays as it is."""
    if "%" not in text:
        return text
    out = []
    i = 0
    while i < len(text):
        c = text[i]
        if c == "%" and i + 2 < len(text) and text[i + 1] in _HEX_DIGITS and text[i + 2] in _HEX_DIGITS:
            out.append(chr(int(text[i + 1:i + 3], 16)))
            i += 3
            continue
        out.append(c)
        i += 1
    return "".join(out)


def partition_value_text(value: Any, default_name: str = DEFAULT_PARTITION_NAME) -> str:
    """The directory name part of one partition value: escaped, or 'default_name' for NULL,
    '' and whitespace-only values (Flink: StringUtils.isNullOrWhitespaceOnly)."""
    text = None if value is None else (value if isinstance(value, str) else str(value))
    if text is None or not text.strip():
        return default_name
    return escape_path_name(text)


def partition_path(spec: Iterable[Tuple[str, Any]], default_name: str = DEFAULT_PARTITION_NAME) -> str:
    """'k1=v1/k2=v2' for [(k1, v1), (k2, v2)], every key and value escaped (Flink's
    PartitionPathUtils.generatePartitionPath)."""
    return "/".join(f"{escape_path_name(str(key))}={partition_value_text(value, default_name)}"
                    for key, value in spec)


def partition_spec_of(relative_directory: str, default_name: str = DEFAULT_PARTITION_NAME
                      ) -> Dict[str, Optional[str]]:
    """The partition values of a directory below a table's path ('dt=2024-01-01/h=%2F'), unescaped;
    the default partition name is None. Segments that are not 'key=value' are skipped."""
    found: Dict[str, Optional[str]] = {}
    for segment in relative_directory.replace(os.sep, "/").split("/"):
        name, equals, value = segment.partition("=")
        if equals:
            found[unescape_path_name(name)] = None if value == default_name else unescape_path_name(value)
    return found


def checked_bucket_id(bucket_id: Any, base_path: str) -> str:
    """'bucket_id' if it names a directory under 'base_path' (or the base path itself, '');
    an error naming it otherwise: a FileSink writes nothing outside its base path."""
    if not isinstance(bucket_id, str):
        raise ConnectorError(f"FileSink: the bucket assigner returned {bucket_id!r} ({type(bucket_id).__name__}) "
                             f"as a bucket id; expected a str, a directory relative to the base path '{base_path}'")
    problem = None
    segments = bucket_id.replace(os.sep, "/").split("/")
    if "\x00" in bucket_id:
        problem = "has a NUL character"
    elif os.path.isabs(bucket_id) or bucket_id.startswith("/"):
        problem = "is an absolute path"
    elif ".." in segments:
        problem = "has a '..' segment"
    if problem is not None:
        raise ConnectorError(
            f"FileSink: bucket id {bucket_id!r} {problem}, so it would write outside the base path "
            f"'{base_path}'; a bucket id is a directory relative to the base path (values taken from "
            f"records belong in field_bucket_assigner, which escapes them)")
    return bucket_id
