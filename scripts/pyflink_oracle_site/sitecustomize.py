"""Loaded (through PYTHONPATH) into the real-PyFlink processes that scripts/pyflink_oracle.py
records the Kafka examples with. The examples call env.add_jars("file:///path/to/...jar"),
placeholders the user is to replace with the connector jars; the recorder puts the real
jars on the classpath (FLINK_HOME/lib) and leaves the placeholders out, so PyFlink does not
fail on uploading a file that does not exist. Nothing else about PyFlink changes."""

import os

PLACEHOLDER = "file:///path/to/"

if os.environ.get("PYFLINK_ORACLE_CONNECTOR_JARS"):
    from pyflink.datastream import stream_execution_environment as _module

    _add_jars = _module.StreamExecutionEnvironment.add_jars

    def add_jars(self, *jars_path):
        real = [jar for jar in jars_path if not jar.startswith(PLACEHOLDER)]
        if real:
            _add_jars(self, *real)

    _module.StreamExecutionEnvironment.add_jars = add_jars
