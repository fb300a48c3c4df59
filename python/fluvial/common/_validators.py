"""Builders of the validators behind TypeInformation.make_validator().

A validator is a closure built once per type and called once per value, so each does the
least work for values that fit: exact-type checks first, no per-call dispatch on the type.
Messages put the expected type first and the rejected value last; containers prefix the
message of the element, field or map entry that failed, so the path reads outside-in.
"""

from collections.abc import Callable, Sequence
from typing import Any

from fluvial.common.types import Row

Validator = Callable[[Any], None]

_MAX_REPR = 80


def short_repr(value: Any) -> str:
    """Returns repr(value), cut to a readable length."""
    text = repr(value)
    if len(text) > _MAX_REPR:
        text = text[: _MAX_REPR - 3] + "..."
    return text


def describe(value: Any) -> str:
    """Names a rejected value: its Python type, then its (cut) repr."""
    return f"{type(value).__name__} {short_repr(value)}"


def count_fields(count: int) -> str:
    return f"{count} field" if count == 1 else f"{count} fields"


def accept_any(value: Any) -> None:
    """Validator of types that take every value; containers skip calling it."""


def int_range_validator(type_string: str, bits: int) -> Validator:
    """Validator for ints (not bools) that fit a signed integer of `bits` bits."""
    low, high = -(1 << (bits - 1)), (1 << (bits - 1)) - 1
    expected = f"expected {type_string} (a Python int in [{low}, {high}])"

    def validate(value):
        if value is None:
            return
        if type(value) is int:
            if low <= value <= high:
                return
        elif (
            isinstance(value, int)
            and not isinstance(value, bool)
            and low <= value <= high
        ):
            return
        raise TypeError(f"{expected}, got {describe(value)}")

    return validate


def class_validator(
    type_string: str,
    description: str,
    accepted: tuple[type, ...],
    rejected: tuple[type, ...] = (),
) -> Validator:
    """Validator for 'an instance of `accepted` but not of `rejected`'."""
    expected = f"expected {type_string} ({description})"
    # Exact-type hits skip both isinstance calls; they are nearly all values in practice.
    exact = frozenset(
        cls for cls in accepted if not any(issubclass(cls, bad) for bad in rejected)
    )

    def validate(value):
        if value is None or type(value) in exact:
            return
        if isinstance(value, accepted) and not isinstance(value, rejected):
            return
        raise TypeError(f"{expected}, got {describe(value)}")

    return validate


def char_validator(type_string: str) -> Validator:
    """Validator for one-character strings."""
    expected = f"expected {type_string} (a Python str of length 1)"

    def validate(value):
        if value is None or (isinstance(value, str) and len(value) == 1):
            return
        raise TypeError(f"{expected}, got {describe(value)}")

    return validate


def bytes_validator(type_string: str) -> Validator:
    """Validator for bytes or bytearray."""
    expected = f"expected {type_string} (bytes or bytearray)"

    def validate(value):
        if (
            value is None
            or type(value) is bytes
            or isinstance(value, (bytes, bytearray))
        ):
            return
        raise TypeError(f"{expected}, got {describe(value)}")

    return validate


def sequence_validator(
    type_string: str,
    element_check: Validator,
    none_element_message: str | None = None,
) -> Validator:
    """Validator for a list or tuple whose elements pass `element_check`.

    Elements may be None unless `none_element_message` says why they cannot.
    """
    expected = f"expected {type_string} (a list or tuple)"
    if element_check is accept_any and none_element_message is None:

        def validate_container(value):
            if (
                value is None
                or type(value) is list
                or type(value) is tuple
                or isinstance(value, (list, tuple))
            ):
                return
            raise TypeError(f"{expected}, got {describe(value)}")

        return validate_container

    def validate(value):
        if value is None:
            return
        if (
            type(value) is not list
            and type(value) is not tuple
            and not isinstance(value, (list, tuple))
        ):
            raise TypeError(f"{expected}, got {describe(value)}")
        index = 0
        try:
            for index, element in enumerate(value):  # noqa: B007 (index is read after the loop)
                if element is None:
                    if none_element_message is None:
                        continue
                    raise TypeError(f"{none_element_message}, got None")
                element_check(element)
        except TypeError as error:
            raise TypeError(f"element {index} of {type_string}: {error}") from None

    return validate


def map_validator(
    type_string: str,
    key_type_string: str,
    key_check: Validator,
    value_check: Validator,
) -> Validator:
    """Validator for a dict whose keys (never None) and values pass their checks."""
    expected = f"expected {type_string} (a dict)"
    # Flink's map serializer writes keys without a null marker.
    none_key = f"key of {type_string}: expected {key_type_string} (map keys cannot be None), got None"

    def validate(value):
        if value is None:
            return
        if type(value) is not dict and not isinstance(value, dict):
            raise TypeError(f"{expected}, got {describe(value)}")
        for key, item in value.items():
            if key is None:
                raise TypeError(none_key)
            try:
                key_check(key)
            except TypeError as error:
                raise TypeError(
                    f"key {short_repr(key)} of {type_string}: {error}"
                ) from None
            try:
                value_check(item)
            except TypeError as error:
                raise TypeError(
                    f"value for key {short_repr(key)} of {type_string}: {error}"
                ) from None

    return validate


def fields_validator(
    type_string: str,
    description: str,
    checks: Sequence[Validator],
    labels: Sequence[str],
    field_names: Sequence[str] | None,
) -> Validator:
    """Validator for a Row, tuple or list with one value per field.

    With `field_names`, a named Row is matched by name (in any order), as PyFlink's row
    conversion does; positional rows, tuples and lists are matched by position.
    """
    arity = len(checks)
    expected = f"expected {type_string} ({description} with {count_fields(arity)})"
    # Fields that take any value need no call.
    active = tuple(
        (index, check) for index, check in enumerate(checks) if check is not accept_any
    )
    name_list = list(field_names) if field_names is not None else None

    def values_by_name(row: Row, row_names: list[str]) -> list[Any]:
        position = {name: index for index, name in enumerate(row_names)}
        values = row._values
        try:
            return [values[position[name]] for name in name_list]
        except KeyError as missing:
            raise TypeError(
                f"{expected}, got a Row without field {missing.args[0]!r}: "
                f"{short_repr(row)}"
            ) from None

    def validate(value):
        if value is None:
            return
        if isinstance(value, Row):
            values = value._values
            if len(values) != arity:
                raise TypeError(
                    f"{expected}, got {count_fields(len(values))} in {short_repr(value)}"
                )
            if name_list is not None:
                row_names = value._names
                if row_names is not None and row_names != name_list:
                    values = values_by_name(value, row_names)
        elif (
            type(value) is tuple
            or type(value) is list
            or isinstance(value, (tuple, list))
        ):
            values = value
            if len(values) != arity:
                raise TypeError(
                    f"{expected}, got {count_fields(len(values))} in {describe(value)}"
                )
        else:
            raise TypeError(f"{expected}, got {describe(value)}")
        index = 0
        try:
            for index, check in active:
                check(values[index])
        except TypeError as error:
            raise TypeError(
                f"field {labels[index]} of {type_string}: {error}"
            ) from None

    return validate
