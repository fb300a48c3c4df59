"""The workload every engine runs, written once: the generated record, the JSON
UDF of the user's document and the meter at the end of the pipeline.

Imports nothing from Fluvial or PyFlink, so the same code runs in the bare
loop, in Fluvial and in PyFlink's Python worker (shipped there with
add_python_file).

A record is a JSON object string whose first field is its creation time:
'{"ts": 1700000000000000000, "id": 7, "name": "User-7-ABC", "k0": "v0", ...}'.
json.dumps keeps the key order, so the UDF's output still starts with the
stamp and the meter reads it by position without parsing the record again.
"""

import array
import json
import time
import zlib

STAMP_START = len('{"ts": ')
STAMP_END = STAMP_START + 19  # time.time_ns() has 19 digits until the year 2286


def payload_fields(size: int) -> str:
    """The record's tail of small string fields, so that a record is about `size` bytes."""
    head = len('{"ts": 1700000000000000000, "id": 100000, "name": "User-100000-ABC"}')
    fields, i = [], 0
    while head + sum(len(f) for f in fields) < size:
        fields.append(f', "k{i}": "value-{i}-{"x" * (i % 7)}"')
        i += 1
    return "".join(fields)


class RecordMaker:
    """number -> record string stamped with its creation time (a callable for map)."""

    def __init__(self, size: int):
        self.tail = payload_fields(size) + "}"

    def __call__(self, n: int) -> str:
        return f'{{"ts": {time.time_ns()}, "id": {n}, "name": "User-{n}-ABC"{self.tail}'


def transform(record: str) -> str:
    """The UDF of the user's document: parse, lower-case one field, serialize."""
    value = json.loads(record)
    value["name"] = value["name"].lower()
    return json.dumps(value)


class Meter:
    """Counts what reaches the end of the pipeline: arrival times, end-to-end
    latency from the stamp, and an order-independent checksum of the output
    without the stamp (to check that every engine computed the same thing)."""

    def __init__(self):
        self.latencies = array.array("q")
        self.first_ns = 0
        self.first_stamp_ns = 0
        self.last_ns = 0
        self.checksum = 0

    def add(self, record: str) -> None:
        now = time.time_ns()
        stamp = int(record[STAMP_START:STAMP_END])
        if not self.first_ns:
            self.first_ns, self.first_stamp_ns = now, stamp
        self.last_ns = now
        self.latencies.append(now - stamp)
        self.checksum = (self.checksum + zlib.crc32(record[STAMP_END:].encode())) & 0xFFFFFFFF

    def summary(self) -> dict:
        ordered = sorted(self.latencies)
        count = len(ordered)

        def percentile(p: float) -> float:
            return ordered[min(count - 1, int(p * count))] / 1000.0 if count else float("nan")

        return {"count": count, "first_ns": self.first_ns,
                "first_stamp_ns": self.first_stamp_ns, "last_ns": self.last_ns,
                "checksum": self.checksum, "p50_us": percentile(0.50), "p99_us": percentile(0.99)}

    def write(self, path: str) -> None:
        with open(path, "w") as out:
            json.dump(self.summary(), out)


def bare_loop(records: int, size: int, out_path: str) -> None:
    """The limit: the same calls in a plain Python loop, no engine."""
    make, meter = RecordMaker(size), Meter()
    for n in range(records):
        meter.add(transform(make(n)))
    meter.write(out_path)
