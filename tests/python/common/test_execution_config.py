import pickle

import pytest

from fluvial.common import ExecutionConfig


def test_defaults_are_flinks():
    config = ExecutionConfig()
    assert config.get_parallelism() == ExecutionConfig.PARALLELISM_DEFAULT == -1
    assert config.get_max_parallelism() == -1
    assert config.get_auto_watermark_interval() == 200
    assert config.get_latency_tracking_interval() == 0
    assert config.is_object_reuse_enabled() is False
    assert config.get_global_job_parameters() == {}
    assert config.get_task_cancellation_interval() == 30_000
    assert config.get_task_cancellation_timeout() == 180_000
    assert config.has_auto_generated_uids_enabled() is True
    assert config.is_use_snapshot_compression() is False


def test_setters_chain_and_stick():
    config = (
        ExecutionConfig()
        .set_parallelism(4)
        .set_max_parallelism(128)
        .set_auto_watermark_interval(0)
        .set_latency_tracking_interval(-1)
        .enable_object_reuse()
        .set_task_cancellation_interval(10)
        .set_task_cancellation_timeout(0)
        .disable_auto_generated_uids()
        .set_use_snapshot_compression(True)
    )
    assert config.get_parallelism() == 4
    assert config.get_max_parallelism() == 128
    assert config.get_auto_watermark_interval() == 0
    assert config.get_latency_tracking_interval() == -1
    assert config.is_object_reuse_enabled() is True
    assert config.get_task_cancellation_interval() == 10
    assert config.get_task_cancellation_timeout() == 0
    assert config.has_auto_generated_uids_enabled() is False
    assert config.is_use_snapshot_compression() is True
    config.disable_object_reuse().enable_auto_generated_uids()
    assert not config.is_object_reuse_enabled()
    assert config.has_auto_generated_uids_enabled()
    config.set_parallelism(ExecutionConfig.PARALLELISM_DEFAULT)
    assert config.get_parallelism() == -1


@pytest.mark.parametrize(
    "call, error, message",
    [
        (
            lambda c: c.set_parallelism(0),
            ValueError,
            "parallelism must be at least 1, or ExecutionConfig.PARALLELISM_DEFAULT (-1), got 0",
        ),
        (lambda c: c.set_parallelism(-2), ValueError, "got -2"),
        (
            lambda c: c.set_parallelism(2.0),
            TypeError,
            "parallelism must be an int, got float 2.0",
        ),
        (
            lambda c: c.set_max_parallelism(0),
            ValueError,
            "max_parallelism must be in [1, 32768], got 0",
        ),
        (lambda c: c.set_max_parallelism(32769), ValueError, "got 32769"),
        (
            lambda c: c.set_auto_watermark_interval(-1),
            ValueError,
            "auto watermark interval must not be negative, got -1 ms",
        ),
        (
            lambda c: c.set_task_cancellation_timeout(-5),
            ValueError,
            "must not be negative, got -5 ms",
        ),
        (
            lambda c: c.set_use_snapshot_compression(1),
            TypeError,
            "must be a bool, got int 1",
        ),
        (
            lambda c: c.set_global_job_parameters([("a", 1)]),
            TypeError,
            "must be a dict, got list",
        ),
        (
            lambda c: c.set_global_job_parameters({1: "a"}),
            TypeError,
            "keys must be str, got int 1",
        ),
    ],
)
def test_bad_settings_are_refused_with_the_value(call, error, message):
    config = ExecutionConfig()
    with pytest.raises(error) as info:
        call(config)
    assert message in str(info.value)
    assert config == ExecutionConfig()


def test_global_job_parameters_are_strings_and_copied():
    config = ExecutionConfig()
    parameters = {"name": "job", "retries": 3, "debug": True}
    config.set_global_job_parameters(parameters)
    parameters["name"] = "changed"
    assert config.get_global_job_parameters() == {
        "name": "job",
        "retries": "3",
        "debug": "True",
    }
    config.get_global_job_parameters()["name"] = "changed"
    assert config.get_global_job_parameters()["name"] == "job"


def test_equality_repr_and_pickle():
    config = ExecutionConfig().set_parallelism(2)
    assert config == pickle.loads(pickle.dumps(config))
    assert config != ExecutionConfig()
    assert "parallelism=2" in repr(config)
