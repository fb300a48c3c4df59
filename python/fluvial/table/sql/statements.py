"""execute_sql: DDL (CREATE/DROP TABLE, VIEW, FUNCTION), INSERT, SELECT,
SHOW, DESCRIBE and EXPLAIN."""

import importlib
import re
from typing import Any, Dict, List, Tuple

import pyarrow as pa
from sqlglot import exp

from fluvial.common.types import Row
from fluvial.table.expressions import Col, Interval, PlanningError
from fluvial.table.sql.dialect import parse
from fluvial.table.sql.errors import SqlValidationError
from fluvial.table.sql.planner import ExpressionTranslator, plan_query
from fluvial.table.sql.types import from_sqlglot
from fluvial.table.table_result import TableResult

_SHOW = re.compile(r"^\s*SHOW\s+(TABLES|VIEWS|FUNCTIONS|USER\s+FUNCTIONS)\s*;?\s*$", re.IGNORECASE)
_SET = re.compile(r"^\s*(SET|RESET)(?:\s+'([^']*)'(?:\s*=\s*'([^']*)')?)?\s*;?\s*$", re.IGNORECASE)
_EXPLAIN = re.compile(r"^\s*EXPLAIN\s+(PLAN\s+FOR\s+)?(.*?);?\s*$", re.IGNORECASE | re.DOTALL)
_CREATE_FUNCTION = re.compile(
    r"^\s*CREATE\s+(TEMPORARY\s+)?(SYSTEM\s+)?FUNCTION\s+(IF\s+NOT\s+EXISTS\s+)?([\w.`]+)\s+AS\s+'([^']+)'"
    r"(\s+LANGUAGE\s+(\w+))?\s*;?\s*$", re.IGNORECASE)


def _message_result(message: str = "OK") -> TableResult:
    return TableResult(None, rows=[], message=message, streaming=False)


def _rows_result(names: List[str], rows: List[List[Any]]) -> TableResult:
    schema = pa.schema([pa.field(n, pa.string()) for n in names])
    result_rows = []
    for values in rows:
        row = Row(**dict(zip(names, values)))
        result_rows.append(row)
    return TableResult(schema, rows=result_rows, streaming=False)


def execute_statement(t_env: Any, stmt: str) -> TableResult:
    show = _SHOW.match(stmt)
    if show:
        what = show.group(1).upper()
        if what == "TABLES":
            return _rows_result(["table name"], [[n] for n in t_env.list_tables()])
        if what == "VIEWS":
            return _rows_result(["view name"], [[n] for n in t_env.list_views()])
        return _rows_result(["function name"], [[n] for n in t_env.list_user_defined_functions()])
    setting = _SET.match(stmt)
    if setting:
        return _set(t_env, setting)
    explain = _EXPLAIN.match(stmt)
    if explain:
        text = t_env._explain(t_env.sql_query(explain.group(2)))
        return _rows_result(["result"], [[text]])
    function = _CREATE_FUNCTION.match(stmt)
    if function:
        return _create_function(t_env, function)
    statements = parse(stmt, t_env._functions)
    if len(statements) != 1:
        raise PlanningError(f"execute_sql runs one statement, got {len(statements)}; use a statement set "
                            f"for several INSERTs")
    node = statements[0]
    if isinstance(node, exp.Create):
        return _create(t_env, node)
    if isinstance(node, exp.Drop):
        return _drop(t_env, node)
    if isinstance(node, exp.Insert):
        path, table = _insert(t_env, node)
        return t_env._execute_insert([(path, table)])
    if isinstance(node, exp.Describe):
        return _describe(t_env, node.this.name)
    if isinstance(node, (exp.Select, exp.Union, exp.Subquery)):
        return plan_query(t_env, node).execute()
    raise SqlValidationError(f"unsupported statement: {stmt.strip()[:60]}")


def _set(t_env: Any, match: "re.Match") -> TableResult:
    """SET 'key' = 'value' sets a configuration option (t_env.get_config().set), SET alone lists
    them, RESET 'key' removes one, RESET all of them."""
    command, key, value = match.group(1).upper(), match.group(2), match.group(3)
    config = t_env.get_config()
    if command == "RESET":
        if value is not None:
            raise SqlValidationError(f"RESET takes a key only: RESET '{key}'")
        for name in [key] if key is not None else list(config._values):
            config._values.pop(name, None)
        return _message_result()
    if key is None:
        return _rows_result(["key", "value"], [[k, v] for k, v in sorted(config._values.items())])
    if value is None:
        raise SqlValidationError(f"SET '{key}' needs a value: SET '{key}' = 'value'")
    config.set(key, value)
    return _message_result()


def parse_insert(t_env: Any, stmt: str) -> Tuple[str, Any]:
    statements = parse(stmt, t_env._functions)
    if len(statements) != 1 or not isinstance(statements[0], exp.Insert):
        raise PlanningError(f"expected one INSERT INTO statement, got: {stmt.strip()[:60]}")
    return _insert(t_env, statements[0])


