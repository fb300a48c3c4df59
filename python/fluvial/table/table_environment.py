"""TableEnvironment: the entry point of the Table API and SQL, with PyFlink's names."""


from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Tuple

import pyarrow as pa

from fluvial import _jvm_settings
from fluvial._arrow_messages import rewrite
from fluvial.table import _planner
from fluvial.table._integer_results import first_float
from fluvial.table._not_null import NOT_NULL_ENFORCER, NotNullEnforcer, enforcer_mode
from fluvial.table.expressions import Col, Expression, PlanningError, _suggest
from fluvial.table.table import Table
from fluvial.table.table_result import TableResult, rows_of
from fluvial.table.types import DataType, DataTypes, from_type_info


class EnvironmentSettings:
    """Streaming or batch mode for a TableEnvironment.

    Examples:
        >>> from fluvial.table import EnvironmentSettings
        >>> EnvironmentSettings.in_streaming_mode().is_streaming_mode()
        True
    """

    def __init__(self, streaming: bool = True, configuration: Optional[Dict[str, str]] = None):
        self._streaming = streaming
        self._configuration = dict(configuration or {})

    @staticmethod
    def in_streaming_mode() -> "EnvironmentSettings":
        return EnvironmentSettings(True)

    @staticmethod
    def in_batch_mode() -> "EnvironmentSettings":
        return EnvironmentSettings(False)

    @staticmethod
    def new_instance() -> "EnvironmentSettings.Builder":
        return EnvironmentSettings.Builder()

    def is_streaming_mode(self) -> bool:
        return self._streaming

    class Builder:
        def __init__(self):
            self._streaming = True
            self._configuration: Dict[str, str] = {}

        def in_streaming_mode(self) -> "EnvironmentSettings.Builder":
            self._streaming = True
            return self

        def in_batch_mode(self) -> "EnvironmentSettings.Builder":
            self._streaming = False
            return self

        def with_configuration(self, configuration: Any) -> "EnvironmentSettings.Builder":
            self._configuration.update(configuration.to_dict() if hasattr(configuration, "to_dict")
                                       else dict(configuration))
            return self

        def build(self) -> "EnvironmentSettings":
            return EnvironmentSettings(self._streaming, self._configuration)


class TableConfig:
    """Configuration of a TableEnvironment (``t_env.get_config().set(key, value)``).

    Examples:
        >>> from fluvial.table import EnvironmentSettings, TableEnvironment
        >>> t_env = TableEnvironment.create(EnvironmentSettings.in_streaming_mode())
        >>> t_env.get_config().set("parallelism.default", "2").get("parallelism.default", None)
        '2'
    """

    def __init__(self, t_env: "TableEnvironment"):
        self._t_env = t_env
        self._values: Dict[str, str] = {}

    def set(self, key: str, value: str) -> "TableConfig":
        _jvm_settings.ignore_keys([key])
        if key == IDLE_TIMEOUT:
            _idle_timeout_ms(str(value))  # a bad value fails here, not when a job starts
        elif key == NOT_NULL_ENFORCER:
            enforcer_mode(str(value))
        self._values[key] = str(value)
        if key == "parallelism.default":
            self._t_env._env.set_parallelism(int(value))
        elif key == "pipeline.global-job-parameters":
            # 'k1:v1,k2:v2' (Flink's map option), read by FunctionContext.get_job_parameter.
            config = self._t_env._env.get_config()
            parameters = config.get_global_job_parameters()
            for entry in filter(None, (e.strip() for e in str(value).split(","))):
                name, separator, setting = entry.partition(":")
                if not separator:
                    raise ValueError(f"'pipeline.global-job-parameters' expects 'key:value' pairs separated by "
                                     f"commas, got {entry!r} in {value!r}")
                parameters[name.strip()] = setting.strip()
            config.set_global_job_parameters(parameters)
        elif key.startswith(("execution.checkpointing.", "state.checkpoints.", "restart-strategy",
                             "execution.savepoint.")):
            # Checkpointing, restarts and savepoints are the job's: they go to the
            # StreamExecutionEnvironment, as in Flink.
            from fluvial.common.configuration import Configuration

            configuration = Configuration()
            configuration.set_string(key, str(value))
            self._t_env._env.configure(configuration)
        return self

    def get(self, key: str, default_value: Optional[str] = None) -> Optional[str]:
        if key not in self._values and key in _EFFECTIVE_DEFAULTS:
            return _EFFECTIVE_DEFAULTS[key]
        return self._values.get(key, default_value)

    def set_python_executable(self, python_exec: str) -> None:
        """PyFlink's worker interpreter: ignored (one warning), Fluvial runs functions in its own.

        Examples:
            >>> from fluvial.table import EnvironmentSettings, TableEnvironment
            >>> t_env = TableEnvironment.create(EnvironmentSettings.in_streaming_mode())
            >>> t_env.get_config().set_python_executable("python3")
        """
        self._values["python.executable"] = python_exec
        _jvm_settings.ignore("TableConfig.set_python_executable()", _jvm_settings.JVM_KEYS["python.executable"])

    def get_python_executable(self) -> Optional[str]:
        return self._values.get("python.executable")

    def get_configuration(self):
        from fluvial.common.configuration import Configuration

        configuration = Configuration()
        for key, value in self._values.items():
            configuration.set_string(key, value)
        return configuration

    def set_local_timezone(self, timezone_id: str) -> None:
        self._values["table.local-time-zone"] = timezone_id

    def _not_null_enforcer(self) -> str:
        """table.exec.sink.not-null-enforcer: 'ERROR' (the default) or 'DROP'."""
        return enforcer_mode(self._values.get(NOT_NULL_ENFORCER))

    def get_local_timezone(self) -> str:
        """The session time zone ('table.local-time-zone'): the machine's zone unless set."""
        zone = self._values.get("table.local-time-zone", "default")
        return _system_zone() if zone == "default" else zone

    def set_idle_state_retention(self, duration: Any) -> None:
        """How long a key's state is kept after its last update ('table.exec.state.ttl')."""
        millis = int(duration.total_seconds() * 1000) if hasattr(duration, "total_seconds") else int(duration)
        self._values["table.exec.state.ttl"] = f"{millis} ms"

    def get_idle_state_retention(self) -> Any:
        import datetime

        from fluvial.table.connectors import parse_duration

        text = self._values.get("table.exec.state.ttl", "0 ms")
        millis = int(text) if text.strip().isdigit() else round(parse_duration(text, "table.exec.state.ttl") * 1000)
        return datetime.timedelta(milliseconds=millis)

    def _mini_batch(self) -> bool:
        """table.exec.mini-batch.enabled: a streaming GROUP BY folds each batch's changes per group."""
        return self._values.get("table.exec.mini-batch.enabled", "false").strip().lower() == "true"

    def _source_idle_timeout(self) -> Optional[int]:
        """table.exec.source.idle-timeout in ms; None when off (0, the default)."""
        return _idle_timeout_ms(self._values.get(IDLE_TIMEOUT, "0"))


