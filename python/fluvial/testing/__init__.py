"""JVM-free counterparts of ``pyflink.testing``, so PyFlink's own unit tests run on Fluvial.

PyFlink's test harness starts a Java MiniCluster and collects results in Java sinks.  Here
the same names run on Fluvial's in-process engine:

- ``test_case_utils``: the test-case base classes (``PyFlinkStreamTableTestCase``, ...),
  each giving the test a Fluvial ``env`` / ``t_env``.
- ``source_sink_utils``: ``results()``, ``retract_results()``, ``upsert_results(keys)`` over
  the rows written to tables declared ``WITH ('connector' = 'test-sink')``, as strings in
  Flink's ``Row.toString()`` form (``+I[1, Hi]``).
- ``datastream_test_util``: ``DataStreamTestSinkFunction`` (PyFlink's
  ``pyflink.datastream.tests.test_util``), collecting the records of a DataStream.
"""
