"""The base classes of PyFlink's unit tests, on Fluvial's in-process engine (no JVM).

PyFlink 2.2's ``pyflink.testing.test_case_utils`` gives each test class a Java
MiniCluster and a ``StreamExecutionEnvironment`` over it; the same names here give a
Fluvial environment with the settings PyFlink's test cases use (parallelism 2, streaming
or batch), so a PyFlink test written against them runs unchanged:

- ``PyFlinkTestCase``: a temporary directory per class (``cls.tempdir``) and
  ``assert_equals(actual, expected)``, which compares two lists ignoring order.
- ``PyFlinkUTTestCase``: a fresh ``self.env`` / ``self.t_env`` for every test.
- ``PyFlinkStreamTableTestCase`` / ``PyFlinkBatchTableTestCase``: ``cls.env`` and
  ``cls.t_env`` shared by the tests of a class, in streaming / batch mode.
- ``PyFlinkStreamingTestCase`` / ``PyFlinkBatchTestCase``: ``cls.env`` only.

What only makes sense with a JVM (comparing against Java classes, converting to Java
objects, loading jars) raises UnsupportedFeatureError naming the call.
"""

import calendar
import datetime
import os
import re
import shutil
import tempfile
import time
import unittest
from abc import abstractmethod
from typing import Any, List

from fluvial.datastream.execution_mode import RuntimeExecutionMode
from fluvial.datastream.stream_execution_environment import StreamExecutionEnvironment
from fluvial.errors import UnsupportedFeatureError
from fluvial.table.table_environment import StreamTableEnvironment

_TEST_PARALLELISM = 2  # PyFlink's test cases run their jobs at parallelism 2


def _needs_jvm(what: str) -> UnsupportedFeatureError:
    return UnsupportedFeatureError(
        f"{what} works on Java objects; Fluvial runs without a JVM (see docs/pyflink-coverage.md)", name=what)


def exec_insert_table(table: Any, table_path: str) -> Any:
    """Inserts `table` into the table at `table_path` and waits for the job's result."""
    return table.execute_insert(table_path).get_job_client().get_job_execution_result().result()


def _load_specific_flink_module_jars(jars_relative_path: str) -> None:
    raise _needs_jvm("test_case_utils._load_specific_flink_module_jars()")


def invoke_java_object_method(obj: Any, method_name: str) -> Any:
    raise _needs_jvm("test_case_utils.invoke_java_object_method()")


def to_java_data_structure(value: Any) -> Any:
    raise _needs_jvm("test_case_utils.to_java_data_structure()")


class PyFlinkTestCase(unittest.TestCase):
    """Base class of unit tests: a temporary directory per class, order-insensitive asserts."""

    @classmethod
    def setUpClass(cls):
        cls.tempdir = tempfile.mkdtemp()
        os.environ["FLINK_TESTING"] = "1"

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tempdir, ignore_errors=True)

    @classmethod
    def assert_equals(cls, actual: List[Any], expected: List[Any]) -> None:
        # Both lists are sorted in place, as PyFlink's helper does (tests rely on neither order).
        actual.sort()
        expected.sort()
        assert len(actual) == len(expected), f"{len(actual)} results, expected {len(expected)}:\n" \
                                             f"  actual:   {actual}\n  expected: {expected}"
        assert all(x == y for x, y in zip(actual, expected)), \
            f"results differ:\n  actual:   {actual}\n  expected: {expected}"

    @classmethod
    def to_py_list(cls, actual: Any) -> List[Any]:
        return list(actual)


def _new_env(mode: RuntimeExecutionMode) -> StreamExecutionEnvironment:
    env = StreamExecutionEnvironment.get_execution_environment()
    env.set_runtime_mode(mode)
    env.set_parallelism(_TEST_PARALLELISM)
    return env


def _new_t_env(env: StreamExecutionEnvironment) -> StreamTableEnvironment:
    t_env = StreamTableEnvironment.create(env)
    t_env.get_config().set("python.fn-execution.bundle.size", "1")
    return t_env


class PyFlinkITTestCase(PyFlinkTestCase):
    """A test class with one environment (``cls.env``) for all its tests (a MiniCluster in PyFlink)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = _new_env(RuntimeExecutionMode.STREAMING)


class PyFlinkUTTestCase(PyFlinkTestCase):
    """A fresh streaming ``self.env`` and ``self.t_env`` for every test."""

    def setUp(self) -> None:
        self.env = _new_env(RuntimeExecutionMode.STREAMING)
        self.t_env = _new_t_env(self.env)


class PyFlinkStreamTableTestCase(PyFlinkITTestCase):
    """Table tests in streaming mode: ``cls.env`` and ``cls.t_env``."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.set_runtime_mode(RuntimeExecutionMode.STREAMING)
        cls.env.set_parallelism(_TEST_PARALLELISM)
        cls.t_env = _new_t_env(cls.env)


