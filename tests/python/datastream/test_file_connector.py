"""FileSource (text lines; files, directories, watching for new files) and FileSink
(row format: hidden in-progress part files, renamed when finished; rolling; buckets;
part file names)."""

import os
import re
import time

import pytest
from ds_support import CollectSink, EndlessSource, TagSubtask, assert_same_elements, sequence_share

from fluvial.common import Duration, Encoder, Row
from fluvial.datastream import JobStatus
from fluvial.datastream.connectors import (
    BucketAssigner,
    FileSink,
    FileSource,
    NumberSequenceSource,
    OutputFileConfig,
    RollingPolicy,
    StreamFormat,
)
from fluvial.errors import ConnectorError, JobExecutionError


def text_source(*paths, charset="UTF-8", monitor_ms=None):
    builder = FileSource.for_record_stream_format(StreamFormat.text_line_format(charset),
                                                  *[str(p) for p in paths])
    if monitor_ms is not None:
        builder.monitor_continuously(Duration.of_millis(monitor_ms))
    return builder.build()


def read_lines(env, *paths, **options):
    return list(env.from_source(text_source(*paths, **options), None, "files").execute_and_collect())


def write(path, text, mode="w"):
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, mode, newline="" if "b" not in mode else None) as file:
        file.write(text)
    return path


# ------------------------------------------------------------------ FileSource


def test_single_file(env, tmp_path):
    path = write(tmp_path / "words.txt", "".join(f"line {i}\n" for i in range(3000)))
    lines = read_lines(env, path)
    assert lines == [f"line {i}" for i in range(3000)]  # one file: one subtask, in order


def test_several_files_each_in_order(env, parallelism, tmp_path):
    paths = [write(tmp_path / f"f{n}.txt", "".join(f"{n}:{i}\n" for i in range(200)))
             for n in range(6)]
    stream = env.from_source(text_source(*paths), None, "files").map(TagSubtask())
    tagged = list(stream.execute_and_collect())
    assert_same_elements([line for _, line in tagged],
                         [f"{n}:{i}" for n in range(6) for i in range(200)])
    for n in range(6):
        mine = [(subtask, line) for subtask, line in tagged if line.startswith(f"{n}:")]
        assert len({subtask for subtask, _ in mine}) == 1, "a file is read by one subtask"
        assert [line for _, line in mine] == [f"{n}:{i}" for i in range(200)]


def test_directory_with_subdirectories_and_hidden_files(env, tmp_path):
    write(tmp_path / "a.txt", "a1\na2\n")
    write(tmp_path / "sub" / "b.txt", "b1\n")
    write(tmp_path / "sub" / "deeper" / "c.log", "c1\nc2\nc3\n")
    write(tmp_path / ".hidden.txt", "not me\n")
    write(tmp_path / "_underscore.txt", "nor me\n")
    write(tmp_path / ".hidden_dir" / "x.txt", "not me either\n")
    write(tmp_path / "sub" / ".part-1.inprogress", "in progress\n")
    assert_same_elements(read_lines(env, tmp_path), ["a1", "a2", "b1", "c1", "c2", "c3"])


def test_files_and_directories_together(env, tmp_path):
    single = write(tmp_path / "single.txt", "s\n")
    directory = tmp_path / "dir"
    write(directory / "d.txt", "d\n")
    other = write(tmp_path / "other" / "o.txt", "o\n")
    assert_same_elements(read_lines(env, single, directory, "file://" + str(other)), ["s", "d", "o"])


def test_line_endings_and_empty_lines(env1, tmp_path):
    write(tmp_path / "crlf.txt", "a\r\nb\r\n\r\nc")
    assert read_lines(env1, tmp_path / "crlf.txt") == ["a", "b", "", "c"]
    write(tmp_path / "empty.txt", "")
    assert read_lines(env1, tmp_path / "empty.txt") == []
    write(tmp_path / "blank.txt", "\n\n")
    assert read_lines(env1, tmp_path / "blank.txt") == ["", ""]


def test_unicode_and_other_charsets(env1, tmp_path):
    write(tmp_path / "utf8.txt", "héllo wörld\n日本語\n")
    assert read_lines(env1, tmp_path / "utf8.txt") == ["héllo wörld", "日本語"]
    write(tmp_path / "latin1.txt", "café\n".encode("latin-1"), mode="wb")
    assert read_lines(env1, tmp_path / "latin1.txt", charset="ISO-8859-1") == ["café"]


