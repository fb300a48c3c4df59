"""The FileSource resumes from checkpoints: the split position of every file being read
(list state) and the processed paths (union state), for every format, after a failure,
after a savepoint resumed at another parallelism and with continuous monitoring.
Results are compared with plain-Python references: nothing lost, nothing twice."""

import os
import sys
import time
from collections import Counter
from datetime import timedelta

import fastavro
import pyarrow as pa
import pyarrow.orc as pa_orc
import pyarrow.parquet as pq
import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "fault_tolerance"))

from generator_job import committed_lines  # noqa: E402

from fluvial.common import Configuration, Duration, Encoder, RestartStrategies, Types  # noqa: E402
from fluvial.datastream import MapFunction, StreamExecutionEnvironment  # noqa: E402
from fluvial.datastream._checkpointing import redistribute  # noqa: E402
from fluvial.datastream.connectors import (  # noqa: E402
    FileSource,
    HybridSource,
    NumberSequenceSource,
    StreamFormat,
)
from fluvial.datastream.connectors.file_system import FileSink  # noqa: E402
from fluvial.datastream.formats._line_chunks import LineChunks  # noqa: E402
from fluvial.datastream.formats.avro import AvroInputFormat, AvroSchema  # noqa: E402
from fluvial.datastream.formats.csv import CsvReaderFormat, CsvSchema  # noqa: E402
from fluvial.datastream.formats.json import JsonReaderFormat, JsonRowDeserializationSchema  # noqa: E402
from fluvial.datastream.formats.orc import OrcColumnarRowInputFormat  # noqa: E402
from fluvial.datastream.formats.parquet import ParquetColumnarRowInputFormat  # noqa: E402
from fluvial.errors import ConnectorError  # noqa: E402

FORMATS = ["txt", "csv", "json", "parquet", "orc", "avro"]
ROW = Types.ROW_NAMED(["id", "key"], [Types.INT(), Types.STRING()])
AVRO = {"type": "record", "name": "R", "fields": [{"name": "id", "type": "int"},
                                                   {"name": "key", "type": "string"}]}


@pytest.fixture(autouse=True)
def small_chunks(monkeypatch):
    # CSV and JSON lines are read 1 MiB at a time: small chunks put checkpoints mid-file.
    monkeypatch.setattr(LineChunks.__init__, "__defaults__", (2048,))


def _key(record_id):
    return f"k{record_id * 7919 % 13}"


def write_files(directory, fmt, files, per_file, first_file=0):
    """'files' files of 'per_file' records (id, key) in format 'fmt'; returns their ids."""
    os.makedirs(directory, exist_ok=True)
    written = []
    for f in range(first_file, first_file + files):
        ids = [f * per_file + i for i in range(per_file)]
        written.extend(ids)
        path = os.path.join(directory, f"part-{f:03d}.{fmt}")
        hidden = os.path.join(directory, f".part-{f:03d}.tmp")  # renamed: never seen half written
        if fmt == "txt":
            with open(hidden, "w") as file:
                file.write("".join(f"{i},{_key(i)}\n" for i in ids))
        elif fmt == "csv":
            with open(hidden, "w") as file:
                file.write("id,key\n" + "".join(f"{i},{_key(i)}\n" for i in ids))
        elif fmt == "json":
            with open(hidden, "w") as file:
                file.write("".join(f'{{"id": {i}, "key": "{_key(i)}"}}\n' for i in ids))
        elif fmt in ("parquet", "orc"):
            table = pa.table({"id": pa.array(ids, pa.int32()), "key": [_key(i) for i in ids]})
            if fmt == "parquet":
                pq.write_table(table, hidden, row_group_size=150)
            else:
                pa_orc.write_table(table, hidden, stripe_size=4096, batch_size=100)
        elif fmt == "avro":
            with open(hidden, "wb") as file:
                fastavro.writer(file, fastavro.parse_schema(AVRO),
                                [{"id": i, "key": _key(i)} for i in ids], sync_interval=512)
        os.rename(hidden, path)
    return written


def source_of(fmt, directory, monitor_ms=None):
    if fmt == "txt":
        builder = FileSource.for_record_stream_format(StreamFormat.text_line_format(), directory)
    elif fmt == "csv":
        schema = CsvSchema.builder().add_number_column("id", number_type=Types.INT()) \
            .add_string_column("key").set_use_header().build()
        builder = FileSource.for_record_stream_format(CsvReaderFormat.for_schema(schema), directory)
    elif fmt == "json":
        schema = JsonRowDeserializationSchema.builder().type_info(ROW).build()
        builder = FileSource.for_record_stream_format(JsonReaderFormat.for_schema(schema), directory)
    elif fmt == "parquet":
        builder = FileSource.for_bulk_file_format(ParquetColumnarRowInputFormat(ROW, batch_size=40), directory)
    elif fmt == "orc":
        builder = FileSource.for_bulk_file_format(OrcColumnarRowInputFormat(ROW, batch_size=40), directory)
    else:
        return AvroInputFormat(directory, AvroSchema(AVRO))._create_source()
    if monitor_ms is not None:
        builder.monitor_continuously(Duration.of_millis(monitor_ms))
    return builder.build()


