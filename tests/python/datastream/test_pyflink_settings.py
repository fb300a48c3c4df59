"""PyFlink settings Fluvial accepts without a JVM: state backends (heap state; RocksDB
said once on standard error), Flink 1.x's TimeCharacteristic, unaligned-checkpoint
settings, and the generic type parameters of the function, window and state classes."""

from typing import Iterable

import pytest

from fluvial import _notices
from fluvial.common import Configuration, Duration, Types
from fluvial.datastream import (
    EmbeddedRocksDBStateBackend,
    ExternalizedCheckpointRetention,
    FsStateBackend,
    HashMapStateBackend,
    KeyedBroadcastProcessFunction,
    MemoryStateBackend,
    PredefinedOptions,
    ProcessWindowFunction,
    RocksDBStateBackend,
    StreamExecutionEnvironment,
    TimeCharacteristic,
    WindowFunction,
)
from fluvial.datastream.state import ListState, MapState, ValueState
from fluvial.datastream.window import (
    CountWindow,
    MergingWindowAssigner,
    TimeWindow,
    Trigger,
    TumblingEventTimeWindows,
    WindowAssigner,
)
from fluvial.errors import InvalidJobError, UnsupportedFeatureError


@pytest.fixture(autouse=True)
def fresh_notices(monkeypatch):
    monkeypatch.setattr(_notices, "_shown", set())


def test_hash_map_state_backend_is_silent(capsys):
    env = StreamExecutionEnvironment.get_execution_environment()
    backend = HashMapStateBackend()
    assert env.set_state_backend(backend) is env and env.get_state_backend() is backend
    assert capsys.readouterr().err == ""


def test_rocksdb_backend_is_accepted_with_one_notice(env1, capsys):
    backend = EmbeddedRocksDBStateBackend(enable_incremental_checkpointing=True)
    backend.set_predefined_options(PredefinedOptions.FLASH_SSD_OPTIMIZED)
    backend.set_db_storage_paths("/tmp/a", "/tmp/b")
    EmbeddedRocksDBStateBackend()
    assert backend.is_incremental_checkpoints_enabled()
    assert backend.get_predefined_options() is PredefinedOptions.FLASH_SSD_OPTIMIZED
    assert backend.get_db_storage_paths() == ["/tmp/a", "/tmp/b"]
    err = capsys.readouterr().err
    assert err.count("RocksDB state backend is not there yet") == 1, err
    # The job keeps keyed state (on the heap) and gives the same results.
    env1.set_state_backend(backend)
    stream = env1.from_collection([("a", 1), ("b", 2), ("a", 3)]).key_by(lambda r: r[0]).sum(1)
    assert list(stream.execute_and_collect()) == [("a", 1), ("b", 2), ("a", 4)]


def test_rocksdb_from_configuration_says_so():
    config = Configuration()
    config.set_string("state.backend.type", "rocksdb")
    env = StreamExecutionEnvironment.get_execution_environment(config)
    assert isinstance(env.get_state_backend(), EmbeddedRocksDBStateBackend)
    config.set_string("state.backend.type", "rocksbd")
    with pytest.raises(InvalidJobError, match="state.backend.type' must be hashmap or rocksdb"):
        StreamExecutionEnvironment.get_execution_environment(config)


def test_flink_1_backends_with_a_directory_set_the_checkpoint_directory(tmp_path):
    env = StreamExecutionEnvironment.get_execution_environment()
    env.set_state_backend(FsStateBackend(f"file://{tmp_path}/fs"))
    assert env.get_checkpoint_config().get_checkpoint_storage_dir() == f"file://{tmp_path}/fs"
    env.set_state_backend(RocksDBStateBackend(str(tmp_path / "rocks")))
    assert env.get_checkpoint_config().get_checkpoint_storage_dir() == str(tmp_path / "rocks")
    assert MemoryStateBackend().get_max_state_size() == 5 * 1024 * 1024
    with pytest.raises(ValueError, match="FsStateBackend needs checkpoint_directory_uri"):
        FsStateBackend()
    with pytest.raises(TypeError, match="set_state_backend\\(\\) expects a StateBackend"):
        env.set_state_backend("rocksdb")


