"""CheckpointingMode: what a checkpoint guarantees (PyFlink's pyflink.datastream.CheckpointingMode)."""

from enum import Enum


class CheckpointingMode(Enum):
    """EXACTLY_ONCE aligns barriers at operators with several input channels, so a
    snapshot holds exactly the records before the barrier; AT_LEAST_ONCE passes barriers
    on without waiting, so records after a barrier may be in the snapshot and are
    replayed after a recovery.

    Examples:
        >>> from fluvial.datastream import StreamExecutionEnvironment
        >>> from fluvial.datastream.checkpointing_mode import CheckpointingMode
        >>> env = StreamExecutionEnvironment.get_execution_environment()
        >>> config = env.enable_checkpointing(1000, CheckpointingMode.AT_LEAST_ONCE).get_checkpoint_config()
        >>> config.get_checkpointing_mode()
        <CheckpointingMode.AT_LEAST_ONCE: 1>
    """

    EXACTLY_ONCE = 0
    AT_LEAST_ONCE = 1
