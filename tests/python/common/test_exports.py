from fluvial import common

# The names `from pyflink.common import ...` gives that fluvial.common provides.
PYFLINK_NAMES = [
    "ByteArraySchema",
    "Configuration",
    "DeserializationSchema",
    "Duration",
    "Encoder",
    "ExecutionConfig",
    "Instant",
    "RestartStrategies",
    "RestartStrategyConfiguration",
    "Row",
    "RowKind",
    "SerializationSchema",
    "SimpleStringSchema",
    "Time",
    "TimestampAssigner",
    "TypeInformation",
    "TypeSerializer",
    "Types",
    "WatermarkStrategy",
]


def test_package_exports_pyflink_names():
    assert sorted(common.__all__) == sorted(PYFLINK_NAMES)
    for name in PYFLINK_NAMES:
        assert getattr(common, name).__module__.startswith("fluvial.common.")


def test_submodules_match_pyflink_module_names():
    from fluvial.common.configuration import Configuration
    from fluvial.common.execution_config import ExecutionConfig
    from fluvial.common.serialization import Encoder
    from fluvial.common.time import Duration
    from fluvial.common.typeinfo import Types
    from fluvial.common.types import Row

    assert (Configuration, ExecutionConfig, Encoder, Duration, Types, Row) == (
        common.Configuration,
        common.ExecutionConfig,
        common.Encoder,
        common.Duration,
        common.Types,
        common.Row,
    )
