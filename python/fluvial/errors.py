"""Exceptions raised by Fluvial.

UnsupportedFeatureError is also an ImportError so that ``from pyflink.x import y`` and
``try: import ... except ImportError`` behave as they would for any missing module; and
InvalidJobError is also a ValueError, which is what PyFlink raises for malformed jobs.
"""


class FluvialError(Exception):
    """Base class of every Fluvial error.

    Examples:
        >>> from fluvial.errors import FluvialError
        >>> from fluvial.datastream import StreamExecutionEnvironment
        >>> env = StreamExecutionEnvironment.get_execution_environment()
        >>> sink = env.from_collection([1, 0]).map(lambda x: 1 / x).print()
        >>> try:
        ...     env.execute()
        ... except FluvialError as error:
        ...     print(type(error).__name__, "caused by", repr(error.__cause__))
        UserFunctionError caused by ZeroDivisionError('division by zero')
    """


class UnsupportedFeatureError(FluvialError, ImportError):
    """A PyFlink module, name or option that Fluvial does not implement (yet).

    Examples:
        >>> from fluvial.datastream import StreamExecutionEnvironment
        >>> StreamExecutionEnvironment.get_execution_environment().add_python_archive("venv.zip")
        Traceback (most recent call last):
            ...
        fluvial.errors.UnsupportedFeatureError: StreamExecutionEnvironment.add_python_archive() is not
        supported by Fluvial yet (see docs/pyflink-coverage.md)
    """


class JobExecutionError(FluvialError):
    """The job failed while running.

    Examples:
        >>> from fluvial.common import Types
        >>> from fluvial.datastream import StreamExecutionEnvironment
        >>> env = StreamExecutionEnvironment.get_execution_environment()
        >>> sink = env.from_collection([1, 2]).map(str, output_type=Types.INT()).print()
        >>> env.execute()
        Traceback (most recent call last):
            ...
        fluvial.errors.JobExecutionError: operator 'Map' (subtask 1/1) failed: ...
    """


class UserFunctionError(JobExecutionError):
    """A user-defined function raised; the original exception is the __cause__.

    Examples:
        >>> from fluvial.datastream import StreamExecutionEnvironment
        >>> env = StreamExecutionEnvironment.get_execution_environment()
        >>> sink = env.from_collection([4, 2, 0]).map(lambda x: 8 // x).name("divide").print()
        >>> env.execute()
        Traceback (most recent call last):
            ...
        fluvial.errors.UserFunctionError: the user function in operator 'divide' (subtask 1/1) raised
        ZeroDivisionError: ...
    """


class InvalidJobError(FluvialError, ValueError):
    """The job graph or its configuration is invalid.

    Examples:
        >>> from fluvial.errors import InvalidJobError
        >>> from fluvial.datastream import StreamExecutionEnvironment
        >>> env = StreamExecutionEnvironment.get_execution_environment()
        >>> stream = env.from_collection([1, 2]).map(lambda x: x).set_parallelism(2)
        >>> sink = stream.forward().map(lambda x: x).set_parallelism(3).print()
        >>> try:
        ...     env.execute()
        ... except InvalidJobError as error:
        ...     print(str(error)[:60])
        forward partitioning needs equal parallelism on both sides,
    """


class OutputTypeError(FluvialError, TypeError):
    """A user function returned a value that does not fit its declared output_type.

    Examples:
        >>> from fluvial.errors import OutputTypeError
        >>> from fluvial.common import Types
        >>> from fluvial.datastream import StreamExecutionEnvironment
        >>> env = StreamExecutionEnvironment.get_execution_environment()
        >>> sink = env.from_collection([1, 2]).map(str, output_type=Types.INT()).print()
        >>> try:
        ...     env.execute()
        ... except Exception as error:
        ...     print(isinstance(error.__cause__, OutputTypeError))
        True
    """


class ConnectorError(FluvialError):
    """A source or sink could not read or write: a missing file, a bad record, an unreachable server.

    Examples:
        >>> from fluvial.common import WatermarkStrategy
        >>> from fluvial.datastream import StreamExecutionEnvironment
        >>> from fluvial.datastream.connectors import FileSource, StreamFormat
        >>> from fluvial.errors import JobExecutionError
        >>> env = StreamExecutionEnvironment.get_execution_environment()
        >>> source = FileSource.for_record_stream_format(StreamFormat.text_line_format(), "no/such/file").build()
        >>> sink = env.from_source(source, WatermarkStrategy.no_watermarks(), "lines").print()
        >>> try:
        ...     env.execute()
        ... except JobExecutionError as error:     # execute() raises; the ConnectorError is the cause
        ...     print(repr(error.__cause__))
        ConnectorError("FileSource: no such file or directory: 'no/such/file'...")
    """
