"""ExternalizedCheckpointRetention, Flink 2.x's module for the retention of a cancelled
job's checkpoints (the same enum as checkpoint_config.ExternalizedCheckpointCleanup)."""

from fluvial.datastream.checkpoint_config import ExternalizedCheckpointRetention

__all__ = ["ExternalizedCheckpointRetention"]
