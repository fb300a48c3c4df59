"""table.exec.source.idle-timeout against a real broker: a SQL kafka table over a topic of 2
partitions, one of them empty, and a TUMBLE query in an unbounded job. Without the option
the empty partition holds event time back for good and no window fires; with it the
windows that plain Python says are complete fire, at parallelism 1 (the empty partition is
an idle split of the one subtask) and 2 (the subtask reading it goes idle).

Both jobs of a case run at once over the same topic: once the one with the option has
fired every expected window, the one without it had the same time to read the same rows,
and gets a generous margin more before it is checked to have fired nothing."""

import collections
import datetime
import json
import threading
import time

import pytest

from fluvial.table import EnvironmentSettings, TableEnvironment

pytestmark = pytest.mark.slow

START = datetime.datetime(2024, 3, 1, 12, 0, 0)
QUERY = ("SELECT k, window_start, COUNT(*) AS n FROM TABLE(TUMBLE(TABLE events, DESCRIPTOR(ts), "
         "INTERVAL '10' SECOND)) GROUP BY k, window_start, window_end")


class Collecting:
    """Runs QUERY in an unbounded job and gathers its rows on a thread, until stopped."""

    def __init__(self, kafka, topic: str, parallelism: int, idle_timeout):
        self.t_env = TableEnvironment.create(EnvironmentSettings.in_streaming_mode())
        self.t_env.get_config().set("parallelism.default", str(parallelism))
        if idle_timeout is not None:
            self.t_env.execute_sql(f"SET 'table.exec.source.idle-timeout' = '{idle_timeout}'")
        self.t_env.execute_sql(
            f"CREATE TABLE events (k STRING, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '1' SECOND) "
            f"WITH ('connector' = 'kafka', 'topic' = '{topic}', 'properties.bootstrap.servers' = "
            f"'{kafka.servers}', 'scan.startup.mode' = 'earliest-offset', 'format' = 'json')")
        self.rows = []
        self.lock = threading.Lock()
        self.result = self.t_env.execute_sql(QUERY)
        self.thread = threading.Thread(target=self._gather, daemon=True)
        self.thread.start()

    def _gather(self):
        try:
            for row in self.result.collect():
                with self.lock:
                    self.rows.append(tuple(row))
        except Exception:  # the job was cancelled: the rows so far are what counts
            pass

    def got(self):
        with self.lock:
            return sorted(self.rows)

    def stop(self):
        self.result.get_job_client().cancel().result()
        self.thread.join(30)


@pytest.mark.parametrize("parallelism", [1, 2])
def test_an_empty_partition_holds_sql_event_time_back_unless_the_idle_timeout_is_set(kafka, parallelism):
    topic = kafka.topic(partitions=2)
    # Partition 0 only: 60 rows, one a second, two keys; partition 1 stays empty.
    rows = [(f"k{i % 2}", START + datetime.timedelta(seconds=i)) for i in range(60)]
    kafka.produce(topic, [json.dumps({"k": k, "ts": ts.isoformat(sep=" ", timespec="milliseconds")}).encode()
                          for k, ts in rows], partitions=[0] * len(rows))
    # The watermark reaches 59 s - 1 s: the windows ending at 10 s .. 50 s are complete.
    watermark = max(ts for _, ts in rows) - datetime.timedelta(seconds=1)
    counts = collections.Counter((k, START + datetime.timedelta(seconds=(ts - START).seconds // 10 * 10))
                                 for k, ts in rows)
    expected = sorted((k, window, n) for (k, window), n in counts.items()
                      if window + datetime.timedelta(seconds=10) <= watermark)
    assert len(expected) == 10

    with_option = Collecting(kafka, topic, parallelism, "500 ms")
    without = Collecting(kafka, topic, parallelism, None)
    try:
        deadline = time.monotonic() + 60
        while with_option.got() != expected and time.monotonic() < deadline:
            time.sleep(0.05)
        fired = with_option.got()
        time.sleep(3)  # six idle timeouts more for the job without the option
        held_back = without.got()
    finally:
        with_option.stop()
        without.stop()
    assert fired == expected
    assert held_back == []

