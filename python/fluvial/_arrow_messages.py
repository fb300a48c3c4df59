"""Arrow's failure messages in the user's words: SQL type names instead of Arrow's (INT, not
int32), what the query did (a CAST, a division) instead of kernel names (cast_int32), no
pyarrow class names, and what to do. Applied where a job's failure is raised
(fluvial.datastream._job), to the engine's messages and to Arrow errors raised in Fluvial's
own Python steps.

    >>> from fluvial._arrow_messages import rewrite
    >>> print(rewrite("Failed to parse string: 'abc' as a scalar of type int32"))
    cannot CAST 'abc' to INT: it is not a valid INT (Flink's CAST fails too); use TRY_CAST(... AS INT) to get NULL ...
"""

import re
from typing import Callable, List, Tuple

# Arrow's type names → Flink's SQL names (longest first, so 'int64' is not read as 'int6...').
_TYPES: List[Tuple[str, str]] = [
    (r"timestamp\[ms(?:, tz=[^\]]+)?\]", "TIMESTAMP(3)"), (r"timestamp\[us(?:, tz=[^\]]+)?\]", "TIMESTAMP(6)"),
    (r"timestamp\[ns(?:, tz=[^\]]+)?\]", "TIMESTAMP(9)"), (r"timestamp\[s(?:, tz=[^\]]+)?\]", "TIMESTAMP(0)"),
    (r"date32\[day\]", "DATE"), (r"date32", "DATE"), (r"time32\[ms\]", "TIME"),
    (r"decimal128\((\d+), (\d+)\)", r"DECIMAL(\1, \2)"), (r"decimal128", "DECIMAL"),
    (r"large_string", "STRING"), (r"large_utf8", "STRING"),
    (r"int8", "TINYINT"), (r"int16", "SMALLINT"), (r"int32", "INT"), (r"int64", "BIGINT"),
    (r"uint8", "TINYINT"), (r"uint16", "SMALLINT"), (r"uint32", "INT"), (r"uint64", "BIGINT"),
    (r"double", "DOUBLE"), (r"float", "FLOAT"), (r"halffloat", "FLOAT"), (r"string", "STRING"), (r"utf8", "STRING"),
    (r"bool", "BOOLEAN"), (r"binary", "BYTES"), (r"large_binary", "BYTES"),
]
_RANGES = {("-128", "127"): "TINYINT", ("-32768", "32767"): "SMALLINT", ("-2147483648", "2147483647"): "INT",
           ("-9223372036854775808", "9223372036854775807"): "BIGINT"}


def sql_type(arrow_name: str) -> str:
    """Flink's name of an Arrow type name ('int32' → 'INT'); the name itself when unknown."""
    for pattern, name in _TYPES:
        if re.fullmatch(pattern, arrow_name.strip()):
            return re.sub(pattern, name, arrow_name.strip())
    return arrow_name


def _sql_types_in(text: str) -> str:
    """Every Arrow type name in 'text' as its SQL name."""
    pattern = "|".join(f"(?:{p})" for p, _ in _TYPES)
    text = re.sub(r"\blist<item: ", "ARRAY<", text)
    return re.sub(rf"(?<![\w\[])(?:{pattern})(?![\w\]])", lambda m: sql_type(m.group(0)), text)


def _cast_advice(target: str) -> str:
    return f"(Flink's CAST fails too); use TRY_CAST(... AS {target}) to get NULL for such values"


def _not_a_value(match: "re.Match") -> str:
    target = sql_type(match.group(2))
    return f"cannot CAST '{match.group(1)}' to {target}: it is not a valid {target} {_cast_advice(target)}"


def _out_of_range(match: "re.Match") -> str:
    target = _RANGES.get((match.group(2), match.group(3)), f"a type of range {match.group(2)} to {match.group(3)}")
    return (f"cannot CAST {match.group(1)} to {target}: it is out of its range ({match.group(2)} to "
            f"{match.group(3)}); CAST to a wider type, or filter the value out")


def _no_kernel(match: "re.Match") -> str:
    function, types = match.group(1), _sql_types_in(match.group(2))
    cast = re.fullmatch(r"cast_(\w+)", function)
    if cast:
        return f"cannot CAST a value of type {types} to {sql_type(cast.group(1))}"
    return f"the function {function.upper()} does not take arguments of type ({types})"


_RULES: List[Tuple[str, Callable[["re.Match"], str]]] = [
    (r"Failed to parse string: '(.*)' as a scalar of type (.+?)$", _not_a_value),
    (r"The string '(.*)' is not a valid (decimal128)(?:\(\d+, \d+\))? number", _not_a_value),
    (r"Failed to parse value: (.*)$",
     lambda m: f"cannot CAST '{m.group(1)}' to BOOLEAN: it is not TRUE or FALSE {_cast_advice('BOOLEAN')}"),
    (r"Integer value (-?\d+) not in range: (-?\d+) to (-?\d+)", _out_of_range),
    (r"Float value (\S+) was truncated converting to (\S+)",
     lambda m: f"{m.group(1)} has a fraction, so it is not {sql_type(m.group(2))}; round it first (ROUND, FLOOR)"),
    (r"(?:^|(?<=: ))divide by zero$",
     lambda m: "division by zero (an integer divided by 0, which fails in Flink too); leave such rows out "
               "(WHERE divisor <> 0) or divide by NULLIF(divisor, 0) to get NULL"),
    (r"(?:^|(?<=: ))overflow$",
     lambda m: "integer overflow: the result does not fit its type; CAST an operand to BIGINT or DECIMAL first"),
    (r"Invalid UTF8 (?:payload|sequence.*)|invalid UTF8 data",
     lambda m: "the bytes are not valid UTF-8 text"),
    (r"Function '(\w+)' has no kernel matching input types \((.*)\)", _no_kernel),
    (r"Could not convert (.*) with type (\w+): tried to convert to (\S+)",
     lambda m: f"{m.group(1)} (a Python {m.group(2)}) is not {sql_type(m.group(3))}"),
    (r"Unsupported cast from (.+) to (\S+) using function \w+",
     lambda m: f"cannot CAST a value of type {_sql_types_in(m.group(1))} to {sql_type(m.group(2))}"),
]
_CLASS_NAMES = re.compile(r"(?:pyarrow\.lib\.)?Arrow(?:Invalid|TypeError|NotImplementedError|IndexError|"
                          r"KeyError|CapacityError|MemoryError|SerializationError|Exception)(?::\s*)?")


def rewrite(message: str) -> str:
    """'message' with Arrow's wording of a failure replaced by the user's (see the module)."""
    text = _CLASS_NAMES.sub("", message)
    for pattern, replace in _RULES:
        match = re.search(pattern, text)
        if match:
            return text[:match.start()] + replace(match) + text[match.end():]
    return text


def is_arrow_error(error: BaseException) -> bool:
    """True for pyarrow's exceptions (ArrowInvalid, ArrowTypeError, ...)."""
    return any(cls.__module__.startswith("pyarrow") for cls in type(error).__mro__ if cls is not object
               and cls.__name__.startswith("Arrow"))
