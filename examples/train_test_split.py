"""Side outputs (from the PyFlink talk): one pass over labelled samples splits
them into a training stream and a test stream, and collects malformed records
and late records on two more side outputs, instead of failing or dropping them.

Run it with `fluvial run examples/train_test_split.py`; it prints lines
prefixed "train>", "test>", "malformed>" and "late>".
"""

import zlib

from pyflink.common import Duration, Row, WatermarkStrategy
from pyflink.common.watermark_strategy import TimestampAssigner
from pyflink.datastream import OutputTag, ProcessFunction, StreamExecutionEnvironment

# --8<-- [start:tags]
TEST = OutputTag("test")
MALFORMED = OutputTag("malformed")
LATE = OutputTag("late")
# --8<-- [end:tags]

RAW = [
    "s1,1000,0.5,1", "s2,2000,0.1,0", "s3,3000,bad,1", "s4,4000,0.9,1", "s5,9000,0.3,0",
    "s6,1500,0.7,1",  # more than 2 s behind the newest timestamp: late
    "s7,10000,0.2,0", "incomplete", "s8,11000,0.6,1", "s9,12000,0.4,0", "s10,5000,0.8,1",
]


def parse(line: str):
    """(sample id, ts, feature, label), or None when the line is malformed."""
    parts = line.split(",")
    if len(parts) != 4:
        return None
    try:
        return Row(id=parts[0], ts=int(parts[1]), feature=float(parts[2]), label=int(parts[3]))
    except ValueError:
        return None


def is_test(sample_id: str) -> bool:
    # A stable 20% split: the same sample always lands on the same side.
    return zlib.crc32(sample_id.encode()) % 5 == 0


class LineTime(TimestampAssigner):
    def extract_timestamp(self, value, record_timestamp):
        sample = parse(value)
        return sample.ts if sample is not None else record_timestamp if record_timestamp > 0 else 0


# --8<-- [start:function]
class Split(ProcessFunction):
    def process_element(self, value, ctx):
        sample = parse(value)
        if sample is None:
            yield MALFORMED, value
        elif ctx.timestamp() is not None and ctx.timestamp() < self.watermark(ctx):
            yield LATE, sample
        elif is_test(sample.id):
            yield TEST, sample
        else:
            yield sample

    def watermark(self, ctx):
        # Late: older than the newest timestamp seen minus the allowed 2 s.
        self.newest = max(getattr(self, "newest", 0), ctx.timestamp())
        return self.newest - 2000
# --8<-- [end:function]


# --8<-- [start:job]
def main():
    env = StreamExecutionEnvironment.get_execution_environment()
    strategy = WatermarkStrategy.for_bounded_out_of_orderness(Duration.of_seconds(2)) \
        .with_timestamp_assigner(LineTime())
    samples = env.from_collection(RAW).assign_timestamps_and_watermarks(strategy).process(Split())
    samples.print("train")
    samples.get_side_output(TEST).print("test")
    samples.get_side_output(MALFORMED).print("malformed")
    samples.get_side_output(LATE).print("late")
    env.execute("train_test_split")
# --8<-- [end:job]


if __name__ == "__main__":
    main()
