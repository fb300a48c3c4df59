"""Inventory of PyFlink's public Python API, used to fail loudly on what Fluvial lacks.

Taken from the apache-flink 1.20.0 wheel (PyPI, cp311 manylinux): for each module its
``__all__``; for modules without ``__all__`` (common.configuration,
common.watermark_strategy, datastream.output_tag, datastream.timerservice,
datastream.formats) the public classes/functions defined in it; for
pyflink.datastream.connectors also the names its ``_install()`` re-exports for backward
compatibility (``from pyflink.datastream.connectors import FileSink`` still works there).

MODULES lists every importable PyFlink 1.20.0 module (without tests, examples, testing and
fn_execution internals): importing one of these that Fluvial lacks is an
UnsupportedFeatureError, any other pyflink.* name a plain ModuleNotFoundError.
"""
import importlib

PYFLINK_VERSION = "1.20.0"

API = {
    'pyflink': (),
    'pyflink.common': (
        'Configuration', 'ConfigOption', 'ConfigOptions', 'ExecutionConfig',
        'TypeInformation', 'TypeSerializer', 'Types', 'SerializationSchema',
        'DeserializationSchema', 'SimpleStringSchema', 'Encoder', 'CompletableFuture',
        'ExecutionMode', 'InputDependencyConstraint', 'JobClient', 'JobExecutionResult',
        'JobID', 'JobStatus', 'RestartStrategies', 'RestartStrategyConfiguration',
        'Row', 'RowKind', 'WatermarkStrategy', 'Duration', 'Instant', 'Time',
        'AssignerWithPeriodicWatermarksWrapper',
    ),
    'pyflink.common.typeinfo': (
        'TypeInformation', 'Types',
    ),
    'pyflink.common.types': (
        'Row', 'RowKind',
    ),
    'pyflink.common.configuration': (
        'Configuration',
    ),
    'pyflink.common.time': (
        'Duration', 'Instant', 'Time',
    ),
    'pyflink.common.serialization': (
        'SerializationSchema', 'DeserializationSchema', 'SimpleStringSchema', 'Encoder',
        'BulkWriterFactory',
    ),
    'pyflink.common.watermark_strategy': (
        'WatermarkStrategy', 'TimestampAssigner',
        'AssignerWithPeriodicWatermarksWrapper',
    ),
    'pyflink.common.execution_config': (
        'ExecutionConfig',
    ),
    'pyflink.common.restart_strategy': (
        'RestartStrategies', 'RestartStrategyConfiguration',
    ),
    'pyflink.datastream': (
        'StreamExecutionEnvironment', 'DataStream', 'KeyedStream', 'WindowedStream',
        'ConnectedStreams', 'BroadcastStream', 'BroadcastConnectedStream',
        'DataStreamSink', 'MapFunction', 'CoMapFunction', 'FlatMapFunction',
        'CoFlatMapFunction', 'ReduceFunction', 'FilterFunction', 'ProcessFunction',
        'KeyedProcessFunction', 'CoProcessFunction', 'KeyedCoProcessFunction',
        'WindowFunction', 'ProcessWindowFunction', 'AggregateFunction',
        'BroadcastProcessFunction', 'KeyedBroadcastProcessFunction', 'RuntimeContext',
        'TimerService', 'CheckpointingMode', 'CheckpointConfig',
        'ExternalizedCheckpointCleanup', 'ExternalizedCheckpointRetention',
        'StateBackend', 'HashMapStateBackend', 'EmbeddedRocksDBStateBackend',
        'CustomStateBackend', 'MemoryStateBackend', 'RocksDBStateBackend',
        'FsStateBackend', 'PredefinedOptions', 'CheckpointStorage',
        'JobManagerCheckpointStorage', 'FileSystemCheckpointStorage',
        'CustomCheckpointStorage', 'RuntimeExecutionMode', 'Window', 'TimeWindow',
        'CountWindow', 'GlobalWindow', 'WindowAssigner', 'MergingWindowAssigner',
        'TriggerResult', 'Trigger', 'TimeCharacteristic', 'TimeDomain', 'KeySelector',
        'Partitioner', 'SourceFunction', 'SinkFunction', 'SlotSharingGroup',
        'MemorySize', 'OutputTag',
    ),
    'pyflink.datastream.functions': (
        'RuntimeContext', 'MapFunction', 'CoMapFunction', 'FlatMapFunction',
        'CoFlatMapFunction', 'ReduceFunction', 'AggregateFunction', 'KeySelector',
        'FilterFunction', 'Partitioner', 'SourceFunction', 'SinkFunction',
        'ProcessFunction', 'CoProcessFunction', 'KeyedProcessFunction',
        'KeyedCoProcessFunction', 'TimerService', 'WindowFunction', 'AllWindowFunction',
        'ProcessWindowFunction', 'ProcessAllWindowFunction',
        'BaseBroadcastProcessFunction', 'BroadcastProcessFunction',
        'KeyedBroadcastProcessFunction',
    ),
    'pyflink.datastream.state': (
        'ValueStateDescriptor', 'ValueState', 'ListStateDescriptor', 'ListState',
        'MapStateDescriptor', 'MapState', 'ReducingStateDescriptor', 'ReducingState',
        'AggregatingStateDescriptor', 'AggregatingState', 'ReadOnlyBroadcastState',
        'BroadcastState', 'StateTtlConfig', 'OperatorStateStore',
    ),
    'pyflink.datastream.window': (
        'Window', 'TimeWindow', 'CountWindow', 'GlobalWindow', 'WindowAssigner',
        'TumblingProcessingTimeWindows', 'TumblingEventTimeWindows',
        'SlidingProcessingTimeWindows', 'SlidingEventTimeWindows',
        'ProcessingTimeSessionWindows', 'EventTimeSessionWindows',
        'DynamicProcessingTimeSessionWindows', 'DynamicEventTimeSessionWindows',
        'GlobalWindows', 'MergingWindowAssigner', 'CountTumblingWindowAssigner',
        'CountSlidingWindowAssigner', 'TriggerResult', 'Trigger', 'EventTimeTrigger',
        'ProcessingTimeTrigger', 'ContinuousEventTimeTrigger',
        'ContinuousProcessingTimeTrigger', 'NeverTrigger', 'PurgingTrigger',
        'CountTrigger', 'TimeWindowSerializer', 'CountWindowSerializer',
        'GlobalWindowSerializer', 'SessionWindowTimeGapExtractor',
    ),
    'pyflink.datastream.data_stream': (
        'CloseableIterator', 'DataStream', 'KeyedStream', 'ConnectedStreams',
        'WindowedStream', 'DataStreamSink', 'BroadcastStream',
        'BroadcastConnectedStream',
    ),
    'pyflink.datastream.stream_execution_environment': (
        'StreamExecutionEnvironment',
    ),
    'pyflink.datastream.checkpoint_config': (
        'CheckpointConfig', 'ExternalizedCheckpointCleanup',
    ),
    'pyflink.datastream.checkpointing_mode': (
        'CheckpointingMode',
    ),
    'pyflink.datastream.execution_mode': (
        'RuntimeExecutionMode',
    ),
    'pyflink.datastream.state_backend': (
        'StateBackend', 'HashMapStateBackend', 'EmbeddedRocksDBStateBackend',
        'MemoryStateBackend', 'FsStateBackend', 'RocksDBStateBackend',
        'CustomStateBackend', 'PredefinedOptions',
    ),
    'pyflink.datastream.time_domain': (
        'TimeDomain',
    ),
    'pyflink.datastream.output_tag': (
        'OutputTag',
    ),
    'pyflink.datastream.time_characteristic': (
        'TimeCharacteristic',
    ),
    'pyflink.datastream.timerservice': (
        'TimerService',
    ),
    'pyflink.datastream.connectors': (
        'Sink', 'Source', 'DeliveryGuarantee', 'NumberSequenceSource', 'JdbcSink',
        'JdbcConnectionOptions', 'JdbcExecutionOptions', 'KafkaSource',
        'FlinkKafkaConsumer', 'FlinkKafkaProducer', 'Semantic', 'PulsarSource',
        'PulsarSourceBuilder', 'StartCursor', 'StopCursor', 'RMQSource', 'RMQSink',
        'RMQConnectionConfig', 'BucketAssigner', 'FileEnumeratorProvider', 'FileSink',
        'FileSplitAssignerProvider', 'FileSource', 'FileSourceBuilder',
        'OutputFileConfig', 'RollingPolicy', 'StreamFormat', 'StreamingFileSink',
    ),
    'pyflink.datastream.connectors.file_system': (
        'FileCompactor', 'FileCompactStrategy', 'OutputFileConfig', 'FileSource',
        'FileSourceBuilder', 'FileSink', 'StreamingFileSink', 'StreamFormat',
        'BulkFormat', 'FileEnumeratorProvider', 'FileSplitAssignerProvider',
        'RollingPolicy', 'BucketAssigner',
    ),
    'pyflink.datastream.connectors.kafka': (
        'FlinkKafkaConsumer', 'FlinkKafkaProducer', 'KafkaSource', 'KafkaSourceBuilder',
        'KafkaSink', 'KafkaSinkBuilder', 'Semantic', 'KafkaTopicPartition',
        'KafkaOffsetsInitializer', 'KafkaOffsetResetStrategy',
        'KafkaRecordSerializationSchema', 'KafkaRecordSerializationSchemaBuilder',
        'KafkaTopicSelector',
    ),
    'pyflink.datastream.connectors.kinesis': (
        'KinesisShardAssigner', 'KinesisDeserializationSchema', 'WatermarkTracker',
        'PartitionKeyGenerator', 'FlinkKinesisConsumer', 'KinesisStreamsSink',
        'KinesisStreamsSinkBuilder', 'KinesisFirehoseSink', 'KinesisFirehoseSinkBuilder',
    ),
    'pyflink.datastream.connectors.number_seq': (
        'NumberSequenceSource',
    ),
    'pyflink.datastream.connectors.jdbc': (
        'JdbcSink', 'JdbcConnectionOptions', 'JdbcExecutionOptions',
    ),
    'pyflink.datastream.connectors.hybrid_source': (
        'HybridSource', 'HybridSourceBuilder',
    ),
    'pyflink.datastream.formats': (),
    'pyflink.datastream.formats.avro': (
        'AvroSchema', 'GenericRecordAvroTypeInfo', 'AvroInputFormat', 'AvroBulkWriters',
        'AvroRowDeserializationSchema', 'AvroRowSerializationSchema',
    ),
    'pyflink.datastream.formats.csv': (
        'CsvSchema', 'CsvSchemaBuilder', 'CsvReaderFormat', 'CsvBulkWriters',
        'CsvRowDeserializationSchema', 'CsvRowSerializationSchema',
    ),
    'pyflink.datastream.formats.json': (
        'JsonRowDeserializationSchema', 'JsonRowSerializationSchema',
    ),
    'pyflink.datastream.formats.orc': (
        'OrcBulkWriters',
    ),
    'pyflink.datastream.formats.parquet': (
        'AvroParquetReaders', 'AvroParquetWriters', 'ParquetColumnarRowInputFormat',
        'ParquetBulkWriters',
    ),
    'pyflink.table': (
        'TableEnvironment', 'StreamTableEnvironment', 'Table', 'StatementSet',
        'EnvironmentSettings', 'TableConfig', 'GroupedTable', 'GroupWindowedTable',
        'OverWindowedTable', 'WindowGroupedTable', 'ScalarFunction', 'TableFunction',
        'AggregateFunction', 'TableAggregateFunction', 'FunctionContext', 'DataView',
        'ListView', 'MapView', 'TableDescriptor', 'FormatDescriptor', 'Schema',
        'Module', 'ModuleEntry', 'SqlDialect', 'DataTypes', 'UserDefinedType',
        'Expression', 'TableSchema', 'TableResult', 'Row', 'RowKind', 'ChangelogMode',
        'ExplainDetail', 'TableSource', 'TableSink', 'CsvTableSource', 'CsvTableSink',
        'WriteMode', 'ResultKind',
    ),
    'pyflink.table.udf': (
        'FunctionContext', 'AggregateFunction', 'ScalarFunction', 'TableFunction',
        'TableAggregateFunction', 'udf', 'udtf', 'udaf', 'udtaf',
    ),
    'pyflink.table.expressions': (
        'if_then_else', 'lit', 'col', 'range_', 'and_', 'or_', 'not_', 'UNBOUNDED_ROW',
        'UNBOUNDED_RANGE', 'CURRENT_ROW', 'CURRENT_RANGE', 'current_database',
        'current_date', 'current_time', 'current_timestamp', 'current_watermark',
        'local_time', 'local_timestamp', 'temporal_overlaps', 'date_format',
        'timestamp_diff', 'array', 'row', 'map_', 'row_interval', 'pi', 'e', 'rand',
        'rand_integer', 'atan2', 'negative', 'concat', 'concat_ws', 'uuid', 'null_of',
        'log', 'with_columns', 'without_columns', 'json_string', 'json_object',
        'json_object_agg', 'json_array', 'json_array_agg', 'call', 'call_sql',
        'source_watermark', 'to_timestamp_ltz', 'from_unixtime', 'to_date',
        'to_timestamp', 'convert_tz', 'unix_timestamp',
    ),
    'pyflink.table.types': (
        'DataTypes', 'UserDefinedType', 'Row', 'RowKind',
    ),
    'pyflink.table.window': (
        'Tumble', 'Session', 'Slide', 'Over', 'GroupWindow', 'OverWindow',
    ),
    'pyflink.table.table_environment': (
        'StreamTableEnvironment', 'TableEnvironment',
    ),
    'pyflink.table.environment_settings': (
        'EnvironmentSettings',
    ),
    'pyflink.table.table': (
        'Table', 'GroupedTable', 'GroupWindowedTable', 'OverWindowedTable',
        'WindowGroupedTable',
    ),
    'pyflink.table.table_config': (
        'TableConfig',
    ),
    'pyflink.table.table_descriptor': (
        'TableDescriptor', 'FormatDescriptor',
    ),
    'pyflink.table.schema': (
        'Schema',
    ),
    'pyflink.table.table_result': (
        'TableResult', 'CloseableIterator',
    ),
    'pyflink.table.statement_set': (
        'StatementSet',
    ),
    'pyflink.table.descriptors': (
        'Rowtime', 'Schema',
    ),
}