def test_invalid_utf8_names_file_and_line(env, tmp_path):
    path = write(tmp_path / "bad.txt", b"fine\nalso fine\nbad \xff byte\nafter\n", mode="wb")
    env.from_source(text_source(path), None, "files").print()
    with pytest.raises(JobExecutionError) as info:
        env.execute()
    message = str(info.value)
    assert f"line 3 of '{path}' is not valid UTF-8" in message
    assert "operator 'files'" in message
    assert isinstance(info.value.__cause__, ConnectorError)


def test_missing_path_is_named(env, tmp_path):
    missing = tmp_path / "nowhere" / "input.txt"
    env.from_source(text_source(missing), None, "files").print()
    with pytest.raises(JobExecutionError, match=re.escape(f"no such file or directory: '{missing}'")):
        env.execute()


def test_unknown_charset_fails_early():
    with pytest.raises(LookupError):
        StreamFormat.text_line_format("no-such-charset")


def test_file_source_needs_a_path():
    with pytest.raises(ValueError, match="at least one path"):
        FileSource.for_record_stream_format(StreamFormat.text_line_format())


def test_monitor_continuously_picks_up_new_files(env, tmp_path, channel):
    write(tmp_path / "first.txt", "a\nb\n")
    env.from_source(text_source(tmp_path, monitor_ms=20), None, "watched").add_sink(
        CollectSink(channel))
    client = env.execute_async("watch")
    try:
        channel.wait_for(lambda items: len(items) >= 2)
        # Written under a hidden name, then renamed: the source never sees half a file.
        hidden = write(tmp_path / ".second.txt.tmp", "c\nd\ne\n")
        os.rename(hidden, tmp_path / "second.txt")
        channel.wait_for(lambda items: len(items) >= 5)
        hidden = write(tmp_path / "new_dir" / ".third.tmp", "f\n")
        os.rename(hidden, tmp_path / "new_dir" / "third.txt")
        channel.wait_for(lambda items: len(items) >= 6)
        assert client.get_job_status().result() == JobStatus.RUNNING  # unbounded: still running
    finally:
        client.cancel()
        assert client.wait(10), "the job did not stop after cancel()"
    assert sorted(line for _, line in channel.items()) == ["a", "b", "c", "d", "e", "f"]
    assert client.get_job_status().result() == JobStatus.CANCELED


def test_monitored_source_reads_each_file_once(env1, tmp_path, channel):
    write(tmp_path / "once.txt", "x\n")
    env1.from_source(text_source(tmp_path, monitor_ms=5), None, "watched").add_sink(
        CollectSink(channel))
    client = env1.execute_async()
    try:
        channel.wait_for(lambda items: len(items) >= 1)
        hidden = write(tmp_path / ".marker.tmp", "y\n")
        os.rename(hidden, tmp_path / "marker.txt")
        channel.wait_for(lambda items: len(items) >= 2)  # several scans have happened since
    finally:
        client.cancel()
        assert client.wait(10)
    assert sorted(line for _, line in channel.items()) == ["x", "y"]


def test_monitor_interval_must_be_positive(tmp_path):
    with pytest.raises(ValueError, match="must be positive"):
        FileSource.for_record_stream_format(StreamFormat.text_line_format(), str(tmp_path)) \
            .monitor_continuously(Duration.of_millis(0))


# -------------------------------------------------------------------- FileSink

PART_NAME = re.compile(r"(?P<prefix>.*)-(?P<uuid>[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12})"
                       r"-(?P<subtask>\d+)-(?P<counter>\d+)(?P<suffix>.*)")


def part_files(directory):
    """{(subtask, counter): path} of the finished part files under 'directory' (any depth),
    and the list of hidden files left there."""
    parts, hidden = {}, []
    for root, _, files in os.walk(directory):
        for name in files:
            if name.startswith("."):
                hidden.append(os.path.join(root, name))
                continue
            match = PART_NAME.fullmatch(name)
            assert match, f"unexpected file name {name}"
            parts[(int(match["subtask"]), int(match["counter"]))] = os.path.join(root, name)
    return parts, hidden


def read_parts_by_subtask(parts):
    by_subtask = {}
    for (subtask, counter) in sorted(parts):
        with open(parts[(subtask, counter)], encoding="utf-8") as file:
            by_subtask.setdefault(subtask, []).extend(file.read().splitlines())
    return by_subtask


