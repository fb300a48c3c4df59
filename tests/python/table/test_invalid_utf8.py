"""Text that is not UTF-8 in a SQL file table's JSON, CSV or raw STRING lines: the job fails
naming the file and the line and saying the bytes are not valid UTF-8 (Arrow's JSON reader
would otherwise let the bytes into a STRING column); with the format's ignore-parse-errors
the line is skipped and counted in numRecordsInErrors, like other bad records. The rows read
are checked against the lines the test wrote, decoded by Python."""

import json

import pytest

from fluvial.errors import JobExecutionError
from fluvial.table import EnvironmentSettings, TableEnvironment

BAD = b"caf\xe9"  # Latin-1 'café': 0xe9 starts a 3-byte UTF-8 sequence that 'caf' does not continue
LINES = {
    "json": [b'{"id": 1, "name": "ada"}', b'{"id": 2, "name": "' + BAD + b'"}', b'{"id": 3, "name": "b\xc3\xa9a"}'],
    "csv": [b"1,ada", b"2," + BAD, b"3,b\xc3\xa9a"],
}
GOOD_ROWS = [(1, "ada"), (3, "béa")]


def batch_env():
    return TableEnvironment.create(EnvironmentSettings.in_batch_mode())


def table(t_env, tmp_path, fmt, lines, **options):
    directory = tmp_path / "people"
    directory.mkdir(exist_ok=True)
    (directory / f"part.{fmt}").write_bytes(b"\n".join(lines) + b"\n")
    extra = "".join(f", '{k}' = '{v}'" for k, v in options.items())
    t_env.execute_sql(f"CREATE TABLE people (id BIGINT, name STRING) WITH ('connector' = 'filesystem', "
                      f"'path' = '{directory}', 'format' = '{fmt}'{extra})")
    return directory / f"part.{fmt}"


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_a_line_that_is_not_utf8_fails_naming_file_and_line(tmp_path, fmt):
    t_env = batch_env()
    file = table(t_env, tmp_path, fmt, LINES[fmt])
    with pytest.raises(JobExecutionError) as error:
        list(t_env.execute_sql("SELECT * FROM people").collect())
    message = str(error.value)
    assert f"filesystem table 'people': line 2 of '{file}': cannot read it as {fmt.upper()} (id, name): " \
           f"the bytes are not valid UTF-8 (byte 0xe9 at byte " in message, message
    assert f"'{fmt}.ignore-parse-errors' = 'true'" in message
    assert "Arrow" not in message


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_lines_that_are_not_utf8_are_skipped_and_counted(tmp_path, fmt):
    t_env = batch_env()
    table(t_env, tmp_path, fmt, LINES[fmt], **{f"{fmt}.ignore-parse-errors": "true"})
    result = t_env.execute_sql("SELECT * FROM people")
    rows = sorted(tuple(r) for r in result.collect())
    reference = []
    for line in LINES[fmt]:
        try:
            text = line.decode("utf-8")
        except UnicodeDecodeError:
            continue
        if fmt == "json":
            reference.append(tuple(json.loads(text).values()))
        else:
            number, name = text.split(",")
            reference.append((int(number), name))
    assert rows == sorted(reference) == GOOD_ROWS
    errors = result.get_job_client().get_job_execution_result().result().get_accumulator_result("numRecordsInErrors")
    assert errors == 1


def test_a_bad_line_among_many_is_found(tmp_path):
    # Enough lines that the file is parsed in one piece first, then searched for the bad line.
    lines = [b'{"id": %d, "name": "n%d"}' % (i, i) for i in range(1, 3001)]
    lines[2499] = b'{"id": 2500, "name": "\xff"}'
    t_env = batch_env()
    file = table(t_env, tmp_path, "json", lines)
    with pytest.raises(JobExecutionError, match=rf"line 2500 of '{file}': .*not valid UTF-8 \(byte 0xff"):
        list(t_env.execute_sql("SELECT * FROM people").collect())


def raw_table(t_env, tmp_path, column_type):
    directory = tmp_path / "lines"
    directory.mkdir()
    (directory / "part.txt").write_bytes(b"first\n" + BAD + b"\nthird\n")
    t_env.execute_sql(f"CREATE TABLE lines (line {column_type}) WITH ('connector' = 'filesystem', "
                      f"'path' = '{directory}', 'format' = 'raw')")
    return directory / "part.txt"


def test_a_raw_string_line_that_is_not_utf8_fails_naming_the_line(tmp_path):
    t_env = batch_env()
    file = raw_table(t_env, tmp_path, "STRING")
    with pytest.raises(JobExecutionError) as error:
        list(t_env.execute_sql("SELECT * FROM lines").collect())
    message = str(error.value)
    assert f"filesystem table 'lines': line 2 of '{file}': cannot read it as the raw STRING column 'line': the " \
           f"bytes are not valid UTF-8 (byte 0xe9 at byte 3" in message, message
    assert "declare the column BYTES" in message
    assert "ArrowInvalid" not in message and "pyarrow" not in message


def test_a_raw_bytes_column_reads_any_bytes(tmp_path):
    t_env = batch_env()
    raw_table(t_env, tmp_path, "BYTES")
    assert [r[0] for r in t_env.execute_sql("SELECT * FROM lines").collect()] == [b"first", BAD, b"third"]


def test_the_codec_names_the_bad_bytes_of_a_message():
    # The kafka tables decode message values with the same codec (tested against a broker in
    # tests/python/connectors/kafka/test_kafka_sql_bad_text.py).
    import pyarrow as pa

    from fluvial.table.formats import RowCodec

    schema = pa.schema([("id", pa.int64()), ("name", pa.string())])
    for fmt, value in (("json", LINES["json"][1]), ("csv", LINES["csv"][1])):
        codec = RowCodec(fmt, schema, {}, [""], "value format")
        with pytest.raises(ValueError, match=r"the bytes are not valid UTF-8 \(byte 0xe9 at byte"):
            codec.decode([value])
    raw = RowCodec("raw", pa.schema([("line", pa.string())]), {}, [""], "value format")
    with pytest.raises(ValueError, match=r"the bytes are not valid UTF-8 \(byte 0xe9 at byte 3"):
        raw.decode([b"ok", BAD])
