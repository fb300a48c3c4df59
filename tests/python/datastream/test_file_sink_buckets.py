"""FileSink buckets never leave the base path: field_bucket_assigner escapes values from the
records (as Flink escapes partition values, so they round-trip), and a bucket id that is
absolute or has a '..' segment — from a custom assigner or a date-time pattern — fails the
job naming the id, before anything is written outside."""

import os

import pytest

from fluvial.common import Encoder, Row
from fluvial.datastream.connectors import BucketAssigner, FileSink
from fluvial.datastream.connectors._partition_path import unescape_path_name
from fluvial.errors import JobExecutionError

HOSTILE = ["../../../X", "a/b", "/abs", "..", ".", "%2F", "a=b", "日本/語", "tab\there", "ok"]


def files_under(root):
    return sorted(os.path.join(directory, name) for directory, _, names in os.walk(root) for name in names)


def sink(base_path, assigner):
    return FileSink.for_row_format(str(base_path), Encoder.simple_string_encoder()) \
        .with_bucket_assigner(assigner).build()


class ConstantBucket(BucketAssigner):
    """A custom assigner (overriding the assigner's hook) that puts every record in 'bucket'."""

    def __init__(self, bucket):
        super().__init__("custom")
        self._bucket = bucket

    def _bucket_of(self, record):
        return self._bucket


def test_field_bucket_assigner_escapes_each_value(env, tmp_path):
    base = tmp_path / "a" / "b" / "c" / "out"
    records = [Row(p=value, n=i) for i, value in enumerate(HOSTILE)] + [Row(p=None, n=len(HOSTILE))]
    env.from_collection(records).sink_to(sink(base, BucketAssigner.field_bucket_assigner("p")))
    env.execute()
    written = files_under(tmp_path)
    assert written and all(f.startswith(str(base) + os.sep) for f in written)
    directory_of = {}  # record number -> the value its directory names
    for path in written:
        directory = os.path.relpath(os.path.dirname(path), base)
        assert os.sep not in directory, f"a value made nested directories: {directory}"
        key, _, value = directory.partition("=")
        assert key == "p"
        with open(path, encoding="utf-8") as file:
            for line in file.read().splitlines():  # +I[<p>, <n>]
                number = int(line.rsplit(", ", 1)[1][:-1])
                directory_of[number] = None if value == "__DEFAULT_PARTITION__" else unescape_path_name(value)
    assert directory_of == {record.n: record.p for record in records}


@pytest.mark.parametrize("bucket, problem", [
    ("../escaped", "has a '..' segment"),
    ("a/../../escaped", "has a '..' segment"),
    ("..", "has a '..' segment"),
    ("/tmp/absolute", "is an absolute path"),
])
def test_a_bucket_id_outside_the_base_path_is_refused(env1, tmp_path, bucket, problem):
    base = tmp_path / "inner" / "out"
    env1.from_collection(["x", "y"]).sink_to(sink(base, ConstantBucket(bucket)))
    with pytest.raises(JobExecutionError, match=rf"FileSink: bucket id '{bucket}' {problem}, so it would write "
                                                rf"outside the base path"):
        env1.execute()
    assert all(f.startswith(str(base) + os.sep) for f in files_under(tmp_path))
    assert not os.path.exists("/tmp/absolute/x")


def test_a_bucket_id_must_be_a_string(env1, tmp_path):
    env1.from_collection(["x"]).sink_to(sink(tmp_path, ConstantBucket(7)))
    with pytest.raises(JobExecutionError,
                       match=r"the bucket assigner returned 7 \(int\) as a bucket id; expected a str"):
        env1.execute()


def test_a_date_time_pattern_that_climbs_out_is_refused(env1, tmp_path):
    base = tmp_path / "inner" / "out"
    env1.from_collection(["x"]).sink_to(sink(base, BucketAssigner.date_time_bucket_assigner("../yyyy", "UTC")))
    with pytest.raises(JobExecutionError, match=r"bucket id '\.\./\d{4}' has a '\.\.' segment"):
        env1.execute()
    assert files_under(tmp_path / "inner") == []


def test_nested_relative_bucket_ids_are_kept(env1, tmp_path):
    # '/' nests directories (as a 'yyyy/MM/dd' pattern does in Flink); '.' segments stay inside.
    env1.from_collection(["x", "y"]).sink_to(sink(tmp_path, ConstantBucket("2026/./12/07")))
    env1.execute()
    (path,) = files_under(tmp_path)
    assert os.path.relpath(os.path.dirname(path), tmp_path) == os.path.join("2026", "12", "07")
    with open(path, encoding="utf-8") as file:
        assert file.read() == "x\ny\n"