def id_of(record):
    if isinstance(record, int):
        return record
    if isinstance(record, str):
        return int(record.split(",")[0])
    if isinstance(record, dict):
        return record["id"]
    return record[0]


# ---------------------------------------------------------------- the reader contract


def _readers(source, parallelism, restored=None):
    readers = []
    for subtask in range(parallelism):
        reader = source._create_reader(subtask, parallelism)
        if restored is not None:
            share = redistribute(restored, subtask, parallelism, 128)
            reader.restore_union_state(share["union"].get("reader", []))
            reader.restore_state(share["list"].get("splits", []))
        reader.open()
        readers.append(reader)
    return readers


def _snapshot(readers):
    states = {}
    for subtask, reader in enumerate(readers):
        union = reader.snapshot_union_state(1)
        states[subtask] = {"keyed": {}, "list": {"splits": reader.snapshot_state(1)},
                           "union": {"reader": union} if union else {}}
        reader.close()
    return states


def _drain(reader):
    ids = []
    while True:
        batch = reader.poll()
        if batch is None:
            return ids
        ids.extend(id_of(record) for record in batch)


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("before, after", [(2, 3), (3, 1)])
def test_readers_resume_mid_file_at_another_parallelism(tmp_path, fmt, before, after):
    # Text is read 64 KiB at a time, Avro 1024 records, the others in small chunks.
    per_file = {"txt": 9000, "avro": 2500}.get(fmt, 700)
    expected = write_files(tmp_path / "in", fmt, 7, per_file)
    source = source_of(fmt, str(tmp_path / "in"))
    readers = _readers(source, before)
    emitted = []
    # Each subtask stops somewhere else; few polls, so that a subtask given few files (they go
    # by a hash of their random paths) is not at its end already.
    for polls, reader in enumerate(readers):
        for _ in range(1 + 2 * polls):
            batch = reader.poll()
            if batch:
                emitted.extend(id_of(record) for record in batch)
    # Files go to subtasks by a hash of their (random) path, so every subtask may have stopped at
    # a file boundary: then one with files left polls on into the middle of a file.
    def mid_file():
        return any(0 < split["records"] for reader in readers for split in reader.snapshot_state(0))

    for reader in readers:
        for _ in range(100):
            if mid_file():
                break
            batch = reader.poll()
            if batch is None:
                break
            emitted.extend(id_of(record) for record in batch)
    states = _snapshot(readers)
    splits = [split for state in states.values() for split in state["list"]["splits"]]
    assert splits and all(0 < split["records"] for split in splits), splits  # mid-file positions
    for reader in _readers(source, after, restored=states):
        emitted.extend(_drain(reader))
    assert Counter(emitted) == Counter(expected)  # every record exactly once


def test_restore_twice_keeps_the_processed_paths(tmp_path):
    # The restored paths are carried on (by new subtask 0) into the next checkpoint.
    expected = write_files(tmp_path / "in", "txt", 6, 300)
    source = source_of("txt", str(tmp_path / "in"))
    emitted = []
    readers = _readers(source, 2)
    for reader in readers:
        emitted.extend(id_of(record) for record in reader.poll() or [])
    states = _snapshot(readers)
    readers = _readers(source, 3, restored=states)
    emitted.extend(id_of(record) for record in readers[1].poll() or [])
    states = _snapshot(readers)
    for reader in _readers(source, 2, restored=states):
        emitted.extend(_drain(reader))
    assert Counter(emitted) == Counter(expected)


def test_hybrid_source_keeps_the_file_stage_state(tmp_path):
    # A subtask that finished the file stage and waits for the others still reports the
    # paths it read: after a restore at another parallelism nobody reads them again.
    expected = write_files(tmp_path / "in", "csv", 12, 500)
    source = HybridSource.builder(source_of("csv", str(tmp_path / "in"))) \
        .add_source(NumberSequenceSource(100000, 100099)).build()
    readers = _readers(source, 2)
    emitted = _drain_until_waiting(readers[0])
    batch = readers[1].poll()
    assert batch and id_of(batch[0]) < 100000, "subtask 1 should still read its files"
    emitted.extend(id_of(record) for record in batch)
    states = _snapshot(readers)
    assert states[0]["union"]["reader"], "the waiting subtask lost its processed paths"
    readers = _readers(source, 3, restored=states)
    while readers:  # side by side: a subtask waits for the others at the stage's end
        for reader in list(readers):
            batch = reader.poll()
            if batch is None:
                readers.remove(reader)
            else:
                emitted.extend(id_of(record) for record in batch)
    assert Counter(emitted) == Counter(expected + list(range(100000, 100100)))


