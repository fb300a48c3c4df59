"""CheckpointConfig (PyFlink's pyflink.datastream.CheckpointConfig): how often checkpoints are
taken, where they are stored and how many failures a job tolerates.

Every setting can also come from the environment's Configuration, under Flink's keys:
execution.checkpointing.interval / .mode / .timeout / .min-pause /
.max-concurrent-checkpoints / .tolerable-failed-checkpoints / .externalized-checkpoint-retention,
execution.checkpointing.dir or state.checkpoints.dir, and state.checkpoints.num-retained.
"""

from enum import Enum
from typing import Dict, Optional

from fluvial._notices import notice_once
from fluvial.common.restart_strategy import parse_duration_ms
from fluvial.common.time import Duration
from fluvial.datastream.checkpointing_mode import CheckpointingMode

__all__ = ["CheckpointConfig", "ExternalizedCheckpointCleanup", "ExternalizedCheckpointRetention"]


class ExternalizedCheckpointCleanup(Enum):
    """What happens to the checkpoints of a cancelled job (a failed or killed one always
    keeps them: that is what it recovers from).

    Examples:
        >>> from fluvial.datastream.checkpoint_config import CheckpointConfig, ExternalizedCheckpointCleanup
        >>> config = CheckpointConfig()
        >>> _ = config.set_externalized_checkpoint_cleanup(ExternalizedCheckpointCleanup.RETAIN_ON_CANCELLATION)
        >>> config.is_externalized_checkpoints_enabled()
        True
    """

    DELETE_ON_CANCELLATION = 0
    RETAIN_ON_CANCELLATION = 1
    NO_EXTERNALIZED_CHECKPOINTS = 2


# Flink 2.x's name of ExternalizedCheckpointCleanup (the same three modes).
ExternalizedCheckpointRetention = ExternalizedCheckpointCleanup


def _positive_millis(value, name: str, allow_zero: bool = False) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0 or (value == 0 and not allow_zero):
        kind = "non-negative" if allow_zero else "positive"
        raise ValueError(f"{name} must be a {kind} int (milliseconds), got {value!r}")
    return value


