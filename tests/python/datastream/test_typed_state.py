"""State written with its declared type's serializer: a keyed job with every kind of state
checkpointed at parallelism 2 and resumed at 3 ends with the plain-Python reference state;
a savepoint of the earlier all-pickle format still restores; a changed declared type and a
value that does not fit fail clearly."""

import os
import shutil
import sys

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "fault_tolerance"))

import typed_state_job  # noqa: E402
from typed_state_job import PICKLED_SAVEPOINT_KEY, build, reference, take_savepoint  # noqa: E402

from fluvial.common import Configuration, Types  # noqa: E402
from fluvial.datastream import KeyedProcessFunction, StreamExecutionEnvironment  # noqa: E402
from fluvial.datastream._checkpoint_storage import CheckpointStorage, open_restore_path  # noqa: E402
from fluvial.datastream._state_serialization import SerializedState  # noqa: E402
from fluvial.datastream.state import ValueStateDescriptor  # noqa: E402
from fluvial.errors import InvalidJobError, JobExecutionError  # noqa: E402

PICKLED_SAVEPOINT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fault_tolerance",
                                 "pickled_savepoint")
STATES = ("count", "sums", "last", "largest")


def _resume(savepoint, checkpoints, parallelism=3, count_type=None):
    configuration = Configuration()
    configuration.set_string("execution.savepoint.path", str(savepoint))
    env = StreamExecutionEnvironment.get_execution_environment(configuration)
    env.set_parallelism(parallelism)
    env.enable_checkpointing(30)
    env.get_checkpoint_config().set_checkpoint_storage_dir(str(checkpoints))
    build(env, count_type=count_type)
    env.execute("typed state, after")
    return CheckpointStorage(str(checkpoints)).latest()


def _final_state(checkpoint):
    """{key: (count, sums, last, largest)} from the checkpoint's four states."""
    entries = {name: checkpoint.state_entries("uid:every-state", name) for name in STATES}
    keys = {key for (key, _) in entries["count"]}
    return {key: tuple(entries[name][(key, None)] for name in STATES) for key in keys}


@pytest.fixture
def typed_savepoint(tmp_path):
    """A savepoint of the job at parallelism 2, taken midway."""
    return take_savepoint(str(tmp_path / "typed"), parallelism=2)


def test_typed_state_resumes_at_another_parallelism_with_the_reference_state(typed_savepoint, tmp_path):
    # The savepoint holds the four states as SerializedState blobs, one per key group, and
    # its metadata names each state's serializer and version.
    _, savepoint = open_restore_path(typed_savepoint)
    for subtask_state in savepoint.states_of("uid:every-state").values():
        for parts in subtask_state["keyed"].values():
            assert {name: type(values) for name, (_, values) in parts["tables"].items()} == \
                {name: SerializedState for name in STATES}
    recorded = {}
    for entry in savepoint.operators["uid:every-state"]["files"]:
        recorded.update(entry["serializers"])
    assert recorded == {
        "count": "IntSerializer v1 INT",
        "sums": "MapSerializer v1 MAP<STRING, LONG>",
        "last": "ListSerializer v1 LIST<ROW<index INT, value INT>>",
        "largest": "LongSerializer v1 LONG",
    }
    partial = _final_state(savepoint)
    _, expected = reference()
    assert partial and all(state[0] < expected[key][0] for key, state in partial.items()), \
        "the savepoint was taken after the job had finished"

    final = _resume(typed_savepoint, tmp_path / "chk", parallelism=3)
    assert final.operators["uid:every-state"]["parallelism"] == 3
    assert _final_state(final) == expected


def test_a_savepoint_of_the_all_pickle_format_still_restores(tmp_path, monkeypatch):
    # Written by the checkpoint format before typed serializers (see typed_state_job.py).
    monkeypatch.setenv("FLUVIAL_CHECKPOINT_KEY", PICKLED_SAVEPOINT_KEY)
    savepoint = tmp_path / "pickled"
    shutil.copytree(PICKLED_SAVEPOINT, savepoint)
    # Written before keys were derived: verified with the key itself, and said so.
    with pytest.warns(RuntimeWarning, match="written before Fluvial bound checkpoints to their directory"):
        _, old = open_restore_path(str(savepoint))
    for subtask_state in old.states_of("uid:every-state").values():
        for parts in subtask_state["keyed"].values():
            assert all(isinstance(values, dict) for _, values in parts["tables"].values())
    assert not any("serializers" in entry for entry in old.operators["uid:every-state"]["files"])

    final = _resume(savepoint, tmp_path / "chk", parallelism=3)
    _, expected = reference()
    assert _final_state(final) == expected
    # The new checkpoints use the declared types' serializers.
    for subtask_state in final.states_of("uid:every-state").values():
        for parts in subtask_state["keyed"].values():
            assert all(isinstance(values, SerializedState) for _, values in parts["tables"].values())


