import pickle

import cloudpickle
import pytest

from fluvial.common import Duration, Instant, Time

# ----------------------------------------------------------------------------- Duration


def test_duration_factories_agree():
    assert Duration.of_days(1) == Duration.of_hours(24)
    assert Duration.of_hours(1) == Duration.of_minutes(60)
    assert Duration.of_minutes(1) == Duration.of_seconds(60)
    assert Duration.of_seconds(1) == Duration.of_millis(1000)
    assert Duration.of_millis(1) == Duration.of_nanos(1_000_000)
    assert Duration.of_days(2).to_milliseconds() == 172_800_000


def test_duration_to_milliseconds_floors_like_java():
    assert Duration.of_nanos(1_999_999).to_milliseconds() == 1
    assert Duration.of_nanos(-1).to_milliseconds() == -1
    assert Duration.of_nanos(123).to_nanos() == 123


def test_duration_ordering_and_hash():
    assert Duration.of_millis(1) < Duration.of_seconds(1)
    assert Duration.of_seconds(2) >= Duration.of_millis(2000)
    assert hash(Duration.of_seconds(1)) == hash(Duration.of_millis(1000))
    assert Duration.of_seconds(1) != 1000
    assert Duration.of_millis(-1).is_negative() and Duration.of_nanos(0).is_zero()


def test_duration_repr_and_iso_string():
    assert repr(Duration.of_seconds(90)) == "Duration.of_millis(90000)"
    assert repr(Duration.of_nanos(5)) == "Duration.of_nanos(5)"
    cases = {
        Duration.of_nanos(0): "PT0S",
        Duration.of_millis(1500): "PT1.5S",
        Duration.of_minutes(90): "PT1H30M",
        Duration.of_days(2): "PT48H",
        Duration.of_seconds(-90): "PT-1M-30S",
        Duration.of_millis(-500): "PT-0.5S",
        Duration.of_millis(-1500): "PT-1.5S",
        Duration.of_nanos(1): "PT0.000000001S",
    }
    for duration, text in cases.items():
        assert str(duration) == text


@pytest.mark.parametrize(
    "factory", [Duration.of_seconds, Duration.of_millis, Time.seconds]
)
def test_time_factories_refuse_non_ints(factory):
    with pytest.raises(TypeError, match=r"must be an int, got float 1\.5"):
        factory(1.5)
    with pytest.raises(TypeError, match="must be an int, got bool True"):
        factory(True)


# --------------------------------------------------------------------------------- Time


def test_time_factories():
    assert Time.milliseconds(5).to_milliseconds() == 5
    assert Time.seconds(5).to_milliseconds() == 5_000
    assert Time.minutes(2).to_milliseconds() == 120_000
    assert Time.hours(1).to_milliseconds() == 3_600_000
    assert Time.days(1).to_milliseconds() == 86_400_000
    assert Time(7) == Time.milliseconds(7)
    assert Time.seconds(1) != Time.seconds(2)
    assert hash(Time.seconds(60)) == hash(Time.minutes(1))


def test_time_strings():
    assert str(Time.seconds(3)) == "3000 ms"
    assert repr(Time.seconds(3)) == "Time.milliseconds(3000)"


# ------------------------------------------------------------------------------ Instant


def test_instant_epoch_millis_round_trip():
    for millis in [0, 1, 999, 1_000, 1_700_000_000_123, -1, -999, -1_001]:
        assert Instant.of_epoch_milli(millis).to_epoch_milli() == millis
    assert Instant.of_epoch_milli(-1) == Instant(-1, 999_000_000)


def test_instant_normalises_nanos():
    assert Instant(0, 1_500_000_000) == Instant(1, 500_000_000)
    assert Instant(0, -1) == Instant(-1, 999_999_999)
    assert repr(Instant(5, 7)) == "Instant<5, 7>"
    assert hash(Instant(1, 2)) == hash(Instant(1, 2))


@pytest.mark.parametrize("dumps", [pickle.dumps, cloudpickle.dumps])
def test_time_values_pickle(dumps):
    for value in [Duration.of_nanos(-7), Time.hours(2), Instant(3, 4)]:
        assert pickle.loads(dumps(value)) == value