def _drain_until_waiting(reader):
    ids = []
    while True:
        batch = reader.poll()
        if not batch:
            return ids
        ids.extend(id_of(record) for record in batch)


def test_resuming_a_file_that_is_gone_names_it(tmp_path):
    write_files(tmp_path / "in", "csv", 2, 500)
    source = source_of("csv", str(tmp_path / "in"))
    readers = _readers(source, 1)
    readers[0].poll()
    states = _snapshot(readers)
    path = states[0]["list"]["splits"][0]["path"]
    os.unlink(path)
    with pytest.raises(ConnectorError, match=r"cannot resume '.*part-000.csv' from a checkpoint: the file is gone"):
        _readers(source, 1, restored=states)[0].poll()


def test_a_file_cut_short_before_the_position_is_reported(tmp_path):
    write_files(tmp_path / "in", "avro", 1, 3000)
    source = source_of("avro", str(tmp_path / "in"))
    readers = _readers(source, 1)
    readers[0].poll()
    readers[0].poll()
    states = _snapshot(readers)
    states[0]["list"]["splits"][0]["size"] = 0  # as if written by an older version
    write_files(tmp_path / "in", "avro", 1, 100)  # replaced by a shorter file
    with pytest.raises(ConnectorError, match=r"ends 1948 records before the checkpointed position "
                                             r"\(2048 records\); files must not change once written"):
        _drain(_readers(source, 1, restored=states)[0])


@pytest.mark.parametrize("fmt", ["txt", "csv", "parquet"])
def test_a_file_cut_short_since_the_checkpoint_fails_the_restore(tmp_path, fmt):
    write_files(tmp_path / "in", fmt, 1, 9000)
    source = source_of(fmt, str(tmp_path / "in"))
    readers = _readers(source, 1)
    readers[0].poll()
    states = _snapshot(readers)
    write_files(tmp_path / "in", fmt, 1, 10)
    with pytest.raises(ConnectorError, match=r"cannot resume '.*part-000\.\w+' from a checkpoint: it has "
                                             r"\d+ bytes, \d+ when checkpointed \(read up to record \d+\)"):
        _drain(_readers(source, 1, restored=states)[0])


# ---------------------------------------------------------------- jobs


class SlowFailOnce(MapFunction):
    """Slows the job down (so checkpoints fall mid-input) and raises once, at the first
    record after 'after' records of this subtask once a checkpoint has completed."""

    def __init__(self, marker, checkpoints, after):
        self.marker, self.checkpoints, self.after = str(marker), str(checkpoints), after
        self.seen = 0

    def map(self, value):
        self.seen += 1
        if self.seen % 40 == 0:
            time.sleep(0.002)
        if (self.checkpoints and self.seen > self.after and not os.path.exists(self.marker)
                and _completed_checkpoint(self.checkpoints)):
            open(self.marker, "w").close()
            raise ValueError(f"injected failure at {value}")
        return value


def _completed_checkpoint(directory):
    for _, _, names in os.walk(directory):
        if "_metadata" in names:
            return True
    return False


def build_job(env, fmt, source, output, fail=None):
    stream = env.from_source(source, None, "files").uid("files") \
        .map(fail or SlowFailOnce("", "", 0)).uid("slow") \
        .map(lambda r: (_key(id_of(r)), 1, id_of(r))).uid("keyed-input")
    stream.sink_to(_sink(output / "ids", lambda r: str(r[2]))).uid("ids-sink")
    stream.key_by(lambda r: r[0]).reduce(lambda a, b: (a[0], a[1] + b[1], b[2])).uid("count") \
        .map(lambda r: f"{r[0]},{r[1]}", output_type=Types.STRING()).uid("format") \
        .sink_to(_sink(output / "counts")).uid("counts-sink")


def _sink(path, to_line=None):
    return FileSink.for_row_format(str(path), Encoder.simple_string_encoder()).build() \
        if to_line is None else _LineSink(path, to_line)


def _LineSink(path, to_line):
    class Lines(Encoder):
        def encode(self, record):
            return (to_line(record) + "\n").encode()
    return FileSink.for_row_format(str(path), Lines()).build()


