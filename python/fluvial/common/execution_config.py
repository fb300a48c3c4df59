"""ExecutionConfig: job-wide execution settings, held in Python and read by the engine at submit."""

from typing import Any

from fluvial._unsupported import RefusesUnsupportedPyFlinkMethods

__all__ = ["ExecutionConfig"]

# Flink's upper bound on max parallelism (the number of key groups), 2^15.
_UPPER_BOUND_MAX_PARALLELISM = 1 << 15


def _check_int(argument: str, value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(
            f"{argument} must be an int, got {type(value).__name__} {value!r}"
        )
    return int(value)


class ExecutionConfig(RefusesUnsupportedPyFlinkMethods):
    """Execution settings of a job: parallelism, watermark and latency intervals, object reuse,
    global job parameters. Defaults are Flink's.

    Examples:
        >>> from fluvial.datastream import StreamExecutionEnvironment
        >>> config = StreamExecutionEnvironment.get_execution_environment().get_config()
        >>> config.set_auto_watermark_interval(500).get_auto_watermark_interval()
        500
        >>> config.enable_object_reuse().is_object_reuse_enabled()
        True
    """

    # Use the environment's default parallelism.
    PARALLELISM_DEFAULT = -1
    # An unset parallelism; not a valid value to set.
    PARALLELISM_UNKNOWN = -2

    def __init__(self) -> None:
        self._parallelism = ExecutionConfig.PARALLELISM_DEFAULT
        self._max_parallelism = -1
        self._auto_watermark_interval = 200
        self._latency_tracking_interval = 0
        self._object_reuse = False
        self._global_job_parameters: dict[str, str] = {}
        self._task_cancellation_interval = 30_000
        self._task_cancellation_timeout = 180_000
        self._auto_generated_uids = True
        self._use_snapshot_compression = False
        self._closure_cleaner = True

    def get_parallelism(self) -> int:
        """Returns the default operator parallelism, or PARALLELISM_DEFAULT if unset."""
        return self._parallelism

    def set_parallelism(self, parallelism: int) -> "ExecutionConfig":
        parallelism = _check_int("parallelism", parallelism)
        if parallelism < 1 and parallelism != ExecutionConfig.PARALLELISM_DEFAULT:
            raise ValueError(
                f"parallelism must be at least 1, or ExecutionConfig.PARALLELISM_DEFAULT (-1), got {parallelism}"
            )
        self._parallelism = parallelism
        return self

    def get_max_parallelism(self) -> int:
        """Returns the upper limit for rescaling (the number of key groups), or -1 if unset."""
        return self._max_parallelism

    def set_max_parallelism(self, max_parallelism: int) -> "ExecutionConfig":
        max_parallelism = _check_int("max_parallelism", max_parallelism)
        if not 0 < max_parallelism <= _UPPER_BOUND_MAX_PARALLELISM:
            raise ValueError(
                f"max_parallelism must be in [1, {_UPPER_BOUND_MAX_PARALLELISM}], got {max_parallelism}"
            )
        self._max_parallelism = max_parallelism
        return self

    def get_auto_watermark_interval(self) -> int:
        """Returns the periodic watermark interval in milliseconds; 0 disables periodic watermarks."""
        return self._auto_watermark_interval

    def set_auto_watermark_interval(self, interval: int) -> "ExecutionConfig":
        interval = _check_int("interval", interval)
        if interval < 0:
            raise ValueError(
                f"auto watermark interval must not be negative, got {interval} ms"
            )
        self._auto_watermark_interval = interval
        return self

    def get_latency_tracking_interval(self) -> int:
        """Returns the latency marker interval in milliseconds; <= 0 means disabled."""
        return self._latency_tracking_interval

    def set_latency_tracking_interval(self, interval: int) -> "ExecutionConfig":
        self._latency_tracking_interval = _check_int("interval", interval)
        return self

    def enable_object_reuse(self) -> "ExecutionConfig":
        """Lets operators pass the same record object downstream without copying."""
        self._object_reuse = True
        return self

    def disable_object_reuse(self) -> "ExecutionConfig":
        self._object_reuse = False
        return self

    def is_object_reuse_enabled(self) -> bool:
        return self._object_reuse

    def get_global_job_parameters(self) -> dict[str, str]:
        """Returns a copy of the global job parameters."""
        return dict(self._global_job_parameters)

    def set_global_job_parameters(
        self, global_job_parameters_dict: dict
    ) -> "ExecutionConfig":
        """Replaces the global job parameters; values are stored as strings, as in PyFlink."""
        if not isinstance(global_job_parameters_dict, dict):
            raise TypeError(
                "global_job_parameters_dict must be a dict, "
                f"got {type(global_job_parameters_dict).__name__} {global_job_parameters_dict!r}"
            )
        parameters = {}
        for key, value in global_job_parameters_dict.items():
            if not isinstance(key, str):
                raise TypeError(
                    f"global job parameter keys must be str, got {type(key).__name__} {key!r}"
                )
            parameters[key] = value if isinstance(value, str) else str(value)
        self._global_job_parameters = parameters
        return self

    def get_task_cancellation_interval(self) -> int:
        """Returns the interval in milliseconds between attempts to cancel a running task."""
        return self._task_cancellation_interval

    def set_task_cancellation_interval(self, interval: int) -> "ExecutionConfig":
        self._task_cancellation_interval = _check_int("interval", interval)
        return self

    def get_task_cancellation_timeout(self) -> int:
        """Returns the cancellation timeout in milliseconds; 0 disables it."""
        return self._task_cancellation_timeout

    def set_task_cancellation_timeout(self, timeout: int) -> "ExecutionConfig":
        timeout = _check_int("timeout", timeout)
        if timeout < 0:
            raise ValueError(
                f"task cancellation timeout must not be negative, got {timeout} ms"
            )
        self._task_cancellation_timeout = timeout
        return self

    def enable_auto_generated_uids(self) -> "ExecutionConfig":
        self._auto_generated_uids = True
        return self

    def disable_auto_generated_uids(self) -> "ExecutionConfig":
        """Requires every operator to be given a uid explicitly."""
        self._auto_generated_uids = False
        return self

    def has_auto_generated_uids_enabled(self) -> bool:
        return self._auto_generated_uids

    def is_use_snapshot_compression(self) -> bool:
        return self._use_snapshot_compression

    def set_use_snapshot_compression(
        self, use_snapshot_compression: bool
    ) -> "ExecutionConfig":
        if not isinstance(use_snapshot_compression, bool):
            raise TypeError(
                "use_snapshot_compression must be a bool, "
                f"got {type(use_snapshot_compression).__name__} {use_snapshot_compression!r}"
            )
        self._use_snapshot_compression = use_snapshot_compression
        return self

    def __eq__(self, other) -> bool:
        return isinstance(other, ExecutionConfig) and vars(self) == vars(other)

    def __hash__(self) -> int:
        # By content, as PyFlink's (the Java object's hashCode): equal configs hash equally.
        return hash(tuple((name, repr(value)) for name, value in sorted(vars(self).items())))

    # The closure cleaner strips Java lambdas of unused outer references; Python functions
    # are pickled whole, in PyFlink as here, so the flag is kept only to be read back.
    def enable_closure_cleaner(self) -> "ExecutionConfig":
        self._closure_cleaner = True
        return self

    def disable_closure_cleaner(self) -> "ExecutionConfig":
        self._closure_cleaner = False
        return self

    def is_closure_cleaner_enabled(self) -> bool:
        return self._closure_cleaner

    def __repr__(self) -> str:
        settings = ", ".join(
            f"{name.lstrip('_')}={value!r}" for name, value in vars(self).items()
        )
        return f"ExecutionConfig({settings})"
