"""SQL filesystem tables: bad CSV and JSON lines (named by file and line, or skipped with
the format's ignore-parse-errors and counted in the job's numRecordsInErrors),
json.fail-on-missing-field, and the 'avro' format both ways. Results are checked against
the rows the test wrote, parsed by plain Python."""

import datetime
import decimal
import json

import fastavro
import pytest

from fluvial.errors import JobExecutionError
from fluvial.table import DataTypes, EnvironmentSettings, TableEnvironment
from fluvial.table.connectors import ConnectorOptionError


def batch_env():
    return TableEnvironment.create(EnvironmentSettings.in_batch_mode())


def collect_with_errors(t_env, query):
    """(rows, the job's numRecordsInErrors)."""
    result = t_env.execute_sql(query)
    rows = sorted(tuple(r) for r in result.collect())
    job_result = result.get_job_client().get_job_execution_result().result()
    return rows, job_result.get_accumulator_result("numRecordsInErrors")


CSV_LINES = ["1,ada,3.5", "2,bob,x", "3,cy,1.25", "", "four,dan,2.0", "5,eve,0.5", "6,fay"]


def good_csv_rows():
    rows = []
    for line in CSV_LINES:
        parts = line.split(",")
        try:
            rows.append((int(parts[0]), parts[1], float(parts[2])))
        except (ValueError, IndexError):
            continue
    return sorted(rows)


def csv_table(t_env, tmp_path, **options):
    directory = tmp_path / "people"
    directory.mkdir(exist_ok=True)
    (directory / "a.csv").write_text("\n".join(CSV_LINES) + "\n")
    (directory / "b.csv").write_text("7,gus,9.0\n")
    extra = "".join(f", '{k}' = '{v}'" for k, v in options.items())
    t_env.execute_sql(f"CREATE TABLE people (id BIGINT, name STRING, score DOUBLE) WITH ('connector' = "
                      f"'filesystem', 'path' = '{directory}', 'format' = 'csv'{extra})")
    return directory


def test_a_bad_csv_line_fails_naming_file_line_and_reason(tmp_path):
    t_env = batch_env()
    directory = csv_table(t_env, tmp_path)
    with pytest.raises(JobExecutionError, match=rf"filesystem table 'people': line 2 of '{directory}/a.csv': cannot "
                                                r"read it as CSV \(id, name, score\): .*'x'.* \(line b'2,bob,x'\); "
                                                r".*'csv.ignore-parse-errors' = 'true'"):
        list(t_env.execute_sql("SELECT * FROM people").collect())


def test_bad_csv_lines_are_skipped_and_counted(tmp_path):
    t_env = batch_env()
    csv_table(t_env, tmp_path, **{"csv.ignore-parse-errors": "true"})
    rows, errors = collect_with_errors(t_env, "SELECT * FROM people")
    assert rows == sorted(good_csv_rows() + [(7, "gus", 9.0)])
    assert errors == 3  # '2,bob,x', 'four,dan,2.0', '6,fay' (the blank line is no record)


JSON_LINES = [{"id": 1, "name": "ada", "tags": ["a"]}, "not json", {"id": "two", "name": "bob", "tags": []},
              {"id": 3, "name": "cy", "tags": ["c", "d"]}, {"id": 4, "tags": ["e"]},
              {"id": 5, "name": None, "tags": None}]


def json_table(t_env, tmp_path, **options):
    directory = tmp_path / "events"
    directory.mkdir(exist_ok=True)
    (directory / "part-0.json").write_text("".join((line if isinstance(line, str) else json.dumps(line)) + "\n"
                                                   for line in JSON_LINES))
    extra = "".join(f", '{k}' = '{v}'" for k, v in options.items())
    t_env.execute_sql(f"CREATE TABLE events (id BIGINT, name STRING, tags ARRAY<STRING>) WITH ('connector' = "
                      f"'filesystem', 'path' = '{directory}', 'format' = 'json'{extra})")
    return directory


def readable_json_rows(require_all_fields):
    rows = []
    for line in JSON_LINES:
        if isinstance(line, str) or not isinstance(line["id"], int):
            continue
        if require_all_fields and set(line) != {"id", "name", "tags"}:
            continue
        rows.append((line["id"], line.get("name"), line.get("tags")))
    return sorted(rows, key=repr)


def test_a_bad_json_line_fails_naming_file_and_line(tmp_path):
    t_env = batch_env()
    directory = json_table(t_env, tmp_path)
    with pytest.raises(JobExecutionError, match=rf"filesystem table 'events': line 2 of '{directory}/part-0.json': "
                                                r"cannot read it as JSON \(id, name, tags\): .* \(line b'not json'\)"):
        list(t_env.execute_sql("SELECT * FROM events").collect())


