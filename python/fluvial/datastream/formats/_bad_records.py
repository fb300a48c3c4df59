"""What a reader does with a record that does not fit its declared type: fail the job
with a ConnectorError (the default), or, with the ignore option, skip the record, count
it in the subtask's numRecordsInErrors counter and log it. Never drop it unseen."""

import logging

from fluvial.datastream.connectors.metrics import Counter
from fluvial.errors import ConnectorError

_log = logging.getLogger("fluvial.formats")

# What a failing bad record's message ends with: what to do about it.
ADVICE = ("; fix the record or the schema, or skip bad records with with_ignore_parse_errors() "
          "(they are counted in numRecordsInErrors)")


class BadRecords:
    def __init__(self, ignore: bool, counter: Counter, advice: str = ADVICE):
        self.ignore = ignore
        self._counter = counter
        self._advice = advice
        self._logged = False

    def reject(self, message: str) -> None:
        """Raises ConnectorError(message), or counts and logs the skipped record."""
        if not self.ignore:
            raise ConnectorError(message + self._advice)
        self._counter.inc()
        if not self._logged:
            # The first one per reader is a warning; the counter tells how many followed.
            self._logged = True
            _log.warning("skipping a bad record (counted in numRecordsInErrors): %s", message)
        else:
            _log.debug("skipping a bad record: %s", message)


def describe_value(value) -> str:
    """A value as error messages show it: repr, cut short."""
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."
