"""TimeDomain (PyFlink's pyflink.datastream.time_domain): which clock fired a timer."""

from enum import Enum

__all__ = ["TimeDomain"]


class TimeDomain(Enum):
    # The values are the ones the engine writes into the keyed cell (_keyed.EVENT_TIME, ...).
    EVENT_TIME = 0
    PROCESSING_TIME = 1
