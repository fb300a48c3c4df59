"""EXACTLY_ONCE through the checkpoint contract, called directly on a writer: records
become visible to read_committed consumers only when their checkpoint is notified
complete; what was never committed is aborted."""

import pytest

from fluvial.common.serialization import SimpleStringSchema
from fluvial.datastream.connectors.base import DeliveryGuarantee
from fluvial.datastream.connectors.kafka import KafkaRecordSerializationSchema, KafkaSink

pytestmark = pytest.mark.slow


def exactly_once_sink(kafka, topic, prefix):
    record = (KafkaRecordSerializationSchema.builder().set_topic(topic)
              .set_value_serialization_schema(SimpleStringSchema()).build())
    return (KafkaSink.builder().set_bootstrap_servers(kafka.servers).set_record_serializer(record)
            .set_delivery_guarantee(DeliveryGuarantee.EXACTLY_ONCE).set_transactional_id_prefix(prefix)
            .build())


def committed_values(kafka, topic):
    return sorted(v.decode() for _, _, _, v in kafka.read(topic, "read_committed"))


def test_two_phase_commit_on_checkpoints(kafka):
    topic = kafka.topic()
    sink = exactly_once_sink(kafka, topic, f"tx-{topic}")
    writer = sink._create_writer(0, 1)
    writer.open()
    writer.write(["a1", "a2"])
    state = writer.snapshot_state(1)  # pre-commits a1, a2; b* go into the next transaction
    assert state["checkpoint_id"] == 1 and state["pending"] == [f"tx-{topic}-0-1"]
    writer.write(["b1"])
    assert committed_values(kafka, topic) == []
    writer.notify_checkpoint_complete(1)
    assert committed_values(kafka, topic) == ["a1", "a2"]
    writer.write(["b2"])
    state = writer.snapshot_state(2)
    writer.write(["c1"])
    writer.close()  # a failure before checkpoint 2 completed: 2 and 3 are aborted
    assert committed_values(kafka, topic) == ["a1", "a2"]
    # The aborted records reached the log (b1, b2 were flushed by snapshot 2; c1 may have
    # been dropped unsent by the abort) but read_committed never sees them.
    uncommitted = {v.decode() for _, _, _, v in kafka.read(topic, "read_uncommitted")}
    assert {"a1", "a2", "b1", "b2"} <= uncommitted <= {"a1", "a2", "b1", "b2", "c1"}

    # Recovery from checkpoint 1: the newer transactional ids are fenced (aborted), the
    # writer goes on with transaction 2, and a bounded end commits it.
    restored = sink._create_writer(0, 1)
    restored.restore_state({"prefix": f"tx-{topic}", "subtask": 0, "checkpoint_id": 1, "pending": []})
    restored.open()
    restored.write(["b1", "b2", "c1"])
    restored.finish()
    restored.close()
    assert committed_values(kafka, topic) == ["a1", "a2", "b1", "b2", "c1"]


def test_at_least_once_flushes_on_snapshot(kafka):
    topic = kafka.topic()
    record = (KafkaRecordSerializationSchema.builder().set_topic(topic)
              .set_value_serialization_schema(SimpleStringSchema()).build())
    sink = (KafkaSink.builder().set_bootstrap_servers(kafka.servers).set_record_serializer(record)
            .set_delivery_guarantee(DeliveryGuarantee.AT_LEAST_ONCE).build())
    writer = sink._create_writer(0, 1)
    writer.open()
    writer.write([f"v{i}" for i in range(500)])
    assert writer.snapshot_state(1) is None  # returns after every record is acknowledged
    assert len(kafka.read(topic, quiet_ms=300)) == 500
    writer.close()


def test_serialization_error_names_the_record(kafka):
    topic = kafka.topic()
    record = (KafkaRecordSerializationSchema.builder().set_topic(topic)
              .set_value_serialization_schema(SimpleStringSchema()).build())
    writer = KafkaSink.builder().set_bootstrap_servers(kafka.servers).set_record_serializer(record) \
        .build()._create_writer(0, 1)
    writer.open()
    with pytest.raises(Exception, match=f"KafkaSink \\(topic '{topic}'\\): cannot serialize record 42"):
        writer.write(["ok", 42])
    writer.close()


def crashed_after_checkpoint(kafka, topic, prefix, commit_first=0):
    """A writer that wrote checkpoints 1 and 2 (whose notifications it never got, or only
    the first 'commit_first' transactions of), then 'crashed': it is abandoned without
    close(), its producers still alive (a new producer of the same id fences them).
    Returns the writer and the state of checkpoint 2."""
    writer = exactly_once_sink(kafka, topic, prefix)._create_writer(0, 1)
    writer._enable_two_phase_commit("attempt")
    writer.open()
    writer.write(["a1", "a2"])
    writer.snapshot_state(1)
    writer.write(["b1"])
    state = writer.snapshot_state(2)
    writer.write(["c1"])  # after checkpoint 2: never part of a complete checkpoint
    for checkpoint in (1, 2)[:commit_first]:
        writer.notify_checkpoint_complete(checkpoint)
    return writer, state


def recover(kafka, topic, prefix, state):
    restored = exactly_once_sink(kafka, topic, prefix)._create_writer(0, 1)
    restored._enable_two_phase_commit("attempt")
    restored.restore_state(state)
    restored.open()
    return restored


@pytest.mark.parametrize("commit_first", [0, 1, 2])
def test_recovery_commits_a_completed_checkpoint_exactly_once(kafka, commit_first):
    # The checkpoint holds the records of its pending transactions; on recovery those whose
    # commit marker is missing are written again, those committed before the crash are not.
    topic = kafka.topic(partitions=2)
    prefix = f"tx-{topic}"
    crashed, state = crashed_after_checkpoint(kafka, topic, prefix, commit_first)
    assert [t["records"][0][1] for t in state["transactions"]] == [[b"a1", b"a2"], [b"b1"]]
    restored = recover(kafka, topic, prefix, state)
    assert committed_values(kafka, topic) == ["a1", "a2", "b1"]
    # Recovering from checkpoint 2 again (a crash right after the recovery) repeats nothing.
    again = recover(kafka, topic, prefix, state)
    assert committed_values(kafka, topic) == ["a1", "a2", "b1"]
    again.write(["c1"])  # replayed by the source
    again.snapshot_state(3)
    again.notify_checkpoint_complete(3)
    assert committed_values(kafka, topic) == ["a1", "a2", "b1", "c1"]
    for writer in (crashed, restored, again):
        writer.close()


def test_recovery_of_rescaled_states_and_final_checkpoint(kafka):
    # Two old subtasks' states handed to one writer (a rescale from 2 to 1), one of them
    # from the final checkpoint (2**62): each pending transaction is committed once.
    topic = kafka.topic()
    prefix = f"tx-{topic}"
    sink = exactly_once_sink(kafka, topic, prefix)
    states, writers = [], []
    for subtask, values in ((0, ["x0", "y0"]), (1, ["x1"])):
        writer = sink._create_writer(subtask, 2)
        writer._enable_two_phase_commit("attempt")
        writer.open()
        writer.write(values)
        states.append(writer.snapshot_state(5 if subtask == 0 else 2 ** 62))
        writers.append(writer)
    restored = sink._create_writer(0, 1)
    restored._enable_two_phase_commit("attempt")
    for state in states:
        restored.restore_state(state)
    restored.open()
    assert committed_values(kafka, topic) == ["x0", "x1", "y0"]
    for writer in (*writers, restored):
        writer.close()
