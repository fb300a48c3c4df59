"""The configuration options Fluvial reads, checked when an environment takes a
Configuration: a value it cannot use, or a key that is a near miss of one of these (a
misspelling Fluvial would otherwise ignore silently), is an InvalidJobError. Any other key
is accepted and ignored, as Flink accepts options it does not know. Add an option here
when Fluvial starts reading it."""

import difflib
from typing import Callable, Dict, Tuple

from fluvial import _jvm_settings
from fluvial.common.configuration import Configuration
from fluvial.errors import InvalidJobError

_RUNTIME_MODES = ("STREAMING", "BATCH", "AUTOMATIC")

# key -> (what its value must be, the check of its string value)
OPTIONS: Dict[str, Tuple[str, Callable[[str], bool]]] = {
    "parallelism.default": ("a positive integer", lambda value: value.strip().isdigit() and int(value) > 0),
    "execution.runtime-mode": (" or ".join(_RUNTIME_MODES), lambda value: value.upper() in _RUNTIME_MODES),
    # Accepted settings Fluvial cannot honour yet (each says so once, see fluvial._notices).
    "execution.checkpointing.unaligned": ("true or false", lambda value: value.strip().lower() in ("true", "false")),
    "state.backend.type": ("hashmap or rocksdb", lambda value: value.strip().lower() in ("hashmap", "rocksdb")),
    # S3 checkpoint storage (fluvial.datastream._checkpoint_storage.filesystem_options).
    "s3.endpoint": ("a URL such as http://127.0.0.1:9000", lambda value: bool(value.strip())),
    "s3.access-key": ("a non-empty key id", lambda value: bool(value.strip())),
    "s3.secret-key": ("a non-empty secret", lambda value: bool(value.strip())),
    "s3.path.style.access": ("true or false", lambda value: value.strip().lower() in ("true", "false")),
    "s3.region": ("an AWS region such as us-east-1", lambda value: bool(value.strip())),
}


def check_configuration(configuration: Configuration) -> None:
    """Raises InvalidJobError for a bad value of a known option or a misspelled option."""
    for key in sorted(configuration.key_set()):
        value = configuration.get_string(key)
        if key in _jvm_settings.JVM_KEYS:
            _jvm_settings.ignore_keys([key])
            continue
        if key in OPTIONS:
            expected, fits = OPTIONS[key]
            if not fits(value):
                raise InvalidJobError(f"configuration option '{key}' must be {expected}, got {value!r}")
            continue
        near = difflib.get_close_matches(key, OPTIONS, n=1, cutoff=0.8)
        if near:
            raise InvalidJobError(
                f"unknown configuration option '{key}' (value {value!r}): did you mean '{near[0]}'? "
                f"Fluvial would ignore '{key}'; fix the name")