def _insert(t_env: Any, node: exp.Insert) -> Tuple[str, Any]:
    target = node.this
    if isinstance(target, exp.Schema):
        raise SqlValidationError("INSERT INTO t (columns) is not supported yet; select the columns in order")
    return target.name, plan_query(t_env, node.expression)


def _create_function(t_env: Any, match: "re.Match") -> TableResult:
    name, target, language = match.group(4).strip("`"), match.group(5), (match.group(7) or "JAVA").upper()
    if language != "PYTHON":
        raise SqlValidationError(f"CREATE FUNCTION {name}: only LANGUAGE PYTHON functions can run in Fluvial")
    module_name, _, attribute = target.rpartition(".")
    try:
        module = importlib.import_module(module_name)
        function = getattr(module, attribute)
    except (ImportError, AttributeError) as error:
        raise SqlValidationError(f"CREATE FUNCTION {name}: cannot load '{target}': {error}") from None
    if match.group(3) and name.lower() in t_env._functions:
        return _message_result()
    t_env.create_temporary_function(name, function)
    return _message_result()


def _create(t_env: Any, node: exp.Create) -> TableResult:
    kind = (node.args.get("kind") or "").upper()
    exists_ok = bool(node.args.get("exists"))
    if kind == "VIEW":
        name = node.this.name
        if name in t_env._tables and not exists_ok:
            raise SqlValidationError(f"a table or view named '{name}' exists already")
        t_env._tables[name] = plan_query(t_env, node.expression)
        return _message_result()
    if kind != "TABLE":
        raise SqlValidationError(f"CREATE {kind} is not supported")
    schema_node = node.this
    if not isinstance(schema_node, exp.Schema):
        if node.expression is not None:
            raise SqlValidationError("CREATE TABLE ... AS SELECT is not supported yet")
        raise SqlValidationError("CREATE TABLE needs a column list")
    name = schema_node.this.name
    if name in t_env._tables:
        if exists_ok:
            return _message_result()
        raise SqlValidationError(f"table '{name}' exists already (use CREATE TABLE IF NOT EXISTS)")
    from fluvial.table.table_environment import CatalogTable

    fields: List[pa.Field] = []
    data_types = []
    computed: List[Tuple[str, Any]] = []
    watermark = None
    primary_key: List[str] = []
    not_null: List[str] = []
    proctime = None
    translate = ExpressionTranslator(t_env)
    for item in schema_node.expressions:
        if isinstance(item, exp.ColumnDef):
            column = item.name
            kind_node = item.args.get("kind")
            computed_constraint = next((c for c in item.args.get("constraints") or []
                                        if isinstance(c.kind, exp.ComputedColumnConstraint)), None)
            if kind_node is None and computed_constraint is not None or kind_node is None:
                expression = computed_constraint.kind.this if computed_constraint is not None else None
                if expression is None:
                    raise SqlValidationError(f"column '{column}' needs a type")
                translated = translate(expression)
                if getattr(translated, "function", None) == "proctime":
                    proctime = column
                    continue
                computed.append((column, translated))
                continue
            data_type = from_sqlglot(kind_node)
            if any(isinstance(c.kind, exp.NotNullColumnConstraint) and not c.kind.args.get("allow_null")
                   for c in item.args.get("constraints") or []):
                not_null.append(column)  # checked at the sinks ('table.exec.sink.not-null-enforcer')
                data_type = data_type.not_null()
            data_types.append(data_type)
            fields.append(pa.field(column, data_type.arrow_type))
        elif isinstance(item, exp.WatermarkColumnConstraint):
            watermark = (item.this.name, item.expression)
        elif isinstance(item, exp.PrimaryKey):
            primary_key = [e.name for e in item.expressions]
        else:
            raise SqlValidationError(f"unsupported item in CREATE TABLE {name}: {item.sql()}")
    options: Dict[str, str] = {}
    partition_keys: List[str] = []
    for prop in (node.args.get("properties").expressions if node.args.get("properties") else []):
        if isinstance(prop, exp.TemporaryProperty):  # TEMPORARY: every table lives as long as its t_env
            continue
        if isinstance(prop, exp.PartitionedByProperty):
            partition_keys = [e.name for e in prop.this.expressions]
            continue
        if isinstance(prop, exp.Property):
            key = prop.name if not isinstance(prop.this, exp.Literal) else prop.this.this
            value = prop.args.get("value")
            options[str(key)] = value.this if isinstance(value, exp.Literal) else value.sql()
    schema = pa.schema(fields)
    for key in partition_keys:
        if key not in schema.names:
            raise SqlValidationError(f"PARTITIONED BY ({key}): no such column in table '{name}'")
    if partition_keys:
        options["__partition_keys"] = ",".join(partition_keys)  # read by the filesystem connector
    entry = CatalogTable(name, schema, options, proctime=proctime, computed=computed, primary_key=primary_key,
                         data_types=data_types, not_null=not_null)
    if watermark is not None:
        column, expression = watermark
        if column not in schema.names:
            raise SqlValidationError(f"WATERMARK FOR '{column}': no such column in table '{name}'")
        if not pa.types.is_timestamp(schema.field(column).type):
            raise SqlValidationError(f"WATERMARK FOR '{column}': the column must be TIMESTAMP(3) or "
                                     f"TIMESTAMP_LTZ(3), it is {schema.field(column).type}")
        entry.rowtime = column
        entry.watermark_delay = _watermark_delay(translate(expression), column)
    if "connector" not in options and "connector.type" in options:
        entry.options = options = _from_legacy_options(name, options)
    if "connector" not in options:
        raise SqlValidationError(f"CREATE TABLE {name}: WITH ('connector' = ...) is required")
    t_env._tables[name] = entry
    return _message_result()


