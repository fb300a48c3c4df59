"""State backends (PyFlink's pyflink.datastream.state_backend), accepted as settings.

Fluvial keeps keyed and operator state on the heap, which is what HashMapStateBackend
(and Flink 1.x's MemoryStateBackend / FsStateBackend) mean. A RocksDB backend is accepted
so that programs run unmodified; state stays on the heap, and the first RocksDB backend
says so once on standard error. A backend built with a checkpoint directory (FsStateBackend,
RocksDBStateBackend) puts checkpoints there, as in Flink 1.x.

Examples:
    >>> from fluvial.datastream import StreamExecutionEnvironment
    >>> from fluvial.datastream.state_backend import HashMapStateBackend
    >>> env = StreamExecutionEnvironment.get_execution_environment()
    >>> env.set_state_backend(HashMapStateBackend()).get_state_backend()
    HashMapStateBackend()
"""

from enum import Enum
from typing import List, Optional

from fluvial._notices import notice_once

__all__ = [
    "StateBackend",
    "HashMapStateBackend",
    "EmbeddedRocksDBStateBackend",
    "MemoryStateBackend",
    "FsStateBackend",
    "RocksDBStateBackend",
    "CustomStateBackend",
    "PredefinedOptions",
]


class StateBackend:
    """Base of the state backends: where state lives while the job runs.

    Examples:
        >>> from fluvial.datastream.state_backend import HashMapStateBackend, StateBackend
        >>> isinstance(HashMapStateBackend(), StateBackend)
        True
    """

    # A checkpoint directory the backend brings along (Flink 1.x's FsStateBackend), or None.
    _checkpoint_directory: Optional[str] = None

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class HashMapStateBackend(StateBackend):
    """State as Python objects on the heap: what Fluvial always does.

    Examples:
        >>> from fluvial.datastream import StreamExecutionEnvironment
        >>> from fluvial.datastream.state_backend import HashMapStateBackend
        >>> env = StreamExecutionEnvironment.get_execution_environment()
        >>> env.set_state_backend(HashMapStateBackend()).get_state_backend()
        HashMapStateBackend()
    """

    def __init__(self, j_hashmap_state_backend=None):
        _no_java("HashMapStateBackend", j_hashmap_state_backend)


class PredefinedOptions(Enum):
    """RocksDB tuning presets; accepted and kept, without effect while state is on the heap.

    Examples:
        >>> from fluvial.datastream.state_backend import PredefinedOptions
        >>> PredefinedOptions.FLASH_SSD_OPTIMIZED.name
        'FLASH_SSD_OPTIMIZED'
    """

    DEFAULT = 0
    SPINNING_DISK_OPTIMIZED = 1
    SPINNING_DISK_OPTIMIZED_HIGH_MEM = 2
    FLASH_SSD_OPTIMIZED = 3


class _RocksDBSettings(StateBackend):
    """What the RocksDB backends remember of their settings (read back by get_*)."""

    def _init_rocksdb(self, enable_incremental_checkpointing) -> None:
        notice_once("rocksdb", "the RocksDB state backend is not there yet; state is kept "
                               "on the heap (as HashMapStateBackend)")
        if enable_incremental_checkpointing is not None and not isinstance(
                enable_incremental_checkpointing, bool):
            raise TypeError(f"enable_incremental_checkpointing must be a bool, "
                            f"got {enable_incremental_checkpointing!r}")
        self._incremental = bool(enable_incremental_checkpointing)
        self._db_storage_paths: List[str] = []
        self._predefined_options = PredefinedOptions.DEFAULT
        self._options: Optional[str] = None
        self._transfer_threads = 4

    def set_db_storage_paths(self, *paths: str) -> None:
        for path in paths:
            if not isinstance(path, str):
                raise TypeError(f"set_db_storage_paths() expects str paths, got {path!r}")
        self._db_storage_paths = list(paths)

    def get_db_storage_paths(self) -> List[str]:
        return list(self._db_storage_paths)

    def is_incremental_checkpoints_enabled(self) -> bool:
        return self._incremental

    def set_predefined_options(self, options: PredefinedOptions) -> None:
        if not isinstance(options, PredefinedOptions):
            raise TypeError(f"set_predefined_options() expects a PredefinedOptions, got {options!r}")
        self._predefined_options = options

    def get_predefined_options(self) -> PredefinedOptions:
        return self._predefined_options

    def set_options(self, options_factory_class_name: str) -> None:
        self._options = options_factory_class_name

    def get_options(self) -> Optional[str]:
        return self._options

    def get_number_of_transfer_threads(self) -> int:
        return self._transfer_threads

    def set_number_of_transfer_threads(self, number_of_transfering_threads: int) -> None:
        if not isinstance(number_of_transfering_threads, int) or number_of_transfering_threads < 1:
            raise ValueError(f"the number of transfer threads must be a positive int, "
                             f"got {number_of_transfering_threads!r}")
        self._transfer_threads = number_of_transfering_threads


class EmbeddedRocksDBStateBackend(_RocksDBSettings):
    """RocksDB state; accepted, with state kept on the heap for now (said once on standard error).

    Examples:
        >>> from fluvial.datastream.state_backend import EmbeddedRocksDBStateBackend
        >>> backend = EmbeddedRocksDBStateBackend(enable_incremental_checkpointing=True)
        >>> backend.is_incremental_checkpoints_enabled(), backend.get_number_of_transfer_threads()
        (True, 4)
    """

    def __init__(self, enable_incremental_checkpointing=None,
                 j_embedded_rocks_db_state_backend=None):
        _no_java("EmbeddedRocksDBStateBackend", j_embedded_rocks_db_state_backend)
        self._init_rocksdb(enable_incremental_checkpointing)