IDLE_TIMEOUT = "table.exec.source.idle-timeout"

# What Fluvial does where the user sets nothing, when it differs from Flink's default: Python
# functions run in the job's own process, PyFlink's 'thread' mode.
_EFFECTIVE_DEFAULTS = {"python.execution-mode": "thread"}


def _has_struct(arrow_type: pa.DataType) -> bool:
    if pa.types.is_struct(arrow_type):
        return True
    if pa.types.is_list(arrow_type) or pa.types.is_large_list(arrow_type):
        return _has_struct(arrow_type.value_type)
    if pa.types.is_map(arrow_type):
        return _has_struct(arrow_type.key_type) or _has_struct(arrow_type.item_type)
    return False


def _struct_values_as_dicts(value: Any, arrow_type: pa.DataType) -> Any:
    """`value` with every ROW in it (a Row or tuple, fields by position) as a dict by field name,
    the form Arrow builds a struct from."""
    if value is None:
        return None
    if pa.types.is_struct(arrow_type):
        if isinstance(value, dict):
            return {f.name: _struct_values_as_dicts(value.get(f.name), f.type) for f in arrow_type}
        return {f.name: _struct_values_as_dicts(v, f.type) for f, v in zip(arrow_type, value)}
    if pa.types.is_list(arrow_type) or pa.types.is_large_list(arrow_type):
        return [_struct_values_as_dicts(v, arrow_type.value_type) for v in value]
    if pa.types.is_map(arrow_type):
        items = value.items() if isinstance(value, dict) else value
        return [(_struct_values_as_dicts(k, arrow_type.key_type), _struct_values_as_dicts(v, arrow_type.item_type))
                for k, v in items]
    return value


def _round_decimals(values: List[Any], scale: int) -> List[Any]:
    """Decimals with more fractional digits than the column's scale, rounded half up to it (as
    Flink converts a Python Decimal to DECIMAL(p, s)); other values as they are."""
    import decimal

    quantum = decimal.Decimal(1).scaleb(-scale)
    context = decimal.Context(prec=80)
    return [v.quantize(quantum, rounding=decimal.ROUND_HALF_UP, context=context)
            if isinstance(v, decimal.Decimal) and v.is_finite() and -v.as_tuple().exponent > scale else v
            for v in values]


def _system_zone() -> str:
    """The machine's time-zone id (Flink's 'default' session zone), e.g. 'Europe/Berlin' or 'UTC'."""
    import os

    zone = os.environ.get("TZ", "").lstrip(":")
    if zone:
        return zone
    try:
        target = os.path.realpath("/etc/localtime")
        if "zoneinfo/" in target:
            return target.split("zoneinfo/", 1)[1]
    except OSError:
        pass
    return "UTC"


def _idle_timeout_ms(text: str) -> Optional[int]:
    # Flink's durations: a number without unit is milliseconds ('0' turns the timeout off).
    import re

    from fluvial.table.connectors import parse_duration

    if re.fullmatch(r"\s*\d+\s*", text):
        millis = int(text)
    else:
        try:
            millis = round(parse_duration(text, IDLE_TIMEOUT) * 1000)
        except Exception:
            raise ValueError(f"'{IDLE_TIMEOUT}' expects a duration such as '5 s', '500 ms' or '0' (off), "
                             f"got {text!r}") from None
    return millis or None


@dataclass
class CatalogTable:
    """A table declared with CREATE TABLE: its columns, time attributes and connector options."""

    name: str
    schema: pa.Schema
    options: Dict[str, str]
    rowtime: Optional[str] = None
    watermark_delay: int = 0
    proctime: Optional[str] = None
    computed: List[Tuple[str, Any]] = field(default_factory=list)
    primary_key: List[str] = field(default_factory=list)
    data_types: List[DataType] = field(default_factory=list)
    # Columns declared NOT NULL: the sinks check them ('table.exec.sink.not-null-enforcer'); the
    # Arrow schema stays nullable, as a source may still read a null there (Flink's do too).
    not_null: List[str] = field(default_factory=list)
    # The columns in declared order when computed columns sit between physical ones (a Schema).
    column_order: List[str] = field(default_factory=list)