def test_bad_json_lines_are_skipped_and_counted(tmp_path):
    t_env = batch_env()
    json_table(t_env, tmp_path, **{"json.ignore-parse-errors": "true"})
    rows, errors = collect_with_errors(t_env, "SELECT * FROM events")
    assert sorted(rows, key=repr) == readable_json_rows(False)
    assert errors == 2


def test_json_fail_on_missing_field(tmp_path):
    t_env = batch_env()
    directory = tmp_path / "complete"
    directory.mkdir()
    lines = [line for line in JSON_LINES if isinstance(line, dict) and isinstance(line["id"], int)]
    (directory / "x.json").write_text("".join(json.dumps(line) + "\n" for line in lines))
    t_env.execute_sql(f"CREATE TABLE complete (id BIGINT, name STRING, tags ARRAY<STRING>) WITH ('connector' = "
                      f"'filesystem', 'path' = '{directory}', 'format' = 'json', "
                      f"'json.fail-on-missing-field' = 'true')")
    with pytest.raises(JobExecutionError, match=rf"line 3 of '{directory}/x.json': cannot read it as JSON "
                                                r"\(id, name, tags\): field 'name' is missing"):
        list(t_env.execute_sql("SELECT * FROM complete").collect())
    (directory / "x.json").write_text("".join(json.dumps(line) + "\n" for line in lines if "name" in line))
    rows = sorted((tuple(r) for r in t_env.execute_sql("SELECT * FROM complete").collect()), key=repr)
    assert rows == readable_json_rows(True)


@pytest.mark.parametrize("standard, separator", [(None, " "), ("SQL", " "), ("ISO-8601", "T")])
def test_json_timestamp_format_standard(tmp_path, standard, separator):
    t_env = batch_env()
    option = "" if standard is None else f", 'json.timestamp-format.standard' = '{standard}'"
    times = [datetime.datetime(2024, 1, 2, 3, 4, 5, 250000), datetime.datetime(2024, 12, 31, 23, 59, 59)]
    t_env.execute_sql(f"CREATE TABLE stamps (id BIGINT, ts TIMESTAMP(3)) WITH ('connector' = 'filesystem', "
                      f"'path' = '{tmp_path / 'out'}', 'format' = 'json'{option})")
    t_env.from_elements(list(enumerate(times)), DataTypes.ROW([
        DataTypes.FIELD("id", DataTypes.BIGINT()), DataTypes.FIELD("ts", DataTypes.TIMESTAMP(3))])
    ).execute_insert("stamps").wait()
    written = sorted(json.loads(line)["ts"] for file in (tmp_path / "out").rglob("*") if file.is_file()
                     for line in file.read_text().splitlines())
    assert all(value[10] == separator for value in written), written
    # What was written reads back (either standard is read).
    rows = sorted(tuple(r) for r in t_env.execute_sql("SELECT id, ts FROM stamps").collect())
    assert rows == list(enumerate(times))


def test_json_timestamp_format_standard_is_checked(tmp_path):
    t_env = batch_env()
    t_env.execute_sql(f"CREATE TABLE stamps (ts TIMESTAMP(3)) WITH ('connector' = 'filesystem', "
                      f"'path' = '{tmp_path}', 'format' = 'json', 'json.timestamp-format.standard' = 'RFC')")
    with pytest.raises(ConnectorOptionError, match="'json.timestamp-format.standard' must be 'SQL' or 'ISO-8601'"):
        t_env.from_elements([(datetime.datetime(2024, 1, 2),)], DataTypes.ROW([
            DataTypes.FIELD("ts", DataTypes.TIMESTAMP(3))])).execute_insert("stamps").wait()


def test_fail_on_missing_field_and_ignore_parse_errors_exclude_each_other(tmp_path):
    t_env = batch_env()
    json_table(t_env, tmp_path, **{"json.ignore-parse-errors": "true", "json.fail-on-missing-field": "true"})
    with pytest.raises(ConnectorOptionError, match="'json.fail-on-missing-field' and 'json.ignore-parse-errors' "
                                                   "cannot both be true"):
        list(t_env.execute_sql("SELECT * FROM events").collect())


def test_unknown_format_options_are_refused(tmp_path):
    t_env = batch_env()
    csv_table(t_env, tmp_path, **{"csv.ignore-parse-error": "true"})
    with pytest.raises(ConnectorOptionError, match="unknown option 'csv.ignore-parse-error'.*did you mean "
                                                   "'csv.ignore-parse-errors'"):
        t_env.from_path("people")


