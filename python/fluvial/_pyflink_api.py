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
    'pyflink.datastream.connectors.number_seq': (
        'NumberSequenceSource',
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
