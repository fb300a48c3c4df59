"""MapFunctions with map_batch run once per batch (the lookups' operator): same results
as per-record map, a wrong result length fails clearly, and sources keep their chunks
large enough for a round trip per batch to pay off."""

import time

import pytest

from fluvial.datastream import MapFunction
from fluvial.datastream._plan import MIN_CHUNK_FOR_BATCH_MAPS
from fluvial.datastream.connectors import NumberSequenceSource
from fluvial.errors import UserFunctionError


class SquareBatches(MapFunction):
    """Squares records a batch at a time, reporting each batch's size; sleeps per batch as a
    lookup's round trip would."""

    def __init__(self, channel, pause=0.0):
        self._channel = channel
        self._pause = pause

    def map(self, value):
        raise AssertionError("map_batch, not map, should be called")

    def map_batch(self, values):
        self._channel.append(len(values))
        if self._pause:
            time.sleep(self._pause)
        return [v * v for v in values]


class WrongLength(MapFunction):
    def map(self, value):
        return value

    def map_batch(self, values):
        return values[1:]


def test_batch_map_gives_the_results_of_map(env, channel):
    numbers = env.from_source(NumberSequenceSource(0, 9999), None, "numbers")
    results = numbers.rebalance().map(SquareBatches(channel)).execute_and_collect()
    assert sorted(results) == [n * n for n in range(10000)]
    assert sum(channel.items()) == 10000


def test_slow_batches_keep_source_chunks_large(env1, channel):
    # 2 ms per batch would shrink the chunks to one record; a batch map keeps them >= 64.
    numbers = env1.from_source(NumberSequenceSource(0, 4095), None, "numbers")
    results = numbers.map(SquareBatches(channel, pause=0.002)).execute_and_collect()
    assert sorted(results) == [n * n for n in range(4096)]
    sizes = channel.items()
    assert min(sizes) >= MIN_CHUNK_FOR_BATCH_MAPS, sizes
    assert sum(sizes) == 4096


def test_a_batch_result_of_another_length_fails_naming_both(env1):
    env1.from_collection([1, 2, 3]).map(WrongLength())
    with pytest.raises(UserFunctionError, match=r"as many records as it was given \(3\), got a list of 2"):
        env1.execute("wrong length")
