"""RuntimeExecutionMode: STREAMING (results as records arrive) or BATCH (final results of bounded input)."""

from enum import Enum

__all__ = ["RuntimeExecutionMode"]


class RuntimeExecutionMode(Enum):
    """How a job runs: STREAMING (results as records arrive) or BATCH (bounded input, final results).

    Examples:
        >>> from fluvial.datastream import RuntimeExecutionMode, StreamExecutionEnvironment
        >>> env = StreamExecutionEnvironment.get_execution_environment()
        >>> env = env.set_runtime_mode(RuntimeExecutionMode.BATCH)
        >>> list(env.from_collection([("a", 1), ("a", 2)]).key_by(lambda x: x[0]).sum(1).execute_and_collect())
        [('a', 3)]
    """

    STREAMING = 0
    BATCH = 1
    AUTOMATIC = 2
