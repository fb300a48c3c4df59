"""RuntimeExecutionMode: STREAMING (results as records arrive) or BATCH (final results of bounded input)."""

from enum import Enum

__all__ = ["RuntimeExecutionMode"]


class RuntimeExecutionMode(Enum):
    STREAMING = 0
    BATCH = 1
    AUTOMATIC = 2
