"""Exceptions raised by Fluvial.

UnsupportedFeatureError is also an ImportError so that ``from pyflink.x import y`` and
``try: import ... except ImportError`` behave as they would for any missing module; and
InvalidJobError is also a ValueError, which is what PyFlink raises for malformed jobs.
"""


class FluvialError(Exception):
    """Base class of every Fluvial error."""


class UnsupportedFeatureError(FluvialError, ImportError):
    """A PyFlink module, name or option that Fluvial does not implement (yet)."""


class JobExecutionError(FluvialError):
    """The job failed while running."""


class UserFunctionError(JobExecutionError):
    """A user-defined function raised; the original exception is the __cause__."""


class InvalidJobError(FluvialError, ValueError):
    """The job graph or its configuration is invalid."""


class OutputTypeError(FluvialError, TypeError):
    """A user function returned a value that does not fit its declared output_type."""


class ConnectorError(FluvialError):
    """A source or sink could not read or write: a missing file, a bad record, an unreachable server."""
