"""Helpers of the format tests: write records with a FileSink, read them back with a
FileSource, run jobs that must fail or skip bad records."""

import pytest

from fluvial.datastream.connectors.file_system import BucketAssigner, FileSink, FileSource
from fluvial.datastream.formats._bad_records import ADVICE
from fluvial.errors import ConnectorError, JobExecutionError


def write_bulk(env, records, type_info, base_path, writer_factory, assigner=None):
    sink = FileSink.for_bulk_format(str(base_path), writer_factory) \
        .with_bucket_assigner(assigner or BucketAssigner.base_path_bucket_assigner()).build()
    env.from_collection(records, type_info).sink_to(sink)
    return env.execute("write")


def read_all(env, source):
    return list(env.from_source(source, None, "files").execute_and_collect())


def bulk_source(bulk_format, *paths):
    return FileSource.for_bulk_file_format(bulk_format, *[str(p) for p in paths]).build()


def stream_source(stream_format, *paths):
    return FileSource.for_record_stream_format(stream_format, *[str(p) for p in paths]).build()


def part_files(base_path):
    return sorted(p for p in base_path.rglob("*") if p.is_file())


def run_counting(env, stream):
    """Runs a job sinking 'stream' into a collect sink; returns (records, job result)."""
    from ds_support import Channel, CollectSink

    channel = Channel()
    stream.add_sink(CollectSink(channel))
    result = env.execute("read")
    return [record for _, record in channel.items()], result


def expect_failure(env, stream, message):
    """Runs a job over 'stream' and checks it fails with a ConnectorError saying 'message'."""
    stream.print()
    with pytest.raises(JobExecutionError) as info:
        env.execute("read")
    assert isinstance(info.value.__cause__, ConnectorError)
    assert message in str(info.value.__cause__), str(info.value.__cause__)
    # Bad records end with the advice (test_error_catalogue checks it); the callers check the rest.
    return str(info.value.__cause__).removesuffix(ADVICE)
