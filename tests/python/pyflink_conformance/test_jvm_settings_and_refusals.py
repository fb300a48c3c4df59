"""What PyFlink programs do for the JVM's sake (add_jars, pipeline.jars, the Python
worker's executable and mode) runs on Fluvial with one warning line each, on stderr,
and changes nothing of the output; the connectors that are not there yet (Elasticsearch,
Pulsar) are refused with an UnsupportedFeatureError that names them."""

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]


def fluvial_run(tmp_path, source: str) -> subprocess.CompletedProcess:
    program = tmp_path / "program.py"
    program.write_text(textwrap.dedent(source))
    env = dict(os.environ, PYTHONPATH=str(ROOT / "python"))
    return subprocess.run([sys.executable, "-m", "fluvial", "run", str(program)], env=env, cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)


def test_jvm_settings_are_accepted_with_one_warning_line_each(tmp_path):
    completed = fluvial_run(tmp_path, """
        import logging, sys
        from pyflink.common import Configuration
        from pyflink.datastream import StreamExecutionEnvironment
        from pyflink.table import EnvironmentSettings, TableEnvironment

        # As the PyFlink examples do: INFO logging to stdout.
        logging.basicConfig(stream=sys.stdout, level=logging.INFO, format="%(message)s")
        config = Configuration()
        config.set_string("python.execution-mode", "thread")
        config.set_string("pipeline.classpaths", "file:///opt/udfs.jar")
        env = StreamExecutionEnvironment.get_execution_environment(config)
        env.add_jars("file:///path/to/flink-sql-connector-kafka-1.15.0.jar")
        env.add_jars("file:///path/to/flink-sql-avro-1.15.0.jar")
        env.add_classpaths("file:///opt/more.jar")
        env.set_python_executable("python3")
        t_env = TableEnvironment.create(EnvironmentSettings.in_streaming_mode())
        t_env.get_config().set("pipeline.jars", "file:///path/to/a.jar;file:///path/to/b.jar")
        t_env.get_config().set("python.client.executable", "python3")
        t_env.get_config().set("python.executable", "python3")
        t_env.get_config().set_python_executable("python3")
        env.from_collection([1, 2, 3]).map(lambda x: x * 10).print()
        env.execute()
    """)
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout == "10\n20\n30\n"
    warnings = [line for line in completed.stderr.splitlines() if line.startswith("fluvial: warning:")]
    assert warnings == [
        "fluvial: warning: configuration option 'pipeline.classpaths' ignored (JVM classpaths: Fluvial runs "
        "without a JVM)",
        "fluvial: warning: configuration option 'python.execution-mode' ignored (Fluvial runs Python functions "
        "in its own worker threads; there is no separate thread/process mode to choose)",
        "fluvial: warning: StreamExecutionEnvironment.add_jars() ignored (connector jars: Fluvial's connectors "
        "are built in, without a JVM)",
        "fluvial: warning: StreamExecutionEnvironment.add_classpaths() ignored (JVM classpaths: Fluvial runs "
        "without a JVM)",
        "fluvial: warning: StreamExecutionEnvironment.set_python_executable() ignored (Fluvial runs user "
        "functions in the Python interpreter that started the program)",
        "fluvial: warning: configuration option 'pipeline.jars' ignored (connector jars: Fluvial's connectors "
        "are built in, without a JVM)",
        "fluvial: warning: configuration option 'python.client.executable' ignored (Fluvial runs the program "
        "in the Python interpreter that started it)",
        "fluvial: warning: configuration option 'python.executable' ignored (Fluvial runs user functions in the "
        "Python interpreter that started the program)",
        "fluvial: warning: TableConfig.set_python_executable() ignored (Fluvial runs user functions in the "
        "Python interpreter that started the program)",
    ]


@pytest.mark.parametrize("module, names", [
    ("elasticsearch", "Elasticsearch6SinkBuilder, Elasticsearch7SinkBuilder"),
    ("pulsar", "PulsarSource, PulsarSink"),
])
def test_connectors_not_there_yet_are_refused_by_name(tmp_path, module, names):
    completed = fluvial_run(tmp_path, f"""
        from pyflink.datastream.connectors.{module} import *
    """)
    assert completed.returncode == 1
    last = completed.stderr.strip().splitlines()[-1]
    assert last.startswith("fluvial.errors.UnsupportedFeatureError: the "), last
    assert f"(pyflink.datastream.connectors.{module}: {names}) is not available in Fluvial yet" in last
    assert "issue #21" in last and "Traceback" not in last