def test_a_changed_declared_type_fails_naming_the_state_and_both_types(typed_savepoint, tmp_path):
    with pytest.raises(JobExecutionError) as caught:
        _resume(typed_savepoint, tmp_path / "chk", parallelism=2, count_type=Types.STRING())
    message = str(caught.value)
    assert ("state 'count' was checkpointed as ValueState<INT> but is now declared as "
            "ValueState<STRING>") in message, message
    assert isinstance(caught.value.__cause__, InvalidJobError) or "InvalidJobError" in message


class StoresText(KeyedProcessFunction):
    def open(self, runtime_context):
        self.state = runtime_context.get_state(ValueStateDescriptor("amount", Types.INT()))

    def process_element(self, value, ctx):
        self.state.update("seven" if value == 7 else value)
        yield value


def test_a_value_that_does_not_fit_the_declared_type_fails_the_snapshot(tmp_path):
    env = StreamExecutionEnvironment.get_execution_environment()
    env.set_parallelism(1)
    env.enable_checkpointing(1000)
    env.get_checkpoint_config().set_checkpoint_storage_dir(str(tmp_path / "chk"))
    env.from_collection(list(range(10))).key_by(lambda n: n % 3) \
        .process(StoresText(), output_type=Types.INT()).print()
    with pytest.raises(JobExecutionError) as caught:
        env.execute("wrong state value")
    message = str(caught.value)
    assert ("state 'amount' (ValueState<INT>) holds a value that does not fit its declared "
            "type, for key 1: expected INT (a Python int in [-2147483648, 2147483647]), got "
            "str 'seven'") in message, message
    assert not os.path.exists(tmp_path / "chk" / "chk-1" / "_metadata")


def test_typed_state_job_reference_is_independent():
    # The reference replays the generator in plain Python: same number of lines as records.
    lines, state = reference()
    assert len(lines) == typed_state_job.SPLITS * typed_state_job.PER_SPLIT
    assert sum(count for count, *_ in state.values()) == len(lines)


def test_ttl_states_are_written_with_their_stamps_and_a_ttl_change_is_refused():
    from fluvial.common import Time
    from fluvial.common.serializer import serializer_for
    from fluvial.datastream._state_serialization import (
        check_compatible,
        declared_type,
        serialize_entries,
        stored_type,
    )
    from fluvial.datastream.state import ListStateDescriptor, MapStateDescriptor, StateTtlConfig

    ttl = StateTtlConfig.new_builder(Time.seconds(5)).build()
    cases = [
        (ValueStateDescriptor("v", Types.INT()), {("a", None): (7, 1000)}),
        (ListStateDescriptor("l", Types.STRING()), {("a", None): [("x", 1000), ("y", 1001)]}),
        (MapStateDescriptor("m", Types.STRING(), Types.LONG()),
         {("a", None): {"k": (3, 1000)}, ("b", "window"): {"j": (None, 1002)}}),
    ]
    for descriptor, entries in cases:
        descriptor.enable_time_to_live(ttl)
        serializer = serializer_for(stored_type(descriptor))
        blob = serialize_entries(descriptor.name, declared_type(descriptor), serializer, entries)
        assert blob.decode(descriptor.name) == entries
        plain = type(descriptor)(descriptor.name, *([Types.STRING(), Types.LONG()]
                                                     if isinstance(descriptor, MapStateDescriptor)
                                                     else [descriptor.type_info]))
        with pytest.raises(InvalidJobError, match=f"state '{descriptor.name}' was checkpointed as "
                           f".* with TTL but is now declared as [A-Za-z]+State<[A-Z, ]+>:"):
            check_compatible(descriptor.name, blob, serializer_for(stored_type(plain)),
                             declared_type(plain))
