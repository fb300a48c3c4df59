"""pytest plugin that runs PyFlink's own unit tests (corpus 2) on Fluvial, unmodified.

Loaded by test_unit_tests.py into a pytest run of its own (``-p unit_tests_harness``), it

- routes ``pyflink.*`` imports to Fluvial (the alias ``fluvial run`` uses), so
  ``pyflink.testing`` is ``fluvial.testing``, the JVM-free test harness;
- serves ``pyflink.{common,datastream,table}.tests.<module>`` from the vendored corpus
  (tests import helpers from each other, e.g. ``from pyflink.table.tests.test_udf import
  SubtractOne``), except ``pyflink.datastream.tests.test_util``, PyFlink's Java collect sink,
  which is Fluvial's ``fluvial.testing.datastream_test_util``;
- gives the modules that only wrap the JVM (``pyflink.java_gateway``,
  ``pyflink.util.java_utils``, ``py4j``) importable stand-ins whose every function raises
  UnsupportedFeatureError, so a file whose *other* tests are portable still imports (the
  tests that call them are classified not portable statically, see unit_tests_corpus.py);
- writes each test's outcome (and the reason of a failure) as JSON to the file named by
  $FLUVIAL_CORPUS2_REPORT.
"""

import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import json
import os
import sys
import types
from pathlib import Path

from fluvial import _pyflink_alias
from fluvial.errors import UnsupportedFeatureError

CORPUS = Path(__file__).resolve().parent / "corpus" / "unit_tests"
_AREAS = ("common", "datastream", "table")
_REPLACED = {"pyflink.datastream.tests.test_util": "fluvial.testing.datastream_test_util"}
# pyflink.util is there for java_utils; pyflink.fn_execution (the Python worker) is only named
# in type comments of the tests.
_JVM_MODULES = ("pyflink.java_gateway", "pyflink.util", "py4j", "pyflink.fn_execution")


class _IgnoredJavaConfiguration:
    """What get_j_env_configuration(None) gives: PyFlink's DataStream tests tune the MiniCluster
    in setUp (``config.setString("akka.ask.timeout", "20 s")``); with no JVM that is a no-op.
    Tests whose own body reads Java objects are not portable whatever this returns."""

    def __getattr__(self, name):
        return lambda *args, **kwargs: None


class _JvmStandIn(types.ModuleType):
    """A module of the JVM bridge: importable, every name a function that refuses (except
    get_j_env_configuration of the harness's Java-less environment, see above)."""

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        what = f"{self.__name__}.{name}"
        if name == "get_j_env_configuration":
            def configuration(j_env):
                if j_env is None:
                    return _IgnoredJavaConfiguration()
                raise UnsupportedFeatureError(f"{what} reaches into the JVM; Fluvial runs without one", name=what)

            return configuration

        def refuse(*args, **kwargs):
            raise UnsupportedFeatureError(f"{what} reaches into the JVM; Fluvial runs without one", name=what)

        refuse.__name__ = name
        return refuse


class _CorpusFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Answers the test-package imports before the pyflink alias sees them."""

    def find_spec(self, fullname, path=None, target=None):
        if fullname in _REPLACED:
            return importlib.machinery.ModuleSpec(fullname, self, origin=_REPLACED[fullname])
        if any(fullname == m or fullname.startswith(m + ".") for m in _JVM_MODULES):
            return importlib.machinery.ModuleSpec(fullname, self, is_package=True)
        parts = fullname.split(".")
        if len(parts) >= 3 and parts[0] == "pyflink" and parts[1] in _AREAS and parts[2] == "tests":
            directory = CORPUS / parts[1] / "tests"
            if len(parts) == 3:
                return importlib.machinery.ModuleSpec(fullname, self, is_package=True)
            if len(parts) == 4 and (directory / f"{parts[3]}.py").is_file():
                return importlib.util.spec_from_file_location(fullname, directory / f"{parts[3]}.py")
            raise ModuleNotFoundError(f"No module named {fullname!r} (not in the vendored corpus)", name=fullname)
        return None

    def create_module(self, spec):
        if spec.name in _REPLACED:
            return None
        if any(spec.name == m or spec.name.startswith(m + ".") for m in _JVM_MODULES):
            return _JvmStandIn(spec.name)
        return types.ModuleType(spec.name)

    def exec_module(self, module):
        if module.__name__ in _REPLACED:
            replacement = importlib.import_module(_REPLACED[module.__name__])
            module.__dict__.update({k: v for k, v in vars(replacement).items() if not k.startswith("__")})
            module.__doc__ = replacement.__doc__


_finder = _CorpusFinder()
_outcomes = {}


def pytest_configure(config):
    _pyflink_alias.install()
    sys.meta_path.insert(0, _finder)
    # The Java environment PyFlink's fixtures pass to get_j_env_configuration: none, in this
    # (corpus-only) process.
    from fluvial.datastream import StreamExecutionEnvironment

    StreamExecutionEnvironment._j_stream_execution_environment = None


def pytest_unconfigure(config):
    if _finder in sys.meta_path:
        sys.meta_path.remove(_finder)
    report_path = os.environ.get("FLUVIAL_CORPUS2_REPORT")
    if report_path:
        Path(report_path).write_text(json.dumps(_outcomes, indent=1, sort_keys=True))


def _reason(report) -> str:
    """The failure's last exception line (type: message), shortened for the coverage page."""
    crash = getattr(report.longrepr, "reprcrash", None)
    if crash is not None:
        text = crash.message
    else:  # a collection error: its text ends with the "E   ..." lines of the exception
        errors = [line[4:] for line in str(report.longrepr).splitlines() if line.startswith("E   ")]
        text = errors[-1] if errors else str(report.longrepr)
    first = text.strip().splitlines()[0] if text.strip() else "failed"
    return first[:200]


def pytest_runtest_logreport(report):
    # A test fails if its setup, call or teardown fails; it passes if its call passes and
    # nothing else failed.
    entry = _outcomes.setdefault(report.nodeid, {"outcome": "passed"})
    if report.failed and entry["outcome"] == "passed":
        entry["outcome"] = "failed"
        entry["reason"] = _reason(report)
    elif report.skipped and entry["outcome"] == "passed":
        entry["outcome"] = "skipped"
        entry["reason"] = _reason(report)


def pytest_collectreport(report):
    if report.failed:
        _outcomes[report.nodeid] = {"outcome": "error", "reason": _reason(report)}