class CheckpointConfig:
    """How a job checkpoints: interval, mode, timeout, pauses, tolerated failures, retention.

    Examples:
        >>> from fluvial.datastream import StreamExecutionEnvironment
        >>> env = StreamExecutionEnvironment.get_execution_environment()
        >>> config = env.enable_checkpointing(5000).get_checkpoint_config()
        >>> config.set_checkpoint_timeout(60000).set_min_pause_between_checkpoints(1000) is config
        True
        >>> config.get_checkpoint_interval(), config.get_checkpoint_timeout(), config.is_checkpointing_enabled()
        (5000, 60000, True)
    """

    DEFAULT_TIMEOUT = 10 * 60 * 1000
    DEFAULT_MIN_PAUSE = 0
    DEFAULT_MAX_CONCURRENT = 1

    def __init__(self, configuration=None):
        self._interval = -1
        self._mode = CheckpointingMode.EXACTLY_ONCE
        self._timeout = self.DEFAULT_TIMEOUT
        self._min_pause = self.DEFAULT_MIN_PAUSE
        self._max_concurrent = self.DEFAULT_MAX_CONCURRENT
        self._tolerable_failures = 0
        self._cleanup = ExternalizedCheckpointCleanup.NO_EXTERNALIZED_CHECKPOINTS
        self._storage_dir: Optional[str] = None
        self._retained = 1
        self._unaligned = False
        self._force_unaligned = False
        self._aligned_timeout = Duration.of_millis(0)
        # Flink's s3.* options for an s3:// checkpoint directory (and savepoints).
        self._storage_options: Dict[str, str] = {}
        if configuration is not None:
            self._read(configuration)

    def _read(self, configuration) -> None:
        get = configuration.get_string
        prefix = "execution.checkpointing."
        if get(prefix + "interval"):
            self._interval = parse_duration_ms(get(prefix + "interval"), prefix + "interval")
        if get(prefix + "mode"):
            mode = get(prefix + "mode").strip().upper().replace("-", "_")
            if mode not in CheckpointingMode.__members__:
                raise ValueError(f"configuration '{prefix}mode': expected EXACTLY_ONCE or "
                                 f"AT_LEAST_ONCE, got {get(prefix + 'mode')!r}")
            self._mode = CheckpointingMode[mode]
        if get(prefix + "timeout"):
            self._timeout = parse_duration_ms(get(prefix + "timeout"), prefix + "timeout")
        if get(prefix + "min-pause"):
            self._min_pause = parse_duration_ms(get(prefix + "min-pause"), prefix + "min-pause")
        if get(prefix + "max-concurrent-checkpoints"):
            self._max_concurrent = int(get(prefix + "max-concurrent-checkpoints"))
        if get(prefix + "tolerable-failed-checkpoints"):
            self._tolerable_failures = int(get(prefix + "tolerable-failed-checkpoints"))
        retention = get(prefix + "externalized-checkpoint-retention")
        if retention:
            self._cleanup = ExternalizedCheckpointCleanup[retention.strip().upper()]
        self._storage_dir = get(prefix + "dir") or get("state.checkpoints.dir") or self._storage_dir
        from fluvial.datastream._checkpoint_storage import filesystem_options

        self._storage_options.update(filesystem_options(configuration))
        if (get(prefix + "unaligned") or "").strip().lower() == "true":
            self.enable_unaligned_checkpoints(True)
        if (get(prefix + "unaligned.forced") or "").strip().lower() == "true":
            self.set_force_unaligned_checkpoints(True)
        if get(prefix + "aligned-checkpoint-timeout"):
            self._aligned_timeout = Duration.of_millis(parse_duration_ms(
                get(prefix + "aligned-checkpoint-timeout"), prefix + "aligned-checkpoint-timeout"))
        if get("state.checkpoints.num-retained"):
            self.set_max_retained_checkpoints(int(get("state.checkpoints.num-retained")))

    def is_checkpointing_enabled(self) -> bool:
        return self._interval > 0

    def get_checkpointing_mode(self) -> CheckpointingMode:
        return self._mode

    def set_checkpointing_mode(self, checkpointing_mode: CheckpointingMode) -> "CheckpointConfig":
        if not isinstance(checkpointing_mode, CheckpointingMode):
            raise TypeError(f"expected a CheckpointingMode, got {checkpointing_mode!r}")
        self._mode = checkpointing_mode
        return self

    def get_checkpoint_interval(self) -> int:
        return self._interval

    def set_checkpoint_interval(self, checkpoint_interval: int) -> "CheckpointConfig":
        self._interval = _positive_millis(checkpoint_interval, "checkpoint_interval")
        return self

    def get_checkpoint_timeout(self) -> int:
        return self._timeout

    def set_checkpoint_timeout(self, checkpoint_timeout: int) -> "CheckpointConfig":
        self._timeout = _positive_millis(checkpoint_timeout, "checkpoint_timeout")
        return self

    def get_min_pause_between_checkpoints(self) -> int:
        return self._min_pause

    def set_min_pause_between_checkpoints(self, min_pause_between_checkpoints: int) -> "CheckpointConfig":
        self._min_pause = _positive_millis(min_pause_between_checkpoints,
                                           "min_pause_between_checkpoints", allow_zero=True)
        return self

    def get_max_concurrent_checkpoints(self) -> int:
        return self._max_concurrent

    def set_max_concurrent_checkpoints(self, max_concurrent_checkpoints: int) -> "CheckpointConfig":
        self._max_concurrent = _positive_millis(max_concurrent_checkpoints, "max_concurrent_checkpoints")
        return self

    def get_tolerable_checkpoint_failure_number(self) -> int:
        return self._tolerable_failures

    def set_tolerable_checkpoint_failure_number(self, tolerable_checkpoint_failure_number: int
                                                ) -> "CheckpointConfig":
        self._tolerable_failures = _positive_millis(
            tolerable_checkpoint_failure_number, "tolerable_checkpoint_failure_number", allow_zero=True)
        return self

    def is_fail_on_checkpointing_errors(self) -> bool:
        return self._tolerable_failures == 0

    def set_fail_on_checkpointing_errors(self, fail_on_checkpointing_errors: bool) -> "CheckpointConfig":
        self._tolerable_failures = 0 if fail_on_checkpointing_errors else 2 ** 31 - 1
        return self

    def enable_externalized_checkpoints(self, cleanup_mode: ExternalizedCheckpointCleanup
                                        ) -> "CheckpointConfig":
        return self.set_externalized_checkpoint_cleanup(cleanup_mode)

    def set_externalized_checkpoint_cleanup(self, cleanup_mode: ExternalizedCheckpointCleanup
                                            ) -> "CheckpointConfig":
        if not isinstance(cleanup_mode, ExternalizedCheckpointCleanup):
            raise TypeError(f"expected an ExternalizedCheckpointCleanup, got {cleanup_mode!r}")
        self._cleanup = cleanup_mode
        return self

    def set_externalized_checkpoint_retention(self, retention_mode: ExternalizedCheckpointCleanup
                                              ) -> "CheckpointConfig":
        """Flink 2.x's name of set_externalized_checkpoint_cleanup()."""
        return self.set_externalized_checkpoint_cleanup(retention_mode)

    def get_externalized_checkpoint_retention(self) -> Optional[ExternalizedCheckpointCleanup]:
        return self._cleanup

    def is_externalized_checkpoints_enabled(self) -> bool:
        return self._cleanup is not ExternalizedCheckpointCleanup.NO_EXTERNALIZED_CHECKPOINTS

    def get_externalized_checkpoint_cleanup(self) -> Optional[ExternalizedCheckpointCleanup]:
        return self._cleanup

    # Unaligned checkpoints let barriers overtake buffered records under backpressure.
    # Fluvial's checkpoints are always aligned; the settings are kept (a program reads
    # back what it set) and the first one that asks for unaligned checkpoints says so.

    def is_unaligned_checkpoints_enabled(self) -> bool:
        return self._unaligned

    def enable_unaligned_checkpoints(self, enabled: bool = True) -> "CheckpointConfig":
        if not isinstance(enabled, bool):
            raise TypeError(f"enable_unaligned_checkpoints(enabled) expects a bool, got {enabled!r}")
        if enabled:
            _notice_aligned()
        self._unaligned = enabled
        return self

    def disable_unaligned_checkpoints(self) -> "CheckpointConfig":
        return self.enable_unaligned_checkpoints(False)

    def set_aligned_checkpoint_timeout(self, alignment_timeout: Duration) -> "CheckpointConfig":
        if not isinstance(alignment_timeout, Duration):
            raise TypeError(f"alignment_timeout must be a Duration, such as Duration.of_seconds(1), "
                            f"got {type(alignment_timeout).__name__} {alignment_timeout!r}")
        self._aligned_timeout = alignment_timeout
        return self

    def get_aligned_checkpoint_timeout(self) -> Duration:
        return self._aligned_timeout

    def set_alignment_timeout(self, alignment_timeout: Duration) -> "CheckpointConfig":
        return self.set_aligned_checkpoint_timeout(alignment_timeout)

    def get_alignment_timeout(self) -> Duration:
        return self.get_aligned_checkpoint_timeout()

    def set_force_unaligned_checkpoints(self, force_unaligned_checkpoints: bool = True
                                        ) -> "CheckpointConfig":
        if not isinstance(force_unaligned_checkpoints, bool):
            raise TypeError(f"set_force_unaligned_checkpoints() expects a bool, "
                            f"got {force_unaligned_checkpoints!r}")
        if force_unaligned_checkpoints:
            _notice_aligned()
        self._force_unaligned = force_unaligned_checkpoints
        return self

    def is_force_unaligned_checkpoints(self) -> bool:
        return self._force_unaligned

    def set_checkpoint_storage_dir(self, checkpoint_path: str) -> "CheckpointConfig":
        """Stores checkpoints under 'checkpoint_path': a local path, file://, or s3:// (any
        URI pyarrow.fs opens). A job restarted with the same directory resumes from its
        latest complete checkpoint."""
        if not isinstance(checkpoint_path, str) or not checkpoint_path:
            raise ValueError(f"checkpoint_path must be a non-empty str, got {checkpoint_path!r}")
        self._storage_dir = checkpoint_path
        return self

    def get_checkpoint_storage_dir(self) -> Optional[str]:
        """Fluvial extra: the checkpoint directory, or None."""
        return self._storage_dir

    def set_max_retained_checkpoints(self, number: int) -> "CheckpointConfig":
        """Fluvial extra (Flink's state.checkpoints.num-retained): complete checkpoints kept."""
        if not isinstance(number, int) or number < 1:
            raise ValueError(f"the number of retained checkpoints must be a positive int, got {number!r}")
        self._retained = number
        return self

    def get_max_retained_checkpoints(self) -> int:
        return self._retained


def _notice_aligned() -> None:
    notice_once("unaligned-checkpoints",
                "unaligned checkpoints are not supported yet; checkpoints stay aligned "
                "(the job's results are the same)")