AVRO_ROWS = [(1, "ada", 3.5, True, decimal.Decimal("12.30"), datetime.date(2024, 1, 2),
              datetime.datetime(2024, 1, 2, 3, 4, 5, 678000), "eu"),
             (2, None, None, False, decimal.Decimal("-0.05"), None, None, "us"),
             (3, "cy", -1.0, None, None, datetime.date(1999, 12, 31),
              datetime.datetime(1970, 1, 1, 0, 0, 0, 1000), "eu")]
AVRO_COLUMNS = ("id BIGINT, name STRING, score DOUBLE, ok BOOLEAN, price DECIMAL(10, 2), day DATE, "
                "at TIMESTAMP(3), region STRING")


@pytest.mark.parametrize("partitioned", [False, True])
def test_avro_round_trip(tmp_path, partitioned):
    t_env = batch_env()
    path = tmp_path / "avro"
    partition = "PARTITIONED BY (region) " if partitioned else ""
    t_env.execute_sql(f"CREATE TABLE out_t ({AVRO_COLUMNS}) {partition}WITH ('connector' = 'filesystem', "
                      f"'path' = '{path}', 'format' = 'avro', 'avro.codec' = 'deflate')")
    row_type = DataTypes.ROW([DataTypes.FIELD("id", DataTypes.BIGINT()), DataTypes.FIELD("name", DataTypes.STRING()),
                              DataTypes.FIELD("score", DataTypes.DOUBLE()), DataTypes.FIELD("ok", DataTypes.BOOLEAN()),
                              DataTypes.FIELD("price", DataTypes.DECIMAL(10, 2)),
                              DataTypes.FIELD("day", DataTypes.DATE()), DataTypes.FIELD("at", DataTypes.TIMESTAMP(3)),
                              DataTypes.FIELD("region", DataTypes.STRING())])
    t_env.create_temporary_view("rows_v", t_env.from_elements(AVRO_ROWS, row_type))
    t_env.execute_sql("INSERT INTO out_t SELECT * FROM rows_v").wait()
    files = sorted(p for p in path.rglob("*.avro"))
    assert len(files) == (2 if partitioned else 1)
    with open(files[0], "rb") as handle:
        reader = fastavro.reader(handle)
        assert reader.metadata["avro.codec"] == "deflate"
        fields = {f["name"]: f["type"] for f in reader.writer_schema["fields"]}
    assert fields["id"] == ["null", "long"]
    assert fields["price"] == ["null", {"type": "bytes", "logicalType": "decimal", "precision": 10, "scale": 2}]
    assert fields["at"] == ["null", {"type": "long", "logicalType": "timestamp-millis"}]
    assert ("region" in fields) is not partitioned
    rows = sorted(tuple(r) for r in t_env.execute_sql("SELECT * FROM out_t").collect())
    assert rows == sorted(AVRO_ROWS)


def test_avro_files_of_another_schema_are_resolved(tmp_path):
    """A file written with INT ids and an extra field is read with the table's columns: ids
    promoted to BIGINT, the extra field dropped, a missing nullable column null."""
    schema = {"type": "record", "name": "r", "fields": [{"name": "id", "type": "int"},
                                                        {"name": "extra", "type": "string"},
                                                        {"name": "name", "type": "string"}]}
    records = [{"id": i, "extra": "x" * i, "name": f"n{i}"} for i in range(50)]
    (tmp_path / "in").mkdir()
    with open(tmp_path / "in" / "f.avro", "wb") as out:
        fastavro.writer(out, fastavro.parse_schema(schema), records)
    t_env = batch_env()
    t_env.execute_sql(f"CREATE TABLE t (id BIGINT, name STRING, score DOUBLE) WITH ('connector' = 'filesystem', "
                      f"'path' = '{tmp_path / 'in'}', 'format' = 'avro')")
    rows = sorted(tuple(r) for r in t_env.execute_sql("SELECT * FROM t").collect())
    assert rows == [(r["id"], r["name"], None) for r in records]


