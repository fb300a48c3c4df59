"""StreamExecutionEnvironment: where a DataStream job is defined and run."""

from typing import Any, Iterable, List, Optional

from fluvial._jvm_settings import IgnoresJvmSettings
from fluvial._unsupported import RefusesUnsupportedPyFlinkMethods
from fluvial.common.configuration import Configuration
from fluvial.common.execution_config import ExecutionConfig
from fluvial.common.io import InputFormat
from fluvial.common.restart_strategy import RestartStrategies, RestartStrategyConfiguration
from fluvial.common.restart_strategy import from_configuration as restart_from_configuration
from fluvial.common.typeinfo import TypeInformation
from fluvial.common.watermark_strategy import WatermarkStrategy
from fluvial.datastream._options import check_configuration
from fluvial.datastream._plan import SubtaskInfo, Transformation, plan_as_json, translate
from fluvial.datastream._recovery import default_restore_path
from fluvial.datastream._user_function import timestamp_spec
from fluvial.datastream.checkpoint_config import CheckpointConfig
from fluvial.datastream.checkpointing_mode import CheckpointingMode
from fluvial.datastream.connectors.base import Source, source_spec
from fluvial.datastream.connectors.metrics import JobMetrics
from fluvial.datastream.data_stream import DataStream
from fluvial.datastream.execution_mode import RuntimeExecutionMode
from fluvial.datastream.functions import RuntimeContext, SourceFunction
from fluvial.errors import InvalidJobError

__all__ = ["StreamExecutionEnvironment"]

DEFAULT_JOB_NAME = "Flink Streaming Job"


def _check_watermark_strategy(watermark_strategy: Any) -> None:
    if watermark_strategy is not None and not isinstance(watermark_strategy, WatermarkStrategy):
        raise TypeError(f"expected a WatermarkStrategy, got {type(watermark_strategy).__name__}")