class TableEnvironment:
    """Creates tables, registers them and functions, runs SQL.

    Examples:
        >>> from fluvial.table import EnvironmentSettings, TableEnvironment
        >>> t_env = TableEnvironment.create(EnvironmentSettings.in_batch_mode())
        >>> t_env.create_temporary_view("t", t_env.from_elements([(1, "a"), (2, "b")], ["id", "name"]))
        >>> [tuple(r) for r in t_env.execute_sql("SELECT id * 10 AS x FROM t WHERE name <> 'a'").collect()]
        [(20,)]
    """

    def __init__(self, settings: Optional[EnvironmentSettings] = None, env: Any = None):
        from fluvial.datastream import StreamExecutionEnvironment

        self._settings = settings or EnvironmentSettings.in_streaming_mode()
        self._env = env if env is not None else StreamExecutionEnvironment()
        if not self._settings.is_streaming_mode():
            from fluvial.datastream.execution_mode import RuntimeExecutionMode

            self._env.set_runtime_mode(RuntimeExecutionMode.BATCH)
        self._config = TableConfig(self)
        for key, value in self._settings._configuration.items():
            self._config.set(key, value)
        self._tables: Dict[str, Any] = {}  # name → CatalogTable or Table (a view)
        self._functions: Dict[str, Any] = {}

    @staticmethod
    def create(environment_settings: Optional[EnvironmentSettings] = None) -> "TableEnvironment":
        if environment_settings is not None and not isinstance(environment_settings, EnvironmentSettings):
            from fluvial.common.configuration import Configuration

            if isinstance(environment_settings, Configuration):
                environment_settings = EnvironmentSettings.new_instance().with_configuration(
                    environment_settings).build()
            else:
                raise TypeError("TableEnvironment.create takes EnvironmentSettings (e.g. "
                                "EnvironmentSettings.in_streaming_mode())")
        return TableEnvironment(environment_settings)

    # -- configuration --------------------------------------------------------------
    def get_config(self) -> TableConfig:
        return self._config

    def _batch_mode(self) -> bool:
        return not self._settings.is_streaming_mode()

    # -- creating tables --------------------------------------------------------------
    def from_elements(self, elements: Any, schema: Any = None, verify_schema: bool = True) -> Table:
        """A bounded table from Python values (tuples, lists, Rows or dicts)."""
        rows = list(elements)
        names, types = _schema_names_types(schema, rows)
        columns: List[List[Any]] = [[] for _ in names]
        for index, row in enumerate(rows):
            values = list(row.values()) if isinstance(row, dict) else list(row)
            if len(values) != len(names):
                raise ValueError(f"element {index} {row!r} has {len(values)} fields, the schema {len(names)}")
            for column, value in zip(columns, values):
                column.append(value)
        arrays = []
        for name, data_type, values in zip(names, types, columns):
            found = first_float(values, data_type.arrow_type) if data_type is not None else None
            if found is not None:  # pa.array() would truncate it; PyFlink's schema check refuses it
                raise TypeError(f"from_elements: column '{name}' does not fit {data_type!r}: {found[0]!r} is a "
                                f"float, and Fluvial does not truncate a float into an integer")
            if data_type is not None and pa.types.is_decimal(data_type.arrow_type):
                values = _round_decimals(values, data_type.arrow_type.scale)
            elif data_type is not None and _has_struct(data_type.arrow_type):
                values = [_struct_values_as_dicts(v, data_type.arrow_type) for v in values]
            try:
                arrays.append(pa.array(values, type=data_type.arrow_type if data_type is not None else None))
            except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, OverflowError) as error:
                wanted = repr(data_type) if data_type is not None else "one type"
                raise TypeError(f"from_elements: column '{name}' does not fit {wanted}: {rewrite(str(error))}") \
                    from None
        batch = pa.RecordBatch.from_arrays(arrays, names=names) if rows else pa.RecordBatch.from_pylist(
            [], schema=pa.schema([pa.field(n, t.arrow_type if t else pa.null()) for n, t in zip(names, types)]))
        return self._from_batches([batch], "FromElements")

    def from_pandas(self, pdf: Any, schema: Any = None, splits_num: int = 1) -> Table:
        """A bounded table from a pandas DataFrame (converted by Arrow)."""
        arrow_schema = None
        if isinstance(schema, (list, tuple)) and schema and all(isinstance(t, DataType) for t in schema):
            # A list of types: the DataFrame's column names, these types (as PyFlink).
            schema = DataTypes.ROW([DataTypes.FIELD(str(n), t) for n, t in zip(pdf.columns, schema)])
        if schema is not None:
            names, types = _schema_names_types(schema, [])
            if len(names) != len(pdf.columns):
                raise ValueError(f"from_pandas: the schema has {len(names)} columns, the DataFrame "
                                 f"{len(pdf.columns)}")
            # As PyFlink: the schema's columns map to the DataFrame's by position, not by name.
            pdf = pdf.set_axis(names, axis=1)
            if types and all(t is not None for t in types):
                arrow_schema = pa.schema([pa.field(n, t.arrow_type) for n, t in zip(names, types)])
        table = pa.Table.from_pandas(pdf, schema=arrow_schema, preserve_index=False)
        # pandas 3 strings arrive as large_string; Flink's STRING is Arrow's string.
        table = table.cast(pa.schema([pa.field(f.name, _regular(f.type)) for f in table.schema]))
        batches = table.to_batches(max_chunksize=max(1, -(-table.num_rows // max(splits_num, 1))))
        return self._from_batches(batches or [pa.RecordBatch.from_pylist([], schema=table.schema)], "FromPandas")

    def _from_batches(self, batches: List[pa.RecordBatch], name: str) -> Table:
        schema = batches[0].schema

        def make_reader(info: Any) -> Any:
            return _planner.BatchListReader(batches)

        return Table(self, _planner.source(name, schema, make_reader, bounded=True))

    def from_path(self, path: str) -> Table:
        entry = self._tables.get(path)
        if entry is None:
            raise PlanningError(f"unknown table '{path}'{_suggest(path, list(self._tables))}"
                                f" (registered: {', '.join(sorted(self._tables)) or 'none'})")
        if isinstance(entry, Table):
            return entry
        return self._scan(entry)

    def _scan(self, entry: CatalogTable) -> Table:
        from fluvial.table.connectors import source_reader_factory

        options = dict(entry.options)
        connector = options.get("connector")
        if connector is None:
            raise PlanningError(f"table '{entry.name}' has no 'connector' option")
        make_reader, bounded = source_reader_factory(connector, entry.schema, options, entry.rowtime, entry.name,
                                                     entry.primary_key)
        # Sources that split their input among subtasks run in parallel, each split read in order by
        # one subtask and forwarded: per key, rows keep their order up to a keyed operator (as Flink).
        non_parallel = connector not in ("datagen", "kafka", "upsert-kafka", "filesystem", "kinesis")
        # Read when the job starts, as Flink reads table.exec.source.idle-timeout when it plans.
        plan = _planner.source(f"TableSourceScan({entry.name})", entry.schema, make_reader, bounded=bounded,
                               rowtime=entry.rowtime, watermark_delay=entry.watermark_delay,
                               non_parallel=non_parallel, idle_timeout=self._config._source_idle_timeout)
        plan.primary_key = list(entry.primary_key)
        plan.not_null = list(entry.not_null)
        plan.transformation.unbounded_in_batch = _unbounded_in_batch(entry.name, connector)
        if connector == "upsert-kafka":  # read back as a changelog keyed by the primary key
            plan.updating = True
        if entry.proctime:
            plan = _planner.add_proctime(plan, entry.proctime)
        table = Table(self, plan)
        if entry.computed:
            items = [(n, Col(n)) for n in plan.schema.names] + [(n, e) for n, e in entry.computed]
            if entry.column_order:
                by_name = dict(items)
                items = [(n, by_name[n]) for n in entry.column_order if n in by_name]
            table = Table(self, _planner.calc(plan, items, name="Calc(computed columns)"))
        return table

    def create_temporary_table(self, path: str, descriptor: Any, ignore_if_exists: bool = False) -> None:
        """Registers a table declared by a TableDescriptor (the Python form of CREATE TEMPORARY TABLE)."""
        from fluvial.table.table_descriptor import TableDescriptor, catalog_entry

        if not isinstance(descriptor, TableDescriptor):
            raise PlanningError(f"create_temporary_table('{path}', ...) takes a TableDescriptor "
                                f"(TableDescriptor.for_connector(...)...build()), got {descriptor!r}")
        if path in self._tables:
            if ignore_if_exists:
                return
            raise PlanningError(f"a table or view named '{path}' exists already")
        self._tables[path] = catalog_entry(self, path, descriptor)

    def create_table(self, path: str, descriptor: Any, ignore_if_exists: bool = False) -> None:
        """As create_temporary_table: Fluvial's catalog lives as long as the TableEnvironment."""
        self.create_temporary_table(path, descriptor, ignore_if_exists)

    def from_descriptor(self, descriptor: Any) -> Table:
        """A table read through a TableDescriptor, registered under an anonymous name as in Flink."""
        return self.from_path(self._register_descriptor(descriptor))

    def _register_descriptor(self, descriptor: Any) -> str:
        from fluvial.table.table_descriptor import TableDescriptor, catalog_entry

        if not isinstance(descriptor, TableDescriptor):
            raise PlanningError(f"expected a TableDescriptor, got {descriptor!r}")
        self._anonymous_tables = getattr(self, "_anonymous_tables", 0) + 1
        name = f"*anonymous_{descriptor.get_options().get('connector', 'table')}${self._anonymous_tables}*"
        self._tables[name] = catalog_entry(self, name, descriptor)
        return name

    def create_temporary_view(self, view_path: str, table_or_data_stream: Any, *fields: Any) -> None:
        if isinstance(table_or_data_stream, Table):
            self._tables[view_path] = table_or_data_stream
        else:
            self._tables[view_path] = self.from_data_stream(table_or_data_stream, *fields)

    def register_table(self, name: str, table: Table) -> None:
        self._tables[name] = table

    def drop_temporary_view(self, view_path: str) -> bool:
        return self._tables.pop(view_path, None) is not None

    def drop_temporary_table(self, table_path: str) -> bool:
        return self._tables.pop(table_path, None) is not None

    def list_tables(self) -> List[str]:
        return sorted(self._tables)

    def list_views(self) -> List[str]:
        return sorted(n for n, t in self._tables.items() if isinstance(t, Table))

    def list_user_defined_functions(self) -> List[str]:
        return sorted(self._functions)

    # -- functions ---------------------------------------------------------------------
    def create_temporary_function(self, path: str, function: Any) -> None:
        self._functions[path.lower()] = _as_function(function, path)

    create_temporary_system_function = create_temporary_function
    create_function = create_temporary_function

    def register_function(self, name: str, function: Any) -> None:
        self.create_temporary_function(name, function)

    def drop_temporary_function(self, path: str) -> bool:
        return self._functions.pop(path.lower(), None) is not None

    drop_temporary_system_function = drop_temporary_function

    # -- SQL ---------------------------------------------------------------------------
    def sql_query(self, query: str) -> Table:
        from fluvial.table.sql.dialect import parse
        from fluvial.table.sql.planner import plan_query

        statements = parse(query, self._functions)
        if len(statements) != 1:
            raise PlanningError(f"sql_query takes one query, got {len(statements)} statements")
        return plan_query(self, statements[0])

    def execute_sql(self, stmt: str) -> TableResult:
        from fluvial.table.sql.statements import execute_statement

        return execute_statement(self, stmt)

    def create_statement_set(self) -> "StatementSet":
        return StatementSet(self)

    def explain_sql(self, stmt: str, *extra_details: Any) -> str:
        return self._explain(self.sql_query(stmt))

    # -- execution -----------------------------------------------------------------------
    def _execute_query(self, table: Table) -> TableResult:
        from fluvial.datastream._job import CollectBuffer

        buffer = CollectBuffer()
        plan = table._plan
        enforcer = NotNullEnforcer(plan.schema, plan.not_null, self._config._not_null_enforcer(), "the query's result")

        def make_spec(info: Any) -> Dict[str, Any]:
            buffer.add_writer()

            def write(batch: pa.RecordBatch, row_kinds: Optional[bytes]) -> None:
                if enforcer.active:
                    batch, row_kinds = enforcer.apply(batch, row_kinds)
                buffer.write(rows_of(batch, row_kinds))

            return {"kind": "table_sink", "write": write, "finish": buffer.finish_writer}

        from fluvial.datastream._plan import Transformation

        sink = Transformation(kind="table_sink", name="CollectSink", inputs=[plan.transformation],
                              make_spec=make_spec, bounded=plan.transformation.bounded, non_parallel=True)
        job = self._env._start("collect", [sink])
        return TableResult(plan.schema, job=job, buffer=buffer, streaming=not self._batch_mode())

    def _sink_transformation(self, table_path: str, table: Table):
        from fluvial.datastream._plan import Transformation
        from fluvial.table.connectors import sink_writer_factory

        entry = self._tables.get(table_path)
        if entry is None or isinstance(entry, Table):
            raise PlanningError(f"unknown sink table '{table_path}'{_suggest(table_path, list(self._tables))}: "
                                f"create it with CREATE TABLE ... WITH ('connector' = ...)")
        source_types = [f.type for f in table._plan.schema]
        sink_types = [f.type for f in entry.schema]
        if len(source_types) != len(sink_types):
            raise PlanningError(f"INSERT INTO {table_path}: the query has {len(source_types)} columns, the table "
                                f"{len(sink_types)} ({', '.join(entry.schema.names)})")
        items = []
        for (name, wanted), source_name in zip(zip(entry.schema.names, sink_types), table._plan.schema.names):
            expression: Expression = Col(source_name)
            if table._plan.schema.field(source_name).type != wanted:
                from fluvial.table.types import from_arrow

                expression = expression.cast(from_arrow(wanted))
            items.append((name, expression))
        if table._plan.updating:
            from fluvial.table.store_tables import refuse_updates

            refuse_updates(table_path, entry.options.get("connector", ""), entry.primary_key)
        if table._plan.updating and entry.options.get("connector") in ("kafka", "kinesis"):
            connector = entry.options["connector"]
            raise PlanningError(f"table '{table_path}' ('connector' = '{connector}') takes only inserts, but the "
                                f"query produces updates; write it to an 'upsert-kafka' table with a PRIMARY KEY, "
                                f"or aggregate in a window")
        plan = _planner.calc(table._plan, items, name=f"Calc(to {table_path})")
        upstream = plan.transformation
        key = list(entry.primary_key)
        if table._plan.updating and key and entry.options.get("connector") in ("jdbc", "redis"):
            # As Flink's upsert sinks: each key's changes reach one sink subtask, in order (the
            # plan's own key is not trusted to be the table's: a projection may have narrowed it).
            upstream, _ = _planner._keyed(upstream, [entry.schema.get_field_index(k) for k in key])
        make_writer = sink_writer_factory(entry.options.get("connector", ""), entry.schema, entry.options,
                                          table_path, entry.primary_key)
        enforcer = NotNullEnforcer(entry.schema, entry.not_null, self._config._not_null_enforcer(),
                                    f"table '{table_path}'")

        def make_spec(info: Any) -> Dict[str, Any]:
            writer = make_writer(info)
            write = writer.write
            if enforcer.active:
                def write(batch: pa.RecordBatch, row_kinds: Optional[bytes]) -> None:
                    batch, row_kinds = enforcer.apply(batch, row_kinds)
                    if batch.num_rows:
                        writer.write(batch, row_kinds)

            spec = {"kind": "table_sink", "write": write, "finish": writer.finish, "writer": writer}
            for hook in ("open", "close"):
                if hasattr(writer, hook):
                    spec[hook] = getattr(writer, hook)
            return spec

        return Transformation(kind="table_sink", name=f"Sink({table_path})", inputs=[upstream],
                              make_spec=make_spec, bounded=plan.transformation.bounded)

    def _execute_insert(self, inserts: List[Tuple[str, Table]]) -> TableResult:
        sinks = [self._sink_transformation(path, table) for path, table in inserts]
        job = self._env._start("insert-into_" + ",".join(p for p, _ in inserts), sinks)
        return TableResult(None, job=job, message="OK")

    def _explain(self, table: Table) -> str:
        from fluvial.datastream._plan import translate

        nodes = translate([table._plan.transformation], default_parallelism=self._env.get_parallelism(),
                          default_max_parallelism=self._env.get_max_parallelism(), job_parameters={},
                          batch_mode=self._batch_mode())
        lines = ["== Physical Execution Plan =="]
        for node in nodes:
            inputs = ", ".join(f"{kind} from {source}" for source, _, kind, _ in node.inputs)
            lines.append(f"{node.id}: {node.name} (parallelism {node.parallelism})"
                         + (f" <- {inputs}" if inputs else ""))
        return "\n".join(lines)

    # -- DataStream conversions ----------------------------------------------------------
    def from_data_stream(self, data_stream: Any, *fields_or_schema: Any) -> Table:
        raise PlanningError("from_data_stream needs a StreamTableEnvironment (StreamTableEnvironment.create(env))")


class StreamTableEnvironment(TableEnvironment):
    """A TableEnvironment bound to a StreamExecutionEnvironment, converting between tables and streams.

    Examples:
        >>> from fluvial.common import Types
        >>> from fluvial.datastream import StreamExecutionEnvironment
        >>> from fluvial.table import StreamTableEnvironment, col
        >>> env = StreamExecutionEnvironment.get_execution_environment()
        >>> t_env = StreamTableEnvironment.create(env)
        >>> table = t_env.from_data_stream(env.from_collection([1, 2, 3], type_info=Types.LONG()))
        >>> stream = t_env.to_data_stream(table.select((col("f0") * 10).alias("x")))
        >>> with stream.map(lambda row: row.x, output_type=Types.LONG()).execute_and_collect() as results:
        ...     sorted(results)
        [10, 20, 30]
    """

    @staticmethod
    def create(stream_execution_environment: Any = None,
               environment_settings: Optional[EnvironmentSettings] = None) -> "StreamTableEnvironment":
        from fluvial.datastream import StreamExecutionEnvironment
        from fluvial.datastream.execution_mode import RuntimeExecutionMode

        env = stream_execution_environment or StreamExecutionEnvironment.get_execution_environment()
        if environment_settings is None:
            batch = getattr(env, "_runtime_mode", None) is RuntimeExecutionMode.BATCH
            environment_settings = EnvironmentSettings(not batch)
        return StreamTableEnvironment(environment_settings, env)

    def from_data_stream(self, data_stream: Any, *fields_or_schema: Any) -> Table:
        """A table of a stream's records: Rows (named by the stream's type) or single values (column f0)."""
        type_info = data_stream.get_type()
        names: List[str]
        types: List[DataType]
        from fluvial.common.typeinfo import TupleTypeInfo
        from fluvial.table.types import DataTypes

        try:
            if isinstance(type_info, TupleTypeInfo):  # Flink names a tuple's fields f0, f1, ...
                row_type = DataTypes.ROW([DataTypes.FIELD(f"f{i}", from_type_info(t))
                                          for i, t in enumerate(type_info.get_field_types())])
            else:
                row_type = from_type_info(type_info)
        except TypeError:
            row_type = None
        if row_type is not None and row_type._children:
            names = [f.name for f in row_type._children]
            types = [f.data_type for f in row_type._children]
        elif row_type is not None:
            names, types = ["f0"], [row_type]
        else:
            raise PlanningError(f"from_data_stream needs the stream's type: declare output_type= (e.g. "
                                f"Types.ROW_NAMED([...])) on the operator producing it; got {type_info!r}")
        from fluvial.table.schema import Schema

        declared = fields_or_schema[0] if fields_or_schema and isinstance(fields_or_schema[0], Schema) else None
        if fields_or_schema and all(isinstance(f, Expression) for f in fields_or_schema):
            renamed = []
            for field_expr, old in zip(fields_or_schema, names):
                renamed.append(field_expr.name if isinstance(field_expr, Col) else getattr(field_expr, "name", old))
            names = renamed + names[len(renamed):]
        schema = pa.schema([pa.field(n, t.arrow_type) for n, t in zip(names, types)])
        single = len(names) == 1 and not (row_type is not None and row_type._children)
        rowtime_column = None
        if declared is not None:
            for column, _, key, _virtual in declared.metadata:
                if key not in (None, "rowtime"):
                    raise PlanningError(f"metadata column '{column}': only the 'rowtime' metadata exists")
                rowtime_column = column
        full_schema = schema if rowtime_column is None else schema.append(
            pa.field(rowtime_column, pa.timestamp("ms", tz="UTC")))

        def make_spec(info: Any) -> Dict[str, Any]:
            def convert(records: List[Any], _unused: Any):
                if single:
                    columns = [records]
                else:
                    columns = [list(c) for c in zip(*records)] if records else [[] for _ in names]
                arrays = [_column_array(c, f.type) for c, f in zip(columns, schema)]
                kinds = None
                if records and hasattr(records[0], "get_row_kind"):
                    codes = [r.get_row_kind().value for r in records]
                    if any(codes):
                        kinds = bytes(codes)
                return pa.RecordBatch.from_arrays(arrays, schema=schema), kinds

            spec = {"kind": "table_from_objects", "call": convert}
            if rowtime_column is not None:
                spec["rowtime_column"] = rowtime_column
            return spec

        from fluvial.datastream._plan import Transformation

        transformation = Transformation(kind="table_from_objects", name="DataStreamToTable",
                                        inputs=[data_stream._transformation], make_spec=make_spec,
                                        bounded=data_stream._transformation.bounded)
        plan = _planner.TablePlan(transformation, full_schema)
        if declared is not None:
            plan = _declared_columns(self, plan, declared, rowtime_column)
        if declared is not None and declared.watermark is not None:
            column, expression = declared.watermark
            if str(expression).strip().upper() == "SOURCE_WATERMARK()":
                if column != rowtime_column:
                    raise PlanningError(f"SOURCE_WATERMARK() applies to the rowtime metadata column, not '{column}'")
                plan.rowtime = column
            else:
                plan = _planner.assign_rowtime(plan, column, _watermark_delay_of(self, column, expression))
        return Table(self, plan)

    def from_changelog_stream(self, data_stream: Any, schema: Any = None, changelog_mode: Any = None) -> Table:
        """A table of a stream of Rows with row kinds (+I, -U, +U, -D): an updating table; a
        ``Schema`` with ``primary_key(...)`` and a watermark makes it a versioned table.

        Examples:
            >>> from fluvial.common import Row, RowKind, Types
            >>> from fluvial.datastream import StreamExecutionEnvironment
            >>> from fluvial.table import StreamTableEnvironment
            >>> env = StreamExecutionEnvironment.get_execution_environment()
            >>> t_env = StreamTableEnvironment.create(env)
            >>> rows = [Row.of_kind(RowKind.INSERT, "a", 1), Row.of_kind(RowKind.UPDATE_BEFORE, "a", 1),
            ...         Row.of_kind(RowKind.UPDATE_AFTER, "a", 2)]
            >>> stream = env.from_collection(rows, type_info=Types.ROW_NAMED(["k", "v"], [Types.STRING(), Types.INT()]))
            >>> [(str(r.get_row_kind()), *r) for r in t_env.from_changelog_stream(stream).execute().collect()]
            [('+I', 'a', 1), ('-U', 'a', 1), ('+U', 'a', 2)]
        """
        table = self.from_data_stream(data_stream, schema) if schema is not None \
            else self.from_data_stream(data_stream)
        plan = table._plan
        primary_key = list(getattr(schema, "primary_key", None) or [])
        for column in primary_key:
            if column not in plan.schema.names:
                raise PlanningError(f"from_changelog_stream: primary key column '{column}' is not a column of the "
                                    f"stream ({', '.join(plan.schema.names)})")
        return Table(self, _planner.TablePlan(plan.transformation, plan.schema, rowtime=plan.rowtime,
                                              proctime=plan.proctime, updating=True, primary_key=primary_key))

    def to_data_stream(self, table: Table, target_type: Any = None) -> Any:
        """The table's rows as a stream of Rows (an insert-only table)."""
        if table._plan.updating:
            raise PlanningError("to_data_stream needs an insert-only table; this one is updating — "
                                "use to_changelog_stream")
        return self._to_stream(table, "TableToDataStream")

    def to_changelog_stream(self, table: Table, *args: Any) -> Any:
        """The table's changes as a stream of Rows with their RowKind (+I, -U, +U, -D)."""
        return self._to_stream(table, "TableToChangelogStream")

    to_append_stream = to_data_stream

    def to_retract_stream(self, table: Table, type_info: Any = None) -> Any:
        return self.to_changelog_stream(table)

    def _to_stream(self, table: Table, name: str) -> Any:
        from fluvial.common.typeinfo import Types
        from fluvial.datastream._plan import Transformation
        from fluvial.datastream.data_stream import DataStream
        from fluvial.table.types import from_arrow

        def make_spec(info: Any) -> Dict[str, Any]:
            return {"kind": "table_to_objects", "call": rows_of}

        transformation = Transformation(kind="table_to_objects", name=name, inputs=[table._plan.transformation],
                                        make_spec=make_spec, bounded=table._plan.transformation.bounded)
        names = table._plan.schema.names
        type_info = Types.ROW_NAMED(names, [_type_info(from_arrow(f.type)) for f in table._plan.schema])
        transformation.output_type = type_info
        return DataStream(self._env, transformation)

    def execute(self, job_name: Optional[str] = None):
        return self._env.execute(job_name)


# The option that gives each unbounded SQL source an end, for the batch-mode refusal.
_BOUNDING_OPTION = {"kafka": "'scan.bounded.mode' (e.g. 'latest-offset')",
                    "upsert-kafka": "'scan.bounded.mode' (e.g. 'latest-offset')",
                    "datagen": "'number-of-rows'", "nexmark": "'events.num'",
                    "kinesis": "'scan.stream.stop-at-latest' = 'true' (Fluvial's)"}


def _unbounded_in_batch(table: str, connector: str) -> str:
    """Flink's refusal of an unbounded table in batch mode, and what to do about it."""
    option = _BOUNDING_OPTION.get(connector)
    bound = f"give it an end with {option}, or " if option else ""
    return (f"Querying an unbounded table '{table}' in batch mode is not allowed. The table source is "
            f"unbounded ('connector' = '{connector}'): {bound}run the query in streaming mode "
            f"(EnvironmentSettings.in_streaming_mode())")


def _column_array(values: List[Any], arrow_type: pa.DataType) -> pa.Array:
    """A column of a stream's values; Instants (Types.INSTANT) become TIMESTAMP_LTZ values."""
    from fluvial.common.time import Instant

    if pa.types.is_timestamp(arrow_type) and any(isinstance(v, Instant) for v in values):
        per_second = {"s": 1, "ms": 1_000, "us": 1_000_000, "ns": 1_000_000_000}[arrow_type.unit]
        raw = [None if v is None else v.seconds * per_second + v.nanos // (1_000_000_000 // per_second)
               for v in values]
        return pa.array(raw, pa.int64()).cast(arrow_type)
    return pa.array(values, type=arrow_type)


def _declared_columns(t_env: Any, plan: Any, declared: Any, rowtime_column: Optional[str]) -> Any:
    """A stream's table shaped by a declared Schema, as Flink: when the Schema declares physical
    columns, the table has exactly the declared columns in their order (the stream's other
    fields can still be read by computed columns); otherwise the stream's fields come first, then
    the computed and metadata columns. Declared types are cast to."""
    from fluvial.table.table_descriptor import sql_expression

    names = plan.schema.names
    physical = dict(declared.columns)
    computed = dict(declared.computed)
    for column in physical:
        if column not in names:
            raise PlanningError(f"Schema column '{column}' is not a field of the stream "
                                f"({', '.join(n for n in names if n != rowtime_column)})")
    if not computed and not physical:
        return plan
    items: List[Tuple[str, Expression]] = []
    if not physical:
        items += [(n, Col(n)) for n in names if n != rowtime_column]
    for kind, column in declared.order:
        if kind == "physical":
            expression: Expression = Col(column)
            wanted = physical[column]
            if plan.schema.field(column).type != wanted.arrow_type:
                expression = expression.cast(wanted)
            items.append((column, expression))
        elif kind == "computed":
            items.append((column, sql_expression(t_env, computed[column])))
        else:
            items.append((column, Col(column)))
    return _planner.calc(plan, items, name="Calc(declared schema)")


def _watermark_delay_of(t_env: Any, column: str, expression: Any) -> int:
    from fluvial.table.sql.dialect import parse
    from fluvial.table.sql.planner import ExpressionTranslator
    from fluvial.table.sql.statements import _watermark_delay

    node = parse(f"SELECT {expression}")[0].expressions[0]
    return _watermark_delay(ExpressionTranslator(t_env)(node), column)


def _type_info(data_type: DataType):
    from fluvial.common.typeinfo import Types

    text = repr(data_type.nullable())
    simple = {"BIGINT": Types.LONG(), "INT": Types.INT(), "STRING": Types.STRING(), "DOUBLE": Types.DOUBLE(),
              "FLOAT": Types.FLOAT(), "BOOLEAN": Types.BOOLEAN(), "SMALLINT": Types.SHORT(),
              "TINYINT": Types.BYTE(), "DATE": Types.SQL_DATE()}
    if text in simple:
        return simple[text]
    if text.startswith("TIMESTAMP"):
        return Types.SQL_TIMESTAMP()
    return Types.PICKLED_BYTE_ARRAY()


class StatementSet:
    """Several INSERTs run as one job (``add_insert_sql`` / ``add_insert`` then ``execute``).

    Examples:
        >>> from fluvial.table import EnvironmentSettings, TableEnvironment
        >>> t_env = TableEnvironment.create(EnvironmentSettings.in_batch_mode())
        >>> t_env.create_temporary_view("src", t_env.from_elements([(1,), (2,)], ["x"]))
        >>> _ = t_env.execute_sql("CREATE TABLE out1 (x BIGINT) WITH ('connector' = 'print')")
        >>> _ = t_env.execute_sql("CREATE TABLE out2 (x BIGINT) WITH ('connector' = 'blackhole')")
        >>> statements = t_env.create_statement_set()
        >>> _ = statements.add_insert_sql("INSERT INTO out1 SELECT x FROM src")
        >>> _ = statements.add_insert_sql("INSERT INTO out2 SELECT x * 2 FROM src")
        >>> statements.execute().wait()
        +I[1]
        +I[2]
    """

    def __init__(self, t_env: TableEnvironment):
        self._t_env = t_env
        self._inserts: List[Tuple[str, Table]] = []

    def add_insert_sql(self, stmt: str) -> "StatementSet":
        from fluvial.table.sql.statements import parse_insert

        self._inserts.append(parse_insert(self._t_env, stmt))
        return self

    def add_insert(self, target_path_or_descriptor: Any, table: Table, overwrite: bool = False) -> "StatementSet":
        from fluvial.table.table_descriptor import TableDescriptor

        if isinstance(target_path_or_descriptor, TableDescriptor):
            target_path_or_descriptor = self._t_env._register_descriptor(target_path_or_descriptor)
        self._inserts.append((target_path_or_descriptor, table))
        return self

    def execute(self) -> TableResult:
        if not self._inserts:
            raise PlanningError("the statement set has no INSERT to execute")
        inserts, self._inserts = self._inserts, []
        return self._t_env._execute_insert(inserts)

    def explain(self, *extra_details: Any) -> str:
        return "\n".join(self._t_env._explain(t) for _, t in self._inserts)


def _as_function(function: Any, path: str) -> Any:
    from fluvial.table.table import TemporalTableFunction
    from fluvial.table.udf import (
        AggregateFunction,
        ScalarFunction,
        TableAggregateFunction,
        TableFunction,
        UserDefinedFunctionWrapper,
        udaf,
        udf,
        udtaf,
        udtf,
    )

    if isinstance(function, (UserDefinedFunctionWrapper, TemporalTableFunction)):
        return function
    # As PyFlink, a bare (table) aggregate function is wrapped with its declared types.
    if isinstance(function, AggregateFunction):
        return udaf(function, result_type=function.get_result_type(),
                    accumulator_type=function.get_accumulator_type(), name=type(function).__name__)
    if isinstance(function, TableAggregateFunction):
        return udtaf(function, result_type=function.get_result_type(),
                     accumulator_type=function.get_accumulator_type(), name=type(function).__name__)
    if isinstance(function, TableFunction):
        return udtf(function)
    if isinstance(function, ScalarFunction):
        raise PlanningError(f"function '{path}': wrap the ScalarFunction with udf(..., result_type=...)")
    if callable(function):
        return udf(function)
    raise PlanningError(f"function '{path}' is not a UDF: {function!r}")


def _regular(arrow_type: pa.DataType) -> pa.DataType:
    if pa.types.is_large_string(arrow_type):
        return pa.string()
    if pa.types.is_large_binary(arrow_type):
        return pa.binary()
    return arrow_type


def _schema_names_types(schema: Any, rows: List[Any]) -> Tuple[List[str], List[Optional[DataType]]]:
    if schema is None:
        first = rows[0] if rows else None
        if first is not None and hasattr(first, "_fields"):
            names = list(first._fields)
        elif isinstance(first, dict):
            names = list(first)
        else:
            width = len(first) if first is not None else 0
            names = [f"_{i + 1}" for i in range(width)]
        return names, [None] * len(names)
    if isinstance(schema, DataType):
        return [f.name for f in schema._children], [f.data_type for f in schema._children]
    if isinstance(schema, (list, tuple)):
        return [str(n) for n in schema], [None] * len(schema)
    from fluvial.table.schema import Schema

    if isinstance(schema, Schema):
        return [n for n, _ in schema.columns], [t for _, t in schema.columns]
    raise TypeError(f"schema must be a list of names, DataTypes.ROW(...) or a Schema, got {schema!r}")

__all__ = ["EnvironmentSettings", "TableConfig", "TableEnvironment", "StreamTableEnvironment", "StatementSet"]