MODULES = frozenset((
    'pyflink', 'pyflink.common', 'pyflink.common.completable_future',
    'pyflink.common.config_options', 'pyflink.common.configuration',
    'pyflink.common.constants', 'pyflink.common.execution_config',
    'pyflink.common.execution_mode', 'pyflink.common.input_dependency_constraint',
    'pyflink.common.io', 'pyflink.common.job_client',
    'pyflink.common.job_execution_result', 'pyflink.common.job_id',
    'pyflink.common.job_status', 'pyflink.common.restart_strategy',
    'pyflink.common.serialization', 'pyflink.common.serializer', 'pyflink.common.time',
    'pyflink.common.typeinfo', 'pyflink.common.types', 'pyflink.common.utils',
    'pyflink.common.watermark_strategy', 'pyflink.datastream',
    'pyflink.datastream.checkpoint_config', 'pyflink.datastream.checkpoint_storage',
    'pyflink.datastream.checkpointing_mode', 'pyflink.datastream.connectors',
    'pyflink.datastream.connectors.base', 'pyflink.datastream.connectors.cassandra',
    'pyflink.datastream.connectors.elasticsearch',
    'pyflink.datastream.connectors.file_system',
    'pyflink.datastream.connectors.hybrid_source', 'pyflink.datastream.connectors.jdbc',
    'pyflink.datastream.connectors.kafka', 'pyflink.datastream.connectors.kinesis',
    'pyflink.datastream.connectors.number_seq', 'pyflink.datastream.connectors.pulsar',
    'pyflink.datastream.connectors.rabbitmq', 'pyflink.datastream.data_stream',
    'pyflink.datastream.execution_mode',
    'pyflink.datastream.externalized_checkpoint_retention',
    'pyflink.datastream.formats', 'pyflink.datastream.formats.avro',
    'pyflink.datastream.formats.csv', 'pyflink.datastream.formats.json',
    'pyflink.datastream.formats.orc', 'pyflink.datastream.formats.parquet',
    'pyflink.datastream.functions', 'pyflink.datastream.output_tag',
    'pyflink.datastream.slot_sharing_group', 'pyflink.datastream.state',
    'pyflink.datastream.state_backend',
    'pyflink.datastream.stream_execution_environment',
    'pyflink.datastream.time_characteristic', 'pyflink.datastream.time_domain',
    'pyflink.datastream.timerservice', 'pyflink.datastream.utils',
    'pyflink.datastream.window', 'pyflink.find_flink_home', 'pyflink.gen_protos',
    'pyflink.java_gateway', 'pyflink.metrics', 'pyflink.metrics.metricbase',
    'pyflink.pyflink_callback_server', 'pyflink.pyflink_gateway_server',
    'pyflink.serializers', 'pyflink.shell', 'pyflink.table', 'pyflink.table.catalog',
    'pyflink.table.changelog_mode', 'pyflink.table.data_view',
    'pyflink.table.descriptors', 'pyflink.table.environment_settings',
    'pyflink.table.explain_detail', 'pyflink.table.expression',
    'pyflink.table.expressions', 'pyflink.table.functions', 'pyflink.table.module',
    'pyflink.table.result_kind', 'pyflink.table.schema', 'pyflink.table.serializers',
    'pyflink.table.sinks', 'pyflink.table.sources', 'pyflink.table.sql_dialect',
    'pyflink.table.statement_set', 'pyflink.table.table', 'pyflink.table.table_config',
    'pyflink.table.table_descriptor', 'pyflink.table.table_environment',
    'pyflink.table.table_result', 'pyflink.table.table_schema', 'pyflink.table.types',
    'pyflink.table.udf', 'pyflink.table.utils', 'pyflink.table.window', 'pyflink.util',
    'pyflink.util.exceptions', 'pyflink.util.java_utils', 'pyflink.version',
))


