"""Fluvial: the PyFlink API on a native C++ stream-processing engine, no JVM.

Start with :class:`fluvial.datastream.StreamExecutionEnvironment`; run an
unmodified PyFlink program with ``fluvial run job.py``.
"""

__version__ = "0.1.0"