def test_bad_avro_files_are_named(tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "f.avro").write_bytes(b"not avro at all")
    t_env = batch_env()
    t_env.execute_sql(f"CREATE TABLE t (id BIGINT) WITH ('connector' = 'filesystem', "
                      f"'path' = '{tmp_path / 'in'}', 'format' = 'avro')")
    with pytest.raises(JobExecutionError, match=rf"filesystem table 't': cannot read '{tmp_path}/in/f.avro' as "
                                                r"Avro of the table's columns"):
        list(t_env.execute_sql("SELECT * FROM t").collect())
    schema = fastavro.parse_schema({"type": "record", "name": "r", "fields": [{"name": "id", "type": "long"}]})
    with open(tmp_path / "in" / "f.avro", "wb") as out:
        fastavro.writer(out, schema, [{"id": i} for i in range(1000)])
    data = (tmp_path / "in" / "f.avro").read_bytes()
    (tmp_path / "in" / "f.avro").write_bytes(data[:len(data) - 40])  # cut short
    with pytest.raises(JobExecutionError, match=rf"cannot read record \d+ of '{tmp_path}/in/f.avro' as Avro"):
        list(t_env.execute_sql("SELECT * FROM t").collect())
    t_env.execute_sql(f"CREATE TABLE s (id BIGINT) WITH ('connector' = 'filesystem', "
                      f"'path' = '{tmp_path / 'out'}', 'format' = 'avro', 'avro.codec' = 'rar')")
    with pytest.raises(ConnectorOptionError, match="'avro.codec' must be one of null, deflate, bzip2, xz, got 'rar'"):
        t_env.execute_sql("INSERT INTO s SELECT id FROM t").wait()


@pytest.mark.parametrize("chunk_bytes", [16 << 20, 100])
def test_bad_lines_among_many_are_found_across_chunks(tmp_path, monkeypatch, chunk_bytes):
    """5,000 lines (some longer than a 100-byte chunk) with bad ones spread out: each named by
    its line number, or skipped and counted; the good rows all read, in order."""
    from fluvial.table import connectors

    monkeypatch.setattr(connectors, "_TEXT_CHUNK_BYTES", chunk_bytes)
    bad = {17, 2048, 2049, 4999}
    lines = [f"{n},{'x' * (n % 300)},{n / 4}" if n not in bad else f"{n},oops" for n in range(1, 5001)]
    (tmp_path / "many").mkdir()
    (tmp_path / "many" / "m.csv").write_text("\r\n".join(lines))  # CRLF, no line end at the end
    t_env = batch_env()
    t_env.execute_sql(f"CREATE TABLE many (id BIGINT, pad STRING, q DOUBLE) WITH ('connector' = 'filesystem', "
                      f"'path' = '{tmp_path / 'many'}', 'format' = 'csv')")
    with pytest.raises(JobExecutionError, match=r"line 17 of .*m.csv': cannot read it as CSV .*\(line b'17,oops'\)"):
        list(t_env.execute_sql("SELECT * FROM many").collect())
    t_env.execute_sql(f"CREATE TABLE skipping (id BIGINT, pad STRING, q DOUBLE) WITH ('connector' = 'filesystem', "
                      f"'path' = '{tmp_path / 'many'}', 'format' = 'csv', 'csv.ignore-parse-errors' = 'true')")
    result = t_env.execute_sql("SELECT * FROM skipping")
    rows = [tuple(r) for r in result.collect()]
    assert rows == [(n, "x" * (n % 300), n / 4) for n in range(1, 5001) if n not in bad]
    job = result.get_job_client().get_job_execution_result().result()
    assert job.get_accumulator_result("numRecordsInErrors") == len(bad)


def test_avro_arrays_and_maps(tmp_path):
    t_env = batch_env()
    t_env.execute_sql(f"CREATE TABLE nested (id BIGINT, xs ARRAY<BIGINT>, m MAP<STRING, BIGINT>) WITH ("
                      f"'connector' = 'filesystem', 'path' = '{tmp_path / 'n'}', 'format' = 'avro')")
    rows = [(1, [1, None, 3], {"k": 1, "z": None}), (2, None, None), (3, [], {})]
    row_type = DataTypes.ROW([DataTypes.FIELD("id", DataTypes.BIGINT()),
                              DataTypes.FIELD("xs", DataTypes.ARRAY(DataTypes.BIGINT())),
                              DataTypes.FIELD("m", DataTypes.MAP(DataTypes.STRING(), DataTypes.BIGINT()))])
    t_env.create_temporary_view("v", t_env.from_elements(rows, row_type))
    t_env.execute_sql("INSERT INTO nested SELECT * FROM v").wait()
    with open(next((tmp_path / "n").glob("*.avro")), "rb") as handle:
        assert list(fastavro.reader(handle)) == [{"id": i, "xs": xs, "m": m} for i, xs, m in rows]
    got = sorted(tuple(r) for r in t_env.execute_sql("SELECT * FROM nested").collect())
    assert [(i, xs, None if m is None else dict(m)) for i, xs, m in got] == rows
