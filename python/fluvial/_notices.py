"""One-line notices for PyFlink settings Fluvial accepts but cannot honour yet.

A PyFlink program often carries settings that make no difference to its results
(`enable_unaligned_checkpoints()`, a RocksDB state backend): Fluvial runs such a program
unmodified and says once, on standard error, what it does instead. Standard error, not a
logger: many PyFlink programs send INFO logging to standard output, and their output
must stay exactly PyFlink's.
"""

import sys

_shown: set = set()


def notice_once(key: str, message: str) -> None:
    """Writes `Fluvial: message` to standard error, the first time `key` is seen."""
    if key in _shown:
        return
    _shown.add(key)
    sys.stderr.write(f"Fluvial: {message}\n")
    sys.stderr.flush()