def fluvial_name(pyflink_name):
    """'pyflink.datastream.state' -> 'fluvial.datastream.state'."""
    return "fluvial" + pyflink_name[len("pyflink"):]


def import_fluvial(pyflink_name):
    """Import the Fluvial counterpart of a PyFlink module; None if it does not exist.

    A ModuleNotFoundError about anything else (e.g. a dependency missing inside a Fluvial
    module) is a real bug and propagates.
    """
    target = fluvial_name(pyflink_name)
    try:
        return importlib.import_module(target)
    except ModuleNotFoundError as e:
        if e.name and (target == e.name or target.startswith(e.name + ".")):
            return None
        raise


def _has(mod, name):
    # Not hasattr(): a module-level __getattr__ may itself raise UnsupportedFeatureError.
    try:
        getattr(mod, name)
        return True
    except (AttributeError, ImportError):
        return False


def coverage():
    """For each inventoried module: {'module': the Fluvial module name, or None if it does
    not exist yet, 'provided': names Fluvial has, 'missing': names it lacks}."""
    result = {}
    for mod_name, names in API.items():
        mod = import_fluvial(mod_name)
        provided = tuple(n for n in names if mod is not None and _has(mod, n))
        result[mod_name] = {
            "module": mod.__name__ if mod is not None else None,
            "provided": provided,
            "missing": tuple(n for n in names if n not in provided),
        }
    return result