class StreamExecutionEnvironment(IgnoresJvmSettings, RefusesUnsupportedPyFlinkMethods):
    """Builds a job from sources, operators and sinks; execute() runs it in this process.

    Unlike PyFlink, the default parallelism is 1 (set ``parallelism.default``
    or call set_parallelism): Python functions share one interpreter, so more
    threads rarely make a Python job faster.

    Examples:
        >>> from fluvial.common import Types
        >>> from fluvial.datastream import StreamExecutionEnvironment
        >>> env = StreamExecutionEnvironment.get_execution_environment()
        >>> env.get_parallelism()
        1
        >>> sink = env.from_collection([1, 2, 3], type_info=Types.INT()).map(lambda x: x * x).print()
        >>> result = env.execute("squares")
        1
        4
        9
    """

    def __init__(self, configuration: Optional[Configuration] = None):
        self._configuration = Configuration()
        if configuration is not None:
            self._configuration.add_all(configuration)
        check_configuration(self._configuration)
        self._config = ExecutionConfig()
        self._config.set_parallelism(int(self._configuration.get_string("parallelism.default", "1")))
        self._runtime_mode = RuntimeExecutionMode.STREAMING
        mode = self._configuration.get_string("execution.runtime-mode", "STREAMING").upper()
        if mode in RuntimeExecutionMode.__members__:
            self._runtime_mode = RuntimeExecutionMode[mode]
        self._chaining = True
        self._transformations: List[Transformation] = []
        self._processing_time_clock = None
        self._checkpoint_config = CheckpointConfig(self._configuration)
        self._restart_strategy: Optional[RestartStrategyConfiguration] = None

    @staticmethod
    def get_execution_environment(configuration: Optional[Configuration] = None
                                  ) -> "StreamExecutionEnvironment":
        return StreamExecutionEnvironment(configuration)

    # ------------------------------------------------------------ settings

    def get_config(self) -> ExecutionConfig:
        return self._config

    def get_configuration(self) -> Configuration:
        return self._configuration

    def configure(self, configuration: Configuration) -> "StreamExecutionEnvironment":
        check_configuration(configuration)
        self._configuration.add_all(configuration)
        self._checkpoint_config._read(self._configuration)
        return self

    # ------------------------------------------------------------ fault tolerance

    def enable_checkpointing(self, interval: int, mode: Optional[CheckpointingMode] = None
                             ) -> "StreamExecutionEnvironment":
        """Takes a checkpoint every 'interval' ms (see docs/fault-tolerance.md); 'mode' is
        EXACTLY_ONCE (the default) or AT_LEAST_ONCE."""
        self._checkpoint_config.set_checkpoint_interval(interval)
        if mode is not None:
            self._checkpoint_config.set_checkpointing_mode(mode)
        return self

    def get_checkpoint_config(self) -> CheckpointConfig:
        return self._checkpoint_config

    def get_checkpoint_interval(self) -> int:
        return self._checkpoint_config.get_checkpoint_interval()

    def get_checkpointing_mode(self) -> CheckpointingMode:
        return self._checkpoint_config.get_checkpointing_mode()

    def set_restart_strategy(self, restart_strategy_configuration: RestartStrategyConfiguration
                             ) -> "StreamExecutionEnvironment":
        if not isinstance(restart_strategy_configuration, RestartStrategyConfiguration):
            raise TypeError(f"set_restart_strategy() expects a configuration from "
                            f"RestartStrategies, got {restart_strategy_configuration!r}")
        self._restart_strategy = restart_strategy_configuration
        return self

    def get_restart_strategy(self) -> RestartStrategyConfiguration:
        if self._restart_strategy is not None:
            return self._restart_strategy
        configured = restart_from_configuration(self._configuration.get_string)
        return configured or RestartStrategies.fall_back_restart()

    def set_parallelism(self, parallelism: int) -> "StreamExecutionEnvironment":
        if not isinstance(parallelism, int) or parallelism < 1:
            raise ValueError(f"parallelism must be a positive int, got {parallelism!r}")
        self._config.set_parallelism(parallelism)
        return self

    def get_parallelism(self) -> int:
        return self._config.get_parallelism()

    def set_max_parallelism(self, max_parallelism: int) -> "StreamExecutionEnvironment":
        if not isinstance(max_parallelism, int) or not 0 < max_parallelism <= 32768:
            raise ValueError(f"max parallelism must be an int in [1, 32768], got {max_parallelism!r}")
        self._config.set_max_parallelism(max_parallelism)
        return self

    def get_max_parallelism(self) -> int:
        return self._config.get_max_parallelism()

    def set_runtime_mode(self, execution_mode: RuntimeExecutionMode) -> "StreamExecutionEnvironment":
        if not isinstance(execution_mode, RuntimeExecutionMode):
            raise TypeError(f"set_runtime_mode() expects a RuntimeExecutionMode, got {execution_mode!r}")
        self._runtime_mode = execution_mode
        return self

    def disable_operator_chaining(self) -> "StreamExecutionEnvironment":
        self._chaining = False
        return self

    def is_chaining_enabled(self) -> bool:
        return self._chaining

    def set_buffer_timeout(self, timeout_millis: int) -> "StreamExecutionEnvironment":
        return self  # batches leave a source as soon as it has no more at hand

    def _set_processing_time_clock(self, clock) -> "StreamExecutionEnvironment":
        """Fluvial extra, for tests: jobs read processing time from 'clock' (a
        fluvial._core.ManualClock) instead of the system clock."""
        self._processing_time_clock = clock
        return self

    # ------------------------------------------------------------ sources

    def from_collection(self, collection: Iterable[Any],
                        type_info: Optional[TypeInformation] = None) -> DataStream:
        """A bounded, non-parallel stream of the collection's elements, in order."""
        from fluvial.datastream._builtin import CollectionSource

        records = list(collection)
        if type_info is not None:
            validate = type_info.make_validator()
            for index, record in enumerate(records):
                try:
                    validate(record)
                except TypeError as error:
                    raise TypeError(f"from_collection(): element {index} does not fit type_info "
                                    f"{type_info.to_type_string()}: {error}; fix the element or the "
                                    f"type_info") from None
        return self.from_source(CollectionSource(records), None, "Collection Source", type_info)

    def from_source(self, source: Source, watermark_strategy: Any, source_name: str,
                    type_info: Optional[TypeInformation] = None) -> DataStream:
        """A stream read by 'source' (FileSource, NumberSequenceSource, ...)."""
        if not isinstance(source, Source):
            raise TypeError(f"from_source() expects a Source such as FileSource, got "
                            f"{type(source).__name__}")
        _check_watermark_strategy(watermark_strategy)

        def make_spec(info: SubtaskInfo) -> dict:
            reader = source._create_reader(info.index, info.parallelism)
            if info.metrics is not None:
                reader.metric_group = info.metrics.source_reader_group(info.operator_name, info.index)
            spec = source_spec(reader)
            spec.update(timestamp_spec(watermark_strategy))
            spec["min_chunk"] = info.min_source_chunk
            return spec

        transformation = Transformation(
            kind="source", name=source_name, make_spec=make_spec, is_source=True,
            bounded=source._is_bounded(), non_parallel=source._is_non_parallel(),
            output_type=type_info)
        self._add_transformation(transformation)
        return DataStream(self, transformation)

    def create_input(self, input_format: InputFormat,
                     type_info: Optional[TypeInformation] = None) -> DataStream:
        """A stream read by an InputFormat, such as AvroInputFormat (a bounded file input)."""
        if not isinstance(input_format, InputFormat):
            raise TypeError(f"create_input() expects an InputFormat such as AvroInputFormat, got "
                            f"{type(input_format).__name__}")
        return self.from_source(input_format._create_source(), None, "Custom File Source",
                                type_info or input_format.get_produced_type())

    def add_source(self, source_func: SourceFunction, source_name: str = "Custom Source",
                   type_info: Optional[TypeInformation] = None) -> DataStream:
        """A stream of what a Python SourceFunction's run() collects (non-parallel)."""
        from fluvial.datastream._builtin import SourceFunctionSource
        from fluvial.datastream._user_function import copy_for_subtask

        if isinstance(source_func, Source):  # a legacy source that is a Source, such as FlinkKafkaConsumer
            return self.from_source(source_func, None, source_name, type_info)
        if not isinstance(source_func, SourceFunction):
            raise TypeError(f"add_source() expects a SourceFunction, got {type(source_func).__name__}")
        source = SourceFunctionSource(source_func, bounded=True)

        def make_spec(info: SubtaskInfo) -> dict:
            function = copy_for_subtask(source_func, info.operator_name)
            context = RuntimeContext(info.operator_name, info.index, info.parallelism,
                                     info.max_parallelism, info.job_parameters)
            return source_spec(source.create_reader_with_context(function, context))

        transformation = Transformation(
            kind="source", name=source_name, make_spec=make_spec, is_source=True,
            non_parallel=True, output_type=type_info)
        self._add_transformation(transformation)
        return DataStream(self, transformation)

    # ------------------------------------------------------------ running

    def get_execution_plan(self) -> str:
        """The job's operators and edges as JSON (Flink's execution plan format)."""
        return plan_as_json(self._translate(self._transformations))

    def describe_execution_plan(self) -> str:
        """Fluvial extra: the plan as the engine runs it, with its chains, as text."""
        from fluvial.datastream._job import _core

        return _core().describe_plan("plan", self._translate(self._transformations))

    def execute(self, job_name: Optional[str] = None):
        """Runs the job to its end and returns a JobExecutionResult; raises if it fails."""
        job = self._start(job_name, self._take_transformations())
        try:
            return job.result()
        except KeyboardInterrupt:
            job.cancel()
            job.wait()
            raise

    def execute_async(self, job_name: str = DEFAULT_JOB_NAME):
        """Starts the job and returns a JobClient at once."""
        from fluvial.datastream._job import JobClient

        return JobClient(self._start(job_name, self._take_transformations()))

    def close(self) -> None:
        self._transformations.clear()

    def _execute_collect(self, job_name: Optional[str], collect: Transformation, buffer):
        from fluvial.datastream._job import CloseableIterator

        job = self._start(job_name, self._take_transformations() + [collect])
        return CloseableIterator(job, buffer)

    def _add_transformation(self, transformation: Transformation) -> None:
        self._transformations.append(transformation)

    def _take_transformations(self) -> List[Transformation]:
        # Like Flink, a job runs what was defined since the last execute().
        taken, self._transformations = self._transformations, []
        return taken

    def _translate(self, transformations: List[Transformation], metrics: Optional[JobMetrics] = None):
        if not transformations:
            raise InvalidJobError("no operators defined: add a source and a sink (print(), "
                                  "sink_to(), add_sink()) before calling execute()")
        batch_mode = self._runtime_mode is RuntimeExecutionMode.BATCH
        if batch_mode:
            for transformation in transformations:
                if transformation.is_source and not transformation.bounded:
                    raise InvalidJobError(
                        f"BATCH execution needs bounded sources, but '{transformation.name}' is "
                        f"unbounded (e.g. a FileSource with monitor_continuously); use STREAMING")
        parameters = self._config.get_global_job_parameters() or {}
        return translate(transformations, default_parallelism=self.get_parallelism(),
                         default_max_parallelism=self.get_max_parallelism(),
                         job_parameters={str(k): str(v) for k, v in parameters.items()},
                         batch_mode=batch_mode, chaining=self._chaining, metrics=metrics)

    def _recovery(self):
        from fluvial.datastream._recovery import Recovery

        strategy = self._restart_strategy
        if strategy is None or isinstance(strategy, RestartStrategies.FallbackRestartStrategyConfiguration):
            strategy = restart_from_configuration(self._configuration.get_string)
        restore_path = (self._configuration.get_string("execution.savepoint.path")
                        or default_restore_path())
        return Recovery.create(self._checkpoint_config, strategy, restore_path)

    def _start(self, job_name: Optional[str], transformations: List[Transformation]):
        from fluvial.datastream._job import RunningJob

        metrics = JobMetrics()
        nodes = self._translate(transformations, metrics)
        job = RunningJob(job_name or DEFAULT_JOB_NAME, nodes, clock=self._processing_time_clock,
                         metrics=metrics, recovery=self._recovery())
        job.start()
        return job
