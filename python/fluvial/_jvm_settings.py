"""PyFlink settings that only mean something to a JVM or to PyFlink's Python-worker
processes: Fluvial has neither, so a program that uses them runs as it is, and each
is reported once, on one line of stderr, as ignored.

stderr and not the logging module: the PyFlink examples point the root logger at
stdout (`logging.basicConfig(stream=sys.stdout, level=logging.INFO)`), and a program's
stdout is its output."""

import sys
from typing import Iterable

# Configuration keys -> why Fluvial does not need them.
JVM_KEYS = {
    "pipeline.jars": "connector jars: Fluvial's connectors are built in, without a JVM",
    "pipeline.classpaths": "JVM classpaths: Fluvial runs without a JVM",
    "python.execution-mode": "Fluvial runs Python functions in its own worker threads; there is no "
                             "separate thread/process mode to choose",
    "python.client.executable": "Fluvial runs the program in the Python interpreter that started it",
    "python.executable": "Fluvial runs user functions in the Python interpreter that started the program",
}

_reported = set()


def ignore(what: str, why: str) -> None:
    """One line on stderr, once per setting and process."""
    if what in _reported:
        return
    _reported.add(what)
    print(f"fluvial: warning: {what} ignored ({why})", file=sys.stderr, flush=True)


def ignore_keys(keys: Iterable[str]) -> None:
    for key in keys:
        if key in JVM_KEYS:
            ignore(f"configuration option '{key}'", JVM_KEYS[key])


class IgnoresJvmSettings:
    """StreamExecutionEnvironment's JVM-only methods: accepted, reported once, ignored."""

    def add_jars(self, *jars_path: str) -> None:
        """Connector jars; Fluvial's connectors are built in.

        Examples:
            >>> from fluvial.datastream import StreamExecutionEnvironment
            >>> env = StreamExecutionEnvironment.get_execution_environment()
            >>> env.add_jars("file:///path/to/flink-sql-connector-kafka.jar")  # one warning on stderr
        """
        ignore("StreamExecutionEnvironment.add_jars()", JVM_KEYS["pipeline.jars"])

    def add_classpaths(self, *classpaths: str) -> None:
        """JVM classpaths; Fluvial has no JVM.

        Examples:
            >>> from fluvial.datastream import StreamExecutionEnvironment
            >>> StreamExecutionEnvironment.get_execution_environment().add_classpaths("file:///opt/udfs.jar")
        """
        ignore("StreamExecutionEnvironment.add_classpaths()", JVM_KEYS["pipeline.classpaths"])

    def set_python_executable(self, python_exec: str) -> None:
        """The interpreter of PyFlink's worker processes; Fluvial runs functions in its own.

        Examples:
            >>> from fluvial.datastream import StreamExecutionEnvironment
            >>> StreamExecutionEnvironment.get_execution_environment().set_python_executable("python3")
        """
        ignore("StreamExecutionEnvironment.set_python_executable()", JVM_KEYS["python.executable"])