class PyFlinkBatchTableTestCase(PyFlinkITTestCase):
    """Table tests in batch mode: ``cls.env`` and ``cls.t_env``."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.set_runtime_mode(RuntimeExecutionMode.BATCH)
        cls.env.set_parallelism(_TEST_PARALLELISM)
        cls.t_env = _new_t_env(cls.env)


class PyFlinkStreamingTestCase(PyFlinkITTestCase):
    """DataStream tests in streaming mode: ``cls.env``."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.set_parallelism(_TEST_PARALLELISM)
        cls.env.set_runtime_mode(RuntimeExecutionMode.STREAMING)


class PyFlinkBatchTestCase(PyFlinkITTestCase):
    """DataStream tests in batch mode: ``cls.env``."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.set_parallelism(_TEST_PARALLELISM)
        cls.env.set_runtime_mode(RuntimeExecutionMode.BATCH)


class PythonAPICompletenessTestCase(object):
    """PyFlink's check that a Python class has every method of its Java class.

    It reads the Java class by reflection, so it cannot run without a JVM; the Python side
    of the comparison is kept for tests that use only it."""

    @classmethod
    def get_python_class_methods(cls, python_class):
        return {cls.snake_to_camel(cls.java_method_name(name))
                for name in dir(python_class) if not name.startswith('_')}

    @staticmethod
    def snake_to_camel(method_name):
        camel = ''.join(part.capitalize() or '_' for part in method_name.split('_'))
        return camel[0].lower() + camel[1:]

    @classmethod
    def get_python_stability_decorators(cls, python_class):
        return getattr(python_class, '__stability_decorators', set())

    @staticmethod
    def get_java_class_methods(java_class):
        raise _needs_jvm("PythonAPICompletenessTestCase.get_java_class_methods()")

    @staticmethod
    def get_java_class_annotations(java_class):
        raise _needs_jvm("PythonAPICompletenessTestCase.get_java_class_annotations()")

    @classmethod
    def check_methods(cls):
        cls.get_java_class_methods(cls.java_class())

    @classmethod
    def check_stability_decorators(cls):
        cls.get_java_class_annotations(cls.java_class())

    @classmethod
    def java_method_name(cls, python_method_name):
        return python_method_name

    @classmethod
    @abstractmethod
    def python_class(cls):
        pass

    @classmethod
    @abstractmethod
    def java_class(cls):
        pass

    @classmethod
    def excluded_methods(cls):
        return {"equals", "hashCode", "toString"}

    @classmethod
    def ignore_decorators(cls):
        return False

    def test_completeness(self):
        self.check_methods()
        if not self.ignore_decorators():
            self.check_stability_decorators()


def replace_uuid(input_obj):
    """`input_obj` (a string, or a dict of them) with every UUID replaced by '{uuid}'."""
    if isinstance(input_obj, str):
        return re.sub(r'[a-z0-9]{8}-[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{12}', '{uuid}', input_obj)
    if isinstance(input_obj, dict):
        return {replace_uuid(key): replace_uuid(value) for key, value in input_obj.items()}
    return input_obj


class Tuple2(object):
    """A pair with Java Tuple2's accessors (f0, f1, getField(i))."""

    def __init__(self, f0, f1):
        self.f0 = f0
        self.f1 = f1
        self.field = [f0, f1]

    def getField(self, index):
        return self.field[index]


class TestEnv(object):
    """Records registerCachedFile() calls, as a stand-in for a Java environment."""

    __test__ = False

    def __init__(self):
        self.result = []

    def registerCachedFile(self, file_path, key):
        self.result.append(Tuple2(key, file_path))

    def getCachedFiles(self):
        return self.result

    def to_dict(self):
        return {item.f0: item.f1 for item in self.result}


DATE_EPOCH_ORDINAL = datetime.datetime(1970, 1, 1).toordinal()
TIME_EPOCH_ORDINAL = calendar.timegm(time.localtime(0)) * 10 ** 3


def _date_to_millis(d: datetime.date) -> int:
    return (d.toordinal() - DATE_EPOCH_ORDINAL) * 86400 * 1000


def _time_to_millis(t: datetime.time) -> int:
    if t.tzinfo is not None:
        offset = t.utcoffset() or datetime.timedelta()
        offset_millis = (offset.days * 86400 + offset.seconds) * 10 ** 3 + offset.microseconds // 1000
    else:
        offset_millis = TIME_EPOCH_ORDINAL
    seconds = (t.hour * 60 + t.minute) * 60 + t.second
    return seconds * 10 ** 3 + t.microsecond // 1000 - offset_millis