def test_custom_state_backend_is_refused():
    from fluvial.datastream import CustomStateBackend

    with pytest.raises(UnsupportedFeatureError, match="Java state backend"):
        CustomStateBackend(object())


def test_time_characteristic_is_accepted_and_read_back():
    env = StreamExecutionEnvironment.get_execution_environment()
    assert env.get_stream_time_characteristic() is TimeCharacteristic.EventTime
    env.set_stream_time_characteristic(TimeCharacteristic.ProcessingTime)
    assert env.get_stream_time_characteristic() is TimeCharacteristic.ProcessingTime
    with pytest.raises(TypeError, match="expects a TimeCharacteristic"):
        env.set_stream_time_characteristic("EventTime")


def test_unaligned_checkpoint_settings_are_kept_with_one_notice(capsys):
    env = StreamExecutionEnvironment.get_execution_environment()
    config = env.enable_checkpointing(1000).get_checkpoint_config()
    assert not config.is_unaligned_checkpoints_enabled()
    config.enable_unaligned_checkpoints()
    config.set_force_unaligned_checkpoints(True)
    config.set_aligned_checkpoint_timeout(Duration.of_seconds(2))
    assert config.is_unaligned_checkpoints_enabled() and env.is_unaligned_checkpoints_enabled()
    assert config.is_force_unaligned_checkpoints() and env.is_force_unaligned_checkpoints()
    assert config.get_alignment_timeout().to_milliseconds() == 2000
    config.disable_unaligned_checkpoints()
    assert not config.is_unaligned_checkpoints_enabled()
    assert capsys.readouterr().err.count("unaligned checkpoints are not supported yet") == 1
    config.set_externalized_checkpoint_retention(ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION)
    assert config.get_externalized_checkpoint_retention() is ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION
    with pytest.raises(TypeError, match="alignment_timeout must be a Duration"):
        config.set_aligned_checkpoint_timeout(2000)


def test_unaligned_checkpoints_from_configuration():
    config = Configuration()
    config.set_string("execution.checkpointing.unaligned", "true")
    env = StreamExecutionEnvironment.get_execution_environment(config)
    assert env.get_checkpoint_config().is_unaligned_checkpoints_enabled()


def test_function_window_and_state_classes_take_type_parameters(env1):
    # As Flink's own examples write them (pyflink/examples/datastream/windowing/*.py).
    class CountPerWindow(ProcessWindowFunction[tuple, tuple, str, TimeWindow]):
        def process(self, key: str, context: ProcessWindowFunction.Context[TimeWindow],
                    elements: Iterable[tuple]) -> Iterable[tuple]:
            return [(key, context.window().start, context.window().end, len(list(elements)))]

    class Sum(WindowFunction[tuple, tuple, str, CountWindow]):
        def apply(self, key, window, inputs):
            return [(key, sum(i[1] for i in inputs))]

    assert KeyedBroadcastProcessFunction[str, int, int, str] is not None
    assert Trigger[tuple, TimeWindow] is not None and WindowAssigner[tuple, TimeWindow] is not None
    assert issubclass(MergingWindowAssigner, WindowAssigner)
    assert ValueState[int] is not None and ListState[str] is not None and MapState[str, int] is not None

    from fluvial.common import Time, WatermarkStrategy
    from fluvial.common.watermark_strategy import TimestampAssigner

    class Stamp(TimestampAssigner):
        def extract_timestamp(self, value, record_timestamp):
            return value[1]

    strategy = WatermarkStrategy.for_monotonous_timestamps().with_timestamp_assigner(Stamp())
    events = env1.from_collection([("hi", 1), ("hi", 2), ("hi", 7)],
                                  type_info=Types.TUPLE([Types.STRING(), Types.INT()]))
    windows = (events.assign_timestamps_and_watermarks(strategy).key_by(lambda e: e[0])
               .window(TumblingEventTimeWindows.of(Time.milliseconds(5))).process(CountPerWindow()))
    assert list(windows.execute_and_collect()) == [("hi", 0, 5, 2), ("hi", 5, 10, 1)]
    counts = events.key_by(lambda e: e[0]).count_window(2).apply(Sum())
    assert list(counts.execute_and_collect()) == [("hi", 3)]
