"""CheckpointingMode: what a checkpoint guarantees (PyFlink's pyflink.datastream.CheckpointingMode)."""

from enum import Enum


class CheckpointingMode(Enum):
    """EXACTLY_ONCE aligns barriers at operators with several input channels, so a
    snapshot holds exactly the records before the barrier; AT_LEAST_ONCE passes barriers
    on without waiting, so records after a barrier may be in the snapshot and are
    replayed after a recovery."""

    EXACTLY_ONCE = 0
    AT_LEAST_ONCE = 1