# Flink 1.x's legacy table options ('connector.type' = 'filesystem', 'format.type' = 'csv', ...) and
# the options they are now.
_LEGACY_FILESYSTEM = {"connector.type": None, "connector.path": "path", "format.type": None,
                      "format.field-delimiter": "csv.field-delimiter", "format.ignore-first-line": None,
                      "format.derive-schema": None}


def _from_legacy_options(name: str, options: Dict[str, str]) -> Dict[str, str]:
    """The options of a table declared with Flink 1.x's legacy descriptor keys, in today's keys;
    only the CSV file table has them (what PyFlink's tests and old programs declare)."""
    if options.get("connector.type") != "filesystem" or options.get("format.type", "csv") != "csv":
        raise SqlValidationError(f"CREATE TABLE {name}: the legacy 'connector.type' = "
                                 f"'{options.get('connector.type')}' options are not supported (only a CSV "
                                 f"'filesystem' table); declare it with 'connector' = ... and its current options")
    if options.get("format.ignore-first-line", "false") != "false":
        raise SqlValidationError(f"CREATE TABLE {name}: 'format.ignore-first-line' = 'true' is not supported; "
                                 f"remove the header line from the file")
    unknown = sorted(k for k in options if k not in _LEGACY_FILESYSTEM and not k.startswith("__"))
    if unknown:
        raise SqlValidationError(f"CREATE TABLE {name}: unknown legacy option(s) {unknown} for a "
                                 f"'connector.type' = 'filesystem' table")
    converted = {"connector": "filesystem", "format": "csv"}
    for key, value in options.items():
        new_key = _LEGACY_FILESYSTEM.get(key, key if key.startswith("__") else None)
        if new_key is not None:
            converted[new_key] = value
    return converted


def _watermark_delay(expression: Any, column: str) -> int:
    """Flink's watermark expressions of the form ts, or ts - INTERVAL ...: the delay in ms."""
    if isinstance(expression, Col) and expression.name == column:
        return 0
    from fluvial.table.expressions import Call

    if isinstance(expression, Call) and expression.function == "minus":
        left, right = expression.args
        if isinstance(left, Col) and left.name == column and isinstance(right, Interval):
            return right.ms
    raise SqlValidationError(f"unsupported WATERMARK expression {expression!r}: use `{column}` or "
                             f"`{column} - INTERVAL 'n' SECOND`")


def _drop(t_env: Any, node: exp.Drop) -> TableResult:
    kind = (node.args.get("kind") or "").upper()
    name = node.this.name
    if kind == "FUNCTION":
        removed = t_env.drop_temporary_function(name)
    else:
        removed = t_env._tables.pop(name, None) is not None
    if not removed and not node.args.get("exists"):
        raise SqlValidationError(f"DROP {kind} {name}: no such {kind.lower()}")
    return _message_result()


def _describe(t_env: Any, name: str) -> TableResult:
    from fluvial.table.types import from_arrow

    table = t_env.from_path(name)
    entry = t_env._tables.get(name)
    plan = table._plan
    rows = []
    for field in plan.schema:
        data_type = repr(from_arrow(field.type))
        if field.name == plan.rowtime:
            data_type += " *ROWTIME*"
        key = "PRI" if entry is not None and not hasattr(entry, "_plan") and field.name in entry.primary_key else None
        watermark = None
        if field.name == plan.rowtime and entry is not None and not hasattr(entry, "_plan"):
            watermark = f"`{field.name}` - INTERVAL '{entry.watermark_delay / 1000:g}' SECOND"
        nullable = field.nullable and field.name not in plan.not_null
        rows.append([field.name, data_type + ("" if nullable else " NOT NULL"), "TRUE" if nullable else "FALSE",
                     key, None, watermark])
    return _rows_result(["name", "type", "null", "key", "extras", "watermark"], rows)

__all__: list = []  # internal: reached through TableEnvironment.execute_sql