# Public methods of PyFlink 2.2.0's main classes (read from its wheel with inspect; the
# module-level names above are 1.20's). A method listed here that the Fluvial class
# lacks raises UnsupportedFeatureError naming it (fluvial/_unsupported.py).
METHODS = {
    "StreamExecutionEnvironment": (
        "add_classpaths", "add_jars", "add_python_archive", "add_python_file", "add_source",
        "close", "configure", "create_input", "disable_operator_chaining",
        "enable_changelog_state_backend", "enable_checkpointing", "execute", "execute_async",
        "from_collection", "from_source", "get_buffer_timeout", "get_checkpoint_config",
        "get_checkpoint_interval", "get_checkpointing_consistency_mode", "get_checkpointing_mode",
        "get_config", "get_default_local_parallelism", "get_default_savepoint_directory",
        "get_execution_environment", "get_execution_plan", "get_max_parallelism", "get_parallelism",
        "is_chaining_enabled", "is_chaining_of_operators_with_different_max_parallelism_enabled",
        "is_changelog_state_backend_enabled", "is_force_unaligned_checkpoints",
        "is_unaligned_checkpoints_enabled", "register_cached_file", "register_slot_sharing_group",
        "set_buffer_timeout", "set_default_local_parallelism", "set_default_savepoint_directory",
        "set_max_parallelism", "set_parallelism", "set_python_executable",
        "set_python_requirements", "set_runtime_mode",
    ),
    "DataStream": (
        "add_sink", "assign_timestamps_and_watermarks", "broadcast", "cache", "connect",
        "disable_chaining", "execute_and_collect", "filter", "flat_map", "force_non_parallel",
        "forward", "get_execution_config", "get_execution_environment", "get_name",
        "get_side_output", "get_type", "key_by", "map", "name", "partition_custom", "print",
        "process", "project", "rebalance", "rescale", "set_buffer_timeout", "set_description",
        "set_max_parallelism", "set_parallelism", "set_uid_hash", "shuffle", "sink_to",
        "slot_sharing_group", "start_new_chain", "uid", "union", "window_all",
    ),
    "KeyedStream": (
        "AccumulateType", "add_sink", "assign_timestamps_and_watermarks", "broadcast", "cache",
        "connect", "count_window", "disable_chaining", "execute_and_collect", "filter", "flat_map",
        "force_non_parallel", "forward", "get_execution_config", "get_execution_environment",
        "get_name", "get_side_output", "get_type", "key_by", "map", "max", "max_by", "min",
        "min_by", "name", "partition_custom", "print", "process", "project", "rebalance", "reduce",
        "rescale", "set_buffer_timeout", "set_description", "set_max_parallelism",
        "set_parallelism", "set_uid_hash", "shuffle", "sink_to", "slot_sharing_group",
        "start_new_chain", "sum", "uid", "union", "window", "window_all",
    ),
    "DataStreamSink": (
        "disable_chaining", "name", "set_description", "set_parallelism", "set_uid_hash",
        "slot_sharing_group", "uid",
    ),
    "WindowedStream": (
        "aggregate", "allowed_lateness", "apply", "get_execution_environment", "get_input_type",
        "process", "reduce", "side_output_late_data", "trigger",
    ),
    "AllWindowedStream": (
        "aggregate", "allowed_lateness", "apply", "get_execution_environment", "get_input_type",
        "process", "reduce", "side_output_late_data", "trigger",
    ),
    "ConnectedStreams": (
        "flat_map", "key_by", "map", "process",
    ),
    "BroadcastConnectedStream": (
        "process",
    ),
    "RuntimeContext": (
        "get_aggregating_state", "get_attempt_number", "get_index_of_this_subtask",
        "get_job_parameter", "get_list_state", "get_map_state",
        "get_max_number_of_parallel_subtasks", "get_metrics_group",
        "get_number_of_parallel_subtasks", "get_reducing_state", "get_state", "get_task_name",
        "get_task_name_with_subtasks",
    ),
    "Expression": (
        "abs", "acos", "alias", "array_agg", "array_append", "array_concat", "array_contains",
        "array_distinct", "array_except", "array_intersect", "array_join", "array_max", "array_min",
        "array_position", "array_prepend", "array_remove", "array_reverse", "array_slice", "array_sort",
        "array_union", "as_argument", "asc", "ascii", "asin", "at", "atan", "avg", "between", "bin",
        "btrim", "cardinality", "cast", "ceil", "char_length", "chr", "collect", "concat", "cos",
        "cosh", "cot", "count", "day", "days", "decode", "degrees", "desc", "distinct", "element",
        "elt", "encode", "end", "ends_with", "exp", "extract", "first_value", "flatten", "floor",
        "from_base64", "get", "hex", "hour", "hours", "if_null", "in_", "init_cap", "instr", "is_false",
        "is_json", "is_not_false", "is_not_null", "is_not_true", "is_null", "is_true", "json_exists",
        "json_query", "json_quote", "json_unquote", "json_value", "last_value", "left", "like",
        "list_agg", "ln", "locate", "log", "log10", "log2", "lower_case", "lpad", "ltrim",
        "map_entries", "map_keys", "map_union", "map_values", "max", "md5", "milli", "millis", "min",
        "minute", "minutes", "month", "months", "not_between", "object_update", "over", "overlay",
        "parse_url", "percentile", "position", "printf", "proctime", "quarter", "quarters", "radians",
        "regexp", "regexp_count", "regexp_extract", "regexp_extract_all", "regexp_instr",
        "regexp_replace", "regexp_substr", "repeat", "replace", "reverse", "right", "round", "rowtime",
        "rpad", "rtrim", "second", "seconds", "sha1", "sha2", "sha224", "sha256", "sha384", "sha512",
        "sign", "similar", "sin", "sinh", "split", "split_index", "sqrt", "start", "starts_with",
        "stddev_pop", "stddev_samp", "str_to_map", "substr", "substring", "sum", "sum0", "tan", "tanh",
        "then", "to_base64", "to_date", "to_time", "to_timestamp", "translate", "trim", "trim_leading",
        "trim_trailing", "truncate", "try_cast", "unhex", "upper_case", "url_decode", "url_encode",
        "var_pop", "var_samp", "week", "weeks", "year", "years",
    ),
    "ExecutionConfig": (
        "disable_auto_generated_uids", "disable_closure_cleaner", "disable_force_avro",
        "disable_force_kryo", "disable_generic_types", "disable_object_reuse",
        "enable_auto_generated_uids", "enable_closure_cleaner", "enable_force_avro",
        "enable_force_kryo", "enable_generic_types", "enable_object_reuse",
        "get_auto_watermark_interval", "get_default_kryo_serializer_classes",
        "get_global_job_parameters", "get_latency_tracking_interval", "get_max_parallelism",
        "get_parallelism", "get_registered_kryo_types", "get_registered_pojo_types",
        "get_task_cancellation_interval", "get_task_cancellation_timeout",
        "has_auto_generated_uids_enabled", "has_generic_types_disabled",
        "is_closure_cleaner_enabled", "is_force_avro_enabled", "is_force_kryo_enabled",
        "is_object_reuse_enabled", "is_use_snapshot_compression", "set_auto_watermark_interval",
        "set_global_job_parameters", "set_latency_tracking_interval", "set_max_parallelism",
        "set_parallelism", "set_task_cancellation_interval", "set_task_cancellation_timeout",
        "set_use_snapshot_compression",
    ),
}
