"""A PyFlink method that a Fluvial class does not have yet fails with an error
naming it (UnsupportedFeatureError), not a bare AttributeError: a PyFlink
program run through `fluvial run` learns exactly what is missing."""

from typing import Any

from fluvial._pyflink_api import METHODS
from fluvial.errors import UnsupportedFeatureError


class RefusesUnsupportedPyFlinkMethods:
    """Mixin for the API classes that mirror PyFlink's (StreamExecutionEnvironment, DataStream, ...).

    The PyFlink class is the first class in the MRO whose name METHODS lists.
    """

    def __getattr__(self, name: str) -> Any:
        # Only reached when the ordinary lookup failed.
        if not name.startswith("_"):
            for klass in type(self).__mro__:
                if name in METHODS.get(klass.__name__, ()):
                    raise UnsupportedFeatureError(
                        f"{klass.__name__}.{name}() is not supported by Fluvial yet "
                        f"(see docs/pyflink-coverage.md)")
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")