def file_sink(path, **settings):
    builder = FileSink.for_row_format(str(path), Encoder.simple_string_encoder())
    if "bucket_assigner" in settings:
        builder.with_bucket_assigner(settings["bucket_assigner"])
    if "rolling_policy" in settings:
        builder.with_rolling_policy(settings["rolling_policy"])
    if "output_file_config" in settings:
        builder.with_output_file_config(settings["output_file_config"])
    return builder.build()


def numbers(env, count):
    return env.from_source(NumberSequenceSource(0, count - 1), None, "numbers")


def test_file_sink_contents_equal_the_input(env, parallelism, tmp_path):
    out = tmp_path / "out"
    numbers(env, 3000).map(lambda x: f"record {x}").sink_to(
        file_sink(out, bucket_assigner=BucketAssigner.base_path_bucket_assigner()))
    env.execute()
    parts, hidden = part_files(out)
    assert hidden == [], "in-progress files must be renamed when the input ends"
    assert all(os.path.dirname(path) == str(out) for path in parts.values())
    by_subtask = read_parts_by_subtask(parts)
    assert sorted(by_subtask) == list(range(parallelism))
    for subtask, lines in by_subtask.items():
        # Source and sink chained: a subtask writes its share, in order.
        assert lines == [f"record {x}" for x in sequence_share(0, 2999, subtask, parallelism)]


def test_file_sink_encodes_records_as_flink_prints_them(env1, tmp_path):
    records = [Row(1, "a"), ("b", 2), 3.0, None, "plain"]
    env1.from_collection(records).sink_to(
        file_sink(tmp_path, bucket_assigner=BucketAssigner.base_path_bucket_assigner()))
    env1.execute()
    parts, _ = part_files(tmp_path)
    assert read_parts_by_subtask(parts) == {0: ["+I[1, a]", "(b,2)", "3.0", "null", "plain"]}


def test_file_sink_rolls_by_part_size(env, parallelism, tmp_path):
    part_size = 100
    numbers(env, 2000).map(lambda x: f"value-{x}").sink_to(file_sink(
        tmp_path, bucket_assigner=BucketAssigner.base_path_bucket_assigner(),
        rolling_policy=RollingPolicy.default_rolling_policy(part_size=part_size)))
    env.execute()
    parts, hidden = part_files(tmp_path)
    assert hidden == []
    for subtask in range(parallelism):
        counters = sorted(counter for s, counter in parts if s == subtask)
        assert counters == list(range(len(counters))), "counters count up from 0 per subtask"
        for position, counter in enumerate(counters):
            with open(parts[(subtask, counter)], "rb") as file:
                data = file.read()
            last_line = data.splitlines(keepends=True)[-1]
            # Flink's DefaultRollingPolicy: a record goes to a new part file once the
            # current one is larger than part_size.
            assert len(data) - len(last_line) <= part_size, (subtask, counter, len(data))
            if position < len(counters) - 1:
                assert len(data) > part_size, (subtask, counter, len(data))
    by_subtask = read_parts_by_subtask(parts)
    for subtask in range(parallelism):
        assert by_subtask[subtask] == [f"value-{x}"
                                       for x in sequence_share(0, 1999, subtask, parallelism)]


def test_file_sink_output_file_config(env, tmp_path):
    config = OutputFileConfig.builder().with_part_prefix("data").with_part_suffix(".csv").build()
    assert (config.get_part_prefix(), config.get_part_suffix()) == ("data", ".csv")
    env.from_collection(["x", "y", "z"]).sink_to(file_sink(
        tmp_path, bucket_assigner=BucketAssigner.base_path_bucket_assigner(),
        output_file_config=config))
    env.execute()
    parts, hidden = part_files(tmp_path)
    assert hidden == [] and parts
    for path in parts.values():
        match = PART_NAME.fullmatch(os.path.basename(path))
        assert (match["prefix"], match["suffix"]) == ("data", ".csv")
    assert_same_elements([line for lines in read_parts_by_subtask(parts).values() for line in lines],
                         ["x", "y", "z"])


def test_file_sink_default_names_and_date_time_buckets(env1, tmp_path):
    env1.from_collection(["a", "b"]).sink_to(
        FileSink.for_row_format("file://" + str(tmp_path), Encoder.simple_string_encoder()).build())
    env1.execute()
    parts, hidden = part_files(tmp_path)
    assert hidden == []
    for path in parts.values():
        # The default bucket: the processing time as yyyy-MM-dd--HH, under the base path.
        bucket = os.path.relpath(os.path.dirname(path), tmp_path)
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}--\d{2}", bucket), bucket
        assert PART_NAME.fullmatch(os.path.basename(path))["prefix"] == "part"
    assert sorted(line for lines in read_parts_by_subtask(parts).values() for line in lines) == ["a", "b"]