class RocksDBStateBackend(_RocksDBSettings):
    """Flink 1.x's RocksDB backend with a checkpoint directory (checkpoints go there).

    Examples:
        >>> from fluvial.datastream.state_backend import RocksDBStateBackend
        >>> RocksDBStateBackend("file:///tmp/checkpoints").get_checkpoint_backend().get_checkpoint_path()
        'file:///tmp/checkpoints'
    """

    def __init__(self, checkpoint_data_uri=None, enable_incremental_checkpointing=None,
                 checkpoint_stream_backend=None, j_rocks_db_state_backend=None):
        _no_java("RocksDBStateBackend", j_rocks_db_state_backend)
        self._init_rocksdb(enable_incremental_checkpointing)
        if checkpoint_data_uri is None and isinstance(checkpoint_stream_backend, StateBackend):
            checkpoint_data_uri = checkpoint_stream_backend._checkpoint_directory
        self._checkpoint_directory = _directory("checkpoint_data_uri", checkpoint_data_uri)

    def get_checkpoint_backend(self) -> "FsStateBackend":
        return FsStateBackend(self._checkpoint_directory)

    # Flink 1.x's spelling of the transfer-thread accessors.
    def get_number_of_transfering_threads(self) -> int:
        return self.get_number_of_transfer_threads()

    def set_number_of_transfering_threads(self, number_of_transfering_threads: int) -> None:
        self.set_number_of_transfer_threads(number_of_transfering_threads)


class MemoryStateBackend(StateBackend):
    """Flink 1.x's heap backend with checkpoints in memory: heap state, as Fluvial keeps it.

    Examples:
        >>> from fluvial.datastream.state_backend import MemoryStateBackend
        >>> MemoryStateBackend(max_state_size=1024).get_max_state_size()
        1024
    """

    DEFAULT_MAX_STATE_SIZE = 5 * 1024 * 1024

    def __init__(self, checkpoint_path=None, savepoint_path=None, max_state_size=None,
                 using_asynchronous_snapshots=None, j_memory_state_backend=None):
        _no_java("MemoryStateBackend", j_memory_state_backend)
        self._checkpoint_directory = _directory("checkpoint_path", checkpoint_path)
        self._max_state_size = self.DEFAULT_MAX_STATE_SIZE if max_state_size is None else max_state_size

    def get_max_state_size(self) -> int:
        return self._max_state_size

    def is_using_asynchronous_snapshots(self) -> bool:
        return True


class FsStateBackend(StateBackend):
    """Flink 1.x's heap backend with checkpoints in a directory (checkpoints go there).

    Examples:
        >>> from fluvial.datastream import StreamExecutionEnvironment
        >>> from fluvial.datastream.state_backend import FsStateBackend
        >>> env = StreamExecutionEnvironment.get_execution_environment()
        >>> env.set_state_backend(FsStateBackend("file:///tmp/checkpoints")).get_checkpoint_config().get_checkpoint_storage_dir()
        'file:///tmp/checkpoints'
    """

    def __init__(self, checkpoint_directory_uri=None, default_savepoint_directory_uri=None,
                 file_state_size_threshold=None, write_buffer_size=None,
                 using_asynchronous_snapshots=None, j_fs_state_backend=None):
        _no_java("FsStateBackend", j_fs_state_backend)
        if checkpoint_directory_uri is None:
            raise ValueError("FsStateBackend needs checkpoint_directory_uri, the directory "
                             "checkpoints are written to")
        self._checkpoint_directory = _directory("checkpoint_directory_uri", checkpoint_directory_uri)
        self._file_state_size_threshold = (20 * 1024 if file_state_size_threshold is None
                                           else file_state_size_threshold)
        self._write_buffer_size = 4 * 1024 if write_buffer_size is None else write_buffer_size

    def get_checkpoint_path(self) -> str:
        return self._checkpoint_directory

    def get_min_file_size_threshold(self) -> int:
        return self._file_state_size_threshold

    def is_using_asynchronous_snapshots(self) -> bool:
        return True

    def get_write_buffer_size(self) -> int:
        return self._write_buffer_size


class CustomStateBackend(StateBackend):
    """A Java state backend class: there is no JVM in Fluvial to load it.

    Examples:
        >>> from fluvial.datastream.state_backend import CustomStateBackend
        >>> CustomStateBackend(None)
        Traceback (most recent call last):
            ...
        fluvial.errors.UnsupportedFeatureError: CustomStateBackend wraps a Java state backend, and Fluvial has no JVM; use HashMapStateBackend (or leave the state backend unset)
    """

    def __init__(self, j_custom_state_backend=None):
        from fluvial.errors import UnsupportedFeatureError

        raise UnsupportedFeatureError(
            "CustomStateBackend wraps a Java state backend, and Fluvial has no JVM; use "
            "HashMapStateBackend (or leave the state backend unset)", name="CustomStateBackend")


def _no_java(name: str, java_object) -> None:
    if java_object is not None:
        raise TypeError(f"{name}() takes no Java object in Fluvial (there is no JVM), "
                        f"got {java_object!r}")


def _directory(argument: str, value) -> Optional[str]:
    if value is None:
        return None
    if not isinstance(value, str) or not value:
        raise ValueError(f"{argument} must be a non-empty str (a directory or URI), got {value!r}")
    return value
