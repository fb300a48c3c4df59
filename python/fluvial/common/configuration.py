"""Configuration: string key/value settings, stored as the strings Flink writes."""

import base64
import builtins
from typing import Any, Optional

from fluvial.common.time import Duration

__all__ = ["Configuration"]


def _check_key(key: Any) -> str:
    if not isinstance(key, str):
        raise TypeError(
            f"configuration key must be a str, got {type(key).__name__} {key!r}"
        )
    return key


def _format_duration(duration: Duration) -> str:
    """Formats with the largest exact unit, as Flink's TimeUtils.formatWithHighestUnit."""
    nanos = duration.to_nanos()
    for unit, size in (
        ("d", 86_400_000_000_000),
        ("h", 3_600_000_000_000),
        ("min", 60_000_000_000),
        ("s", 1_000_000_000),
        ("ms", 1_000_000),
        ("µs", 1_000),
    ):
        if nanos % size == 0:
            return f"{nanos // size} {unit}"
    return f"{nanos} ns"


def _to_flink_string(value: Any) -> str:
    """Converts a value to the string Flink stores: true/false, a;b lists, k:v,k:v maps."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Duration):
        return _format_duration(value)
    if isinstance(value, (list, tuple)):
        return ";".join(_to_flink_string(item) for item in value)
    if isinstance(value, dict):
        return ",".join(
            f"{_to_flink_string(k)}:{_to_flink_string(v)}" for k, v in value.items()
        )
    return str(value)


class Configuration:
    """Key/value settings. Values are kept as strings; typed getters parse them on read.

    Examples:
        >>> from fluvial.common import Configuration, Duration
        >>> config = Configuration().set_integer("parallelism.default", 4)
        >>> config.get_integer("parallelism.default"), config.get_string("parallelism.default")
        (4, '4')
        >>> config.set("pipeline.auto-watermark-interval", Duration.of_millis(200)).to_dict()
        {'parallelism.default': '4', 'pipeline.auto-watermark-interval': '200 ms'}
    """

    # _data: the strings Flink stores; _typed: the value a typed setter was given, which
    # add_all_to_dict hands out as Java's Configuration does (an int stays an int).
    __slots__ = ("_data", "_typed")

    def __init__(self, other: Optional["Configuration"] = None) -> None:
        """Creates an empty configuration, or a copy of `other`."""
        if other is not None and not isinstance(other, Configuration):
            raise TypeError(
                f"other must be a Configuration, got {type(other).__name__} {other!r}"
            )
        self._data: dict[str, str] = dict(other._data) if other is not None else {}
        self._typed: dict[str, Any] = dict(other._typed) if other is not None else {}

    def _parse(self, key: str, parse, type_name: str, default_value):
        text = self._data.get(_check_key(key))
        if text is None:
            return default_value
        try:
            return parse(text.strip())
        except ValueError:
            raise ValueError(
                f"configuration value for key {key!r} is not a valid {type_name}, got {text!r}"
            ) from None

    def get_string(self, key: str, default_value: str | None = None) -> str | None:
        """Returns the value for `key`, or `default_value` when it is not set."""
        return self._data.get(_check_key(key), default_value)

    def set_string(self, key: str, value: str) -> "Configuration":
        if not isinstance(value, str):
            raise TypeError(
                f"set_string value for key {key!r} must be a str, got {type(value).__name__} {value!r}"
            )
        self._store(key, value, value)
        return self

    def _store(self, key: str, text: str, typed: Any) -> None:
        self._data[_check_key(key)] = text
        self._typed[key] = typed

    def get_integer(self, key: str, default_value: int | None = None) -> int | None:
        return self._parse(key, int, "integer", default_value)

    def set_integer(self, key: str, value: int) -> "Configuration":
        if not isinstance(value, int) or isinstance(value, bool):
            raise TypeError(
                f"set_integer value for key {key!r} must be an int, got {type(value).__name__} {value!r}"
            )
        self._store(key, str(int(value)), int(value))
        return self

    def get_boolean(self, key: str, default_value: bool | None = None) -> bool | None:
        return self._parse(key, _parse_boolean, "boolean", default_value)

    def set_boolean(self, key: str, value: bool) -> "Configuration":
        if not isinstance(value, bool):
            raise TypeError(
                f"set_boolean value for key {key!r} must be a bool, got {type(value).__name__} {value!r}"
            )
        self._store(key, "true" if value else "false", value)
        return self

    def get_float(self, key: str, default_value: float | None = None) -> float | None:
        return self._parse(key, float, "float", default_value)

    def set_float(self, key: str, value: float) -> "Configuration":
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            raise TypeError(
                f"set_float value for key {key!r} must be a float, got {type(value).__name__} {value!r}"
            )
        self._store(key, repr(float(value)), float(value))
        return self

    def get_bytearray(self, key: str, default_value: bytearray | None = None) -> bytearray | None:
        """Returns the bytes stored under `key` (kept as Base64 text, as Flink does)."""
        return self._parse(key, lambda text: bytearray(base64.b64decode(text, validate=True)), "Base64 byte array",
                           default_value)

    def set_bytearray(self, key: str, value: bytearray) -> "Configuration":
        if not isinstance(value, (bytes, bytearray)):
            raise TypeError(
                f"set_bytearray value for key {key!r} must be a bytearray, got {type(value).__name__} {value!r}"
            )
        self._store(key, base64.b64encode(bytes(value)).decode("ascii"), bytearray(value))
        return self

    def get(self, key: str, default: str | None = None) -> str | None:
        """Returns the stored string for `key`, or `default`."""
        return self._data.get(_check_key(key), default)

    def set(self, key: str, value: Any) -> "Configuration":
        """Stores `value` as Flink would print it: bools as true/false, lists as a;b, durations as '5 s'."""
        if value is None:
            raise TypeError(
                f"configuration value for key {key!r} must not be None; use remove_config"
            )
        self._store(key, _to_flink_string(value), _to_flink_string(value))
        return self

    def contains_key(self, key: str) -> bool:
        return _check_key(key) in self._data

    def key_set(self) -> builtins.set[str]:
        return set(self._data)

    def to_dict(self) -> dict[str, str]:
        """Returns a copy of all entries as a dict of strings."""
        return dict(self._data)

    def add_all_to_dict(self, target_dict: dict) -> None:
        """Copies all entries into `target_dict`, each as the value its setter was given (1, True, ...)."""
        target_dict.update({key: self._typed.get(key, text) for key, text in self._data.items()})

    def add_all(
        self, other: "Configuration", prefix: str | None = None
    ) -> "Configuration":
        """Copies all entries of `other` into this one, prefixing their keys with `prefix` if given."""
        if not isinstance(other, Configuration):
            raise TypeError(
                f"other must be a Configuration, got {type(other).__name__} {other!r}"
            )
        if prefix is None:
            self._data.update(other._data)
            self._typed.update(other._typed)
        else:
            prefix = _check_key(prefix)
            self._data.update(
                (prefix + key, value) for key, value in other._data.items()
            )
            self._typed.update((prefix + key, value) for key, value in other._typed.items())
        return self

    def remove_config(self, key: str) -> bool:
        """Removes `key`; returns whether it was set."""
        self._typed.pop(key, None)
        return self._data.pop(_check_key(key), None) is not None

    def __eq__(self, other) -> bool:
        return isinstance(other, Configuration) and self._data == other._data

    def __hash__(self) -> int:
        # By content, as PyFlink's (which hashes the Java map): equal configurations hash
        # equally; changing one after using it as a dict key loses it, as there.
        return hash(frozenset(self._data.items()))

    def __reduce__(self):
        return _from_dict, (dict(self._data), dict(self._typed))

    def __str__(self) -> str:
        # Java prints the backing map: {a=1, b=true}.
        return (
            "{" + ", ".join(f"{key}={value}" for key, value in self._data.items()) + "}"
        )

    def __repr__(self) -> str:
        return f"Configuration({self._data!r})"


def _parse_boolean(text: str) -> bool:
    lowered = text.lower()
    if lowered == "true":
        return True
    if lowered == "false":
        return False
    raise ValueError(text)


def _from_dict(data: dict[str, str], typed: dict | None = None) -> Configuration:
    configuration = Configuration()
    configuration._data.update(data)
    configuration._typed.update(typed or {})
    return configuration