def test_file_sink_custom_date_time_bucket_format(env1, tmp_path):
    env1.from_collection(["a"]).sink_to(file_sink(
        tmp_path, bucket_assigner=BucketAssigner.date_time_bucket_assigner("yyyy/MM", "UTC")))
    env1.execute()
    (path,) = part_files(tmp_path)[0].values()
    assert re.fullmatch(r"\d{4}/\d{2}", os.path.relpath(os.path.dirname(path), tmp_path))


def test_file_sink_in_progress_files_are_hidden_while_running(env, tmp_path, channel):
    env.add_source(EndlessSource(channel, pause=0.001)).map(str).sink_to(file_sink(
        tmp_path, bucket_assigner=BucketAssigner.base_path_bucket_assigner()))
    client = env.execute_async()
    try:
        deadline = time.monotonic() + 10
        while True:
            parts, hidden = part_files(tmp_path)
            if hidden:  # a part file is opened for the first record that goes to it
                break
            assert time.monotonic() < deadline, "no in-progress file appeared"
            time.sleep(0.005)
        assert parts == {}, "nothing is finished while the input goes on"
        assert all(".inprogress." in os.path.basename(path) for path in hidden)
    finally:
        client.cancel()
        assert client.wait(10)
    parts, hidden = part_files(tmp_path)
    # A cancelled job never finishes its in-progress files.
    assert parts == {} and hidden


def test_file_sink_of_a_failed_job_leaves_only_hidden_files(env1, tmp_path):
    def fail_late(x):
        if x == 1500:
            raise ValueError("late failure")
        return str(x)

    numbers(env1, 3000).map(fail_late).sink_to(file_sink(
        tmp_path, bucket_assigner=BucketAssigner.base_path_bucket_assigner()))
    with pytest.raises(JobExecutionError, match="late failure"):
        env1.execute()
    parts, hidden = part_files(tmp_path)
    assert parts == {} and hidden


def test_rolling_policy_arguments():
    with pytest.raises(ValueError, match="part_size must be positive"):
        RollingPolicy.default_rolling_policy(part_size=0)
    policy = RollingPolicy.on_checkpoint_rolling_policy()
    assert policy.on_checkpoint


def test_files_are_read_one_after_the_other_so_a_file_behind_an_earlier_one_is_late(tmp_path):
    # As Flink's FileSourceReader (one split at a time): the watermark never goes back, so
    # rows of a file whose timestamps run behind a file read before it are late.
    from fluvial.common import Time, WatermarkStrategy
    from fluvial.common.watermark_strategy import TimestampAssigner
    from fluvial.datastream import StreamExecutionEnvironment
    from fluvial.datastream.window import TumblingEventTimeWindows

    class FirstField(TimestampAssigner):
        def extract_timestamp(self, value, record_timestamp):
            return int(value.split(",")[0])

    files = {"a.txt": range(10_000, 20_000, 500), "b.txt": range(0, 10_000, 500), "c.txt": range(20_000, 25_000, 500)}
    for name, stamps in files.items():
        (tmp_path / name).write_text("".join(f"{ts},{name}\n" for ts in stamps))
    env = StreamExecutionEnvironment.get_execution_environment()
    env.set_parallelism(1)
    strategy = WatermarkStrategy.for_monotonous_timestamps().with_timestamp_assigner(FirstField())
    counts = (env.from_source(text_source(str(tmp_path)), strategy, "files")
              .map(lambda line: (int(line.split(",")[0]) // 5_000, 1))
              .key_by(lambda pair: pair[0])
              .window(TumblingEventTimeWindows.of(Time.milliseconds(5_000)))
              .reduce(lambda x, y: (x[0], x[1] + y[1])))
    # Plain-Python reference: files in path order, one watermark (largest timestamp - 1),
    # a row is late when its window's last millisecond is at or before the watermark.
    expected, watermark = {}, None
    for name in sorted(files):
        for ts in files[name]:
            window = ts // 5_000
            if watermark is None or window * 5_000 + 4_999 > watermark:
                expected[window] = expected.get(window, 0) + 1
        watermark = max(files[name]) - 1 if watermark is None else max(watermark, max(files[name]) - 1)
    assert sorted(counts.execute_and_collect()) == sorted(expected.items())
    assert 0 not in expected and 1 not in expected  # b.txt's rows were all late