def check_output(output, expected_ids):
    ids = Counter(int(line) for line in committed_lines(output / "ids"))
    assert ids == Counter(expected_ids), (
        f"lost {len(Counter(expected_ids) - ids)}, twice {len(ids - Counter(expected_ids))}")
    per_key = Counter(_key(i) for i in expected_ids)
    assert Counter(committed_lines(output / "counts")) == Counter(
        f"{key},{count}" for key, total in per_key.items() for count in range(1, total + 1))


def _env(parallelism, checkpoints, interval=25):
    env = StreamExecutionEnvironment.get_execution_environment()
    env.set_parallelism(parallelism)
    env.enable_checkpointing(interval)
    env.get_checkpoint_config().set_checkpoint_storage_dir(str(checkpoints))
    return env


@pytest.mark.parametrize("fmt", ["csv", "json", "parquet"])
def test_failure_after_a_checkpoint_restarts_exactly_once(tmp_path, fmt):
    expected = write_files(tmp_path / "in", fmt, 10, 600)
    env = _env(2, tmp_path / "chk")
    env.set_restart_strategy(RestartStrategies.fixed_delay_restart(2, timedelta(milliseconds=10)))
    build_job(env, fmt, source_of(fmt, str(tmp_path / "in")), tmp_path / "out",
              SlowFailOnce(tmp_path / "failed", tmp_path / "chk", 1200))
    client = env.execute_async("files with a failure")
    client.get_job_execution_result().result()
    assert os.path.exists(tmp_path / "failed"), "the injected failure never happened"
    assert client._job.checkpoint_statistics.restored_from is not None
    check_output(tmp_path / "out", expected)


def _wait(predicate, what, timeout=60):
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.01)


def test_savepoint_at_parallelism_2_resumes_at_3(tmp_path):
    expected = write_files(tmp_path / "in", "csv", 12, 500)
    output = tmp_path / "out"
    env = _env(2, tmp_path / "chk1")
    build_job(env, "csv", source_of("csv", str(tmp_path / "in")), output)
    client = env.execute_async("before")
    _wait(lambda: client._job.checkpoint_statistics.completed, "a checkpoint")
    savepoint = client.stop_with_savepoint(savepoint_directory=str(tmp_path / "savepoints")).result()
    before = len(committed_lines(output / "ids"))
    assert 0 < before < len(expected), "the savepoint should fall in the middle of the input"

    configuration = Configuration()
    configuration.set_string("execution.savepoint.path", savepoint)
    env = StreamExecutionEnvironment.get_execution_environment(configuration)
    env.set_parallelism(3)
    env.enable_checkpointing(25)
    env.get_checkpoint_config().set_checkpoint_storage_dir(str(tmp_path / "chk2"))
    build_job(env, "csv", source_of("csv", str(tmp_path / "in")), output)
    env.execute("after")
    check_output(output, expected)


def test_continuous_monitoring_across_a_restore(tmp_path):
    directory, output = tmp_path / "in", tmp_path / "out"
    expected = write_files(directory, "json", 3, 400)
    env = _env(2, tmp_path / "chk1")
    build_job(env, "json", source_of("json", str(directory), monitor_ms=20), output)
    client = env.execute_async("watching")
    try:
        _wait(lambda: len(committed_lines(output / "ids")) >= len(expected), "the first files")
        expected += write_files(directory, "json", 3, 400, first_file=3)  # found while running
        _wait(lambda: len(committed_lines(output / "ids")) >= len(expected), "the files added")
        savepoint = client.stop_with_savepoint(savepoint_directory=str(tmp_path / "sp")).result()
    finally:
        client.cancel()
        client.wait(10)
    expected += write_files(directory, "json", 4, 400, first_file=6)  # added while stopped

    configuration = Configuration()
    configuration.set_string("execution.savepoint.path", savepoint)
    env = StreamExecutionEnvironment.get_execution_environment(configuration)
    env.set_parallelism(3)
    env.enable_checkpointing(25)
    env.get_checkpoint_config().set_checkpoint_storage_dir(str(tmp_path / "chk2"))
    build_job(env, "json", source_of("json", str(directory), monitor_ms=20), output)
    client = env.execute_async("watching again")
    try:
        _wait(lambda: len(committed_lines(output / "ids")) >= len(expected), "the files added while stopped")
        expected += write_files(directory, "json", 2, 400, first_file=10)  # after the restore
        _wait(lambda: len(committed_lines(output / "ids")) >= len(expected), "the files added after")
        time.sleep(0.3)  # a file read twice would show up by now
    finally:
        client.cancel()
        assert client.wait(10), "the job did not stop after cancel()"
    check_output(output, expected)
